import assert from 'node:assert/strict';
import {test} from 'node:test';
import {moveBy, moveTo, pageBy, settle} from '../../source/ui/viewport.js';

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

/** Lines per row: row 3 wraps onto 4 lines, row 8 onto 3, the rest take one. */
const wrapped = (index: number) => (index === 3 ? 4 : index === 8 ? 3 : 1);
const linesFrom = (offset: number, cursor: number) => {
	let lines = 0;
	for (let index = offset; index <= cursor; index++) lines += wrapped(index);
	return lines;
};

test('wrapped rows: the cursor moves per row and its whole row stays in the window', () => {
	let viewport = {cursor: 0, offset: 0};
	for (let step = 1; step < 12; step++) {
		viewport = moveBy(viewport, 1, 12, 5, wrapped);
		assert.equal(viewport.cursor, step, 'one row per key, however many lines it takes');
		assert.ok(viewport.offset <= viewport.cursor);
		assert.ok(linesFrom(viewport.offset, viewport.cursor) <= 5, `row ${step} whole on screen`);
	}

	// Row 3 (4 lines) reached from above: rows 2 and 3 fill 5 lines, so the window starts at row 2.
	assert.deepEqual(moveTo({cursor: 0, offset: 0}, 3, 12, 5, wrapped), {cursor: 3, offset: 2});
	// No blank lines below the last row: rows 9-11 fill 3 lines and row 8 (3 more) would not fit.
	assert.deepEqual(moveTo({cursor: 0, offset: 0}, 11, 12, 5, wrapped), {cursor: 11, offset: 9});
	assert.deepEqual(settle({cursor: 10, offset: 20}, 12, 5, wrapped), {cursor: 10, offset: 9});
	assert.deepEqual(moveBy({cursor: 10, offset: 9}, -2, 12, 5, wrapped), {cursor: 8, offset: 8});
	// A row taller than the window starts it.
	assert.deepEqual(moveTo({cursor: 0, offset: 0}, 3, 12, 3, wrapped), {cursor: 3, offset: 3});
});

test('wrapped rows: a page is the rows on screen less one, and the cursor stays visible', () => {
	// From the top, rows 0-2 and the first line of row 3 are on screen: 3 whole rows, a page of 2.
	assert.deepEqual(pageBy({cursor: 0, offset: 0}, 1, 12, 5, wrapped), {cursor: 2, offset: 2});
	let viewport = {cursor: 0, offset: 0};
	for (let page = 0; page < 8; page++) {
		viewport = pageBy(viewport, 1, 12, 5, wrapped);
		assert.ok(linesFrom(viewport.offset, viewport.cursor) <= 5);
	}

	assert.equal(viewport.cursor, 11, 'paging down reaches the last row');
	for (let page = 0; page < 8; page++) {
		viewport = pageBy(viewport, -1, 12, 5, wrapped);
		assert.ok(viewport.offset <= viewport.cursor && linesFrom(viewport.offset, viewport.cursor) <= 5);
	}

	assert.deepEqual(viewport, {cursor: 0, offset: 0}, 'and paging up the first');
	// One line per row gives the same windows as before wrapping existed.
	assert.deepEqual(
		pageBy({cursor: 2, offset: 0}, 1, 100, 10, () => 1),
		pageBy({cursor: 2, offset: 0}, 1, 100, 10),
	);
	assert.deepEqual(
		moveTo({cursor: 0, offset: 0}, 99, 100, 10, () => 1),
		{cursor: 99, offset: 90},
	);
});
