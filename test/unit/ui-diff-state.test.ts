import assert from 'node:assert/strict';
import {test} from 'node:test';
import {compareFiles} from '../../source/analysis/compare/compare-files.js';
import type {ComparedFile, ImageComparison} from '../../source/analysis/compare/types.js';
import {diffFrame} from '../../source/ui/diff/diff-frame.js';
import {type DiffState, initialDiffState, reduceDiff} from '../../source/ui/diff/diff-state.js';
import {buildDiffTree} from '../../source/ui/diff/diff-tree.js';
import {keymap} from '../../source/ui/keymap.js';
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
const model = {comparison, tree: buildDiffTree(files)};
const size = {columns: 60, rows: 20};

function press(state: DiffState, ...names: string[]): DiffState {
	let next = state;
	for (const name of names) {
		const {context} = diffFrame(model, next, size);
		next = reduceDiff(next, {type: 'key', name, text: name.length === 1 ? name : ''}, context);
	}

	return next;
}

function treeRows(state: DiffState): string[] {
	const {lines} = diffFrame(model, state, size);
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
	assert.equal(press(filtered, 'q').quit, false);
	const cleared = press(filtered, 'escape');
	assert.equal(cleared.filter, '');
	assert.equal(treeRows(cleared).length, 6);
	assert.equal(press(initialDiffState(), 'q').quit, true);
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
	const pressWith = (state: DiffState, ...names: string[]) => {
		let next = state;
		for (const name of names) {
			const {context} = diffFrame(model, next, size, map);
			next = reduceDiff(next, {type: 'key', name, text: name.length === 1 ? name : ''}, context, map);
		}

		return next;
	};

	assert.equal(pressWith(initialDiffState(), 'q').quit, false, 'q no longer quits');
	assert.equal(pressWith(initialDiffState(), 'x').quit, true);
	assert.equal(pressWith(initialDiffState(), 'ctrl+s').sort, 'name');
	assert.equal(pressWith(initialDiffState(), 's').sort, 'delta');
	assert.equal(pressWith(initialDiffState(), 'n', 'n').cursor, 2);
	assert.equal(pressWith(initialDiffState(), 'j').cursor, 0);
	const bar = diffFrame(model, initialDiffState(), {columns: 200, rows: 20}, map).lines.at(-1)!.text;
	assert.match(bar, /(^| )x quit /);
	const help = diffFrame(model, pressWith(initialDiffState(), '?'), {columns: 100, rows: 40}, map)
		.lines.map((line) => line.text.trimEnd())
		.join('\n');
	assert.match(help, /^ {2}x +Quit$/m);
	assert.match(help, /^ {2}Ctrl\+S +Sort/m);
	assert.match(help, /^ {2}n +Move down$/m);
});

test("a config file's warning shows in the diff explorer's bar until a key is pressed", () => {
	const state = initialDiffState('Config /x/config.yaml: not valid YAML; defaults used for it');
	assert.match(diffFrame(model, state, size).lines.at(-1)!.text, /^Config \/x\/config\.yaml: not valid YAML/);
	assert.doesNotMatch(diffFrame(model, press(state, 'j'), size).lines.at(-1)!.text, /Config/);
});
