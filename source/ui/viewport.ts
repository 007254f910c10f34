/** A window of `height` rows over a list of `count` rows, with a cursor that is always inside it. */
export type Viewport = {cursor: number; offset: number};

/**
How many screen lines row `index` takes: one, or more when long names wrap. Every function here asks it
about O(height) rows only (each row takes at least a line), so a 100k-row tree costs nothing more.
*/
export type LinesOf = (index: number) => number;

/** Clamp the cursor to the list and scroll the least amount that keeps it visible. */
export function settle(viewport: Viewport, count: number, height: number, linesOf?: LinesOf): Viewport {
	const visible = Math.max(1, height);
	const cursor = count === 0 ? 0 : Math.min(Math.max(0, viewport.cursor), count - 1);
	let offset: number;
	if (linesOf) {
		offset = settleOffset(viewport.offset, cursor, count, visible, linesOf);
	} else {
		offset = Math.min(Math.max(0, viewport.offset), Math.max(0, count - visible));
		if (cursor < offset) {
			offset = cursor;
		} else if (cursor >= offset + visible) {
			offset = cursor - visible + 1;
		}
	}

	if (viewport.cursor === cursor && viewport.offset === offset) {
		return viewport;
	}

	return {cursor, offset};
}

/** The offset for rows of several lines: no blank lines below the last row, the cursor's row whole on screen. */
function settleOffset(wanted: number, cursor: number, count: number, room: number, linesOf: LinesOf): number {
	if (count === 0) return 0;
	// The largest offset that still fills the window: the rows that fit above the end.
	let lastOffset = count - 1;
	let used = linesOf(count - 1);
	while (lastOffset > 0 && used + linesOf(lastOffset - 1) <= room) {
		lastOffset -= 1;
		used += linesOf(lastOffset);
	}

	const offset = Math.min(Math.max(0, wanted), lastOffset);
	if (cursor < offset) return cursor;
	used = 0;
	for (let index = offset; index <= cursor; index++) {
		used += linesOf(index);
		if (used > room) return offsetEndingAt(cursor, room, linesOf);
	}

	return offset;
}

/** The smallest offset whose window still shows row `last` whole (a row taller than the window starts it). */
function offsetEndingAt(last: number, room: number, linesOf: LinesOf): number {
	let offset = last;
	let used = linesOf(last);
	while (offset > 0 && used + linesOf(offset - 1) <= room) {
		offset -= 1;
		used += linesOf(offset);
	}

	return offset;
}

export function moveBy(
	viewport: Viewport,
	delta: number,
	count: number,
	height: number,
	linesOf?: LinesOf,
): Viewport {
	return settle({cursor: viewport.cursor + delta, offset: viewport.offset}, count, height, linesOf);
}

/** Page keys move the cursor and the window together, like `less`: by the rows on screen, less one. */
export function pageBy(
	viewport: Viewport,
	pages: number,
	count: number,
	height: number,
	linesOf?: LinesOf,
): Viewport {
	const step = Math.max(1, rowsShown(viewport.offset, count, height, linesOf) - 1) * pages;
	return settle({cursor: viewport.cursor + step, offset: viewport.offset + step}, count, height, linesOf);
}

/** How many rows from `offset` fit in the window (whole rows; at least one). */
function rowsShown(offset: number, count: number, height: number, linesOf?: LinesOf): number {
	const room = Math.max(1, height);
	if (!linesOf) return room;
	let rows = 0;
	let used = 0;
	for (let index = Math.max(0, offset); index < count; index++) {
		used += linesOf(index);
		if (used > room) break;
		rows += 1;
	}

	return Math.max(1, rows);
}

export function moveTo(
	viewport: Viewport,
	cursor: number,
	count: number,
	height: number,
	linesOf?: LinesOf,
): Viewport {
	return settle({cursor, offset: viewport.offset}, count, height, linesOf);
}
