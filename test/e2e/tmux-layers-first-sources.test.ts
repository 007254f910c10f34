import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {mkdtemp, rm, stat, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {promisify} from 'node:util';
import {assertDockerAvailable, dockerAvailability, dockerSkip} from '../helpers/docker.js';
import {holdReadsEnvironment, holdReadsUnavailable} from '../helpers/hold-reads.js';
import {ensureLargeReadImage} from '../helpers/large-image.js';
import {type FakeRegistry, startFakeRegistry, storeBlob, storeManifest} from '../helpers/registry.js';
import {entry, tarOf} from '../helpers/tar-blocks.js';
import {startTmux, tmuxAvailable} from '../helpers/tmux.js';

// Archives and registries open layers first too: the layer list and its instructions come from the manifest and
// config (an archive file's tar headers, a registry's manifest) while a layer is still read. Asserted on what the
// screen shows while the read is held or still running, never on a time.

const root = new URL('../..', import.meta.url).pathname;
const tsx = import.meta.resolve('tsx');
const run = promisify(execFile);
const skip = tmuxAvailable() ?? false;
let work = '';

before(async () => {
	if (skip) return;
	work = await mkdtemp(join(tmpdir(), 'layerlens-layers-first-sources-'));
});

after(async () => {
	if (work) await rm(work, {recursive: true, force: true});
});

/** The CLI in a shell for tmux; `environment` is added to the run's own (after env's options). */
function cli(args: string, environment: Record<string, string> = {}): string {
	const added = Object.entries(environment).map(([name, value]) => `${name}=${value} `);
	return `env -u CI -u LAYERLENS_REQUIRE_DOCKER ${added.join('')}HOME=/nonexistent DOCKER_CONFIG=/nonexistent DOCKER_HOST=tcp://127.0.0.1:9 XDG_CONFIG_HOME=${join(work, 'config')} XDG_CACHE_HOME=${join(work, 'cache')} node --import ${tsx} ${join(root, 'source/cli.tsx')} ${args} --no-cache; sleep 120`;
}

/** Deterministic bytes that do not compress away. */
function noise(size: number, seed: number): Buffer {
	const bytes = Buffer.alloc(size);
	let state = seed;
	for (let at = 0; at < size; at++) {
		state = (state * 1103515245 + 12345) >>> 0;
		bytes[at] = state >>> 24;
	}

	return bytes;
}

/** Three layers in a registry written here; the last layer's blob stops half way until `release` is called. */
function storeHeldImage(fake: FakeRegistry): {release: () => void} {
	const layerType = 'application/vnd.oci.image.layer.v1.tar';
	const layers = [
		storeBlob(fake, tarOf([entry({name: 'etc/os-release'}, 'ID=test\n')]), layerType),
		storeBlob(fake, tarOf([entry({name: 'app/server.js'}, 'console.log(1)\n')]), layerType),
		storeBlob(fake, tarOf([entry({name: 'data/big.bin'}, noise(4 * 1024 * 1024, 7))]), layerType),
	];
	const config = storeBlob(
		fake,
		Buffer.from(
			JSON.stringify({
				os: 'linux',
				architecture: 'amd64',
				config: {Cmd: ['node', '/app/server.js']},
				rootfs: {type: 'layers', diff_ids: layers.map((layer) => layer.digest)},
				history: [
					{created_by: 'ADD rootfs.tar /'},
					{created_by: 'COPY server.js /app/'},
					{created_by: 'RUN fetch-big-data > /data/big.bin'},
				],
			}),
		),
		'application/vnd.oci.image.config.v1+json',
	);
	const manifestType = 'application/vnd.oci.image.manifest.v1+json';
	storeManifest(
		fake,
		Buffer.from(JSON.stringify({schemaVersion: 2, mediaType: manifestType, config, layers})),
		manifestType,
		'1',
	);
	let release = (): void => undefined;
	const released = new Promise<void>((resolve) => {
		release = resolve;
	});
	const held = layers[2]!;
	fake.rule = (incoming, response) => {
		if (incoming.method !== 'GET' || !incoming.url?.endsWith(`/blobs/${held.digest}`)) return false;
		const data = fake.blobs.get(held.digest)!;
		response.writeHead(200, {'content-length': String(data.length)});
		response.write(data.subarray(0, data.length / 2));
		void released.then(() => response.end(data.subarray(data.length / 2)));
		return true;
	};
	return {release};
}

test('layers first from a registry: the list from the manifest while a blob is held half way', {
	skip,
	timeout: 300_000,
}, async () => {
	const fake = await startFakeRegistry();
	const {release} = storeHeldImage(fake);
	const session = await startTmux(
		'layerlens-layers-first-registry',
		cli(`${fake.host}/team/app:1 --source registry`),
		{
			columns: 120,
			rows: 36,
		},
	);
	try {
		// The held blob never ends before `release`: its layer stays "reading" for as long as the test looks.
		const reading = await session.waitFor((screen) => /4\.2 MB \S+ +reading/.test(screen), 120_000);
		assert.match(reading, /RUN fetch-big-data/);
		assert.match(reading, /COPY server\.js/);
		assert.match(reading, /Findings pending/, 'findings are pending, not zero');
		assert.match(reading, / read +ADD rootfs\.tar/, 'the layers before it are read');
		assert.match(reading, / read +COPY server\.js/);
		// Layer 1 and the layer under it are read while layer 2 still reads: its stacked tree opens in the tree pane.
		await session.sendKeys('j');
		const tree = await session.waitFor((screen) => screen.includes('Read so far · changes in layer 1'));
		assert.match(tree, /server\.js/);
		assert.match(tree, /4\.2 MB \S+ +reading/, 'layer 2 is still reading');
		// The whole filesystem as of layer 1: the file of layer 0 under it shows too, while layer 2 still reads.
		await session.sendKeys('Tab', 'a');
		const stacked = await session.waitFor((screen) =>
			screen.includes('Read so far · filesystem as of layer 1'),
		);
		assert.match(stacked, /os-release/);
		assert.match(stacked, /server\.js/);
		assert.match(stacked, /4\.2 MB \S+ +reading/, 'layer 2 is still reading');
		release();
		// The explorer opens where the view was: layer 1, the whole filesystem, the same rows.
		const explorer = await session.waitFor(
			(screen) => screen.includes('Filesystem as of layer 1') && !screen.includes('Read so far'),
			120_000,
		);
		assert.doesNotMatch(explorer, /Findings pending/);
		assert.match(explorer, /os-release/);
		await session.sendKeys('q');
	} finally {
		release();
		await session.kill();
		await fake.stop();
	}
});

const availability = await dockerAvailability({images: ['layerlens-fixture/busybox-base']});

test('layers first from an archive file: the list from its tar headers while a layer still reads', {
	skip: skip || dockerSkip(availability) || holdReadsUnavailable,
	timeout: 600_000,
}, async () => {
	assertDockerAvailable(availability);
	const image = await ensureLargeReadImage();
	// Docker 20.10 writes manifest.json last: only the header pre-scan can find it before the layers are read.
	const archive = join(work, 'large.tar');
	await run('docker', ['save', '-o', archive, image]);
	// The read stops half way through the archive until the test has looked: how fast this machine reads
	// 400 MB from the page cache does not decide what is on screen.
	const release = join(work, 'release-archive');
	const held = holdReadsEnvironment(work, archive, Math.floor((await stat(archive)).size / 2), release);
	const session = await startTmux('layerlens-layers-first-archive', cli(archive, held), {
		columns: 120,
		rows: 36,
	});
	try {
		// The screen the held read settles on: the layer list, and the first layer's tree beside it (which
		// narrows the list, so the long instruction is matched by its start).
		const reading = await session.waitFor(
			(screen) =>
				(/reading \d+%/.test(screen) && screen.includes('Read so far · changes in layer 0')) ||
				screen.includes('Changes in layer'),
			300_000,
		);
		assert.doesNotMatch(reading, /Changes in layer/, 'the layer list came before the read ended');
		assert.match(reading, /RUN head -c 250000/);
		assert.match(reading, /WORKDIR \/app/);
		assert.match(reading, /Findings pending/);
		await writeFile(release, '');
		const explorer = await session.waitFor((screen) => screen.includes('Changes in layer'), 300_000);
		assert.match(explorer, /Layers/);
		await session.sendKeys('q');
	} finally {
		await writeFile(release, '');
		await session.kill();
	}
});
