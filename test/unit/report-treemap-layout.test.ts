import assert from 'node:assert/strict';
import {test} from 'node:test';
import {squarify, type TreemapRect} from '../../source/report/treemap-layout.js';

const area = (rect: TreemapRect) => rect.width * rect.height;
const close = (actual: number, expected: number, message: string) =>
	assert.ok(Math.abs(actual - expected) < 1e-6, `${message}: ${actual} vs ${expected}`);

function assertTiles(weights: number[], bounds: TreemapRect, rects: TreemapRect[]): void {
	const total = weights.filter((weight) => weight > 0).reduce((sum, weight) => sum + weight, 0);
	assert.equal(rects.length, weights.length);
	for (const [index, rect] of rects.entries()) {
		const expected = weights[index]! > 0 ? (weights[index]! / total) * area(bounds) : 0;
		close(area(rect), expected, `area of ${index}`);
		if (expected === 0) continue;
		assert.ok(rect.x >= bounds.x - 1e-9 && rect.y >= bounds.y - 1e-9, `rect ${index} starts inside`);
		assert.ok(rect.x + rect.width <= bounds.x + bounds.width + 1e-9, `rect ${index} ends inside (x)`);
		assert.ok(rect.y + rect.height <= bounds.y + bounds.height + 1e-9, `rect ${index} ends inside (y)`);
	}

	for (let left = 0; left < rects.length; left++) {
		for (let right = left + 1; right < rects.length; right++) {
			const a = rects[left]!;
			const b = rects[right]!;
			const overlapX = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
			const overlapY = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
			assert.ok(overlapX <= 1e-9 || overlapY <= 1e-9, `rects ${left} and ${right} overlap`);
		}
	}
}

test('the paper example: 6,6,4,3,2,2,1 in 6×4 tiles the area with near-square cells', () => {
	const weights = [6, 6, 4, 3, 2, 2, 1];
	const bounds = {x: 0, y: 0, width: 6, height: 4};
	const rects = squarify(weights, bounds);
	assertTiles(weights, bounds, rects);
	// Bruls et al.'s figure: the two 6s stack in a column on the left, 3 wide and 2 high each.
	assert.deepEqual(rects[0], {x: 0, y: 0, width: 3, height: 2});
	assert.deepEqual(rects[1], {x: 0, y: 2, width: 3, height: 2});
	const worst = Math.max(
		...rects.map((rect) => Math.max(rect.width / rect.height, rect.height / rect.width)),
	);
	assert.ok(worst < 3, `worst aspect ratio ${worst}`);
});

test('rectangles come back in the order the weights were given, whatever their size order', () => {
	const weights = [1, 10, 0, 5, -3, 2];
	const bounds = {x: 10, y: 20, width: 300, height: 100};
	const rects = squarify(weights, bounds);
	assertTiles(weights, bounds, rects);
	assert.ok(area(rects[1]!) > area(rects[3]!) && area(rects[3]!) > area(rects[5]!));
	assert.equal(area(rects[2]!), 0, 'a zero weight is empty');
	assert.equal(area(rects[4]!), 0, 'a negative weight is empty');
	// The largest is placed first, at the top-left corner.
	assert.equal(rects[1]!.x, 10);
	assert.equal(rects[1]!.y, 20);
});

test('a tall area and many small weights still tile exactly', () => {
	const weights = Array.from({length: 200}, (_, index) => 1 + ((index * 7919) % 97));
	const bounds = {x: 0, y: 0, width: 120, height: 900};
	assertTiles(weights, bounds, squarify(weights, bounds));
});

test('nothing to lay out: no weights, all zero, or an empty area', () => {
	assert.deepEqual(squarify([], {x: 0, y: 0, width: 10, height: 10}), []);
	assert.deepEqual(squarify([0, 0], {x: 1, y: 2, width: 10, height: 10}), [
		{x: 1, y: 2, width: 0, height: 0},
		{x: 1, y: 2, width: 0, height: 0},
	]);
	assert.deepEqual(squarify([3], {x: 0, y: 0, width: 0, height: 10}), [{x: 0, y: 0, width: 0, height: 0}]);
	assert.deepEqual(squarify([Number.NaN, 2], {x: 0, y: 0, width: 4, height: 2})[1], {
		x: 0,
		y: 0,
		width: 4,
		height: 2,
	});
});

test('its source text runs on its own, as the HTML report embeds it', () => {
	const standalone = new Function(`${squarify.toString()}; return squarify;`)() as typeof squarify;
	const weights = [6, 6, 4, 3, 2, 2, 1];
	const bounds = {x: 0, y: 0, width: 6, height: 4};
	assert.deepEqual(standalone(weights, bounds), squarify(weights, bounds));
});
