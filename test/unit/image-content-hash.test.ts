import assert from 'node:assert/strict';
import {createHash, randomBytes} from 'node:crypto';
import {createReadStream} from 'node:fs';
import {writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {test} from 'node:test';
import {ContentHasher, contentHashOf, emptyContentHash} from '../../source/image/hashing/content-hash.js';
import {hashFileRange} from '../../source/image/hashing/file-range-hasher.js';
import {readImageArchive} from '../../source/image/sources/archive/read-archive.js';
import {createArchiveSource} from '../../source/image/sources/open-source.js';
import {type ImageSpec, withTemporaryDirectory, writeImageArchive} from '../helpers/fixture-writer.js';

test('content hashes are xxHash64 as the reference implementation computes it', () => {
	// Published test vector: XXH64 of no input, seed 0.
	assert.equal(emptyContentHash, 'ef46db3751d8e999');
	assert.equal(contentHashOf(Buffer.from('hi')), 'ea8842e9ea2638fa');
});

test('a file hashed in chunks gets the hash of its whole content', () => {
	const content = randomBytes(3 * 1024 * 1024 + 17);
	const hasher = new ContentHasher();
	for (let start = 0; start < content.length; start += 65_536) {
		hasher.update(content.subarray(start, start + 65_536));
	}

	assert.equal(hasher.digest(), contentHashOf(content));
	assert.notEqual(contentHashOf(content.subarray(1)), contentHashOf(content));
});

test('a byte range of a file is hashed on the worker exactly; a range past the end fails', async () => {
	await withTemporaryDirectory(async (directory) => {
		const path = join(directory, 'bytes');
		const content = randomBytes(5 * 1024 * 1024);
		await writeFile(path, content);
		const range = {path, offset: 1000, length: 3 * 1024 * 1024 + 5};
		const expected = createHash('sha256')
			.update(content.subarray(range.offset, range.offset + range.length))
			.digest('hex');
		assert.equal(await hashFileRange(range), expected);
		await assert.rejects(hashFileRange({path, offset: content.length - 10, length: 20}), /ended before/);
	});
});

const spec: ImageSpec = {
	layers: [
		{createdBy: 'ADD base', files: [{path: 'big', size: 6 * 1024 * 1024}]},
		{
			createdBy: 'RUN x',
			files: [
				{path: 'small', content: 'x'},
				{path: 'more', size: 5 * 1024 * 1024},
			],
		},
	],
};

test('diff IDs hashed from the archive file equal those hashed from the stream, and match the config', async () => {
	await withTemporaryDirectory(async (directory) => {
		const archive = join(directory, 'image.tar');
		await writeImageArchive(spec, archive);
		const fromFile = await createArchiveSource(archive).load({});
		const fromStream = await readImageArchive(createReadStream(archive), {reference: archive});
		assert.deepEqual(
			fromFile.layers.map((layer) => layer.diffId),
			fromStream.image.layers.map((layer) => layer.diffId),
		);
		assert.deepEqual(
			fromFile.layers.map((layer) => layer.diffId),
			fromFile.diffIds,
		);
		assert.deepEqual(fromFile.warnings, []);
	});
});
