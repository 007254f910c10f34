import assert from 'node:assert/strict';
import {test} from 'node:test';
import {type CellRect, squarify} from '../../source/ui/size-map-layout.js';

const area = (rect: CellRect) => rect.width * rect.height;

function overlaps(a: CellRect, b: CellRect): boolean {
	return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Every cell of `bounds` covered exactly once by the non-empty rectangles, none outside. */
function assertTiles(rects: CellRect[], bounds: CellRect): void {
	const counts = new Uint16Array(bounds.width * bounds.height);
	for (const rect of rects) {
		if (area(rect) === 0) continue;
		assert.ok(
			rect.x >= bounds.x && rect.x + rect.width <= bounds.x + bounds.width,
			`inside: ${JSON.stringify(rect)}`,
		);
		assert.ok(
			rect.y >= bounds.y && rect.y + rect.height <= bounds.y + bounds.height,
			`inside: ${JSON.stringify(rect)}`,
		);
		for (let y = rect.y; y < rect.y + rect.height; y++) {
			for (let x = rect.x; x < rect.x + rect.width; x++)
				counts[(y - bounds.y) * bounds.width + (x - bounds.x)]!++;
		}
	}

	assert.ok(
		counts.every((count) => count === 1),
		'every cell covered exactly once',
	);
	const nonEmpty = rects.filter((rect) => area(rect) > 0);
	for (const [index, a] of nonEmpty.entries()) {
		for (const b of nonEmpty.slice(index + 1))
			assert.ok(!overlaps(a, b), `${JSON.stringify(a)} and ${JSON.stringify(b)}`);
	}
}

/**
Rounding moves each of a rectangle's four edges by at most half a cell, so its area differs from its exact
share by at most about half its perimeter (plus the corner).
*/
function assertProportional(weights: number[], rects: CellRect[], bounds: CellRect): void {
	const total = weights.reduce((sum, weight) => sum + weight, 0);
	for (const [index, weight] of weights.entries()) {
		const exact = (weight / total) * area(bounds);
		const rect = rects[index]!;
		const slack = rect.width + rect.height + 1;
		assert.ok(
			Math.abs(area(rect) - exact) <= slack,
			`weight ${weight}: area ${area(rect)} for an exact ${exact.toFixed(1)} (slack ${slack})`,
		);
	}
}

test("the paper's example (6×4, areas 6 6 4 3 2 2 1): the two 6s share the first strip, square", () => {
	const bounds = {x: 0, y: 0, width: 6, height: 4};
	const rects = squarify([6, 6, 4, 3, 2, 2, 1], bounds, {rowScale: 1});
	assert.deepEqual(rects[0], {x: 0, y: 0, width: 3, height: 2});
	assert.deepEqual(rects[1], {x: 0, y: 2, width: 3, height: 2});
	assertTiles(rects, bounds);
});

test('rectangles come back in the order given, whatever order the weights are in', () => {
	const bounds = {x: 0, y: 0, width: 60, height: 20};
	const ascending = squarify([1, 2, 3, 10], bounds);
	const descending = squarify([10, 3, 2, 1], bounds);
	assert.deepEqual(ascending, [...descending].reverse());
	assert.ok(area(ascending[3]!) > area(ascending[0]!));
});

test('areas proportional within rounding, no overlap, the rectangle covered: many shapes and sizes', () => {
	let seed = 7;
	const random = () => {
		seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
		return seed / 2_147_483_648;
	};

	let proportionChecks = 0;
	for (const bounds of [
		{x: 0, y: 0, width: 159, height: 40},
		{x: 3, y: 2, width: 79, height: 19},
		{x: 0, y: 0, width: 7, height: 31},
	]) {
		for (let round = 0; round < 30; round++) {
			const count = 1 + Math.floor(random() * 12);
			// Weights from a few bytes to gigabytes (odd rounds) or within a few orders of magnitude (even ones).
			const weights = Array.from({length: count}, () =>
				Math.round(10 ** (round % 2 === 1 ? 1 + random() * 8 : 4 + random() * 2)),
			);
			const rects = squarify(weights, bounds);
			assertTiles(rects, bounds);
			if (
				weights.every(
					(weight) => (weight / weights.reduce((sum, each) => sum + each, 0)) * area(bounds) >= 50,
				)
			) {
				assertProportional(weights, rects, bounds);
				proportionChecks++;
			}
		}
	}

	assert.ok(proportionChecks >= 10, `${proportionChecks} layouts had every weight big enough to compare`);
});

test('squarified, not sliced: with rows twice as tall as columns are wide, equal weights look square', () => {
	const rects = squarify([1, 1, 1, 1], {x: 0, y: 0, width: 80, height: 20});
	for (const rect of rects) {
		assert.equal(rect.width, 40);
		assert.equal(rect.height, 10);
	}
});

test('zero, negative and non-finite weights get empty rectangles; an empty area gives only empty ones', () => {
	const bounds = {x: 0, y: 0, width: 20, height: 10};
	const rects = squarify([5, 0, -3, Number.NaN, 5], bounds);
	assert.equal(area(rects[1]!), 0);
	assert.equal(area(rects[2]!), 0);
	assert.equal(area(rects[3]!), 0);
	assert.equal(area(rects[0]!) + area(rects[4]!), 200);
	assertTiles(rects, bounds);
	assert.deepEqual(squarify([1, 2], {x: 0, y: 0, width: 0, height: 10}).map(area), [0, 0]);
	assert.deepEqual(squarify([], bounds), []);
});

test('a weight too small for a cell gets an empty rectangle and the others still tile', () => {
	const bounds = {x: 0, y: 0, width: 10, height: 5};
	const rects = squarify([1_000_000, 1], bounds);
	assert.equal(area(rects[0]!), 50);
	assert.equal(area(rects[1]!), 0);
	assertTiles(rects, bounds);
});
