import assert from 'node:assert/strict';
import {test} from 'node:test';
import {reducer, selectedRow} from '../../source/ui/explorer-state.js';
import {press, start, visiblePaths} from '../helpers/explorer-keys.js';

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

test('resize recomputes the layout and keeps the cursor visible', () => {
	let state = press(start({columns: 120, rows: 40}), 'G', 'tab', 'a', 'G');
	assert.equal(state.tree.viewport.cursor, 17);
	state = reducer(state, {type: 'resize', size: {columns: 80, rows: 20}});
	assert.equal(state.layout.treeBody, 15);
	assert.deepEqual(state.tree.viewport, {cursor: 17, offset: 3});
	state = reducer(state, {type: 'resize', size: {columns: 60, rows: 10}});
	assert.equal(state.layout.tooSmall, true);
});
