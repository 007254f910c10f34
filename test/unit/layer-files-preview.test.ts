import assert from 'node:assert/strict';
import {test} from 'node:test';
import {readPicture} from '../../source/image/read-progress.js';
import type {ImagePreview} from '../../source/image/types.js';
import {layerFileLines} from '../../source/ui/layer-files-preview.js';
import {buildImageArchive, type ImageSpec, readArchiveBuffer} from '../helpers/fixture-writer.js';

const spec: ImageSpec = {
	layers: [
		{createdBy: 'ADD rootfs.tar /', files: [{path: 'bin/tool', size: 70_000, seed: 1}]},
		{
			createdBy: 'RUN build',
			files: [
				{path: 'app/big.bin', size: 50_000, seed: 2},
				{path: 'app/small.txt', content: 'hi\n'},
				{path: 'bin/tool', type: 'whiteout'},
			],
		},
	],
	config: {},
};

test("a read layer's own files: by top folder, largest first, removals counted", async () => {
	const image = await readArchiveBuffer(await buildImageArchive(spec));
	const lines = layerFileLines(image.layers[1]!, 1);
	assert.match(lines[0]!, /^Layer 1 is read: 3 entries, 50\.0 kB in files\.$/);
	const text = lines.join('\n');
	assert.ok(text.indexOf('app/') < text.indexOf('bin/'), 'the larger folder first');
	assert.match(text, /50\.0 kB +app\/big\.bin/);
	assert.match(text, /bin\/ \(1 removed\)/);
});

test('the read picture hands on each parsed layer at its place in the manifest, whatever order they came in', async () => {
	const image = await readArchiveBuffer(await buildImageArchive(spec));
	const preview: ImagePreview = {
		id: image.id,
		os: 'linux',
		architecture: 'amd64',
		repoTags: [],
		config: image.config,
		layers: image.layers.map((layer) => ({diffId: layer.diffId, expectedBytes: layer.tarSizeBytes})),
	};
	const second = image.layers[1]!;
	const picture = readPicture(preview, {
		bytesRead: 1,
		layersDone: 1,
		layersRead: [{name: 'x', diffId: second.diffId, entries: second.entries.count, layer: second}],
	});
	assert.deepEqual(picture.states, ['waiting', 'read']);
	assert.equal(picture.layers?.[1], second);
	assert.equal(picture.layers?.[0], undefined, 'layer 0 is not read: the view shows no files above it');
});
