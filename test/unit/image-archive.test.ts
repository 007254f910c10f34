import assert from 'node:assert/strict';
import {join} from 'node:path';
import {PassThrough} from 'node:stream';
import {test} from 'node:test';
import {parsePlatform} from '../../source/image/formats/platform.js';
import {defaultLayerLimit, readImageArchive} from '../../source/image/sources/archive/read-archive.js';
import {resolveImageSource} from '../../source/image/sources/open-source.js';
import type {LoadProgress, RawImage} from '../../source/image/types.js';
import {isLayerlensError} from '../../source/shared/errors.js';
import {
	type ArchiveOptions,
	buildImageArchive,
	type ImageSpec,
	listArchive,
	packArchive,
	readArchiveBuffer,
	withTemporaryDirectory,
	writeImageArchive,
	writeOciLayoutDirectory,
} from '../helpers/fixture-writer.js';

const spec: ImageSpec = {
	layers: [
		{
			createdBy: 'ADD rootfs.tar /',
			files: [
				{path: 'etc', type: 'dir'},
				{path: 'etc/os-release', content: 'ID=alpine\n'},
				{path: 'bin/tool', size: 5000, seed: 1},
			],
		},
		{createdBy: 'RUN rm /bin/tool', files: [{path: 'bin/tool', type: 'whiteout'}]},
		{createdBy: 'COPY tool /bin/tool', files: [{path: 'bin/tool', size: 5000, seed: 1}]},
	],
	emptyHistory: [{createdBy: 'ENV A=1', beforeLayer: 1}, {createdBy: 'CMD ["tool"]'}],
	config: {env: ['A=1'], cmd: ['tool'], exposedPorts: ['80/tcp'], labels: {team: 'x'}},
	repoTags: ['demo:1'],
};

const fileBytes = (image: RawImage): number[] =>
	image.layers.map((layer) => layer.entries.toEntries().reduce((sum, entry) => sum + entry.size, 0));

function assertSpecImage(image: RawImage, compression: 'none' | 'gzip', repoTags = ['demo:1']): void {
	assert.deepEqual(fileBytes(image), [5010, 0, 5000]);
	assert.deepEqual(
		image.layers.map((layer) => layer.compression),
		[compression, compression, compression],
	);
	assert.deepEqual(
		image.history.map((record) => [record.createdBy, record.emptyLayer]),
		[
			['ADD rootfs.tar /', false],
			['ENV A=1', true],
			['RUN rm /bin/tool', false],
			['COPY tool /bin/tool', false],
			['CMD ["tool"]', true],
		],
	);
	assert.deepEqual(image.config.env, ['A=1']);
	assert.deepEqual(image.config.cmd, ['tool']);
	assert.deepEqual(image.config.exposedPorts, ['80/tcp']);
	assert.deepEqual(image.config.labels, {team: 'x'});
	assert.deepEqual(image.repoTags, repoTags);
	assert.equal(image.diffIds.length, 3);
	assert.deepEqual(
		image.layers.map((layer) => layer.diffId),
		image.diffIds,
	);
	// Layers 0 and 2 hold the same bin/tool bytes (same seed), so the same content hash.
	assert.equal(image.layers[0]!.entries.entry(2).hash, image.layers[2]!.entries.entry(0).hash);
	assert.deepEqual(image.warnings, []);
	assert.match(image.id, /^sha256:[0-9a-f]{64}$/);
}

const flavours: Array<[string, ArchiveOptions, 'none' | 'gzip', RawImage['source']]> = [
	['classic docker-archive', {}, 'none', 'docker-archive'],
	[
		'containerd flavour, gzip, blobs before the index',
		{format: 'containerd', layersFirst: true},
		'gzip',
		'docker-archive',
	],
	['containerd flavour, uncompressed', {format: 'containerd', compression: 'none'}, 'none', 'docker-archive'],
	['OCI layout tar', {format: 'oci'}, 'gzip', 'oci-archive'],
];

for (const [name, options, compression, source] of flavours) {
	test(`reads a ${name}`, async () => {
		const image = await readArchiveBuffer(await buildImageArchive(spec, options));
		// A plain OCI layout has no docker tag list.
		assertSpecImage(image, compression, source === 'oci-archive' ? [] : ['demo:1']);
		assert.equal(image.source, source);
	});
}

test('the writer is deterministic: two builds are byte-identical', async () => {
	assert.deepEqual(
		await buildImageArchive(spec, {format: 'containerd'}),
		await buildImageArchive(spec, {format: 'containerd'}),
	);
});

test('a later identical layer written as a symlink is followed to the earlier parse', async () => {
	const same = {createdBy: 'COPY x /x', files: [{path: 'x', content: 'same'}]};
	const archive = await buildImageArchive(
		{layers: [same, {files: [{path: 'y', content: 'other'}]}, same]},
		{linkDuplicateLayers: true},
	);
	const symlinks = (await listArchive(archive)).filter((file) => file.type === 'symlink');
	assert.equal(symlinks.length, 1);
	const image = await readArchiveBuffer(archive);
	assert.deepEqual(fileBytes(image), [4, 5, 4]);
	assert.equal(image.layers[2]!.diffId, image.layers[0]!.diffId);
	assert.deepEqual(image.warnings, []);
});

test('an OCI layout directory is read from disk, and readFile returns a file of a layer', async () => {
	await withTemporaryDirectory(async (directory) => {
		await writeOciLayoutDirectory(spec, directory);
		const source = await resolveImageSource(directory);
		assert.equal(source.kind, 'oci-dir');
		const image = await source.load({});
		assertSpecImage(image, 'gzip', []);
		assert.equal((await source.readFile(0, 'etc/os-release', 100)).toString(), 'ID=alpine\n');
		assert.equal((await source.readFile(0, '/etc/os-release', 3)).toString(), 'ID=');
	});
});

test('an archive file is detected by content; readFile re-reads its layer; progress reaches every layer', async () => {
	await withTemporaryDirectory(async (directory) => {
		const path = join(directory, 'image.tar');
		await writeImageArchive(spec, path, {format: 'oci'});
		const source = await resolveImageSource(path);
		const progress: LoadProgress[] = [];
		const image = await source.load({onProgress: (update) => progress.push(update)});
		assert.equal(image.source, 'oci-archive');
		assert.equal(source.kind, 'oci-archive');
		assert.equal(progress.at(-1)!.layersDone, 3);
		assert.equal(progress.at(-1)!.bytesRead, progress.at(-1)!.bytesTotal);
		assert.equal((await source.readFile(2, 'bin/tool', 10)).length, 10);
		await assert.rejects(source.readFile(1, 'bin/tool', 10), /not a regular file/);
	});
});

const platforms = [
	{os: 'linux', architecture: 'amd64'},
	{os: 'linux', architecture: 'arm64', variant: 'v8'},
];

test('a multi-platform index yields the asked platform', async () => {
	const archive = await buildImageArchive(spec, {format: 'oci', platforms});
	const arm = await readArchiveBuffer(archive, {platform: parsePlatform('linux/arm64')});
	assert.equal(arm.architecture, 'arm64');
	assert.equal(arm.variant, 'v8');
	const amd = await readArchiveBuffer(archive, {platform: parsePlatform('linux/amd64')});
	assert.equal(amd.architecture, 'amd64');
	assert.notEqual(amd.id, arm.id);
});

test('a platform the index lacks is an error listing what it offers', async () => {
	const archive = await buildImageArchive(spec, {format: 'containerd', platforms});
	await assert.rejects(
		readArchiveBuffer(archive, {platform: parsePlatform('linux/s390x')}),
		(error: unknown) => {
			assert.ok(isLayerlensError(error));
			assert.equal(
				error.message,
				'test.tar has no image for platform linux/s390x; it offers linux/amd64, linux/arm64/v8',
			);
			assert.match(error.line, /--platform/);
			return true;
		},
	);
});

async function assertFails(archive: Buffer, pattern: RegExp): Promise<void> {
	await assert.rejects(readArchiveBuffer(archive), (error: unknown) => {
		assert.ok(isLayerlensError(error), `expected a LayerlensError, got ${String(error)}`);
		assert.match(error.message, pattern);
		return true;
	});
}

test('a missing layer blob is a clear error', async () => {
	const files = await listArchive(await buildImageArchive(spec, {format: 'containerd', compression: 'none'}));
	const manifest = JSON.parse(files.find((file) => file.name === 'manifest.json')!.content.toString()) as [
		{Layers: string[]},
	];
	const removed = manifest[0].Layers[1]!;
	await assertFails(
		await packArchive(files.filter((file) => file.name !== removed)),
		/^layer 2 \(blobs\/sha256\/[0-9a-f]{64}\) is listed but missing from test\.tar$/,
	);
});

test('a diff ID that differs from the config is a warning, and reading goes on', async () => {
	const files = await listArchive(await buildImageArchive(spec));
	const manifest = JSON.parse(files.find((file) => file.name === 'manifest.json')!.content.toString()) as [
		{Config: string},
	];
	const config = files.find((file) => file.name === manifest[0].Config)!;
	const json = JSON.parse(config.content.toString()) as {rootfs: {diff_ids: string[]}};
	json.rootfs.diff_ids[1] = `sha256:${'0'.repeat(64)}`;
	config.content = Buffer.from(JSON.stringify(json));
	const image = await readArchiveBuffer(await packArchive(files));
	assert.equal(image.warnings.length, 1);
	assert.match(
		image.warnings[0]!,
		/^layer 2: computed diff ID sha256:[0-9a-f]{64} differs from the config's sha256:0{64}$/,
	);
	assert.equal(image.layers[1]!.declaredDiffId, `sha256:${'0'.repeat(64)}`);
	assert.equal(image.layers.length, 3);
});

test('a truncated archive is a LayerlensError naming where it was cut, not a crash or a hang', async () => {
	const big = await buildImageArchive(
		{layers: [{files: [{path: 'x', size: 100_000}]}]},
		{format: 'containerd', layersFirst: true},
	);
	await assertFails(
		big.subarray(0, 20_000),
		/^archive truncated in layer 1 \(blobs\/sha256\/[0-9a-f]{64}\): /,
	);
	const archive = await buildImageArchive(spec, {format: 'containerd', layersFirst: true});
	// The last entry is oci-layout: cut inside the padding after its content.
	await assertFails(
		archive.subarray(0, archive.length - 1100),
		/^archive truncated: test\.tar ends in the middle of an entry$/,
	);
});

test('input that is not a tar, or has no manifest, or bad JSON, or no layers, is a clear error', async () => {
	await assertFails(
		Buffer.from('not an archive at all\n'.repeat(40)),
		/^test\.tar is not an image archive: a text file$/,
	);
	await assertFails(
		await packArchive([{name: 'oci-layout', type: 'file', content: Buffer.from('{}')}]),
		/^test\.tar has no manifest\.json or index\.json$/,
	);
	await assertFails(
		await packArchive([{name: 'manifest.json', type: 'file', content: Buffer.from('[{"Config": ')}]),
		/^manifest\.json in test\.tar is not valid JSON/,
	);
	await assertFails(await buildImageArchive({layers: []}), /^the image in test\.tar has no layers$/);
	await assertFails(
		await packArchive([
			{name: 'manifest.json', type: 'file', content: Buffer.from('[{"Config":"c.json","Layers":[]}]')},
		]),
		/^the image config c\.json is missing from test\.tar$/,
	);
});

test('readFile follows a symlinked duplicate layer to the earlier layer.tar', async () => {
	await withTemporaryDirectory(async (directory) => {
		const path = join(directory, 'linked.tar');
		const same = {files: [{path: 'app/x', content: 'same bytes'}]};
		await writeImageArchive({layers: [same, {files: [{path: 'y', content: 'other'}]}, same]}, path, {
			linkDuplicateLayers: true,
		});
		const source = await resolveImageSource(path);
		const image = await source.load({});
		assert.equal(image.source, 'docker-archive');
		assert.equal((await source.readFile(2, 'app/x', 100)).toString(), 'same bytes');
	});
});

test('the decompressed-size limit applies per layer inside an archive', async () => {
	const archive = await buildImageArchive(
		{layers: [{files: [{path: 'zeros', content: new Uint8Array(2_000_000)}]}]},
		{format: 'oci'},
	);
	await assert.rejects(readArchiveBuffer(archive, {maxLayerBytes: 1_000_000}), (error: unknown) => {
		assert.ok(isLayerlensError(error));
		assert.match(
			error.message,
			/^layer 1 \(blobs\/sha256\/[0-9a-f]{64}\) unpacks to more than 1000000 bytes/,
		);
		return true;
	});
	assert.equal(defaultLayerLimit(1000), 1000 + 1024 ** 3);
	assert.equal(defaultLayerLimit(100 * 1024 * 1024), 3200 * 1024 * 1024);
});

test('history limits: none at all, or only the first entries, as some builders leave it', async () => {
	const layers = [
		{createdBy: 'ADD a /', files: [{path: 'a', content: 'a'}]},
		{createdBy: 'RUN b', files: []},
	];
	const emptyHistory = [{createdBy: 'ARG X', beforeLayer: 0}];
	const none = await readArchiveBuffer(await buildImageArchive({layers, emptyHistory, historyLimit: 0}));
	assert.deepEqual(none.history, []);
	const two = await readArchiveBuffer(await buildImageArchive({layers, emptyHistory, historyLimit: 2}));
	assert.deepEqual(
		two.history.map((record) => [record.createdBy, record.emptyLayer]),
		[
			['ARG X', true],
			['ADD a /', false],
		],
	);
	assert.equal(two.layers.length, 2);
	assert.equal(two.layers[1]!.tarSizeBytes, 1024);
});

test('a layer whose read stalls half way is reported as the one reading, not left waiting', async () => {
	const big = Buffer.alloc(2 * 1024 * 1024);
	for (let at = 0; at < big.length; at++) big[at] = (at * 7919) % 251;
	const stalled: ImageSpec = {
		layers: [
			{createdBy: 'ADD rootfs.tar /', files: [{path: 'etc/os-release', content: 'ID=test\n'}]},
			{createdBy: 'RUN make-blob', files: [{path: 'blob', content: big}]},
		],
		repoTags: ['stall:1'],
	};
	const archive = await buildImageArchive(stalled);
	// The stream gives everything up to half way through the big file, in small chunks, then nothing more.
	const holdAt = archive.indexOf(big.subarray(0, 64)) + big.length / 2;
	assert.ok(holdAt > big.length / 2, 'the big file is in the archive');
	const input = new PassThrough();
	const progress: LoadProgress[] = [];
	const reading = readImageArchive(input, {
		reference: 'stall.tar',
		bytesTotal: archive.length,
		onProgress: (update) => progress.push(update),
	});
	for (let at = 0; at < holdAt; at += 16 * 1024) {
		input.write(archive.subarray(at, Math.min(holdAt, at + 16 * 1024)));
		await new Promise((resolve) => setImmediate(resolve));
	}

	await new Promise((resolve) => setImmediate(resolve));
	const last = progress.at(-1);
	assert.ok(last?.reading !== undefined, 'a progress report names the layer being read');
	assert.equal(last.reading.sizeBytes > big.length, true);
	assert.ok(last.reading.bytesRead > 0 && last.reading.bytesRead < last.reading.sizeBytes);
	input.end(archive.subarray(holdAt));
	const {image} = await reading;
	assert.equal(image.layers.length, 2);
});
