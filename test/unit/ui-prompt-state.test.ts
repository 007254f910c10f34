import assert from 'node:assert/strict';
import {test} from 'node:test';
import {type Action, createInitialState, reducer} from '../../source/ui/explorer-state.js';
import {press, start} from '../helpers/explorer-keys.js';
import {sampleAnalysis} from '../helpers/sample-analysis.js';

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

test('the prompts type as the filter does: pastes whole, no control characters, at most 4096 characters', () => {
	let state = press(start(), 'tab', 'j', 'j', 'x');
	assert.equal(state.overlay?.kind, 'extract');
	state = reducer(state, {type: 'key', name: 'paste', text: '/srv/out'});
	assert.equal(state.overlay?.kind === 'extract' && state.overlay.directory, './srv/out');
	state = reducer(state, {type: 'key', name: 'x', text: '\u0007'});
	assert.equal(state.overlay?.kind === 'extract' && state.overlay.directory, './srv/out');
	state = reducer(state, {type: 'key', name: 'paste', text: 'd'.repeat(5000)});
	assert.equal(state.overlay?.kind === 'extract' && state.overlay.directory.length, 4096);
});

test('while writing, keys wait; a failed extraction is shown, then any key closes it into the status bar', () => {
	let state = press(start(), 'tab', 'j', 'j', 'x', 'enter');
	assert.equal(state.overlay?.kind === 'extract' && state.overlay.stage, 'writing');
	assert.equal(press(state, 'escape'), state);
	state = reducer(state, {type: 'effect-failed', id: 1, message: 'EACCES'});
	assert.equal(state.overlay?.kind === 'extract' && state.overlay.stage, 'failed');
	state = press(state, 'j');
	assert.equal(state.overlay, undefined);
	assert.equal(state.message, 'EACCES');
});
