import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	assertDockerAvailable,
	connectDocker,
	dockerAvailability,
	dockerSkip,
	fixtureImages,
} from '../helpers/docker.js';
import {fetchWithRetry} from '../helpers/http.js';
import {layerEntries, readSaveStream, regularBytes, type TarEntry} from './save-archive.js';

// Reads the fixture images of test/fixtures/build-images.sh straight from the daemon, the way layerlens will:
// config, history and the `docker save` stream. Expected values come from the Dockerfiles in test/fixtures/images.

const docker = connectDocker();
const availability = await dockerAvailability({docker, images: Object.values(fixtureImages)});
const skip = dockerSkip(availability);
const labelKey = 'layerlens.fixture.hash';

type HistoryEntry = {CreatedBy: string; Size: number};

type SavedConfig = {history: {created_by?: string; empty_layer?: boolean}[]; rootfs: {diff_ids: string[]}};

type ManifestItem = {Config: string; RepoTags: string[] | null; Layers: string[]};

test('finds the naive fixture by name and reads its config', {skip}, async () => {
	assertDockerAvailable(availability);
	const listed = await docker.listImages({filters: {reference: [fixtureImages.naive]}});
	assert.equal(listed.length, 1);
	assert.deepEqual(listed[0]!.RepoTags, [`${fixtureImages.naive}:latest`]);

	const info = await docker.getImage(fixtureImages.naive).inspect();
	assert.deepEqual(info.Config.Cmd, ['node', 'dist/server.js']);
	assert.equal(info.Config.WorkingDir, '/app');
	assert.deepEqual(Object.keys(info.Config.ExposedPorts ?? {}), ['3000/tcp']);
	assert.ok(info.Config.Env.includes('PORT=3000'));
	assert.ok(info.Config.Env.includes('LOG_LEVEL=info'));
	assert.match(info.Config.Labels?.[labelKey] ?? '', /^[0-9a-f]{64}$/);
	// debian-base 1 + node-base 3 (COPY node, COPY npm, RUN ln/useradd) + WORKDIR, COPY . ., RUN install, RUN build
	assert.equal(info.RootFS.Layers?.length, 8);
});

test('reads the naive history: its Dockerfile instructions in order, after those of node-base', {
	skip,
}, async () => {
	assertDockerAvailable(availability);
	const image = docker.getImage(fixtureImages.naive);
	const info = await image.inspect();
	// The Engine API lists history newest first.
	const history = ((await image.history()) as HistoryEntry[]).map((entry) => entry.CreatedBy).reverse();
	const own = history.slice(-8);
	assert.deepEqual(own, [
		'/bin/sh -c #(nop)  ENV PORT=3000 LOG_LEVEL=info',
		'/bin/sh -c #(nop) WORKDIR /app',
		own[2],
		'/bin/sh -c mv .npm-cache /root/.npm && npm install --offline --no-audit --no-fund',
		'/bin/sh -c npm run build',
		'/bin/sh -c #(nop)  EXPOSE 3000',
		'/bin/sh -c #(nop)  CMD ["node" "dist/server.js"]',
		// `docker build --label` appends a LABEL instruction of its own.
		`/bin/sh -c #(nop)  LABEL ${labelKey}=${info.Config.Labels?.[labelKey]}`,
	]);
	assert.match(own[2]!, /^\/bin\/sh -c #\(nop\) COPY dir:[0-9a-f]{64} in \. $/);
	assert.ok(history.includes('/bin/sh -c #(nop)  CMD ["node"]'), 'node-base instructions come first');
});

test('streams `docker save` of the naive fixture to the end: a tar with manifest.json', {skip}, async () => {
	assertDockerAvailable(availability);
	const image = docker.getImage(fixtureImages.naive);
	const info = await image.inspect();
	const summary = await readSaveStream(
		await image.get(),
		(entry) => entry.name === 'manifest.json' || entry.name.endsWith('.json'),
	);

	assert.equal(summary.bytes % 512, 0, 'a tar stream is whole 512-byte records');
	assert.ok(summary.bytes > info.Size, `${summary.bytes} B streamed, image is ${info.Size} B`);

	const manifestText = summary.kept.get('manifest.json');
	assert.ok(manifestText, 'manifest.json is in the archive');
	const manifest = JSON.parse(manifestText.toString('utf8')) as ManifestItem[];
	assert.equal(manifest.length, 1);
	const item = manifest[0]!;
	assert.deepEqual(item.RepoTags, [`${fixtureImages.naive}:latest`]);
	assert.equal(item.Layers.length, 8);
	const names = new Set(summary.entries.map((entry) => entry.name));
	for (const layer of item.Layers) {
		assert.ok(names.has(layer), `${layer} is in the archive`);
	}

	const configText = summary.kept.get(item.Config);
	assert.ok(configText, `${item.Config} is in the archive`);
	const config = JSON.parse(configText.toString('utf8')) as SavedConfig;
	assert.equal(config.rootfs.diff_ids.length, 8);
	assert.equal(
		config.history.filter((entry) => !entry.empty_layer).length,
		8,
		'one non-empty history entry per layer',
	);
});

test('waste fixture: each layer holds the bytes, whiteouts and links its Dockerfile table says', {
	skip,
}, async () => {
	assertDockerAvailable(availability);
	// 2.5 MB: small enough to hold every layer in memory.
	const summary = await readSaveStream(await docker.getImage(fixtureImages.waste).get(), () => true);
	const manifest = JSON.parse(summary.kept.get('manifest.json')!.toString('utf8')) as ManifestItem[];
	const layers: TarEntry[][] = [];
	for (const path of manifest[0]!.Layers) {
		layers.push(await layerEntries(summary.kept.get(path)!));
	}

	// Layer 0 is busybox-base (its size is the host's busybox); L1–L7 are the table in images/waste/Dockerfile.
	assert.equal(layers.length, 8);
	const user = layers.slice(1);
	assert.deepEqual(user.map(regularBytes), [395555, 0, 0, 5000, 93000, 70000, 0]);
	assert.equal(
		user.map(regularBytes).reduce((sum, bytes) => sum + bytes, 0),
		563555,
	);

	const byName = (entries: TarEntry[], name: string): TarEntry => {
		const entry = entries.find((candidate) => candidate.name === name);
		assert.ok(entry, `${name} is in the layer`);
		return entry;
	};
	const [l1, l2, l3, l4, l5, l6, l7] = user as [
		TarEntry[],
		TarEntry[],
		TarEntry[],
		TarEntry[],
		TarEntry[],
		TarEntry[],
		TarEntry[],
	];

	assert.equal(byName(l1, 'data/keep/setuid.bin').mode & 0o7777, 0o4755);
	assert.equal(byName(l1, 'data/keep/ünïcødé-名前.txt').size, 1234);
	const long = l1.find((entry) => entry.name.startsWith('data/keep/long-name-'));
	assert.equal(long?.name.length, 'data/keep/'.length + 154);
	assert.equal(long?.size, 4321);
	const original = byName(l1, 'data/keep/original.bin');
	const twin = byName(l1, 'data/keep/twin.bin');
	assert.deepEqual([original.type, original.size], ['file', 8000]);
	assert.deepEqual([twin.type, twin.size, twin.linkname], ['link', 0, 'data/keep/original.bin']);
	assert.deepEqual(
		[byName(l1, 'data/link').type, byName(l1, 'data/link').linkname],
		['symlink', 'keep/original.bin'],
	);

	assert.equal(byName(l2, 'data/.wh.deleted-later.bin').size, 0);
	assert.equal(byName(l3, 'data/.wh.dir-deleted').size, 0);
	assert.ok(byName(l4, 'data/opaque/.wh..wh..opq'), 'rm -rf + mkdir in one RUN is an opaque directory');
	assert.equal(byName(l4, 'data/opaque/new.bin').size, 5000);
	assert.deepEqual(
		['data/grows.bin', 'data/shrinks.bin', 'data/rewritten-same.bin'].map((name) => byName(l5, name).size),
		[80000, 10000, 3000],
	);
	const chmodded = byName(l6, 'data/chmod-me.bin');
	assert.deepEqual([chmodded.size, chmodded.mode & 0o7777], [70000, 0o600]);
	assert.equal(byName(l7, 'data/link').linkname, 'keep/setuid.bin');
	assert.equal(
		l7.filter((entry) => entry.type !== 'directory').length,
		1,
		'retargeting a symlink adds only the symlink',
	);
});

test('waste fixture: ENV and LABEL make history entries without layers', {skip}, async () => {
	assertDockerAvailable(availability);
	const history = ((await docker.getImage(fixtureImages.waste).history()) as HistoryEntry[])
		.map((entry) => entry.CreatedBy)
		.reverse();
	const metadataOnly = history.filter((createdBy) => createdBy.startsWith('/bin/sh -c #(nop) '));
	assert.deepEqual(
		metadataOnly.map((createdBy) => createdBy.replace(/=[0-9a-f]{64}$/, '=<hash>')),
		[
			'/bin/sh -c #(nop)  LABEL org.opencontainers.image.title=layerlens waste fixture',
			'/bin/sh -c #(nop)  ENV FIXTURE=waste',
			'/bin/sh -c #(nop)  ENV FIXTURE_STAGE=done',
			'/bin/sh -c #(nop)  CMD ["/bin/sh"]',
			`/bin/sh -c #(nop)  LABEL ${labelKey}=<hash>`,
		],
	);
});

test('multistage fixture: runs as node with only WORKDIR and three COPY layers on node-base', {
	skip,
}, async () => {
	assertDockerAvailable(availability);
	const info = await docker.getImage(fixtureImages.multistage).inspect();
	assert.equal(info.Config.User, 'node');
	assert.ok(info.Config.Env.includes('NODE_ENV=production'));
	assert.deepEqual(info.Config.Cmd, ['node', 'dist/server.js']);
	assert.equal(info.RootFS.Layers?.length, 8);
	const history = ((await docker.getImage(fixtureImages.multistage).history()) as HistoryEntry[])
		.map((entry) => entry.CreatedBy)
		.reverse()
		.slice(-9);
	// The classic builder records neither the stage nor a space after --chown's value.
	assert.deepEqual(
		history.map((createdBy) => createdBy.replace(/[0-9a-f]{64}/, '<hash>')),
		[
			'/bin/sh -c #(nop)  ENV NODE_ENV=production PORT=3000',
			'/bin/sh -c #(nop) WORKDIR /app',
			'/bin/sh -c #(nop) COPY --chown=node:nodedir:<hash> in ./node_modules ',
			'/bin/sh -c #(nop) COPY --chown=node:nodedir:<hash> in ./dist ',
			'/bin/sh -c #(nop) COPY --chown=node:nodemulti:<hash> in ./ ',
			'/bin/sh -c #(nop)  USER node',
			'/bin/sh -c #(nop)  EXPOSE 3000',
			'/bin/sh -c #(nop)  CMD ["node" "dist/server.js"]',
			`/bin/sh -c #(nop)  LABEL ${labelKey}=<hash>`,
		],
	);
});

for (const name of [fixtureImages.naive, fixtureImages.multistage]) {
	test(`${name} answers HTTP on its port`, {skip}, async () => {
		assertDockerAvailable(availability);
		const container = await docker.createContainer({
			Image: name,
			HostConfig: {PortBindings: {'3000/tcp': [{HostIp: '127.0.0.1', HostPort: ''}]}, AutoRemove: false},
		});
		try {
			await container.start();
			const ports = (await container.inspect()).NetworkSettings.Ports['3000/tcp'];
			const port = ports?.[0]?.HostPort;
			assert.ok(port, 'port 3000 is published');
			const body = await fetchWithRetry(`http://127.0.0.1:${port}/greet?name=layerlens`, 10_000);
			assert.deepEqual(body, {greeting: 'hello, layerlens'});
		} finally {
			await container.remove({force: true});
		}
	});
}
