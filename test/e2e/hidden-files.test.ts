/**
Differential test against the real daemon (issue 17): each crafted layer shape is `docker load`ed, a
container is created from it and its file system exported (`docker export`, a fresh tar Docker writes
from what it extracted); the file list Docker has must equal the one layerlens reads, from the archive
and from the daemon. Shapes Docker refuses to load must be refused by `docker load`.
*/
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {promisify} from 'node:util';
import {resolveImageSource} from '../../source/image/sources/open-source.js';
import {isLayerlensError} from '../../source/shared/errors.js';
import {assertDockerAvailable, dockerAvailability, dockerSkip} from '../helpers/docker.js';
import {buildImageArchive, type ImageSpec, readArchiveBuffer} from '../helpers/fixture-writer.js';
import {fileSystemList, hiddenFileShapes, issue17Layer} from '../helpers/hidden-file-shapes.js';
import {describeRun, runCli} from '../helpers/run-cli.js';

const run = promisify(execFile);
const availability = await dockerAvailability();
const skip = dockerSkip(availability);

/** What `docker create` adds to every container (the init layer and mount points), whatever the image. */
const containerOnly = new Set([
	'.dockerenv',
	'dev/',
	'dev/console',
	'dev/pts/',
	'dev/shm/',
	'etc/',
	'etc/hostname',
	'etc/hosts',
	'etc/mtab',
	'etc/resolv.conf',
	'proc/',
	'sys/',
]);

let workDir = '';
const images: string[] = [];

before(async () => {
	workDir = await mkdtemp(join(tmpdir(), 'layerlens-e2e-hidden-'));
});

after(async () => {
	await rm(workDir, {recursive: true, force: true});
	for (const image of images) {
		await run('docker', ['rmi', '-f', image]).catch(() => undefined);
	}
});

function spec(layer: Buffer, tag: string): ImageSpec {
	return {
		layers: [{createdBy: 'ADD crafted.tar /', files: [], rawTar: layer}],
		config: {cmd: ['/app/run']},
		repoTags: [tag],
	};
}

/** The container file system Docker made of the image, as `fileSystemList` writes it. */
async function dockerFileList(tag: string): Promise<string[]> {
	const {stdout: id} = await run('docker', ['create', tag]);
	try {
		const {stdout} = await run('sh', ['-c', `docker export ${id.trim()} | tar -t`], {
			maxBuffer: 64 * 1024 * 1024,
		});
		return stdout
			.split('\n')
			.filter((line) => line !== '' && !containerOnly.has(line))
			.sort();
	} finally {
		await run('docker', ['rm', '-f', id.trim()]).catch(() => undefined);
	}
}

async function loadArchive(path: string): Promise<{ok: boolean; output: string}> {
	try {
		const {stdout, stderr} = await run('docker', ['load', '-i', path]);
		return {ok: true, output: stdout + stderr};
	} catch (error) {
		return {ok: false, output: String((error as {stderr?: string}).stderr ?? error)};
	}
}

for (const [index, shape] of hiddenFileShapes().entries()) {
	test(`Docker and layerlens see the same files: ${shape.name}`, {skip, timeout: 120_000}, async () => {
		assertDockerAvailable(availability);
		const tag = `layerlens-e2e-hidden/shape-${index}:1`;
		const archive = await buildImageArchive(spec(shape.layer, tag));
		const path = join(workDir, `shape-${index}.tar`);
		await writeFile(path, archive);
		const loaded = await loadArchive(path);
		if (!shape.dockerLoads) {
			assert.equal(loaded.ok, false, `docker load accepted a layer Docker should refuse: ${loaded.output}`);
			return;
		}

		assert.ok(loaded.ok, `docker load failed: ${loaded.output}`);
		images.push(tag);
		const docker = await dockerFileList(tag);
		const fromArchive = fileSystemList((await readArchiveBuffer(archive)).layers[0]!.entries.toEntries());
		assert.deepEqual(fromArchive, docker, 'layerlens (archive) vs docker export');
		assert.deepEqual(docker, shape.expected, 'docker export vs the expected list');
		const source = await resolveImageSource(tag, {source: 'docker'});
		const fromDaemon = await source.load({}).then(
			(image) => fileSystemList(image.layers.flatMap((layer) => layer.entries.toEntries())),
			(error: unknown) => error,
		);
		if (Array.isArray(fromDaemon)) {
			assert.deepEqual(fromDaemon, docker, 'layerlens (daemon) vs docker export');
			return;
		}

		// Docker's own save can fail on a layer it loaded (tar-split, its layer store's tar reader, is an
		// older fork that disagrees on some headers): then layerlens must say so in one line, never show less.
		assert.ok(isLayerlensError(fromDaemon), String(fromDaemon));
		assert.match(fromDaemon.line, /docker daemon .* failed/);
		const saved = await run('docker', ['save', '-o', '/dev/null', tag]).then(
			() => true,
			() => false,
		);
		assert.equal(saved, false, `layerlens failed on ${tag} but docker save did not: ${fromDaemon.line}`);
	});
}

test('issue 17 reproduction from the daemon: `--ci` with failOn: secret fails', {
	skip,
	timeout: 120_000,
}, async () => {
	assertDockerAvailable(availability);
	const tag = 'layerlens-e2e-hidden/issue17:1';
	const path = join(workDir, 'issue17.tar');
	await writeFile(path, await buildImageArchive(spec(issue17Layer(), tag)));
	const loaded = await loadArchive(path);
	assert.ok(loaded.ok, loaded.output);
	images.push(tag);
	await writeFile(join(workDir, '.layerlens.yml'), 'rules:\n  failOn: [secret]\n');
	for (const target of [tag, path]) {
		const result = await runCli([target, '--ci'], {cwd: workDir, timeoutMs: 120_000});
		assert.equal(result.code, 1, describeRun(result));
		assert.match(result.stdout, /FAIL failOn:secret .*LL-SECRET-SSH-KEY/, describeRun(result));
	}
});
