/**
Builds the repository's Dockerfile as a local image for the tests, from a local base (no registry base is
reachable there) and offline: the host fills an npm cache from package-lock.json once (the host reaches the npm
registry; a build container may not), and the build context carries it as .npm-cache/, which the Dockerfile
installs from. The context is what .dockerignore lets through, so the image is what `docker build .` makes.

The image carries the label layerlens.package.hash, a hash of the context, the Dockerfile and the base image's
id; an image whose label matches is not built again. Usage:
  node --import tsx packaging/build-container-image.ts [--base IMAGE] [--tag NAME]
*/
import {execFile} from 'node:child_process';
import {createHash} from 'node:crypto';
import {cp, mkdir, mkdtemp, readdir, readFile, rename, rm, stat} from 'node:fs/promises';
import {join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs, promisify} from 'node:util';
import {binaryCacheDirectory} from './build-binary.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const label = 'layerlens.package.hash';
/** Bump when the way the image is built changes (what the hash cannot see). */
const recipeVersion = 1;
export const defaultImageTag = 'layerlens-package/layerlens';

/** The paths .dockerignore lets through: it excludes everything (`*`) and then allows each with `!`. */
export async function contextPaths(): Promise<string[]> {
	const lines = (await readFile(join(root, '.dockerignore'), 'utf8'))
		.split('\n')
		.map((line) => line.trim())
		.filter((line) => line !== '' && !line.startsWith('#'));
	if (lines[0] !== '*' || lines.slice(1).some((line) => !line.startsWith('!') || /[*?[]/.test(line))) {
		throw new Error('.dockerignore is no longer `*` followed by plain `!path` lines: update contextPaths');
	}

	return lines.slice(1).map((line) => line.slice(1));
}

async function filesUnder(path: string): Promise<string[]> {
	const info = await stat(join(root, path)).catch(() => undefined);
	if (info === undefined) return [];
	if (!info.isDirectory()) return [path];
	const entries = await readdir(join(root, path), {recursive: true, withFileTypes: true});
	return entries
		.filter((entry) => entry.isFile())
		.map((entry) => join(entry.parentPath, entry.name).slice(root.length))
		.sort();
}

async function contextHash(paths: readonly string[], baseId: string): Promise<string> {
	const hash = createHash('sha256').update(`layerlens-image ${recipeVersion}\0${baseId}\0`);
	for (const file of ['Dockerfile', '.dockerignore', ...(await Promise.all(paths.map(filesUnder))).flat()]) {
		hash
			.update(`${file}\0`)
			.update(await readFile(join(root, file)))
			.update('\0');
	}

	return hash.digest('hex');
}

/** An npm cache holding every package of package-lock.json, filled once per lock file. */
async function npmCache(): Promise<string> {
	const lock = await readFile(join(root, 'package-lock.json'));
	const key = createHash('sha256').update(lock).digest('hex').slice(0, 32);
	const directory = join(binaryCacheDirectory(), 'npm-cache', key);
	if (await stat(join(directory, '_cacache')).catch(() => undefined)) return directory;
	const scratch = await mkdtemp(join(binaryCacheDirectory(), 'npm-prime-'));
	try {
		await cp(join(root, 'package.json'), join(scratch, 'package.json'));
		await cp(join(root, 'package-lock.json'), join(scratch, 'package-lock.json'));
		await run(
			'npm',
			[
				'ci',
				'--cache',
				join(scratch, 'cache'),
				'--ignore-scripts',
				'--no-audit',
				'--no-fund',
				'--loglevel=error',
			],
			{cwd: scratch, maxBuffer: 64 * 1024 * 1024},
		);
		await rm(join(scratch, 'cache', '_logs'), {recursive: true, force: true});
		await mkdir(join(directory, '..'), {recursive: true});
		await rename(join(scratch, 'cache'), directory);
	} finally {
		await rm(scratch, {recursive: true, force: true});
	}

	return directory;
}

export type BuiltImage = {tag: string; fromCache: boolean; seconds: number};

/** Builds (or finds current) the layerlens image from `base`; the classic builder, as the fixtures are built. */
export async function buildContainerImage(base: string, tag = defaultImageTag): Promise<BuiltImage> {
	const started = Date.now();
	const baseId = (await run('docker', ['image', 'inspect', '--format', '{{.Id}}', base])).stdout.trim();
	const paths = await contextPaths();
	const hash = await contextHash(
		paths.filter((path) => path !== '.npm-cache'),
		baseId,
	);
	const current = await run('docker', [
		'image',
		'inspect',
		'--format',
		`{{index .Config.Labels "${label}"}}`,
		tag,
	])
		.then(({stdout}) => stdout.trim() === hash)
		.catch(() => false);
	if (current) return {tag, fromCache: true, seconds: (Date.now() - started) / 1000};

	await mkdir(binaryCacheDirectory(), {recursive: true});
	const context = await mkdtemp(join(binaryCacheDirectory(), 'image-context-'));
	try {
		for (const path of ['Dockerfile', '.dockerignore', ...paths.filter((path) => path !== '.npm-cache')]) {
			if (await stat(join(root, path)).catch(() => undefined)) {
				await cp(join(root, path), join(context, path), {recursive: true});
			}
		}

		await cp(await npmCache(), join(context, '.npm-cache'), {recursive: true});
		await run(
			'docker',
			[
				'build',
				'--quiet',
				// A failed step leaves no container behind.
				'--force-rm',
				'--build-arg',
				`BASE=${base}`,
				'--label',
				`${label}=${hash}`,
				'--tag',
				tag,
				context,
			],
			{env: {...process.env, DOCKER_BUILDKIT: '0'}, maxBuffer: 64 * 1024 * 1024},
		).catch((error: {stderr?: string; message: string}) => {
			throw new Error(
				`docker build of ${tag} failed: ${(error.stderr ?? error.message).trim().split('\n').slice(-15).join('\n')}`,
			);
		});
	} finally {
		await rm(context, {recursive: true, force: true});
	}

	return {tag, fromCache: false, seconds: (Date.now() - started) / 1000};
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const {values} = parseArgs({
		options: {
			base: {type: 'string', default: 'layerlens-fixture/node-base'},
			tag: {type: 'string', default: defaultImageTag},
		},
	});
	const built = await buildContainerImage(values.base, values.tag);
	process.stderr.write(
		`${built.tag}${built.fromCache ? ' is current' : ` built in ${built.seconds.toFixed(0)} s`}\n`,
	);
}
