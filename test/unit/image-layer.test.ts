import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {join} from 'node:path';
import {test} from 'node:test';
import {gzipSync} from 'node:zlib';
import {readLayer} from '../../source/image/formats/read-layer.js';
import type {LayerSpec} from '../../source/image/write/image-spec.js';
import {isLayerlensError} from '../../source/shared/errors.js';
import {
	collect,
	createLayerTarStream,
	diveFixtureSkip,
	diveFixtures,
	rawTar,
} from '../helpers/fixture-writer.js';

const zstdFixture = join(diveFixtures, 'test-oci-zstd-image.tar');
const missingZstd = diveFixtureSkip('test-oci-zstd-image.tar');

async function layerBytes(layer: LayerSpec): Promise<Buffer> {
	return collect(createLayerTarStream(layer));
}

async function parse(bytes: Buffer, warnings: string[] = [], maxBytes?: number) {
	return readLayer([bytes], {
		label: 'layer 1 (test)',
		warnings,
		...(maxBytes === undefined ? {} : {maxBytes}),
	});
}

test('whiteouts and opaque markers become their own entry types at the path they affect', async () => {
	const layer = await parse(
		await layerBytes({
			files: [
				{path: 'etc/a', type: 'whiteout'},
				{path: 'top', type: 'whiteout'},
				{path: 'var/cache', type: 'opaque'},
			],
		}),
	);
	assert.deepEqual(
		layer.entries.toEntries().map((entry) => [entry.path, entry.type, entry.size]),
		[
			['etc/a', 'whiteout', 0],
			['top', 'whiteout', 0],
			['var/cache', 'opaque', 0],
		],
	);
});

test('regular files carry size, mode bits, owner, mtime and an xxHash64 of their content', async () => {
	const bytes = await layerBytes({
		files: [
			{path: 'etc', type: 'dir'},
			{path: 'etc/a', content: 'hi', mode: 0o4755, uid: 1000, gid: 50, mtime: 1_600_000_000},
		],
	});
	// One dir header, one file header plus one padded content block, then two end blocks.
	assert.equal(bytes.length, 512 + 512 + 512 + 1024);
	const layer = await parse(bytes);
	assert.deepEqual(layer.entries.toEntries(), [
		{path: 'etc', type: 'dir', size: 0, mode: 0o755, uid: 0, gid: 0, mtime: 1_704_067_200},
		// xxh64('hi', seed 0), as the reference implementation (and @node-rs/xxhash) computes it.
		{
			path: 'etc/a',
			type: 'file',
			size: 2,
			mode: 0o4755,
			uid: 1000,
			gid: 50,
			mtime: 1_600_000_000,
			hash: 'ea8842e9ea2638fa',
		},
	]);
	assert.equal(layer.tarSizeBytes, 2560);
	assert.equal(layer.compression, 'none');
	assert.equal(layer.diffId, `sha256:${createHash('sha256').update(bytes).digest('hex')}`);
});

test('long and unicode names (PAX) and ids beyond the octal field survive', async () => {
	const path = `deep/${'d'.repeat(120)}/файл-✓.txt`;
	const layer = await parse(await layerBytes({files: [{path, size: 5, uid: 70_000_000, gid: 3_000_000}]}));
	assert.equal(layer.entries.count, 1);
	assert.equal(layer.entries.entry(0).path, path);
	assert.equal(layer.entries.entry(0).uid, 70_000_000);
	assert.equal(layer.entries.entry(0).gid, 3_000_000);
	assert.equal(layer.entries.entry(0).size, 5);
});

test('hard links count 0 bytes and keep their target; symlinks, fifos and devices are typed', async () => {
	const layer = await parse(
		await layerBytes({
			files: [
				{path: 'bin/a', size: 100},
				{path: 'bin/b', type: 'hardlink', linkTarget: 'bin/a'},
				{path: 'bin/c', type: 'symlink', linkTarget: 'a'},
				{path: 'run/pipe', type: 'fifo'},
				{path: 'dev/null', type: 'char'},
			],
		}),
	);
	assert.deepEqual(
		layer.entries.toEntries().map((entry) => [entry.path, entry.type, entry.size, entry.linkTarget]),
		[
			['bin/a', 'file', 100, undefined],
			['bin/b', 'hardlink', 0, 'bin/a'],
			['bin/c', 'symlink', 0, 'a'],
			['run/pipe', 'fifo', 0, undefined],
			['dev/null', 'char', 0, undefined],
		],
	);
});

test('a path written twice in one layer keeps only the last copy', async () => {
	const layer = await parse(
		await layerBytes({
			files: [
				{path: 'a', content: 'one'},
				{path: 'b', content: 'x'},
				{path: 'a', content: 'second'},
			],
		}),
	);
	assert.deepEqual(
		layer.entries.toEntries().map((entry) => [entry.path, entry.size]),
		[
			['a', 6],
			['b', 1],
		],
	);
});

test('names are normalised; names escaping the root are skipped with a warning', async () => {
	const warnings: string[] = [];
	const layer = await parse(
		await rawTar([
			{name: './', type: 'directory'},
			{name: '../evil', content: 'x'},
			{name: '/abs/file', content: 'yy'},
			{name: './rel/./x', content: 'zzz'},
			{name: 'a/../b', content: 'w'},
			{name: 'a/../../escape', content: 'v'},
		]),
		warnings,
	);
	assert.deepEqual(
		layer.entries.toEntries().map((entry) => [entry.path, entry.size]),
		[
			['abs/file', 2],
			['rel/x', 3],
			['b', 1],
		],
	);
	assert.equal(warnings.length, 2);
	assert.match(warnings[0]!, /skipped entry '\.\.\/evil'/);
	assert.match(warnings[1]!, /skipped entry 'a\/\.\.\/\.\.\/escape'/);
});

test('gzip layers are sniffed by magic bytes and hash to the same diff ID as the plain tar', async () => {
	const plain = await layerBytes({files: [{path: 'data', size: 20_000}]});
	const zipped = gzipSync(plain);
	const fromPlain = await parse(plain);
	const fromGzip = await parse(zipped);
	assert.equal(fromGzip.compression, 'gzip');
	assert.equal(fromGzip.compressedSizeBytes, zipped.length);
	assert.equal(fromGzip.tarSizeBytes, 512 + 20_480 + 1024);
	assert.equal(fromGzip.diffId, fromPlain.diffId);
	assert.deepEqual(fromGzip.entries.toEntries(), fromPlain.entries.toEntries());
});

test('an empty tar (only end blocks) and an empty blob are empty layers', async () => {
	assert.deepEqual((await parse(Buffer.alloc(1024))).entries.toEntries(), []);
	assert.equal((await parse(Buffer.alloc(1024))).tarSizeBytes, 1024);
	assert.deepEqual((await parse(Buffer.alloc(0))).entries.toEntries(), []);
});

test('evidence files are captured as text, other files are not', async () => {
	const layer = await parse(
		await layerBytes({
			files: [
				{path: 'etc/os-release', content: 'ID=debian\n'},
				{path: 'app/node_modules/x/package.json', content: '{}'},
				{path: 'app/node_modules/x/index.js', content: 'module.exports = 1;'},
				{path: 'app/package.json', content: '{"name":"app"}'},
			],
		}),
	);
	// A dependency's own package.json names the package that owns its folder.
	assert.deepEqual(layer.captured, [
		{path: 'etc/os-release', text: 'ID=debian\n', truncated: false},
		{path: 'app/node_modules/x/package.json', text: '{}', truncated: false},
		{path: 'app/package.json', text: '{"name":"app"}', truncated: false},
	]);
});

async function assertLayerlensError(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
	await assert.rejects(promise, (error: unknown) => {
		assert.ok(isLayerlensError(error), `expected a LayerlensError, got ${String(error)}`);
		assert.match(error.message, pattern);
		return true;
	});
}

test('input that is not a tar is a LayerlensError naming the layer', async () => {
	await assertLayerlensError(
		parse(Buffer.from('this is plainly not a tar archive, just some text '.repeat(10))),
		/^layer 1 \(test\) is not a tar archive/,
	);
});

test('a truncated tar or gzip stream is a LayerlensError, not a crash or a hang', async () => {
	const plain = await layerBytes({files: [{path: 'big', size: 100_000}]});
	await assertLayerlensError(parse(plain.subarray(0, 3000)), /^archive truncated in layer 1 \(test\)/);
	const zipped = gzipSync(plain);
	await assertLayerlensError(
		parse(zipped.subarray(0, zipped.length >> 1)),
		/^archive truncated in layer 1 \(test\)/,
	);
});

test('a layer that unpacks past the limit stops with a hint to raise it', async () => {
	const zipped = gzipSync(
		Buffer.concat([await layerBytes({files: [{path: 'zeros', content: Buffer.alloc(3_000_000)}]})]),
	);
	await assert.rejects(parse(zipped, [], 1_000_000), (error: unknown) => {
		assert.ok(isLayerlensError(error));
		assert.match(error.message, /more than 1000000 bytes/);
		assert.match(error.line, /--max-layer-bytes/);
		return true;
	});
});

test('hostile raw names written by the writer are skipped or normalised, never escape the root', async () => {
	const warnings: string[] = [];
	const layer = await parse(
		await layerBytes({
			files: [
				{path: 'x', rawName: '../../etc/passwd', content: 'root'},
				{path: 'y', rawName: '/usr/bin/tool', content: 'ok'},
				{path: 'z', rawName: 'a/\u0007bell', content: '!'},
			],
		}),
		warnings,
	);
	assert.deepEqual(
		layer.entries.toEntries().map((entry) => entry.path),
		['usr/bin/tool', 'a/\u0007bell'],
	);
	assert.equal(warnings.length, 1);
});

test('a truncated zstd layer is a LayerlensError naming the layer', {skip: missingZstd}, async () => {
	const {readFile} = await import('node:fs/promises');
	const {listArchive} = await import('../helpers/fixture-writer.js');
	const files = await listArchive(await readFile(zstdFixture));
	const blob = files.find((file) => file.content.length >= 4 && file.content.readUInt32BE(0) === 0x28b52ffd)!;
	const whole = await parse(blob.content);
	assert.equal(whole.compression, 'zstd');
	await assertLayerlensError(
		parse(blob.content.subarray(0, blob.content.length >> 1)),
		/^archive truncated in layer 1 \(test\): unexpected EOF$/,
	);
});
