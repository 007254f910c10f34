import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	type Action,
	createInitialState,
	currentTree,
	type ExplorerState,
	overlayLines,
	type Preferences,
	reducer,
	selectedRow,
} from '../../source/ui/explorer-state.js';
import {sampleAnalysis} from '../helpers/sample-analysis.js';

const extras = {canExport: true, defaultExportName: 'layerlens-sample'};

/** The lines the open overlay shows (overlays hold data; the selector draws their lines). */
function shownLines(state: ExplorerState, kind: 'viewer' | 'findings'): string[] {
	return state.overlay?.kind === kind ? overlayLines(state, state.overlay) : [];
}

/** Name order, which the tests below read most easily (the explorer itself opens by size). */
function start(size = {columns: 120, rows: 30}, preferences: Preferences = {sort: 'name'}): ExplorerState {
	return createInitialState(sampleAnalysis(), extras, size, preferences);
}

/** Press keys by name (`down`, `j`, `enter`, ...); single characters are also typed text. */
function press(state: ExplorerState, ...names: string[]): ExplorerState {
	return names.reduce(
		(current, name) => reducer(current, {type: 'key', name, text: name.length === 1 ? name : ''}),
		state,
	);
}

function visiblePaths(state: ExplorerState): string[] {
	const {view, visible} = currentTree(state);
	return Array.from(visible, (index) => view.rows[index]!.path);
}

test('layers pane: arrows and vim keys move, g/G jump, ends clamp', () => {
	let state = start();
	assert.equal(state.focus, 'layers');
	state = press(state, 'down');
	assert.equal(state.layer, 1);
	state = press(state, 'j', 'j', 'j');
	assert.equal(state.layer, 3);
	state = press(state, 'g');
	assert.equal(state.layer, 0);
	state = press(state, 'up', 'k');
	assert.equal(state.layer, 0);
	state = press(state, 'G');
	assert.equal(state.layer, 3);
	state = press(state, 'pageup');
	assert.equal(state.layer, 0);
});

test('Tab and Shift+Tab switch panes; keys then act on the focused pane', () => {
	let state = press(start(), 'j', 'tab');
	assert.equal(state.focus, 'tree');
	state = press(state, 'j');
	assert.equal(state.layer, 1);
	assert.equal(state.tree.viewport.cursor, 1);
	state = press(state, 'shift+tab');
	assert.equal(state.focus, 'layers');
});

test('collapse, expand, go to parent, collapse all and expand all', () => {
	let state = press(start(), 'j', 'tab', 'j', 'j');
	assert.equal(selectedRow(state)?.path, 'tmp');
	state = press(state, 'left');
	assert.deepEqual(visiblePaths(state), ['etc', 'etc/config', 'tmp', 'usr', 'usr/lib', 'usr/lib/libbig.so']);
	state = press(state, 'l');
	assert.equal(visiblePaths(state).length, 7);
	state = press(state, 'j', 'h');
	assert.equal(selectedRow(state)?.path, 'tmp', 'h on a file goes to its parent');
	state = press(state, 'z');
	assert.deepEqual(visiblePaths(state), ['etc', 'tmp', 'usr']);
	assert.equal(selectedRow(state)?.path, 'tmp', 'the cursor stays on the same path');
	state = press(state, 'space');
	assert.deepEqual(visiblePaths(state), ['etc', 'tmp', 'tmp/cache.tar', 'usr']);
	state = press(state, 'enter');
	assert.deepEqual(visiblePaths(state), ['etc', 'tmp', 'usr']);
	state = press(state, 'Z');
	assert.equal(visiblePaths(state).length, 7);
});

test('the regex filter narrows while typing, arrows still move, Enter keeps it, Esc clears it', () => {
	let state = press(start(), 'j', 'tab', '/');
	assert.equal(state.editingFilter, true);
	state = press(state, 'l', 'i', 'b');
	assert.equal(state.tree.filter, 'lib');
	assert.deepEqual(visiblePaths(state), ['usr', 'usr/lib', 'usr/lib/libbig.so']);
	state = press(state, 'down', 'down');
	assert.equal(selectedRow(state)?.path, 'usr/lib/libbig.so');
	state = press(state, 'backspace', 'backspace', 'backspace', 'c', 'a', 'c', 'h', 'e');
	assert.deepEqual(visiblePaths(state), ['tmp', 'tmp/cache.tar']);
	state = press(state, 'enter');
	assert.equal(state.editingFilter, false);
	state = press(state, 'k');
	assert.equal(selectedRow(state)?.path, 'tmp', 'normal keys work with the filter on');
	state = press(state, '/', 'escape');
	assert.equal(state.tree.filter, '');
	assert.equal(state.editingFilter, false);
	assert.equal(visiblePaths(state).length, 7);
});

test('sort, aggregated mode and the hide toggles', () => {
	let state = press(start(), 'j', 'tab', 's');
	assert.deepEqual(
		visiblePaths(state).filter((path) => !path.includes('/')),
		['usr', 'tmp', 'etc'],
	);
	state = press(state, 's', 'a');
	assert.equal(state.tree.mode, 'aggregated');
	assert.equal(visiblePaths(state).length, 11);
	state = press(state, 'a', '1');
	assert.deepEqual(visiblePaths(state), ['etc', 'etc/config']);
	state = press(state, '1', '2');
	assert.deepEqual(visiblePaths(state), ['tmp', 'tmp/cache.tar', 'usr', 'usr/lib', 'usr/lib/libbig.so']);
});

test('waste-only jumps to the layer that adds the most hidden bytes; build-only shows build files', () => {
	let state = press(start(), 'j', 'j', 'tab', 'w');
	assert.equal(state.tree.wasteOnly, true);
	assert.equal(state.layer, 1);
	assert.deepEqual(visiblePaths(state), ['tmp', 'tmp/cache.tar']);
	state = press(state, 'w', 'shift+tab', 'j', 'tab', 'b');
	assert.equal(state.layer, 2);
	assert.deepEqual(visiblePaths(state), [
		'app',
		'app/node_modules',
		'app/node_modules/typescript',
		'app/node_modules/typescript/tsc.js',
	]);
});

test('Enter on a file opens the viewer and asks for at most 64 KiB of it', () => {
	let state = press(start(), 'j', 'j', 'tab', '/', 'R', 'E', 'A', 'D', 'enter', 'G', 'enter');
	assert.equal(state.overlay?.kind, 'viewer');
	assert.deepEqual(state.effect, {
		id: 1,
		kind: 'read',
		layer: 2,
		path: 'app/README.md',
		limit: 12,
		isText: true,
	});
	state = reducer(state, {
		type: 'read-done',
		id: 1,
		content: Buffer.from('hello\n\u001B[2Jworld'),
		isText: true,
	});
	assert.equal(state.effect, undefined);
	assert.deepEqual(shownLines(state, 'viewer'), ['hello', '\\x1b[2Jworld']);
	state = press(state, 'escape');
	assert.equal(state.overlay, undefined);
});

test('binary files show metadata only', () => {
	let state = press(start(), 'j', 'tab', 'G', 'v');
	assert.equal(state.effect?.kind, 'read');
	state = reducer(state, {type: 'read-done', id: 1, content: Buffer.from([0, 1, 2]), isText: false});
	const lines = shownLines(state, 'viewer');
	assert.equal(lines[0], 'Path:     /usr/lib/libbig.so');
	assert.equal(lines[2], 'Size:     50000 B');
	assert.equal(lines[3], 'Mode:     0755');
	assert.equal(lines.at(-1), 'Binary content: not shown (extract it with x)');
});

test('export flow: pick a format, edit the path, confirm overwrite, show the written path', () => {
	let state = press(start(), 'e');
	assert.deepEqual(state.overlay, {
		kind: 'export',
		stage: 'format',
		format: 'markdown',
		path: 'layerlens-sample.md',
	});
	state = press(state, 'down');
	assert.equal(state.overlay?.kind === 'export' && state.overlay.path, 'layerlens-sample.json');
	state = press(
		state,
		'enter',
		'backspace',
		'backspace',
		'backspace',
		'backspace',
		'backspace',
		'-',
		'2',
		'.',
		'j',
		's',
		'o',
		'n',
	);
	assert.equal(state.overlay?.kind === 'export' && state.overlay.path, 'layerlens-sample-2.json');
	state = press(state, 'enter');
	assert.deepEqual(state.effect, {
		id: 1,
		kind: 'export',
		format: 'json',
		path: 'layerlens-sample-2.json',
		overwrite: false,
	});
	state = reducer(state, {
		type: 'effect-failed',
		id: 1,
		message: 'layerlens-sample-2.json exists (EEXIST)',
		exists: true,
	});
	assert.equal(state.overlay?.kind === 'export' && state.overlay.stage, 'confirm-overwrite');
	state = press(state, 'y');
	assert.deepEqual(state.effect, {
		id: 2,
		kind: 'export',
		format: 'json',
		path: 'layerlens-sample-2.json',
		overwrite: true,
	});
	state = reducer(state, {type: 'export-done', id: 2, path: '/work/layerlens-sample-2.json'});
	assert.equal(
		state.overlay?.kind === 'export' && state.overlay.message,
		'Wrote /work/layerlens-sample-2.json',
	);
	state = press(state, 'j');
	assert.equal(state.overlay, undefined);
	assert.equal(state.message, 'Wrote /work/layerlens-sample-2.json');
});

test('answering n to overwrite goes back to the path; Esc cancels; stale results are ignored', () => {
	let state = press(start(), 'e', 'enter', 'enter');
	state = reducer(state, {type: 'effect-failed', id: 1, message: 'EEXIST', exists: true});
	state = press(state, 'n');
	assert.equal(state.overlay?.kind === 'export' && state.overlay.stage, 'path');
	const before = state;
	state = reducer(state, {type: 'export-done', id: 99, path: '/x'} satisfies Action);
	assert.equal(state, before);
	state = press(state, 'escape');
	assert.equal(state.overlay, undefined);
	const noExport = createInitialState(
		sampleAnalysis(),
		{canExport: false, defaultExportName: 'x'},
		{columns: 120, rows: 30},
	);
	assert.equal(press(noExport, 'e').message, 'Export is not available here');
});

test('x asks for a directory and requests the extraction of a regular file only', () => {
	let state = press(start(), 'tab', 'j', 'x');
	assert.equal(state.message, 'Only regular files can be extracted', 'bin/bash is a symlink');
	state = press(state, 'j', 'x');
	assert.equal(state.overlay?.kind, 'extract');
	state = press(state, 'backspace', '/', 't', 'm', 'p', 'enter');
	assert.deepEqual(state.effect, {
		id: 1,
		kind: 'extract',
		layer: 0,
		path: 'bin/sh',
		size: 1000,
		directory: '/tmp',
	});
});

test('q quits with 0 and Ctrl+C with 130, from anywhere', () => {
	assert.equal(press(start(), 'q').exitCode, 0);
	assert.equal(press(start(), 'tab', '/', 'ctrl+c').exitCode, 130);
	assert.equal(press(start(), 'tab', '/', 'q').exitCode, undefined, 'q is text while typing a filter');
});

test('resize recomputes the layout and keeps the cursor visible', () => {
	let state = press(start({columns: 120, rows: 40}), 'G', 'tab', 'a', 'G');
	assert.equal(state.tree.viewport.cursor, 17);
	state = reducer(state, {type: 'resize', size: {columns: 80, rows: 20}});
	assert.equal(state.layout.treeBody, 15);
	assert.deepEqual(state.tree.viewport, {cursor: 17, offset: 3});
	state = reducer(state, {type: 'resize', size: {columns: 60, rows: 10}});
	assert.equal(state.layout.tooSmall, true);
});

test('overlays scroll within their lines: findings are sorted by bytes', () => {
	let state = press(start(), 'f');
	assert.equal(state.overlay?.kind, 'findings');
	const lines = shownLines(state, 'findings');
	assert.match(lines[0]!, /^ {2}20\.0 kB {2}Archive left in \/tmp/);
	assert.ok(lines.some((line) => line.includes('fix: Install with npm ci --omit=dev in the final stage')));
	state = press(state, 'G');
	assert.equal(
		state.overlay?.kind === 'findings' && state.overlay.scroll,
		0,
		'fits on one page: nothing to scroll',
	);
	state = press(state, 'q', '?');
	assert.equal(state.overlay?.kind, 'help');
	state = press(state, 'G');
	assert.ok(state.overlay?.kind === 'help' && state.overlay.scroll > 0);
});
