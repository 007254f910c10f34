import assert from 'node:assert/strict';
import {test} from 'node:test';
import {reducer, selectedRow} from '../../source/ui/explorer-state.js';
import {press, start, visiblePaths} from '../helpers/explorer-keys.js';

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

test('the filter line is the one text input: at most 200 characters, no control characters, pastes whole', () => {
	let state = press(start(), '/');
	assert.equal(state.focus, 'tree', '/ from the layers pane moves to the tree it filters');
	state = reducer(state, {type: 'key', name: 'x', text: 'usr/\u001b[2J'});
	assert.equal(state.tree.filter, '');
	state = reducer(state, {type: 'key', name: 'paste', text: 'usr/lib'});
	assert.equal(state.tree.filter, 'usr/lib');
	state = reducer(state, {type: 'key', name: 'paste', text: 'x'.repeat(300)});
	assert.equal(state.tree.filter.length, 200);
});

test('a filter opens every folder; clearing it brings the folding from before back', () => {
	let state = press(start(), 'j', 'tab', 'z');
	assert.deepEqual(visiblePaths(state), ['etc', 'tmp', 'usr']);
	state = press(state, '/', 'l', 'i', 'b');
	assert.deepEqual(visiblePaths(state), ['usr', 'usr/lib', 'usr/lib/libbig.so']);
	state = press(state, 'escape');
	assert.deepEqual(visiblePaths(state), ['etc', 'tmp', 'usr']);
});
