import assert from 'node:assert/strict';
import {test} from 'node:test';
import {reducer} from '../../source/ui/explorer-state.js';
import {press, start} from '../helpers/explorer-keys.js';

test('q quits with 0 and Ctrl+C with 130, from anywhere', () => {
	assert.equal(press(start(), 'q').exitCode, 0);
	assert.equal(press(start(), 'tab', '/', 'ctrl+c').exitCode, 130);
	assert.equal(press(start(), 'tab', '/', 'q').exitCode, undefined, 'q is text while typing a filter');
});

test('a key that names no command leaves the panes and the status message alone; a command clears it', () => {
	const warned = start(undefined, {sort: 'name', warning: 'Config: not valid YAML'});
	assert.equal(press(warned, 'ctrl+y'), warned);
	const moved = press(warned, 'j');
	assert.equal(moved.layer, 1);
	assert.equal(moved.message, undefined);
});

test('an open overlay, prompt or filter line takes every key before the panes do', () => {
	const help = press(start(), '?');
	assert.equal(help.overlay?.kind, 'help');
	assert.equal(press(help, 'j').layer, 0, 'j scrolls the overlay, not the layers');
	const prompt = press(start(), 'e');
	assert.equal(press(prompt, 'q').exitCode, undefined, 'q is not quit in a prompt');
	const filter = press(start(), '/');
	assert.equal(press(filter, 'j').tree.filter, 'j');
});

test("an effect's result for another request, or after its overlay closed, changes nothing", () => {
	const viewing = press(start(), 'j', 'tab', 'G', 'v');
	assert.equal(viewing.effect?.id, 1);
	const stale = reducer(viewing, {type: 'read-done', id: 7, content: Buffer.from('x'), isText: true});
	assert.equal(stale, viewing);
	const closed = press(viewing, 'escape');
	assert.equal(closed.effect, undefined, 'closing the viewer drops its read');
	assert.equal(reducer(closed, {type: 'read-done', id: 1, content: Buffer.from('x'), isText: true}), closed);
	assert.equal(reducer(closed, {type: 'read-progress', id: 1, exportedBytes: 5}), closed);
});
