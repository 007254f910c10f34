import assert from 'node:assert/strict';
import {test} from 'node:test';
import {reducer} from '../../source/ui/explorer-state.js';
import {press, shownLines, start} from '../helpers/explorer-keys.js';

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

test('a text overlay holds which layer it shows, not lines: its lines are wrapped again at a new width', () => {
	let state = press(start({columns: 120, rows: 30}), 'j', 'j', 'i');
	assert.equal(state.overlay?.kind, 'layer');
	assert.deepEqual(state.overlay, {kind: 'layer', title: 'Layer 2', layer: 2, scroll: 0});
	const wide = shownLines(state, 'layer');
	state = reducer(state, {type: 'resize', size: {columns: 80, rows: 30}});
	assert.deepEqual(state.overlay, {kind: 'layer', title: 'Layer 2', layer: 2, scroll: 0});
	const narrow = shownLines(state, 'layer');
	assert.ok(narrow.every((line) => line.length <= 79));
	assert.ok(narrow.length >= wide.length);
});

test("the viewer shows an export's progress, then why the file could not be read", () => {
	let state = press(start(), 'j', 'tab', 'G', 'v');
	state = reducer(state, {type: 'read-progress', id: 1, exportedBytes: 4096});
	assert.equal(state.overlay?.kind === 'viewer' && state.overlay.exportedBytes, 4096);
	assert.equal(state.effect?.id, 1, 'progress does not end the request');
	state = reducer(state, {type: 'effect-failed', id: 1, message: 'layer gone\u001b[2J'});
	assert.equal(state.overlay?.kind === 'viewer' && state.overlay.status, 'failed');
	assert.deepEqual(shownLines(state, 'viewer'), ['Cannot read the file: layer gone\\x1b[2J']);
	assert.equal(state.effect, undefined);
});
