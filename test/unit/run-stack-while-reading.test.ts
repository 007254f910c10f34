import assert from 'node:assert/strict';
import {test} from 'node:test';
import {finishStack, type PathTree, stackLayers} from '../../source/engine/index.js';
import type {ImagePreview, ImageSource, TarEntry} from '../../source/image/types.js';
import {stackWhileReading} from '../../source/run/stack-while-reading.js';
import {dir, file, whiteout} from '../helpers/raw-image-builder.js';
import {parsedLayers, previewOf, progressOf as progressOfLayers} from '../helpers/read-layers.js';

const entries: TarEntry[][] = [
	[dir('etc'), file('etc/os-release', 300, 'os'), dir('usr'), file('usr/bin-tool', 5000, 'tool')],
	[dir('app'), file('app/server.js', 1200, 'server')],
	[whiteout('usr/bin-tool'), file('app/cache.bin', 90_000, 'cache')],
	[dir('etc'), file('etc/app.conf', 64, 'conf')],
];
const layers = parsedLayers(entries);
const preview = previewOf(layers);
const progressOf = (read: number[]) => progressOfLayers(layers, read);

/** A source whose preview answers when the test says, counting how often it was asked. */
function sourceWithPreview(answer: ImagePreview | undefined) {
	let asked = 0;
	let resolve: (value: ImagePreview | undefined) => void = () => undefined;
	const answered = new Promise<ImagePreview | undefined>((done) => {
		resolve = done;
	});
	const source = {
		kind: 'docker-archive',
		preview: async () => {
			asked++;
			return answered;
		},
	} as unknown as ImageSource;
	return {source, asked: () => asked, answer: () => resolve(answer)};
}

const settle = () => new Promise((done) => setImmediate(done));

function describe(tree: PathTree): string[] {
	const lines = [`nodes=${tree.nodeCount} versions=${tree.versionCount}`];
	tree.forEachNode((node) => {
		const versions = tree.versions(node).map((version) => `${tree.layerOf(version)}:${tree.kind(version)}`);
		lines.push(`${tree.pathOf(node)} [${versions.join(' ')}] removed=${tree.removedIn(node).join(',')}`);
	});
	return lines;
}

test('layers read out of order are stacked bottom up once the preview says where they go; the load finishes the same stack', async () => {
	const {source, asked, answer} = sourceWithPreview(preview);
	const reading = stackWhileReading(source, undefined);
	reading.onProgress({bytesRead: 10, layersDone: 0});
	assert.equal(asked(), 0, 'no layer read yet: the preview is not asked for');
	reading.onProgress(progressOf([1]));
	assert.equal(asked(), 1);
	answer();
	await settle();
	assert.equal(reading.stack.count, 0, 'layer 1 waits for layer 0');
	reading.onProgress(progressOf([1, 0]));
	assert.equal(reading.stack.count, 2);
	reading.onProgress(progressOf([1, 0, 3]));
	assert.equal(reading.stack.count, 2, 'layer 3 waits for layer 2');
	reading.onProgress(progressOf([1, 0, 3, 2]));
	assert.equal(reading.stack.count, 4);
	assert.equal(asked(), 1, 'the preview is asked for once');
	assert.deepEqual(describe(finishStack(layers, reading.stack)), describe(stackLayers(layers)));
});

test('layers read before the preview answers are stacked when it does; without a preview nothing is stacked and the load stacks it all', async () => {
	const late = sourceWithPreview(preview);
	const reading = stackWhileReading(late.source, undefined);
	reading.onProgress(progressOf([0]));
	reading.onProgress(progressOf([0, 1]));
	assert.equal(reading.stack.count, 0);
	late.answer();
	await settle();
	assert.equal(reading.stack.count, 2);

	const none = sourceWithPreview(undefined);
	const blind = stackWhileReading(none.source, undefined);
	blind.onProgress(progressOf([0, 1, 2, 3]));
	none.answer();
	await settle();
	assert.equal(blind.stack.count, 0);
	assert.deepEqual(describe(finishStack(layers, blind.stack)), describe(stackLayers(layers)));
});
