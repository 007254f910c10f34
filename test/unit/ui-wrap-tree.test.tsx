import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import {stripVTControlCharacters} from 'node:util';
import stringWidth from 'string-width';
import {
	createInitialState,
	currentTree,
	type ExplorerState,
	reducer,
	treeLinesOf,
} from '../../source/ui/explorer-state.js';
import {commandFor, helpLines, keymap, renderKeyTableMarkdown} from '../../source/ui/keymap.js';
import {applyKeybindings} from '../../source/ui/keys-config.js';
import {wrappedRowLines} from '../../source/ui/tree-row-text.js';
import {keys, type Rendered, renderExplorer} from '../helpers/render.js';
import {buildAnalysis} from '../helpers/sample-analysis.js';

/*
dive's Ctrl+P (toggle-wrap-tree): a name too long for the tree pane goes on under itself instead of being cut,
and the cursor, paging and scrolling count those lines.
*/

const longName = `${'very-long-generated-file-name-'.repeat(5)}end.js`;
const deepPath = `app/dist/${longName}`;

function analysis() {
	const entries = [
		...Array.from({length: 12}, (_, index) => ({
			path: `app/a${String(index).padStart(2, '0')}.js`,
			size: 100,
		})),
		{path: deepPath, size: 5000},
		...Array.from({length: 30}, (_, index) => ({
			path: `app/z${String(index).padStart(2, '0')}.js`,
			size: 10,
		})),
	];
	return buildAnalysis([{instruction: 'COPY . /app', entries}]);
}

const extras = {canExport: false, defaultExportName: 'layerlens-wrap'};

function start(size = {columns: 80, rows: 24}): ExplorerState {
	return createInitialState(analysis(), extras, size, {sort: 'name'});
}

function press(state: ExplorerState, ...names: string[]): ExplorerState {
	return names.reduce((current, name) => reducer(current, {type: 'key', name, text: ''}), state);
}

/** Screen lines from the window's first row through the cursor's row. */
function linesThroughCursor(state: ExplorerState): number {
	const linesOf = treeLinesOf(state) ?? (() => 1);
	const {cursor, offset} = state.tree.viewport;
	let lines = 0;
	for (let index = offset; index <= cursor; index++) lines += linesOf(index);
	return lines;
}

const pathAtCursor = (state: ExplorerState) => {
	const {view, visible} = currentTree(state);
	return view.rows[visible[state.tree.viewport.cursor]!]!.path;
};

test('Ctrl+P is in the keymap (so ? and the README table show it) and off by default, as in dive', () => {
	assert.equal(commandFor('ctrl+p', ['tree', 'global']), 'wrapTree');
	assert.match(helpLines().join('\n'), /Ctrl\+P +Wrap long names/);
	assert.match(renderKeyTableMarkdown(), /<kbd>Ctrl\+P<\/kbd> \| Wrap long names/);
	const state = start();
	assert.equal(state.tree.wrap, false);
	assert.equal(treeLinesOf(state), undefined, 'one line a row');
	assert.equal(press(state, 'tab', 'ctrl+p').tree.wrap, true);
	assert.equal(press(state, 'tab', 'ctrl+p', 'ctrl+p').tree.wrap, false);
});

test("dive's toggle-wrap-tree binding remaps it", () => {
	const {keymap: map, warning} = applyKeybindings(keymap, [{action: 'toggle-wrap-tree', keys: ['ctrl+w']}]);
	assert.equal(warning, undefined);
	assert.equal(commandFor('ctrl+w', ['tree', 'global'], map), 'wrapTree');
	assert.equal(commandFor('ctrl+p', ['tree', 'global'], map), undefined);
});

test('with wrap on, the long row takes several lines; j moves one file; the cursor row is always whole', () => {
	let state = press(start(), 'tab', 'ctrl+p');
	const height = state.layout.treeBody;
	const {view, visible} = currentTree(state);
	const longRow = Array.from(visible).findIndex((index) => view.rows[index]!.path === deepPath);
	assert.ok(longRow > 0);
	const lines = treeLinesOf(state)!(longRow);
	assert.ok(lines >= 3, `the long name wraps onto ${lines} lines at ${state.layout.rightWidth} columns`);
	for (let step = 1; step < visible.length; step++) {
		state = press(state, 'j');
		assert.equal(state.tree.viewport.cursor, step, 'one file per key');
		assert.ok(linesThroughCursor(state) <= height, `row ${step} is whole on screen`);
	}

	assert.equal(pathAtCursor(state), 'app/z29.js');
	state = press(state, 'g');
	for (let page = 0; page < 10; page++) {
		const before = state.tree.viewport.cursor;
		state = press(state, 'pagedown');
		assert.ok(state.tree.viewport.cursor > before || before === visible.length - 1);
		assert.ok(linesThroughCursor(state) <= height, 'paging keeps the cursor visible');
	}

	assert.equal(state.tree.viewport.cursor, visible.length - 1);
	// The last window has no blank lines: it is full from its first row to the end.
	const linesOf = treeLinesOf(state)!;
	let total = 0;
	for (let index = state.tree.viewport.offset; index < visible.length; index++) total += linesOf(index);
	assert.ok(total <= height && total + linesOf(state.tree.viewport.offset - 1) > height);
	for (let page = 0; page < 10; page++) {
		state = press(state, 'pageup');
		assert.ok(linesThroughCursor(state) <= height);
	}

	assert.deepEqual(state.tree.viewport, {cursor: 0, offset: 0});
});

test('turning wrap on keeps the cursor on its file and on screen; a resize re-wraps', () => {
	let state = press(start(), 'tab', 'G');
	const path = pathAtCursor(state);
	state = press(state, 'ctrl+p');
	assert.equal(pathAtCursor(state), path);
	assert.ok(linesThroughCursor(state) <= state.layout.treeBody);
	state = reducer(state, {type: 'resize', size: {columns: 200, rows: 24}});
	assert.equal(treeLinesOf(state)!(12), 1, 'at 200 columns the long name fits on one line');
	state = reducer(state, {type: 'resize', size: {columns: 80, rows: 20}});
	assert.ok(linesThroughCursor(state) <= state.layout.treeBody);
});

let current: (Rendered & {exits: number[]}) | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

test('rendered at 80x24: cut by default, the whole name with Ctrl+P, indented under the name, no line too wide', async () => {
	const data = {analysis: analysis(), readFile: async () => Buffer.alloc(0), defaultExportName: 'x'};
	current = await renderExplorer(data, {columns: 80, rows: 24}, {sort: 'name'});
	const ui = current;
	await ui.press(keys.tab);
	// Down to the long row, so it is on screen whatever the pane's height.
	await ui.press(...Array.from({length: 13}, () => 'j'));
	const cut = ui.frame();
	assert.match(cut, /very-long-gen[a-z-]*…/, 'cut at the edge by default');
	assert.doesNotMatch(cut, /end\.js/);

	await ui.press('\u0010');
	const frame = await ui.waitFor((text) => /wrapped/.test(text));
	const lines = frame.split('\n');
	assert.ok(lines.length <= 23, 'the frame keeps its height');
	for (const line of lines) assert.ok(stringWidth(line) <= 80, `no line wider than 80: ${line}`);
	const first = lines.findIndex((line) => line.includes('very-long-generated'));
	const nameColumn = lines[first]!.indexOf('very-long-generated');
	const continued: string[] = [lines[first]!.slice(nameColumn)];
	for (let index = first + 1; index < lines.length && !/\.js$/.test(continued.at(-1)!); index++) {
		const piece = lines[index]!.slice(nameColumn);
		assert.match(
			lines[index]!.slice(lines[index]!.indexOf('│') + 1, nameColumn),
			/^ *$/,
			'indented under the name',
		);
		continued.push(piece);
	}

	assert.ok(continued.length >= 3, `the name continues on the next lines:\n${frame}`);
	assert.equal(continued.join('').trimEnd(), longName, 'the whole name, nothing lost');

	// Moving past it stays one file per key, the counter says where.
	await ui.press('j');
	assert.match(ui.frame(), / 15\/\d+/);
});

test('a wrapped row: wide characters never pass the edge, and a name taller than the pane ends in … at its last line', () => {
	const wide = `${'漢字かな'.repeat(30)}.txt`;
	const hostile = 'x'.repeat(4096);
	const tree = buildAnalysis([
		{
			instruction: 'COPY',
			entries: [
				{path: `app/${wide}`, size: 1},
				{path: `app/${hostile}`, size: 1},
			],
		},
	]);
	let state = press(
		createInitialState(tree, extras, {columns: 80, rows: 24}, {sort: 'name'}),
		'tab',
		'ctrl+p',
	);
	const {view, visible} = currentTree(state);
	const width = state.layout.rightWidth;
	const height = state.layout.treeBody;
	for (const [position, index] of Array.from(visible).entries()) {
		const row = view.rows[index]!;
		const display = {row, tree: view.tree, collapsed: false, showAttributes: false, held: 0};
		const lines = wrappedRowLines(display, width, height).map((line) => stripVTControlCharacters(line));
		assert.equal(lines.length, treeLinesOf(state)!(position), 'the pane draws the lines the reducer counts');
		for (const line of lines) assert.ok(stringWidth(line) <= width, `within ${width} cells: ${line}`);
		if (row.path.endsWith(hostile)) {
			assert.equal(lines.length, height, 'never taller than the pane');
			assert.match(lines.at(-1)!, /x…$/);
		}

		if (row.path.endsWith('.txt'))
			assert.equal(
				lines
					.map((line) => line.trim())
					.join('')
					.endsWith('.txt'),
				true,
			);
	}

	const hostileAt = Array.from(visible).findIndex((index) => view.rows[index]!.path.endsWith(hostile));
	state = press(state, 'G', 'g', ...Array.from({length: hostileAt}, () => 'j'));
	assert.equal(state.tree.viewport.cursor, hostileAt);
	assert.equal(state.tree.viewport.offset, hostileAt, 'a row as tall as the pane starts the window');
	state = press(state, 'j');
	assert.equal(state.tree.viewport.cursor, hostileAt + 1, 'and the next key moves past it');
});
