import assert from 'node:assert/strict';
import {join} from 'node:path';
import {test} from 'node:test';
import {resolveImageSource} from '../../source/image/sources/open-source.js';
import type {RawImage} from '../../source/image/types.js';
import {diveFixtureSkip, diveFixtures} from '../helpers/fixture-writer.js';

const missing = diveFixtureSkip();

async function load(file: string): Promise<RawImage> {
	const source = await resolveImageSource(join(diveFixtures, file));
	return source.load({});
}

/** Layer size as dive prints it: the sum of the tar header sizes of regular files. */
const layerSizes = (image: RawImage): number[] =>
	image.layers.map((layer) => layer.entries.toEntries().reduce((sum, entry) => sum + entry.size, 0));

test('dive classic docker-archive: 14 layers with the sizes dive prints', {skip: missing}, async () => {
	const image = await load('test-docker-image.tar');
	assert.equal(image.source, 'docker-archive');
	assert.deepEqual(
		layerSizes(image),
		[1154361, 6405, 0, 6405, 6405, 6405, 6405, 6405, 6405, 0, 2187, 6405, 6405, 6405],
	);
	assert.equal(
		layerSizes(image).reduce((sum, size) => sum + size, 0),
		1_220_598,
	);
	assert.deepEqual(image.repoTags, ['dive-test:latest']);
	assert.deepEqual(image.warnings, []);
	// `rm -rf /root/example/` is a directory whiteout in layer 10.
	assert.ok(
		image.layers[9]!.entries.toEntries().some(
			(entry) => entry.type === 'whiteout' && entry.path === 'root/example',
		),
	);
});

test('dive kaniko archive (gzip layer.tar entries): the sizes dive prints', {skip: missing}, async () => {
	const image = await load('test-kaniko-image.tar');
	assert.deepEqual(
		layerSizes(image),
		[1231733, 9249, 0, 9249, 9249, 9249, 9249, 9249, 9249, 0, 2187, 9249, 9249, 9249],
	);
	assert.equal(image.layers[0]!.compression, 'gzip');
	assert.deepEqual(image.warnings, []);
});

for (const [file, compression] of [
	['test-oci-uncompressed-image.tar', 'none'],
	['test-oci-gzip-image.tar', 'gzip'],
	['test-oci-zstd-image.tar', 'zstd'],
] as const) {
	test(`dive ${file}: one layer, README.md of 11189 bytes, ${compression}`, {skip: missing}, async () => {
		const image = await load(file);
		assert.equal(image.source, 'oci-archive');
		assert.equal(image.layers.length, 1);
		assert.equal(image.layers[0]!.compression, compression);
		const readme = image.layers[0]!.entries.toEntries().find((entry) => entry.path === 'README.md');
		assert.equal(readme?.size, 11_189);
		assert.deepEqual(image.warnings, []);
	});
}

test('dive eStargz archive: the TOC after the end-of-archive marker is not a file, as in docker', {
	skip: missing,
}, async () => {
	const image = await load('test-oci-estargz-image.tar');
	assert.equal(image.layers[0]!.compression, 'gzip');
	assert.deepEqual(
		image.layers[0]!.entries.toEntries().map((entry) => [entry.path, entry.size]),
		[['README.md', 11_189]],
	);
	// The diff ID still covers the whole uncompressed stream, TOC included: 14848 bytes of tar, and it matches the config (no warning).
	assert.equal(image.layers[0]!.tarSizeBytes, 14_848);
	assert.deepEqual(image.warnings, []);
});
