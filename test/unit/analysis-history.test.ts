import assert from 'node:assert/strict';
import {test} from 'node:test';
import {analyzeImage} from '../../source/analysis/analyze-image.js';
import {mapHistory} from '../../source/analysis/map-history.js';
import {file, layer, rawImage} from '../helpers/raw-image-builder.js';

test('empty-layer entries map to no layer and remember the layer before them', () => {
	const mapping = mapHistory(
		[
			{createdBy: '/bin/sh -c #(nop)  ARG VERSION', emptyLayer: true},
			{createdBy: '/bin/sh -c #(nop) ADD file:abc in / ', emptyLayer: false},
			{createdBy: '/bin/sh -c #(nop)  CMD ["sh"]', emptyLayer: true},
			{createdBy: 'RUN /bin/sh -c make # buildkit', emptyLayer: false},
			{createdBy: 'ENV A=1', emptyLayer: true},
			{createdBy: 'COPY . /app # buildkit', emptyLayer: false},
		],
		3,
	);
	assert.deepEqual(
		mapping.history.map((entry) => [
			entry.instruction,
			entry.emptyLayer,
			entry.layerIndex,
			entry.afterLayerIndex,
		]),
		[
			['ARG VERSION', true, null, -1],
			['ADD <file> /', false, 0, -1],
			['CMD ["sh"]', true, null, 0],
			['RUN make', false, 1, 0],
			['ENV A=1', true, null, 1],
			['COPY . /app', false, 2, 1],
		],
	);
	assert.deepEqual(mapping.layers, [
		{instruction: 'ADD <file> /', createdBy: '/bin/sh -c #(nop) ADD file:abc in / ', historyIndex: 1},
		{instruction: 'RUN make', createdBy: 'RUN /bin/sh -c make # buildkit', historyIndex: 3},
		{instruction: 'COPY . /app', createdBy: 'COPY . /app # buildkit', historyIndex: 5},
	]);
	assert.deepEqual(mapping.warnings, []);
	assert.equal(mapping.history[3]!.instructionKind, 'RUN');
});

test('fewer history entries than layers: map from the start, the rest is unknown, with a warning', () => {
	const mapping = mapHistory([{createdBy: '/bin/sh -c #(nop) ADD file:abc in / ', emptyLayer: false}], 3);
	assert.deepEqual(
		mapping.layers.map((item) => item.instruction),
		['ADD <file> /', 'unknown', 'unknown'],
	);
	assert.equal(mapping.layers[1]!.createdBy, undefined);
	assert.equal(mapping.warnings.length, 1);
	assert.match(mapping.warnings[0]!, /names 1 layers but the image has 3/);
});

test('no history at all: every layer unknown, one warning', () => {
	const mapping = mapHistory([], 2);
	assert.deepEqual(
		mapping.layers.map((item) => item.instruction),
		['unknown', 'unknown'],
	);
	assert.deepEqual(mapping.history, []);
	assert.equal(mapping.warnings.length, 1);
	assert.match(mapping.warnings[0]!, /no history/);
});

test('more history entries than layers: map from the start, extras unmapped, with a warning', () => {
	const mapping = mapHistory(
		[
			{createdBy: 'RUN a', emptyLayer: false},
			{createdBy: 'RUN b', emptyLayer: false},
			{createdBy: 'RUN c', emptyLayer: false},
		],
		1,
	);
	assert.deepEqual(
		mapping.history.map((entry) => entry.layerIndex),
		[0, null, null],
	);
	assert.equal(mapping.layers[0]!.instruction, 'RUN a');
	assert.equal(mapping.warnings.length, 1);
	assert.match(mapping.warnings[0]!, /2 more non-empty entries than the image has layers \(1\)/);
});

test('analyzeImage carries the mapping into layer summaries and warnings', () => {
	const analysis = analyzeImage(
		rawImage(
			[layer([file('a', 1)]), layer([file('b', 2)])],
			[{createdBy: '/bin/sh -c #(nop) ADD file:abc in / ', emptyLayer: false}],
		),
	);
	assert.equal(analysis.layers[0]!.instruction, 'ADD <file> /');
	assert.equal(analysis.layers[0]!.historyIndex, 0);
	assert.equal(analysis.layers[1]!.instruction, 'unknown');
	assert.equal(analysis.layers[1]!.historyIndex, undefined);
	assert.equal(analysis.warnings.length, 1);
});

test('a first entry with no created_by is the imported base image, with its comment (docker import)', () => {
	const {layers} = mapHistory([{comment: 'debootstrap --variant=minbase bookworm', emptyLayer: false}], 1);
	assert.equal(layers[0]?.instruction, 'the base image (imported: debootstrap --variant=minbase bookworm)');
});

test("docker import's own comment reads as the imported base image, not `(Imported from -)`", () => {
	assert.equal(
		mapHistory([{comment: 'Imported from -', emptyLayer: false}], 1).layers[0]?.instruction,
		'the base image (imported)',
	);
	assert.equal(
		mapHistory([{comment: 'Imported from https://example.com/rootfs.tar', emptyLayer: false}], 1).layers[0]
			?.instruction,
		'the base image (imported from https://example.com/rootfs.tar)',
	);
	// A later entry without created_by is a `docker commit -m`: its message is shown as written.
	const {layers} = mapHistory(
		[
			{comment: 'Imported from -', emptyLayer: false},
			{comment: 'hand-made fix', emptyLayer: false},
		],
		2,
	);
	assert.equal(layers[1]?.instruction, '(hand-made fix)');
});
