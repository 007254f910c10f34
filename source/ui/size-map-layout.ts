/** A rectangle of whole terminal cells; `width` or `height` 0 means it got no room. */
export type CellRect = {x: number; y: number; width: number; height: number};

export type SquarifyOptions = {
	/**
	How many columns look as long as one row: terminal cells are about twice as tall as wide, so a
	square-looking rectangle is twice as many columns as rows.
	*/
	rowScale?: number;
};

/** Edges, not origin and size: two neighbours read the very same number for the edge they share. */
type Edges = {left: number; top: number; right: number; bottom: number};

/** Positive weights (others count as 0), largest first, with their index in `weights`. */
function weightOrder(weights: readonly number[]): Array<{weight: number; index: number}> {
	return weights
		.map((weight, index) => ({weight: Number.isFinite(weight) && weight > 0 ? weight : 0, index}))
		.filter((item) => item.weight > 0)
		.sort((a, b) => b.weight - a.weight || a.index - b.index);
}

/** One past the last area of the strip that starts at `start`: it grows while its worst ratio does not get worse. */
function stripEnd(areas: readonly number[], start: number, side: number): {end: number; sum: number} {
	let end = start + 1;
	let sum = areas[start]!;
	while (end < areas.length) {
		const next = areas[end]!;
		if (worstRatio(areas, start, end + 1, sum + next, side) > worstRatio(areas, start, end, sum, side)) break;
		sum += next;
		end++;
	}

	return {end, sum};
}

/**
Lay the strip of areas [start, end) (together `sum`) along the shorter side of `rest`, writing its
rectangles into `fractional`; returns what is left. The last strip takes all of `rest`.
*/
function layStrip(
	areas: readonly number[],
	strip: {start: number; end: number; sum: number},
	rest: Edges,
	fractional: Edges[],
): Edges {
	const {start, end, sum} = strip;
	const restWidth = rest.right - rest.left;
	const restHeight = rest.bottom - rest.top;
	const isLast = end === areas.length;
	if (restWidth >= restHeight) {
		// A column at the left, its rectangles stacked top to bottom.
		const right = isLast ? rest.right : rest.left + sum / restHeight;
		let top = rest.top;
		for (let index = start; index < end; index++) {
			const bottom = index === end - 1 ? rest.bottom : top + areas[index]! / (right - rest.left);
			fractional[index] = {left: rest.left, top, right, bottom};
			top = bottom;
		}

		return {...rest, left: right};
	}

	// A row at the top, its rectangles side by side.
	const bottom = isLast ? rest.bottom : rest.top + sum / restWidth;
	let left = rest.left;
	for (let index = start; index < end; index++) {
		const right = index === end - 1 ? rest.right : left + areas[index]! / (bottom - rest.top);
		fractional[index] = {left, top: rest.top, right, bottom};
		left = right;
	}

	return {...rest, top: bottom};
}

/** Fractional edges (rows stretched by rowScale) rounded to whole cells of `bounds`. */
function roundedRect(edges: Edges, bounds: CellRect, rowScale: number): CellRect {
	const left = Math.round(edges.left);
	const right = Math.round(edges.right);
	const top = Math.round(edges.top / rowScale);
	const bottom = Math.round(edges.bottom / rowScale);
	return {
		x: bounds.x + left,
		y: bounds.y + top,
		width: Math.max(0, right - left),
		height: Math.max(0, bottom - top),
	};
}

/**
The squarified treemap (Bruls, Huizing and van Wijk, 2000) of `weights` over `bounds`, rounded to whole
cells: one rectangle per weight, in the order given. Rectangles are added to a strip along the shorter
side of what is left while that does not make the strip's worst aspect ratio worse; the strip is then
fixed and the rest laid out in what remains. The layout is done in fractions and only the edges are
rounded, so the rectangles never overlap and together cover `bounds` exactly; a weight too small for a
whole cell gets an empty rectangle, as do zero and negative weights.
*/
export function squarify(
	weights: readonly number[],
	bounds: CellRect,
	options: SquarifyOptions = {},
): CellRect[] {
	const rowScale = options.rowScale ?? 2;
	const empty = (): CellRect => ({x: bounds.x, y: bounds.y, width: 0, height: 0});
	const out: CellRect[] = weights.map(empty);
	const order = weightOrder(weights);
	const total = order.reduce((sum, item) => sum + item.weight, 0);
	if (total <= 0 || bounds.width <= 0 || bounds.height <= 0) return out;

	// Laid out where a unit looks the same both ways: rows are stretched by rowScale.
	const width = bounds.width;
	const height = bounds.height * rowScale;
	const scale = (width * height) / total;
	const areas = order.map((item) => item.weight * scale);
	const fractional: Edges[] = new Array(order.length);
	let rest: Edges = {left: 0, top: 0, right: width, bottom: height};
	let start = 0;
	while (start < areas.length) {
		const side = Math.min(rest.right - rest.left, rest.bottom - rest.top);
		const {end, sum} = stripEnd(areas, start, side);
		rest = layStrip(areas, {start, end, sum}, rest, fractional);
		start = end;
	}

	for (const [position, item] of order.entries()) {
		out[item.index] = roundedRect(fractional[position]!, bounds, rowScale);
	}

	return out;
}

/** worst(R, w) = max(w²·r⁺ / s², s² / (w²·r⁻)) for the areas [start, end) laid along a side of length w. */
function worstRatio(areas: readonly number[], start: number, end: number, sum: number, side: number): number {
	let largest = 0;
	let smallest = Number.POSITIVE_INFINITY;
	for (let index = start; index < end; index++) {
		const area = areas[index]!;
		if (area > largest) largest = area;
		if (area < smallest) smallest = area;
	}

	const sideSquared = side * side;
	const sumSquared = sum * sum;
	return Math.max((sideSquared * largest) / sumSquared, sumSquared / (sideSquared * smallest));
}
