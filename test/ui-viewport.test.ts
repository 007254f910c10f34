import assert from 'node:assert/strict';
import {test} from 'node:test';
import {moveBy, moveTo, pageBy, settle} from '../source/ui/viewport.js';

test('moving past the window edge scrolls by the least amount', () => {
	let viewport = {cursor: 0, offset: 0};
	viewport = moveBy(viewport, 4, 100, 5);
	assert.deepEqual(viewport, {cursor: 4, offset: 0});
	viewport = moveBy(viewport, 1, 100, 5);
	assert.deepEqual(viewport, {cursor: 5, offset: 1});
	viewport = moveBy(viewport, -3, 100, 5);
	assert.deepEqual(viewport, {cursor: 2, offset: 1});
	viewport = moveBy(viewport, -10, 100, 5);
	assert.deepEqual(viewport, {cursor: 0, offset: 0});
});

test('page keys move cursor and window together, clamped at the ends', () => {
	assert.deepEqual(pageBy({cursor: 2, offset: 0}, 1, 100, 10), {cursor: 11, offset: 9});
	assert.deepEqual(pageBy({cursor: 95, offset: 90}, 1, 100, 10), {cursor: 99, offset: 90});
	assert.deepEqual(pageBy({cursor: 5, offset: 3}, -1, 100, 10), {cursor: 0, offset: 0});
	assert.deepEqual(moveTo({cursor: 0, offset: 0}, 99, 100, 10), {cursor: 99, offset: 90});
});

test('settle clamps after the list shrinks or the window grows', () => {
	assert.deepEqual(settle({cursor: 50, offset: 45}, 10, 5), {cursor: 9, offset: 5});
	assert.deepEqual(settle({cursor: 9, offset: 5}, 10, 20), {cursor: 9, offset: 0});
	assert.deepEqual(settle({cursor: 3, offset: 0}, 0, 5), {cursor: 0, offset: 0});
	const same = {cursor: 1, offset: 0};
	assert.equal(settle(same, 10, 5), same);
});
