import '../helpers/interactive-terminal-env.js';
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {analyzeImage} from '../../source/analysis/analyze-image.js';
import {outlineImage} from '../../source/analysis/image-outline.js';
import {IncrementalStack, stackLayers} from '../../source/engine/index.js';
import type {ImagePreview, ParsedLayer, TarEntry} from '../../source/image/types.js';
import {handoverOf, openFromEarly} from '../../source/ui/early-handover.js';
import {earlyCurrent} from '../../source/ui/early-tree-state.js';
import {Explorer} from '../../source/ui/explorer.js';
import {createInitialState, currentTree} from '../../source/ui/explorer-state.js';
import {
	createLayersFirstState,
	type LayersFirstState,
	layersFirstReducer,
} from '../../source/ui/layers-first-state.js';
import type {StackedTree} from '../../source/ui/stacked-fill.js';
import {dir, file, layer as parsedLayer, rawImage, whiteout} from '../helpers/raw-image-builder.js';
import {renderUi} from '../helpers/render.js';

const size = {columns: 120, rows: 24};

/** Three layers: a base with many files (so the tree scrolls), an app, a layer that deletes and adds. */
const entries: TarEntry[][] = [
	[
		dir('etc'),
		file('etc/os-release', 300, 'os'),
		dir('usr'),
		dir('usr/lib'),
		...Array.from({length: 30}, (_, index) =>
			file(`usr/lib/lib${String(index).padStart(2, '0')}.so`, 1000 + index),
		),
	],
	[dir('app'), file('app/server.js', 1200, 'server'), file('app/package.json', 400, 'pkg')],
	[whiteout('usr/lib/lib03.so'), file('app/cache.bin', 90_000, 'cache')],
];
const layers: ParsedLayer[] = entries.map((layerEntries, index) => ({
	...parsedLayer(layerEntries),
	diffId: `sha256:${String(index).repeat(64)}`,
}));

const preview: ImagePreview = {
	id: `sha256:${'9'.repeat(64)}`,
	os: 'linux',
	architecture: 'amd64',
	repoTags: [],
	config: {env: [], exposedPorts: [], labels: {}, volumes: []},
	layers: layers.map((item) => ({diffId: item.diffId, expectedBytes: item.tarSizeBytes})),
};

/** The stacked trees as the view receives them: after layer 0, 0..1, 0..2 (one stack, snapshots). */
function stackedTrees(): StackedTree[] {
	const stack = new IncrementalStack();
	return layers.map((item) => {
		stack.add(item.entries);
		return {layers: stack.count, tree: stack.snapshot()};
	});
}

function press(state: LayersFirstState, ...names: string[]): LayersFirstState {
	return names.reduce(
		(current, name) => layersFirstReducer(current, {type: 'key', name, text: name.length === 1 ? name : ''}),
		state,
	);
}

/** The view once the outline came and `stacked` layers are stacked, the tree pane focused. */
function viewWith(stacked: StackedTree | undefined): LayersFirstState {
	let state = layersFirstReducer(createLayersFirstState(size), {
		type: 'outline',
		outline: outlineImage('x', preview),
	});
	if (stacked !== undefined) state = layersFirstReducer(state, {type: 'stacked', stacked});
	return press(state, 'tab');
}

/** The path under the tree's cursor, as the pane shows it. */
function cursorPath(state: LayersFirstState): string | undefined {
	const current = earlyCurrent(state);
	const index = current?.visible[state.tree.viewport.cursor];
	return index === undefined ? undefined : current!.view.rows[index]!.path;
}

test('the tree keys move the cursor over the stacked tree of the selected layer; folding as in the explorer', () => {
	const [first] = stackedTrees();
	let state = viewWith(first);
	assert.equal(state.focus, 'tree');
	const rows = earlyCurrent(state)!.visible.length;
	assert.equal(rows, 34, 'etc, os-release, usr, usr/lib and its 30 files');
	assert.equal(state.tree.viewport.cursor, 0);
	state = press(state, 'j', 'j');
	assert.equal(state.tree.viewport.cursor, 2);
	state = press(state, 'G');
	assert.equal(state.tree.viewport.cursor, rows - 1);
	assert.ok(state.tree.viewport.offset > 0, 'the tree scrolled to its last row');
	state = press(state, 'g');
	assert.equal(state.tree.viewport.cursor, 0);
	assert.equal(state.tree.viewport.offset, 0);

	// Folding: on usr/lib, space folds it; left on a file goes to its parent; right unfolds.
	while (cursorPath(state) !== 'usr/lib') state = press(state, 'j');
	const atLib = state.tree.viewport.cursor;
	state = press(state, 'space');
	assert.equal(earlyCurrent(state)!.visible.length, rows - 30, 'its 30 files are folded away');
	assert.equal(cursorPath(state), 'usr/lib');
	state = press(state, 'right', 'j');
	assert.equal(cursorPath(state), 'usr/lib/lib29.so', 'sorted by size: the largest first');
	state = press(state, 'left');
	assert.equal(state.tree.viewport.cursor, atLib, 'left on a file: to its parent');
	state = press(state, 'z');
	assert.deepEqual(
		[...earlyCurrent(state)!.visible].map((index) => earlyCurrent(state)!.view.rows[index]!.path),
		['usr', 'etc'],
		'z folds everything',
	);
	assert.equal(state.diverged, false, 'every one of these keys was mirrored');
});

test('the view keys: all files (a), sort (s), hiding a kind (1); the cursor stays on its file', () => {
	const trees = stackedTrees();
	let state = viewWith(trees[1]);
	state = press(state, 'j');
	assert.equal(state.layer, 0, 'j moved in the tree, not the layers, with the tree focused');
	state = press(state, 'tab', 'j', 'tab');
	assert.equal(state.layer, 1);
	assert.equal(state.tree.mode, 'changes');
	const changes = earlyCurrent(state)!;
	assert.deepEqual(
		[...changes.visible].map((index) => changes.view.rows[index]!.path),
		['app', 'app/server.js', 'app/package.json'],
	);
	state = press(state, 'j');
	assert.equal(cursorPath(state), 'app/server.js');
	state = press(state, 'a');
	assert.equal(state.tree.mode, 'aggregated');
	assert.equal(cursorPath(state), 'app/server.js', 'the cursor stays on its file');
	assert.ok(earlyCurrent(state)!.visible.length > 30, 'all files: layer 0 under it');
	state = press(state, 's');
	assert.equal(state.tree.sort, 'name');
	assert.equal(cursorPath(state), 'app/server.js');
	const rows = [...earlyCurrent(state)!.visible].map((index) => earlyCurrent(state)!.view.rows[index]!.path);
	assert.ok(rows.indexOf('app/package.json') < rows.indexOf('app/server.js'), 'by name');
	state = press(state, 'a', '1');
	assert.equal(state.tree.hidden.added, true);
	assert.equal(earlyCurrent(state)!.visible.length, 0, 'layer 1 only adds');
	assert.equal(state.diverged, false);
});

test('keys that need every layer (waste, filter) are kept for the explorer; the mirroring stops there', () => {
	let state = press(viewWith(stackedTrees()[0]), 'j', 'w', 'j');
	assert.equal(state.diverged, true);
	assert.equal(state.divergedAt, 2, 'w is the third key kept (tab, j, w)');
	assert.equal(state.tree.viewport.cursor, 1, 'the j after w is not acted on here');
	assert.deepEqual(
		handoverOf(state).keys.map((key) => key.name),
		['w', 'j'],
	);
	state = press(viewWith(stackedTrees()[0]), '/', 'q');
	assert.equal(state.exitCode, undefined, 'q is text for the filter');
});

test('a later layer finishing while the cursor is on the selected layer keeps its row and scroll', () => {
	const [first, second, third] = stackedTrees();
	let state = press(viewWith(first), 'G', 'k', 'k');
	const before = {viewport: state.tree.viewport, path: cursorPath(state)};
	assert.ok(before.viewport.offset > 0);
	state = layersFirstReducer(state, {type: 'stacked', stacked: second!});
	state = layersFirstReducer(state, {type: 'stacked', stacked: third!});
	assert.deepEqual(state.tree.viewport, before.viewport);
	assert.equal(cursorPath(state), before.path);
	assert.equal(state.layer, 0);
});

test('the selected layer finishing: the cursor lands on the row it was on in the layer below', () => {
	const [first, second] = stackedTrees();
	let state = press(viewWith(first), 'a');
	while (cursorPath(state) !== 'etc/os-release') state = press(state, 'j');
	// Layer 1, still waiting: the tree keys do nothing, the cursor's file is remembered.
	state = press(state, 'tab', 'j', 'tab');
	assert.equal(state.layer, 1);
	assert.equal(earlyCurrent(state), undefined);
	state = layersFirstReducer(state, {type: 'stacked', stacked: second!});
	assert.equal(cursorPath(state), 'etc/os-release', 'all files of layer 1: the same file under the cursor');
});

test('the explorer opens on the same layer, rows and cursor; the kept keys replayed after', async () => {
	const trees = stackedTrees();
	let early = viewWith(trees[2]);
	early = press(early, 'tab', 'j', 'j', 'tab', 'a', 'G', 'k');
	assert.equal(early.layer, 2);
	const handover = handoverOf(early);
	assert.equal(handover.keys.length, 0, 'every key was mirrored: nothing to replay');
	assert.equal(handover.cursorPath, cursorPath(early));

	const analysis = analyzeImage(rawImage(layers), stackLayers(layers));
	const initial = createInitialState(analysis, {canExport: false, defaultExportName: 'x'}, size);
	const opened = openFromEarly(initial, handover);
	assert.equal(opened.layer, 2);
	assert.equal(opened.focus, 'tree');
	assert.equal(opened.tree.mode, 'aggregated');
	assert.deepEqual(opened.tree.viewport, early.tree.viewport, 'the same cursor at the same scroll');
	const {view, visible} = currentTree(opened);
	const explorerRows = [...visible].map((index) => view.rows[index]!.path);
	const earlyRows = [...earlyCurrent(early)!.visible].map(
		(index) => earlyCurrent(early)!.view.rows[index]!.path,
	);
	assert.deepEqual(explorerRows, earlyRows, 'the same rows');
	assert.equal(explorerRows[opened.tree.viewport.cursor], handover.cursorPath);

	// Keys kept after a key only the explorer acts on are replayed on it: a filter typed during the read.
	const filtering = press(early, '/', 's', 'e', 'r', 'v');
	const replayed = openFromEarly(initial, handoverOf(filtering));
	assert.equal(replayed.tree.filter, 'serv');
	assert.equal(replayed.layer, 2);

	// The explorer's frame: the tree pane as the view left it, its title without the "Read so far".
	const ui = await renderUi(
		<Explorer
			data={{analysis, readFile: async () => Buffer.alloc(0), defaultExportName: 'x'}}
			size={size}
			onExit={() => undefined}
			opening={handover}
		/>,
		size,
	);
	try {
		const frame = ui.frame();
		assert.match(frame, /Filesystem as of layer 2 · by size/);
		assert.doesNotMatch(frame, /Read so far/);
		const cursorName = handover.cursorPath!.split('/').pop()!;
		assert.ok(frame.includes(cursorName), `the cursor's file ${cursorName} is on screen`);
	} finally {
		ui.unmount();
	}
});
