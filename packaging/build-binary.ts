/**
`npm run package`: layerlens as one executable, `layerlens-linux-x64`, that needs no Node on the machine it runs on.
esbuild bundles source/cli.tsx and every dependency into one ESM file; Node's single executable application
support (SEA) copies this Node binary and injects a blob holding packaging/sea-entry.cjs (the CommonJS script
Node 20 runs), the bundle and its V8 code cache as assets.

Built binaries are cached under a hash of what goes into them (the bundle, the entry, this script, this Node binary), so
the end-to-end test only rebuilds when the program changed. Usage:
  node --import tsx packaging/build-binary.ts [--output FILE]   (default: layerlens-linux-x64 in the repo)
*/

import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {
	chmodSync,
	copyFileSync,
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	renameSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import {builtinModules, createRequire} from 'node:module';
import {homedir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {build, type Plugin} from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const entrySource = join(root, 'packaging', 'sea-entry.cjs');
export const binaryName = 'layerlens-linux-x64';
/** The fuse Node's SEA support looks for; it is part of Node, not of postject. */
const seaFuse = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

type Postject = {
	inject(file: string, resource: string, data: Buffer, options: {sentinelFuse: string}): Promise<void>;
};

/**
Packages that are only reached on paths the binary cannot take become a module that throws when loaded:
native addons (ssh2's optional crypto binding and cpu-features, which ssh2 loads in a try and does without)
and Ink's React DevTools hook (only with DEV=true, and not installed).
*/
const absentModules: Plugin = {
	name: 'absent-modules',
	setup(builder) {
		builder.onResolve({filter: /\.node$|^react-devtools-core$/}, (args) => ({
			path: args.path,
			namespace: 'absent',
		}));
		builder.onLoad({filter: /.*/, namespace: 'absent'}, (args) => ({
			// ERR_MODULE_NOT_FOUND, as for a package missing from node_modules: ink then warns and goes on (DEV=true).
			contents: `throw Object.assign(new Error(${JSON.stringify(`${args.path} is not part of the single executable`)}), {code: 'ERR_MODULE_NOT_FOUND'});`,
			loader: 'js',
		}));
	},
};

/**
The UI's imports of its one door to ink (source/ui/ink.ts, `export * from 'ink'`, which the npm build bundles) go
to ink itself here: through that re-export, this one-file bundle called an ink function before ink's module had
run ("qq is not a function").
*/
const inkDirect: Plugin = {
	name: 'ink-direct',
	setup(builder) {
		builder.onResolve({filter: /^\.\.?\/(\.\.\/)?ink\.js$/}, (args) =>
			/[\\/]source[\\/]ui[\\/]/.test(args.importer)
				? builder.resolve('ink', {kind: args.kind, resolveDir: args.resolveDir})
				: undefined,
		);
	},
};

/** shared/version.ts reads package.json two levels above dist/shared/; the binary has no package.json beside it. */
function inlineVersion(version: string): Plugin {
	return {
		name: 'inline-version',
		setup(builder) {
			builder.onLoad({filter: /[\\/]source[\\/]shared[\\/]version\.ts$/}, () => ({
				contents: `export const toolVersion = ${JSON.stringify(version)};`,
				loader: 'ts',
			}));
		},
	};
}

/**
Imports of Node builtins (`import {x} from 'node:fs'`, `await import('node:fs')`) become require() through a
module of one line, so the bundle has no import statement left and runs as a function body (sea-entry.cjs).
CommonJS packages' own require('fs') calls stay calls of the `require` the entry passes in.
*/
const builtinsAsRequire: Plugin = {
	name: 'builtins-as-require',
	setup(builder) {
		const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
		builder.onResolve({filter: /^[a-z0-9:_/]+$/}, (args) =>
			args.kind !== 'require-call' && builtins.has(args.path)
				? {path: args.path, namespace: 'builtin'}
				: undefined,
		);
		builder.onLoad({filter: /.*/, namespace: 'builtin'}, (args) => ({
			contents: `module.exports = require(${JSON.stringify(args.path)});`,
			loader: 'js',
		}));
	},
};

/** The whole program in one script body: ESM syntax only in top-level await, no imports, no exports. */
export async function bundleProgram(): Promise<Buffer> {
	const {version} = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {version: string};
	const result = await build({
		entryPoints: [join(root, 'source', 'cli.tsx')],
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		write: false,
		outfile: 'layerlens.js',
		minify: true,
		// Licence comments of the bundled packages stay, at the end of the bundle.
		legalComments: 'eof',
		logLevel: 'error',
		define: {
			// The binary is what a user runs: React's production build (cli.tsx picks it at run time too).
			'process.env.NODE_ENV': '"production"',
			// There is no module file: the entry passes the executable's URL (createRequire, meow's package lookup).
			'import.meta.url': '__layerlensExecutableUrl',
			'import.meta': '__layerlensImportMeta',
		},
		plugins: [inkDirect, absentModules, builtinsAsRequire, inlineVersion(version)],
	});
	const output = result.outputFiles[0];
	if (output === undefined) throw new Error('esbuild wrote no bundle');
	// cli.tsx's #! line is no statement of a function body.
	const text = output.text.replace(/^#!.*\n/, '');
	if (/(?:^|[;}])(?:import\s*[{*\w]|export\s*[{*])/.test(text)) {
		throw new Error('the bundle still has an import or export statement: it cannot run as a function body');
	}

	return Buffer.from(text);
}

function sha256(...parts: Array<string | Buffer>): string {
	const hash = createHash('sha256');
	for (const part of parts) hash.update(part);
	return hash.digest('hex');
}

/** LIEF (inside postject) warns about every note section of Node's ELF it has no name for; they are harmless. */
async function quietly(work: () => Promise<void>): Promise<void> {
	const warn = console.warn;
	console.warn = (...args: unknown[]) => {
		if (!String(args[0]).includes("Can't find string offset for section name")) warn(...args);
	};
	try {
		await work();
	} finally {
		console.warn = warn;
	}
}

export function binaryCacheDirectory(): string {
	return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'layerlens-package');
}

export type BuiltBinary = {path: string; bundleBytes: number; binaryBytes: number; fromCache: boolean};

/**
Builds the executable (or takes it from the cache) and returns its path in the cache. Bundling takes a
few seconds; the SEA blob and the injection into a 100 MB copy of Node take longer and are what the cache saves.
*/
export async function buildBinary(cacheDirectory = binaryCacheDirectory()): Promise<BuiltBinary> {
	const bundle = await bundleProgram();
	const entry = Buffer.concat([
		readFileSync(entrySource),
		readFileSync(join(root, 'packaging', 'code-cache.cjs')),
		readFileSync(fileURLToPath(import.meta.url)),
	]);
	const node = readFileSync(process.execPath);
	const key = sha256('layerlens-sea 1\0', bundle, entry, node).slice(0, 32);
	const directory = join(cacheDirectory, key);
	const path = join(directory, binaryName);
	if (existsSync(path)) {
		return {path, bundleBytes: bundle.length, binaryBytes: readFileSync(path).length, fromCache: true};
	}

	const scratch = `${directory}.partial-${process.pid}`;
	rmSync(scratch, {recursive: true, force: true});
	mkdirSync(scratch, {recursive: true});
	try {
		writeFileSync(join(scratch, 'layerlens.js'), bundle);
		copyFileSync(entrySource, join(scratch, 'sea-entry.cjs'));
		// The code cache of a `--version` run: the start-up every command pays (see code-cache.cjs).
		execFileSync(
			process.execPath,
			[join(root, 'packaging', 'code-cache.cjs'), 'layerlens.js', 'layerlens.js.cache', '--version'],
			{cwd: scratch, stdio: ['ignore', 'ignore', 'inherit']},
		);
		writeFileSync(
			join(scratch, 'sea-config.json'),
			JSON.stringify({
				main: 'sea-entry.cjs',
				output: 'sea-prep.blob',
				disableExperimentalSEAWarning: true,
				assets: {'layerlens.js': 'layerlens.js', 'layerlens.js.cache': 'layerlens.js.cache'},
			}),
		);
		execFileSync(process.execPath, ['--experimental-sea-config', 'sea-config.json'], {
			cwd: scratch,
			stdio: ['ignore', 'ignore', 'inherit'],
		});
		const binary = join(scratch, binaryName);
		copyFileSync(process.execPath, binary);
		chmodSync(binary, 0o755);
		const postject = createRequire(import.meta.url)('postject') as Postject;
		await quietly(() =>
			postject.inject(binary, 'NODE_SEA_BLOB', readFileSync(join(scratch, 'sea-prep.blob')), {
				sentinelFuse: seaFuse,
			}),
		);
		for (const temporary of [
			'layerlens.js',
			'layerlens.js.cache',
			'sea-entry.cjs',
			'sea-config.json',
			'sea-prep.blob',
		]) {
			rmSync(join(scratch, temporary));
		}

		// A finished build appears whole or not at all: a killed build leaves only a .partial directory.
		rmSync(directory, {recursive: true, force: true});
		renameSync(scratch, directory);
	} catch (error) {
		rmSync(scratch, {recursive: true, force: true});
		throw error;
	}

	pruneOldBinaries(cacheDirectory, key);
	return {path, bundleBytes: bundle.length, binaryBytes: readFileSync(path).length, fromCache: false};
}

/** Each binary is 100 MB: keep the one just built and the newest other (another checkout may be using it). */
function pruneOldBinaries(cacheDirectory: string, keep: string): void {
	const others = readdirSync(cacheDirectory, {withFileTypes: true})
		.filter((entry) => entry.isDirectory() && /^[0-9a-f]{32}$/.test(entry.name) && entry.name !== keep)
		.map((entry) => ({name: entry.name, modified: statSync(join(cacheDirectory, entry.name)).mtimeMs}))
		.sort((a, b) => b.modified - a.modified);
	for (const old of others.slice(1)) rmSync(join(cacheDirectory, old.name), {recursive: true, force: true});
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const {values} = parseArgs({options: {output: {type: 'string', default: join(root, binaryName)}}});
	const output = resolve(values.output);
	const built = await buildBinary();
	mkdirSync(dirname(output), {recursive: true});
	copyFileSync(built.path, `${output}.partial`);
	renameSync(`${output}.partial`, output);
	const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
	process.stderr.write(
		`${output}: ${megabytes(built.binaryBytes)} (bundle ${megabytes(built.bundleBytes)}, Node ${process.version})${built.fromCache ? ', from the cache' : ''}\n`,
	);
}
