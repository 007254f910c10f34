import assert from 'node:assert/strict';
import {test} from 'node:test';
import {analyzeImage} from '../../source/analysis/analyze-image.js';
import type {Finding, ImageAnalysis} from '../../source/analysis/types.js';
import {
	createInitialState,
	currentTree,
	type ExplorerState,
	reducer,
} from '../../source/ui/explorer-state.js';
import {marksLines, planSaved, whatIfFigures} from '../../source/ui/what-if-state.js';
import {dir, file, layer, rawImage, whiteout} from '../helpers/raw-image-builder.js';

/* Final: app/a 120 + app/nm/ts/x 1000 + app/nm/ts/y 500 + etc/conf 10 + app/b 50 = 1680 (see what-if-model.test.ts). */
function sample(): ImageAnalysis {
	const analysis = analyzeImage(
		rawImage([
			layer([
				dir('app'),
				file('app/a', 100, 'a0'),
				dir('app/nm'),
				dir('app/nm/ts'),
				file('app/nm/ts/x', 1000, 'x'),
				file('app/nm/ts/y', 500, 'y'),
				dir('etc'),
				file('etc/conf', 10, 'c'),
			]),
			layer([dir('app'), file('app/a', 120, 'a1'), dir('tmp'), file('tmp/build', 300, 'b')]),
			layer([whiteout('tmp/build'), file('app/b', 50, 'ab')]),
		]),
	);
	const finding: Finding = {
		ruleId: 'LL-BUILD-TEST',
		category: 'build-only',
		confidence: 'high',
		title: 'TypeScript compiler',
		evidence: ['a test finding'],
		groups: [{path: 'app/nm/ts/', count: 2, bytes: 1500}],
		paths: ['app/nm/ts/x', 'app/nm/ts/y'],
		layerIndex: 0,
		bytes: 1500,
		fix: 'build in a builder stage',
	};
	return {...analysis, findings: [finding]};
}

function start(canSavePlan = false): ExplorerState {
	return createInitialState(
		sample(),
		{canExport: false, defaultExportName: 'x', ...(canSavePlan ? {canSavePlan} : {})},
		{columns: 120, rows: 30},
		{sort: 'name'},
	);
}

function press(state: ExplorerState, ...names: string[]): ExplorerState {
	return names.reduce(
		(current, name) => reducer(current, {type: 'key', name, text: name.length === 1 ? name : ''}),
		state,
	);
}

/** The tree pane focused with the cursor on `path` (the last layer's whole filesystem: `a`). */
function onPath(state: ExplorerState, path: string): ExplorerState {
	let next = state.focus === 'layers' ? press(state, 'G', 'tab') : state;
	if (next.tree.mode === 'changes') next = press(next, 'a');
	const {view, visible} = currentTree(next);
	const position = Array.from(visible).findIndex((index) => view.rows[index]!.path === path);
	assert.notEqual(position, -1, `${path} is in the tree`);
	next = press(next, 'g');
	for (let step = 0; step < position; step++) next = press(next, 'j');
	return next;
}

const figures = (state: ExplorerState) =>
	whatIfFigures(state.analysis, state.extras.suggestion, state.whatIf.marks);

test('r marks the selected directory, r again unmarks it; the status bar says what it saves', () => {
	let state = press(onPath(start(), 'app/nm/ts'), 'r');
	assert.deepEqual(state.whatIf.marks, [{kind: 'path', path: 'app/nm/ts', action: 'remove'}]);
	assert.match(state.message ?? '', /^Marked: remove \/app\/nm\/ts · saves 1\.5 kB final, 1\.5 kB stored$/);
	assert.equal(figures(state)?.finalSizeBytes, 180);
	state = press(state, 'r');
	assert.deepEqual(state.whatIf.marks, []);
	assert.equal(figures(state), undefined);
	assert.match(state.message ?? '', /^Unmarked: remove \/app\/nm\/ts · no marks left$/);
});

test('B marks for a builder stage; B on a marked entry with r switches the action', () => {
	let state = press(onPath(start(), 'etc/conf'), 'B');
	assert.deepEqual(state.whatIf.marks, [{kind: 'path', path: 'etc/conf', action: 'builder'}]);
	state = press(state, 'r');
	assert.deepEqual(state.whatIf.marks, [{kind: 'path', path: 'etc/conf', action: 'remove'}]);
});

test('nested marks: a file inside a marked directory counts once and shows as covered', () => {
	let state = press(onPath(start(), 'app/nm'), 'r');
	state = press(onPath(state, 'app/nm/ts/y'), 'r');
	assert.equal(state.whatIf.marks.length, 2);
	assert.equal(figures(state)?.finalSavedBytes, 1500);
	const lines = marksLines(state.analysis, undefined, state.whatIf.marks);
	assert.match(lines[0]!, /1\.0 kB final\s+1\.0 kB stored {2}remove \/app\/nm$/);
	assert.match(
		lines[1]!,
		/0 B final\s+0 B stored {2}remove \/app\/nm\/ts\/y {2}\(covered by another mark\)$/,
	);
	// Unmarking the directory leaves the file's mark in force.
	state = press(state, 'M', 'r');
	assert.deepEqual(state.whatIf.marks, [{kind: 'path', path: 'app/nm/ts/y', action: 'remove'}]);
	assert.equal(figures(state)?.finalSavedBytes, 500);
});

test('a mark of a file a later layer deletes saves stored bytes only', () => {
	// tmp/build is gone at the end: its row is in the layer that adds it.
	let state = press(start(), 'j', 'tab');
	const {view, visible} = currentTree(state);
	const position = Array.from(visible).findIndex((index) => view.rows[index]!.path === 'tmp/build');
	for (let step = 0; step < position; step++) state = press(state, 'j');
	state = press(state, 'r');
	assert.equal(figures(state)?.finalSavedBytes, 0);
	assert.equal(figures(state)?.storedSavedBytes, 300);
	assert.deepEqual(figures(state)?.layerSizes, [1610, 120, 50]);
});

test('r in the layer list marks the whole layer; U undoes, one change at a time', () => {
	let state = press(start(), 'j', 'r');
	assert.deepEqual(state.whatIf.marks, [{kind: 'layer', layer: 1, action: 'remove'}]);
	assert.deepEqual(figures(state)?.layerSizes, [1610, 0, 50]);
	assert.equal(figures(state)?.finalSizeBytes, 1660);
	state = press(state, 'j', 'B');
	assert.equal(state.whatIf.marks.length, 2);
	state = press(state, 'U');
	assert.deepEqual(state.whatIf.marks, [{kind: 'layer', layer: 1, action: 'remove'}]);
	state = press(state, 'U');
	assert.deepEqual(state.whatIf.marks, []);
	state = press(state, 'U');
	assert.equal(state.message, 'Nothing to undo');
});

test('r in the findings overlay marks the finding at the top of the view', () => {
	const state = press(start(), 'f', 'r');
	assert.equal(state.overlay?.kind, 'findings');
	assert.equal(state.whatIf.marks.length, 1);
	const mark = state.whatIf.marks[0]!;
	assert.equal(mark.kind, 'finding');
	assert.deepEqual(mark.kind === 'finding' ? mark.paths : [], ['app/nm/ts/x', 'app/nm/ts/y']);
	assert.equal(figures(state)?.finalSavedBytes, 1500);
});

test('the marks list: cursor, B switches the action, S saves only where a plan file is known', () => {
	let state = press(onPath(start(), 'etc/conf'), 'r', 'M');
	assert.deepEqual(state.overlay, {kind: 'marks', cursor: 0});
	state = press(state, 'B');
	assert.equal(state.whatIf.marks[0]!.action, 'builder');
	state = press(state, 'S');
	assert.match(state.message ?? '', /--dockerfile FILE/);
	assert.equal(state.effect, undefined);

	let saving = press(onPath(start(true), 'etc/conf'), 'r', 'M', 'S');
	assert.equal(saving.effect?.kind, 'save-plan');
	const plan = saving.effect?.kind === 'save-plan' ? saving.effect.plan : undefined;
	assert.deepEqual(plan, {tolerance: 0.05, entries: [{action: 'remove', saves: 10, path: '/etc/conf'}]});
	saving = reducer(saving, {type: 'export-done', id: saving.effect!.id, path: '/work/.layerlens.yml'});
	assert.equal(saving.message, 'Saved 1 marks as the plan in /work/.layerlens.yml');
	assert.equal(saving.effect, undefined);
	assert.equal(
		planSaved(saving, {type: 'effect-failed', message: 'EACCES'}).message,
		'The plan was not saved: EACCES',
	);
});
