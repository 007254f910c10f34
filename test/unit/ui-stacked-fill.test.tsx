import '../helpers/interactive-terminal-env.js';
import assert from 'node:assert/strict';
import {createReadStream} from 'node:fs';
import {readdir, readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {test} from 'node:test';
import {analyzeImage} from '../../source/analysis/analyze-image.js';
import {outlineImage} from '../../source/analysis/image-outline.js';
import {imageCacheKey, loadImageModel} from '../../source/cache/image-cache.js';
import {finishStack, IncrementalStack, type PathTree, stackLayers} from '../../source/engine/index.js';
import {type ReadPicture, readPicture} from '../../source/image/read-progress.js';
import {previewArchiveFile} from '../../source/image/sources/archive/archive-preview.js';
import {readImageArchive} from '../../source/image/sources/archive/read-archive.js';
import {createArchiveSource} from '../../source/image/sources/open-source.js';
import type {ImagePreview, LoadProgress, ParsedLayer, TarEntry} from '../../source/image/types.js';
import {formatBytes} from '../../source/shared/format-bytes.js';
import {createLayersFirstState, layersFirstReducer} from '../../source/ui/layers-first-state.js';
import {LayersFirstView} from '../../source/ui/layers-first-view.js';
import type {ReadStatus} from '../../source/ui/read-status.js';
import {runExplorer} from '../../source/ui/run-explorer.js';
import {StackedFill} from '../../source/ui/stacked-fill.js';
import {
	type ArchiveOptions,
	type ImageSpec,
	withTemporaryDirectory,
	writeImageArchive,
} from '../helpers/fixture-writer.js';
import {dir, file, rawImage, whiteout} from '../helpers/raw-image-builder.js';
import {diffIdOf, parsedLayers, previewOf, progressOf as progressOfLayers} from '../helpers/read-layers.js';
import {fakeTerminal, renderUi} from '../helpers/render.js';

/** Four layers with distinct diff IDs: a base, an app, a layer that deletes from the base, a config. */
const entries: TarEntry[][] = [
	[dir('etc'), file('etc/os-release', 300, 'os'), dir('usr'), file('usr/bin-tool', 5000, 'tool')],
	[dir('app'), file('app/server.js', 1200, 'server'), file('app/package.json', 400, 'pkg')],
	[whiteout('usr/bin-tool'), file('app/cache.bin', 90_000, 'cache')],
	[dir('etc'), file('etc/app.conf', 64, 'conf')],
];
const layers = parsedLayers(entries);
const preview = previewOf(layers);
const progressOf = (read: number[], reading?: number) => progressOfLayers(layers, read, reading);

/** Every path of a tree with its final version's layer and whether each layer shows it, to compare two trees. */
function describe(tree: PathTree): string[] {
	const lines = [`nodes=${tree.nodeCount} versions=${tree.versionCount} layers=${tree.layers.length}`];
	tree.forEachNode((node) => {
		const versions = tree.versions(node).map((version) => `${tree.layerOf(version)}:${tree.kind(version)}`);
		lines.push(`${tree.pathOf(node)} [${versions.join(' ')}] removed=${tree.removedIn(node).join(',')}`);
	});
	return lines;
}

test('layers are stacked bottom up: a layer read before those under it waits, then all stack at once', () => {
	const fill = new StackedFill();
	const steps: Array<{read: number[]; reading?: number; states: string[]; stacked: number | undefined}> = [
		{read: [], reading: 2, states: ['waiting', 'waiting', 'reading', 'waiting'], stacked: undefined},
		{read: [2], reading: 0, states: ['reading', 'waiting', 'read', 'waiting'], stacked: undefined},
		{read: [2, 0], reading: 3, states: ['read', 'waiting', 'read', 'reading'], stacked: 1},
		{read: [2, 0, 3], reading: 1, states: ['read', 'reading', 'read', 'read'], stacked: 1},
		{read: [2, 0, 3, 1], states: ['read', 'read', 'read', 'read'], stacked: 4},
	];
	let previous = fill.stacked;
	for (const step of steps) {
		const picture = readPicture(preview, progressOf(step.read, step.reading));
		assert.deepEqual(picture.states, step.states, `read ${step.read.join(',')}`);
		const advanced = fill.advance(picture);
		assert.equal(fill.stacked?.layers, step.stacked, `stacked after ${step.read.join(',')}`);
		assert.equal(advanced, fill.stacked !== previous, 'advance says whether a layer was stacked');
		if (fill.stacked !== undefined) {
			const alone = stackLayers(layers.slice(0, fill.stacked.layers));
			assert.deepEqual(describe(fill.stacked.tree), describe(alone), `the tree of layers 0..${step.stacked}`);
		}

		previous = fill.stacked;
	}

	// The same picture again stacks nothing and keeps the same tree.
	const done = fill.stacked;
	assert.equal(fill.advance(readPicture(preview, progressOf([2, 0, 3, 1]))), false);
	assert.equal(fill.stacked, done);
	assert.equal(done?.tree.find('usr/bin-tool') !== undefined, true, 'the deleted file is still a node');
	assert.deepEqual(done?.tree.removedIn(done.tree.find('usr/bin-tool')!), [2]);
});

test('a picture skipped (frames come less often than layers) is caught up by the next one', () => {
	const fill = new StackedFill();
	assert.equal(fill.advance(readPicture(preview, progressOf([1, 3]))), false);
	assert.equal(fill.advance(readPicture(preview, progressOf([1, 3, 2, 0]))), true);
	assert.equal(fill.stacked?.layers, 4);
	assert.deepEqual(describe(fill.stacked!.tree), describe(stackLayers(layers)));
});

test('a read layer whose parsed files the source does not hand on stops the stacking there', () => {
	const fill = new StackedFill();
	const progress = progressOf([0, 1, 2]);
	// A source that reports the layer read but not its files (the count only).
	delete progress.layersRead![1]!.layer;
	assert.equal(fill.advance(readPicture(preview, progress)), true);
	assert.equal(fill.stacked?.layers, 1);
});

/** The layers-first frame for a read at `read`/`reading`, layer `selected` selected, fed through a StackedFill. */
async function frameOf(read: number[], reading: number | undefined, selected: number): Promise<string> {
	const outline = outlineImage('sample:latest', preview);
	const picture = readPicture(preview, progressOf(read, reading));
	const fill = new StackedFill();
	fill.advance(picture);
	const size = {columns: 120, rows: 30};
	let state = layersFirstReducer(createLayersFirstState(size), {type: 'outline', outline});
	if (fill.stacked !== undefined) state = layersFirstReducer(state, {type: 'stacked', stacked: fill.stacked});
	for (let step = 0; step < selected; step++)
		state = layersFirstReducer(state, {type: 'key', name: 'j', text: 'j'});
	const status: ReadStatus = {progress: progressOf(read, reading), picture, elapsedMs: 1000};
	const ui = await renderUi(
		<LayersFirstView title="sample:latest" state={{...state, outline}} status={status} />,
		size,
	);
	const frame = ui.frame();
	ui.unmount();
	return frame;
}

test('the tree pane: the stacked tree of a layer whose layers below are read, else what it waits for', async () => {
	// Layers 0 and 2 read, 1 reading: layer 0 shows its tree; 1 is reading; 2 waits for 1; 3 waits.
	const ready = await frameOf([2, 0], 1, 0);
	assert.match(ready, /Read so far · changes in layer 0/);
	assert.match(ready, /os-release/);
	assert.match(ready, /bin-tool/);
	assert.doesNotMatch(ready, /server\.js/, 'a later layer is not in layer 0 tree');

	assert.match(await frameOf([2, 0], 1, 1), /Layer 1: reading its files/);
	const blocked = await frameOf([2, 0], 1, 2);
	assert.match(blocked, /Layer 2 is read\./);
	assert.match(blocked, /opens once every layer under it is read \(layer 1 is reading/);
	assert.doesNotMatch(blocked, /Read so far/);
	assert.match(await frameOf([2, 0], 1, 3), /Tree · layer 3/);

	// Once layer 1 is read, layer 2's tree is the filesystem of 0..2: its own cache and what it deleted.
	const stacked = await frameOf([2, 0, 1], 3, 2);
	assert.match(stacked, /Read so far · changes in layer 2/);
	assert.match(stacked, /cache\.bin/);
	assert.match(stacked, /bin-tool/, 'the deleted file is shown as removed');
});

/** Reads an archive file as the explorer does: the preview first, each progress report through a StackedFill. */
async function readThroughFill(path: string): Promise<{
	preview: ImagePreview;
	pictures: ReadPicture[];
	fill: StackedFill;
	layers: ParsedLayer[];
}> {
	const archivePreview = await previewArchiveFile(path);
	assert.ok(archivePreview, 'the archive has a preview');
	const fill = new StackedFill();
	const pictures: ReadPicture[] = [];
	const {image} = await readImageArchive(createReadStream(path), {
		reference: path,
		archiveFile: path,
		onProgress(progress) {
			const picture = readPicture(archivePreview, progress);
			pictures.push(picture);
			fill.advance(picture);
		},
	});
	return {preview: archivePreview, pictures, fill, layers: image.layers};
}

/** An image that adds the same layer twice (two identical `COPY` layers) around a layer of its own. */
const twiceSpec: ImageSpec = {
	layers: [
		{createdBy: 'COPY config /etc/app', files: [{path: 'etc/app/a.conf', content: 'same bytes\n'}]},
		{createdBy: 'RUN build', files: [{path: 'usr/lib/built.so', size: 30_000, seed: 3}]},
		{createdBy: 'COPY config /etc/app', files: [{path: 'etc/app/a.conf', content: 'same bytes\n'}]},
	],
};

for (const [name, options] of [
	[
		'docker save, the second copy a symlink to the first',
		{format: 'docker-archive', linkDuplicateLayers: true},
	],
	['docker save, each copy its own layer.tar', {format: 'docker-archive'}],
	['an OCI layout, one blob listed twice', {format: 'oci', compression: 'none'}],
] as Array<[string, ArchiveOptions]>) {
	test(`the same layer twice (${name}): both copies read, every layer stacked`, async () => {
		await withTemporaryDirectory(async (directory) => {
			const path = join(directory, 'twice.tar');
			await writeImageArchive(twiceSpec, path, options);
			const read = await readThroughFill(path);
			assert.equal(read.preview.layers.length, 3);
			assert.equal(read.preview.layers[0]!.diffId, read.preview.layers[2]!.diffId, 'one diff ID twice');
			const last = read.pictures.at(-1)!;
			assert.deepEqual(last.states, ['read', 'read', 'read']);
			assert.equal(last.layers?.[0], last.layers?.[2], 'the one parsed layer for both copies');
			assert.equal(read.fill.stacked?.layers, 3, 'the stacking reached the top layer');
			assert.deepEqual(describe(read.fill.stacked!.tree), describe(stackLayers(read.layers)));
		});
	});
}

test('a diff ID listed twice: each copy is read when its bytes are, whichever entry the reader met', () => {
	const twin: ImagePreview = {
		...preview,
		layers: [{diffId: diffIdOf(0)}, {diffId: diffIdOf(1)}, {diffId: diffIdOf(0)}],
	};
	const once: LoadProgress = {
		bytesRead: 0,
		layersDone: 1,
		layersRead: [{name: 'x/layer.tar', diffId: diffIdOf(0), entries: 4, layer: layers[0]!}],
	};
	const picture = readPicture(twin, once);
	assert.deepEqual(picture.states, ['read', 'waiting', 'read']);
	assert.deepEqual(picture.entries, [4, undefined, 4]);
	assert.equal(picture.layers?.[2], layers[0]);
});

/** Loads an archive as the explorer does, the view's StackedFill fed from the progress until `feedUpTo` layers. */
async function loadOnFill(path: string, feedUpTo: number, env: NodeJS.ProcessEnv, cache: boolean) {
	const archivePreview = await previewArchiveFile(path);
	assert.ok(archivePreview);
	const fill = new StackedFill();
	const source = createArchiveSource(path);
	const model = await loadImageModel(source, cache ? await imageCacheKey(source, {cache}) : undefined, {
		env,
		stack: fill.stack,
		onProgress(progress) {
			if (fill.stack.count < feedUpTo) fill.advance(readPicture(archivePreview, progress));
		},
	});
	return {fill, model};
}

test('the load finishes the stack the view filled: the tree and the cache file are those of stacking afresh', async () => {
	await withTemporaryDirectory(async (directory) => {
		const path = join(directory, 'image.tar');
		await writeImageArchive(twiceSpec, path, {format: 'docker-archive', linkDuplicateLayers: true});
		for (const feedUpTo of [0, 1, 2, 3]) {
			const env = {XDG_CACHE_HOME: join(directory, `cache-${feedUpTo}`)};
			const {fill, model} = await loadOnFill(path, feedUpTo, env, true);
			// What the view had stacked: nothing, or at least `feedUpTo` (the linked copy is read with the layer).
			if (feedUpTo === 0) assert.equal(fill.stacked, undefined);
			else assert.ok(fill.stacked!.layers >= feedUpTo && fill.stacked!.layers <= 3);
			assert.equal(fill.stack.finished, true, `${feedUpTo} layers in: the load finished the view's stack`);
			assert.equal(model.tree.layers.length, 3);
			assert.deepEqual(model.tree.toStored(), stackLayers(model.raw.layers).toStored());
			// Nothing more is stacked after the load finished the stack.
			assert.equal(fill.advance(readPicture(preview, progressOf([0, 1, 2, 3]))), false);
		}

		// The cache file written after a load on the view's stack is byte for byte the one written without it.
		const plainEnv = {XDG_CACHE_HOME: join(directory, 'cache-plain')};
		const source = createArchiveSource(path);
		await loadImageModel(source, await imageCacheKey(source, {cache: true}), {env: plainEnv});
		const cacheFile = async (env: NodeJS.ProcessEnv) => {
			const folder = join(env.XDG_CACHE_HOME!, 'layerlens');
			const [name] = await readdir(folder);
			return readFile(join(folder, name!));
		};
		const plain = await cacheFile(plainEnv);
		for (const feedUpTo of [0, 1, 2, 3]) {
			assert.deepEqual(await cacheFile({XDG_CACHE_HOME: join(directory, `cache-${feedUpTo}`)}), plain);
		}
	});
});

test('the explorer session hands its load the stack the view fills, for the load to finish', async () => {
	const terminal = fakeTerminal({columns: 120, rows: 30});
	let handed: IncrementalStack | undefined;
	let finishLoad: () => void = () => undefined;
	let readTwo: () => void = () => undefined;
	const analysis = analyzeImage(rawImage(layers));
	const exit = runExplorer({
		title: 'sample:latest',
		load(onProgress, _signal, onOutline, stack) {
			handed = stack;
			readTwo = () => {
				onOutline?.(outlineImage('sample:latest', preview), preview);
				onProgress(progressOf([1, 0], 2));
			};
			return new Promise((resolve) => {
				finishLoad = () => {
					// As loadImageModel does once the read ends: only layers 2 and 3 are stacked now.
					const tree = finishStack(layers, stack);
					assert.deepEqual(tree.toStored(), stackLayers(layers).toStored());
					resolve({analysis, readFile: async () => Buffer.alloc(0), defaultExportName: 'x'});
				};
			});
		},
		...terminal,
	});
	await terminal.waitFor('reading sample:latest');
	assert.ok(handed instanceof IncrementalStack, 'the load is handed a stack');
	readTwo();
	await terminal.waitFor('Read so far · changes in layer 0');
	assert.equal(handed.count, 2, 'the view stacked layers 0 and 1 as they were read');
	finishLoad();
	await terminal.waitFor('Changes in layer 0');
	assert.equal(handed.finished, true);
	terminal.stdin.write('q');
	assert.equal(await exit, 0);
	assert.equal(terminal.errors(), '');
});

test('a read layer shows its files’ bytes, the explorer’s figure; one not read yet the source’s, said so', async () => {
	const filesOf0 = 300 + 5000;
	const readFrame = await frameOf([0], 1, 0);
	assert.match(readFrame, new RegExp(`^ {2}0 {4}${formatBytes(filesOf0).replace('.', '\\.')} .* read `, 'm'));
	assert.match(readFrame, new RegExp(`Size {5}${formatBytes(filesOf0).replace('.', '\\.')} \\(its files\\)`));
	const tarOf1 = formatBytes(layers[1]!.tarSizeBytes);
	assert.notEqual(tarOf1, formatBytes(1200 + 400), 'the fixture tells the two figures apart');
	const waitingFrame = await frameOf([0], 1, 1);
	assert.match(
		waitingFrame,
		new RegExp(`Size {5}${tarOf1.replace('.', '\\.')} \\(as the source counts it\\)`),
	);
});
