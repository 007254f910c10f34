import assert from 'node:assert/strict';
import {test} from 'node:test';
import {compareFiles} from '../../source/analysis/compare/compare-files.js';
import type {ComparedFile, ImageComparison} from '../../source/analysis/compare/types.js';
import {diffFrame} from '../../source/ui/diff/diff-frame.js';
import {createDiffState, type DiffState, diffReducer} from '../../source/ui/diff/diff-state.js';
import {type Keymap, keymap} from '../../source/ui/keymap.js';
import {applyKeybindings} from '../../source/ui/keys-config.js';

function entry(
	path: string,
	size: number,
	hash = `h${size}`,
	type: ComparedFile['type'] = 'file',
): ComparedFile {
	return {path, type, size, mode: 0o644, uid: 0, gid: 0, mtime: 0, ...(type === 'file' ? {hash} : {})};
}

const files = compareFiles(
	[
		entry('app', 0, '', 'dir'),
		entry('app/a.js', 100),
		entry('app/b.js', 50),
		entry('old', 0, '', 'dir'),
		entry('old/x', 700),
	],
	[entry('app', 0, '', 'dir'), entry('app/a.js', 300, 'other'), entry('app/b.js', 50), entry('new/y', 40)],
);
const totals = {layerBytes: 0, finalBytes: 0, reclaimableBytes: 0, efficiencyScore: 1, files: 0, layers: 1};
const comparison: ImageComparison = {
	a: {reference: 'a:1', id: 'sha256:a'},
	b: {reference: 'b:1', id: 'sha256:b'},
	totals: {a: totals, b: totals, delta: totals},
	layers: {shared: [], onlyA: [], onlyB: []},
	files,
	findings: {
		resolved: [],
		new: [],
		kept: [],
		byCategory: {
			secret: {countA: 0, countB: 0, bytesA: 0, bytesB: 0},
			'build-only': {countA: 0, countB: 0, bytesA: 0, bytesB: 0},
			cache: {countA: 0, countB: 0, bytesA: 0, bytesB: 0},
			waste: {countA: 0, countB: 0, bytesA: 0, bytesB: 0},
		},
	},
	identical: false,
};
/** A 60×21 terminal: the frame leaves its last line free, so 20 lines are drawn. */
function initialDiffState(message?: string, map?: Keymap, size = {columns: 60, rows: 21}): DiffState {
	return createDiffState(comparison, size, {
		...(message ? {warning: message} : {}),
		...(map ? {keymap: map} : {}),
	});
}

function press(state: DiffState, ...names: string[]): DiffState {
	let next = state;
	for (const name of names) {
		next = diffReducer(next, {type: 'key', name, text: name.length === 1 ? name : ''});
	}

	return next;
}

function treeRows(state: DiffState): string[] {
	const lines = diffFrame(state);
	const start = lines.findIndex((line) => line.text.includes('Files'));
	return lines
		.slice(start + 1, -1)
		.map((line) => line.text.trimEnd())
		.filter((text) => text !== '');
}

test('the merged tree shows + - ~ and signed sizes in text, largest change first', () => {
	assert.deepEqual(treeRows(initialDiffState()), [
		'-     -700 B  ▾ old/',
		'-     -700 B      x',
		'      +200 B  ▾ app/',
		'~     +200 B      a.js',
		'       +40 B  ▾ new/',
		'+      +40 B      y',
	]);
});

test('keys: s sorts by name, space folds, / filters as typed, Escape clears, q quits', () => {
	const byName = press(initialDiffState(), 's');
	assert.deepEqual(
		treeRows(byName).map((row) => row.trim().split(/\s+/).at(-1)),
		['app/', 'a.js', 'new/', 'y', 'old/', 'x'],
	);
	const folded = press(byName, 'space');
	assert.deepEqual(treeRows(folded)[0], '      +200 B  ▸ app/');
	assert.equal(treeRows(folded).length, 5);
	const filtered = press(initialDiffState(), '/', 'y');
	assert.equal(filtered.filter, 'y');
	assert.deepEqual(treeRows(filtered), ['       +40 B  ▾ new/', '+      +40 B      y']);
	// While typing, q is a letter of the filter, not quit.
	assert.equal(press(filtered, 'q').exitCode, undefined);
	const cleared = press(filtered, 'escape');
	assert.equal(cleared.filter, '');
	assert.equal(treeRows(cleared).length, 6);
	assert.equal(press(initialDiffState(), 'q').exitCode, 0);
	// The cursor stays inside the rows.
	assert.equal(press(initialDiffState(), 'G', 'down', 'down').cursor, 5);
	assert.equal(press(initialDiffState(), 'up').cursor, 0);
});

test('the config file remaps keys in the diff explorer too: the reducer, the help bar and ? use them', () => {
	const {keymap: map} = applyKeybindings(keymap, [
		{action: 'quit', keys: ['x']},
		{action: 'toggle-sort-order', keys: ['ctrl+s']},
		{action: 'down', keys: ['n']},
	]);
	const pressWith = (state: DiffState, ...names: string[]) => press(state, ...names);

	assert.equal(pressWith(initialDiffState(undefined, map), 'q').exitCode, undefined, 'q no longer quits');
	assert.equal(pressWith(initialDiffState(undefined, map), 'x').exitCode, 0);
	assert.equal(pressWith(initialDiffState(undefined, map), 'ctrl+s').sort, 'name');
	assert.equal(pressWith(initialDiffState(undefined, map), 's').sort, 'delta');
	assert.equal(pressWith(initialDiffState(undefined, map), 'n', 'n').cursor, 2);
	assert.equal(pressWith(initialDiffState(undefined, map), 'j').cursor, 0);
	const bar = diffFrame(initialDiffState(undefined, map, {columns: 200, rows: 21})).at(-1)!.text;
	assert.match(bar, /(^| )x quit /);
	const help = diffFrame(pressWith(initialDiffState(undefined, map, {columns: 100, rows: 41}), '?'))
		.map((line) => line.text.trimEnd())
		.join('\n');
	assert.match(help, /^ {2}x +Quit$/m);
	assert.match(help, /^ {2}Ctrl\+S +Sort/m);
	assert.match(help, /^ {2}n +Move down$/m);
});

test("a config file's warning shows in the diff explorer's bar until a key is pressed", () => {
	const state = initialDiffState('Config /x/config.yaml: not valid YAML; defaults used for it');
	assert.match(diffFrame(state).at(-1)!.text, /^Config \/x\/config\.yaml: not valid YAML/);
	assert.doesNotMatch(diffFrame(press(state, 'j')).at(-1)!.text, /Config/);
});

test("the diff view's filter is the explorer's text input; Ctrl+C exits with 130; a resize re-lays the frame", () => {
	let state = press(initialDiffState(), '/');
	state = diffReducer(state, {type: 'key', name: 'paste', text: 'new/'});
	assert.equal(state.filter, 'new/', 'a paste is typed whole');
	state = diffReducer(state, {type: 'key', name: 'x', text: '\u001b[2J'});
	assert.equal(state.filter, 'new/', 'control characters type nothing');
	state = diffReducer(state, {type: 'key', name: 'paste', text: 'y'.repeat(300)});
	assert.equal(state.filter.length, 200);
	assert.equal(press(state, 'ctrl+c').exitCode, 130);
	const small = diffReducer(initialDiffState(), {type: 'resize', size: {columns: 40, rows: 13}});
	const frame = diffFrame(small);
	assert.equal(frame.length, 12, 'the last terminal line is left free');
	assert.ok(frame.every((line) => line.text.length === 40));
});

test('the cursor stays on the rows after folding shrinks them', () => {
	const state = press(initialDiffState(), 'G');
	assert.equal(state.cursor, 5);
	const folded = press(state, 'z', 'G', 'k');
	assert.equal(folded.cursor, 1);
	assert.deepEqual(treeRows(folded)[0], '-     -700 B  ▸ old/');
});
