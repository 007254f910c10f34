/** A window of `height` rows over a list of `count` rows, with a cursor that is always inside it. */
export type Viewport = {cursor: number; offset: number};

/** Clamp the cursor to the list and scroll the least amount that keeps it visible. */
export function settle(viewport: Viewport, count: number, height: number): Viewport {
	const visible = Math.max(1, height);
	const cursor = count === 0 ? 0 : Math.min(Math.max(0, viewport.cursor), count - 1);
	let offset = Math.min(Math.max(0, viewport.offset), Math.max(0, count - visible));
	if (cursor < offset) {
		offset = cursor;
	} else if (cursor >= offset + visible) {
		offset = cursor - visible + 1;
	}

	if (viewport.cursor === cursor && viewport.offset === offset) {
		return viewport;
	}

	return {cursor, offset};
}

export function moveBy(viewport: Viewport, delta: number, count: number, height: number): Viewport {
	return settle({cursor: viewport.cursor + delta, offset: viewport.offset}, count, height);
}

/** Page keys move the cursor and the window together, like `less`. */
export function pageBy(viewport: Viewport, pages: number, count: number, height: number): Viewport {
	const step = Math.max(1, height - 1) * pages;
	return settle({cursor: viewport.cursor + step, offset: viewport.offset + step}, count, height);
}

export function moveTo(viewport: Viewport, cursor: number, count: number, height: number): Viewport {
	return settle({cursor, offset: viewport.offset}, count, height);
}
