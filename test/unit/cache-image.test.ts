import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import {readdir, readFile, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {test} from 'node:test';
import {cacheSeal} from '../../source/cache/cache-files.js';
import {
	decodeCachedImage,
	encodeCachedImage,
	imageCacheDirectory,
	imageCacheFormatVersion,
	imageCachePath,
	loadWithCache,
} from '../../source/cache/image-cache.js';
import {EntryColumns} from '../../source/engine/index.js';
import {createArchiveSource} from '../../source/image/sources/open-source.js';
import type {ImageSource, RawImage} from '../../source/image/types.js';
import {elfImage} from '../helpers/elf-image.js';
import {type ImageSpec, withTemporaryDirectory, writeImageArchive} from '../helpers/fixture-writer.js';
import {dir, file, hardlink, opaque, plainImage, symlink, whiteout} from '../helpers/raw-image-builder.js';

function sampleImage(): RawImage {
	return {
		reference: 'sample:1',
		id: 'sha256:abc',
		source: 'docker-archive',
		os: 'linux',
		architecture: 'amd64',
		repoTags: ['sample:1'],
		config: {env: ['A=1'], exposedPorts: [], labels: {x: 'y'}, volumes: []},
		history: [{createdBy: 'RUN x', emptyLayer: false}],
		diffIds: ['sha256:d1', 'sha256:d2'],
		warnings: ['one warning'],
		layers: [
			{
				diffId: 'sha256:d1',
				compression: 'none',
				tarSizeBytes: 10_240,
				entries: EntryColumns.fromEntries([
					dir('usr', {mode: 0o755, uid: 3_000_000_000, gid: 7, mtime: 1_704_067_200}),
					file('usr/big', 6_000_000_000, '00000000deadbeef', {
						exec: {
							kind: 'elf',
							bits: 64,
							machine: 62,
							type: 'exec',
							interpreter: '/lib64/ld-linux-x86-64.so.2',
							needed: ['libm.so.6', 'libc.so.6'],
							runpath: ['$ORIGIN/../lib', ''],
							incomplete: true,
						},
					}),
					file('usr/ünïcode name', 3, '0123456789abcdef', {
						mode: 0o4755,
						exec: {kind: 'script', interpreter: '/usr/bin/env', argument: 'python3 -u'},
					}),
					symlink('usr/link', '../target'),
					hardlink('usr/hard', 'usr/big'),
					{path: 'usr/nohash', type: 'file', size: 0, mode: 0o644, uid: 0, gid: 0, mtime: 0},
				]),
				captured: [{path: 'usr/lib/os-release', text: 'ID=debian\n', truncated: false}],
			},
			{
				diffId: 'sha256:d2',
				declaredDiffId: 'sha256:other',
				digest: 'sha256:blob',
				mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
				compression: 'gzip',
				compressedSizeBytes: 99,
				tarSizeBytes: 2048,
				entries: EntryColumns.fromEntries([
					whiteout('usr/big'),
					opaque('usr'),
					file('lib/libz.so.1', 90_000, '00000000000000aa', {
						exec: {
							kind: 'elf',
							bits: 32,
							machine: 40,
							type: 'dyn',
							needed: [],
							runpath: [],
							soname: 'libz.so.1',
						},
					}),
					{path: 'dev/x', type: 'char', size: 0, mode: 0o600, uid: 0, gid: 0, mtime: 5},
				]),
				captured: [],
			},
			{
				diffId: 'sha256:empty',
				compression: 'none',
				tarSizeBytes: 1024,
				entries: EntryColumns.fromEntries([]),
				captured: [],
			},
		],
	};
}

const smallSpec: ImageSpec = {
	layers: [
		{
			createdBy: 'ADD base',
			files: [
				{path: 'etc/os-release', content: 'ID=debian\n'},
				{path: 'bin/tool', size: 3000},
				{path: 'bin/start', content: '#!/bin/sh -e\nexec app\n', mode: 0o755},
				{
					path: 'lib/libdemo.so.1',
					content: elfImage({bits: 64, little: true, needed: ['libc.so.6'], soname: 'libdemo.so.1'}),
				},
			],
		},
		{
			createdBy: 'RUN rm',
			files: [
				{path: 'bin/tool', type: 'whiteout'},
				{path: 'app/main.js', content: 'hello'},
			],
		},
	],
};

/** A source that counts loads, around a real archive source. */
function counting(source: ImageSource): {source: ImageSource; loads: () => number} {
	let loads = 0;
	const load = source.load.bind(source);
	source.load = async (options) => {
		loads++;
		return load(options);
	};

	return {source, loads: () => loads};
}

test('encode/decode round trip keeps every field of every entry', () => {
	const image = sampleImage();
	const decoded = decodeCachedImage(encodeCachedImage('k', image, ['a/layer.tar', 'b/layer.tar']), 'k');
	assert.deepEqual(plainImage(decoded.raw), plainImage(image));
	assert.deepEqual(decoded.sourceState, ['a/layer.tar', 'b/layer.tar']);
});

test('the cache file name and header carry the format version', () => {
	assert.match(imageCachePath('/c', 'key'), new RegExp(`/v${imageCacheFormatVersion}-[0-9a-f]{40}\\.bin$`));
	assert.equal(imageCacheDirectory({XDG_CACHE_HOME: '/x'}), '/x/layerlens');
	assert.match(imageCacheDirectory({HOME: '/home/u'}), /\/\.cache\/layerlens$/);
	// Rewrite the version in the header (and fix the checksum): an entry of another version is not read.
	const bytes = encodeCachedImage('k', sampleImage(), []);
	const content = Buffer.from(bytes.subarray(0, bytes.length - 32));
	const marker = Buffer.from(`"version":${imageCacheFormatVersion},`);
	const at = content.indexOf(marker);
	assert.ok(at > 0);
	content.write(`"version":${imageCacheFormatVersion + 1}`.slice(0, marker.length - 1), at);
	const forged = Buffer.concat([content, cacheSeal(content, 'k')]);
	assert.throws(() => decodeCachedImage(forged, 'k'), /other format version/);
});

test('a flipped byte is caught by the checksum', () => {
	const bytes = encodeCachedImage('k', sampleImage(), []);
	bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 1;
	assert.throws(() => decodeCachedImage(bytes, 'k'), /checksum/);
});

test('second open of an archive comes from the cache and readFile still works', async () => {
	await withTemporaryDirectory(async (directory) => {
		const archive = join(directory, 'image.tar');
		await writeImageArchive(smallSpec, archive);
		const env = {XDG_CACHE_HOME: join(directory, 'cache')};
		const first = counting(createArchiveSource(archive));
		const loaded = await loadWithCache(first.source, {cache: true, env});
		assert.equal(first.loads(), 1);
		const files = await readdir(join(directory, 'cache', 'layerlens'));
		assert.equal(files.length, 1);

		const second = counting(createArchiveSource(archive));
		const cached = await loadWithCache(second.source, {cache: true, env, reference: 'other-name.tar'});
		assert.equal(second.loads(), 0);
		assert.deepEqual(plainImage(cached), plainImage({...loaded, reference: 'other-name.tar'}));
		const byPath = new Map(cached.layers[0]!.entries.toEntries().map((entry) => [entry.path, entry.exec]));
		assert.deepEqual(byPath.get('bin/start'), {kind: 'script', interpreter: '/bin/sh', argument: '-e'});
		assert.deepEqual(byPath.get('lib/libdemo.so.1'), {
			kind: 'elf',
			bits: 64,
			machine: 62,
			type: 'dyn',
			needed: ['libc.so.6'],
			runpath: [],
			soname: 'libdemo.so.1',
		});
		assert.equal(second.source.kind, 'docker-archive');
		const content = await second.source.readFile(1, 'app/main.js', 100);
		assert.equal(content.toString('utf8'), 'hello');
	});
});

test('a corrupt entry is ignored and rewritten, never fatal', async () => {
	await withTemporaryDirectory(async (directory) => {
		const archive = join(directory, 'image.tar');
		await writeImageArchive(smallSpec, archive);
		const env = {XDG_CACHE_HOME: join(directory, 'cache')};
		await loadWithCache(createArchiveSource(archive), {cache: true, env});
		const cacheDirectory = join(directory, 'cache', 'layerlens');
		const [name] = await readdir(cacheDirectory);
		const path = join(cacheDirectory, name!);
		const good = await readFile(path);
		await writeFile(path, good.subarray(0, good.length / 2));

		const again = counting(createArchiveSource(archive));
		const image = await loadWithCache(again.source, {cache: true, env});
		assert.equal(again.loads(), 1);
		assert.equal(image.layers.length, 2);
		assert.deepEqual(await readFile(path), good);
	});
});

test('--no-cache neither reads nor writes', async () => {
	await withTemporaryDirectory(async (directory) => {
		const archive = join(directory, 'image.tar');
		await writeImageArchive(smallSpec, archive);
		const env = {XDG_CACHE_HOME: join(directory, 'cache')};
		const off = counting(createArchiveSource(archive));
		await loadWithCache(off.source, {cache: false, env});
		assert.equal(existsSync(join(directory, 'cache')), false);

		await loadWithCache(createArchiveSource(archive), {cache: true, env});
		const offAgain = counting(createArchiveSource(archive));
		await loadWithCache(offAgain.source, {cache: false, env});
		assert.equal(offAgain.loads(), 1);
	});
});

test('a rewritten archive gets a new key', async () => {
	await withTemporaryDirectory(async (directory) => {
		const archive = join(directory, 'image.tar');
		await writeImageArchive(smallSpec, archive);
		const before = await createArchiveSource(archive).cacheKey!();
		await writeImageArchive({layers: [smallSpec.layers[0]!]}, archive);
		const after = await createArchiveSource(archive).cacheKey!();
		assert.notEqual(before, after);
		const env = {XDG_CACHE_HOME: join(directory, 'cache')};
		const image = await loadWithCache(createArchiveSource(archive), {cache: true, env});
		assert.equal(image.layers.length, 1);
	});
});
