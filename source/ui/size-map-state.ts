import {type CellRect, squarify} from './size-map-layout.js';
import {type SizeCategory, type SizeMapSource, sizeCategories} from './size-map-source.js';

/** One rectangle of the map: an entry of the directory shown, or the group of its entries too small to draw. */
export type SizeMapItem = {
	/** The entry's row in the source; -1 for the group of small entries. */
	row: number;
	/** `/`-led path; for the group, its directory's. */
	path: string;
	/** The last segment of the path, or the group's `n files`. */
	name: string;
	bytes: number;
	isDirectory: boolean;
	category: SizeCategory;
	/** For the group: how many entries it holds. */
	count: number;
	/**
	Where it is drawn, on the grid's edges: columns `x` to `x + width` and rows `y` to `y + height` are its
	border lines (shared with its neighbours), the cells between them its inside.
	*/
	rect: CellRect;
};

/** A directory zoomed into; `skip` > 0 when it is the group of that directory's smallest entries. */
export type SizeMapLevel = {directory: number; skip: number};

export type SizeMapState = {
	source: SizeMapSource;
	/** Outermost first (the top is `/`); the last one is shown. */
	levels: SizeMapLevel[];
	/** The grid the map is drawn on, in cells (borders included). */
	columns: number;
	rows: number;
	items: SizeMapItem[];
	/** Index into `items`; -1 when there is nothing with bytes to show. */
	selected: number;
};

export type Direction = 'up' | 'down' | 'left' | 'right';

export type SizeMapAction =
	| {type: 'move'; direction: Direction}
	| {type: 'zoom-in'}
	| {type: 'zoom-out'}
	| {type: 'resize'; columns: number; rows: number};

/** A rectangle smaller than this many cells, borders counted once, goes into the group of small entries. */
const minimumCells = 12;
/** Columns the group of small entries is widened to when it can be, for `3000 files` and its size. */
const groupLabelWidth = 9;
/** The most of the map the group is widened to: beyond that its room would misstate its bytes. */
const maximumGroupShare = 0.04;
/** Rectangles drawn at most, whatever the terminal size: beyond that a map is noise. */
const maximumItems = 120;

/** The map at `/`, the rectangle holding `focusPath` (the tree's cursor) selected when it has one. */
export function openSizeMap(
	source: SizeMapSource,
	grid: {columns: number; rows: number},
	focusPath?: string,
): SizeMapState {
	const state = withItems({source, levels: [{directory: -1, skip: 0}], ...grid, items: [], selected: -1}, -2);
	if (focusPath === undefined) return state;
	const focus = `/${focusPath}`;
	const selected = state.items.findIndex(
		(item) => item.row >= 0 && (focus === item.path || focus.startsWith(`${item.path}/`)),
	);
	return selected === -1 ? state : {...state, selected};
}

export function sizeMapReducer(state: SizeMapState, action: SizeMapAction): SizeMapState {
	switch (action.type) {
		case 'resize':
			if (action.columns === state.columns && action.rows === state.rows) return state;
			return withItems({...state, columns: action.columns, rows: action.rows}, selectedRow(state));
		case 'move': {
			const next = neighbour(state.items, state.selected, action.direction);
			if (next !== -1) return {...state, selected: next};
			// Left with nothing further left goes back out, as Left does in the file tree.
			return action.direction === 'left' ? zoomOut(state) : state;
		}

		case 'zoom-in':
			return zoomIn(state);
		case 'zoom-out':
			return zoomOut(state);
	}
}

/** The directory (or group) shown, as a `/`-led path and what it is. */
export function currentPlace(state: SizeMapState): {path: string; bytes: number; skip: number} {
	const level = state.levels.at(-1)!;
	const path = level.directory === -1 ? '/' : `/${state.source.rows[level.directory]!.path}`;
	const bytes = state.items.reduce((sum, item) => sum + item.bytes, 0);
	return {path, bytes, skip: level.skip};
}

export function selectedItem(state: SizeMapState): SizeMapItem | undefined {
	return state.items[state.selected];
}

function selectedRow(state: SizeMapState): number {
	return state.items[state.selected]?.row ?? -2;
}

function zoomIn(state: SizeMapState): SizeMapState {
	const item = state.items[state.selected];
	const level = state.levels.at(-1)!;
	if (!item) return state;
	if (item.row === -1) {
		// The group of small entries opens as a map of them alone.
		const skip = level.skip + state.items.length - 1;
		return withItems({...state, levels: [...state.levels, {directory: level.directory, skip}]}, -2);
	}

	if (!item.isDirectory) return state;
	return withItems({...state, levels: [...state.levels, {directory: item.row, skip: 0}]}, -2);
}

function zoomOut(state: SizeMapState): SizeMapState {
	if (state.levels.length === 1) return state;
	const left = state.levels.at(-1)!;
	const levels = state.levels.slice(0, -1);
	const parent = levels.at(-1)!;
	// Coming out of the group selects the group again; out of a directory, that directory.
	return withItems({...state, levels}, left.directory === parent.directory ? -1 : left.directory);
}

/** The entries of the level shown, largest first, without removed ones or ones of no bytes. */
function entriesOf(source: SizeMapSource, level: SizeMapLevel): number[] {
	const {rows, subtreeEnd} = source;
	const start = level.directory + 1;
	const end = level.directory === -1 ? rows.length : subtreeEnd[level.directory]!;
	const entries: number[] = [];
	for (let index = start; index < end; index = subtreeEnd[index]!) {
		const row = rows[index]!;
		if (row.status !== 'removed' && row.size > 0) entries.push(index);
	}

	entries.sort((a, b) => rows[b]!.size - rows[a]!.size || compareText(rows[a]!.path, rows[b]!.path));
	return entries.slice(level.skip);
}

/** Lay out the level shown and select the rectangle of `row` (-1: the group; -2 or not found: the largest). */
function withItems(state: SizeMapState, row: number): SizeMapState {
	const items = layoutLevel(state.source, state.levels.at(-1)!, state.columns, state.rows);
	const found = items.findIndex((item) => item.row === row);
	return {...state, items, selected: found !== -1 ? found : items.length > 0 ? 0 : -1};
}

/**
The rectangles of one level. The largest entries get their own, as many as have room for a label; the rest
go into one group (`n files`). The group is drawn at least `minimumCells` big so it can be selected and
opened, which is the one place the map gives more room than bytes.
*/
export function layoutLevel(
	source: SizeMapSource,
	level: SizeMapLevel,
	columns: number,
	rows: number,
): SizeMapItem[] {
	const entries = entriesOf(source, level);
	const bounds = {x: 0, y: 0, width: columns - 1, height: rows - 1};
	if (entries.length === 0 || bounds.width < 2 || bounds.height < 2) return [];
	const sizes = entries.map((index) => source.rows[index]!.size);
	const total = sizes.reduce((sum, size) => sum + size, 0);
	const cells = bounds.width * bounds.height;
	let shown = 0;
	while (shown < entries.length && shown < maximumItems && (sizes[shown]! / total) * cells >= minimumCells) {
		shown++;
	}

	// When no entry is big enough for a rectangle (thousands of like-sized files), the largest that fit are
	// drawn as a page of their own, in proportion to each other, and the rest is a group that opens the next.
	const paged = shown === 0 && entries.length > 1;
	if (paged) shown = Math.min(entries.length, maximumItems, Math.floor(cells / (minimumCells * 2)));
	// How many times `minimumCells` the group is given: doubled while it comes out too thin to open.
	let groupCells = minimumCells;
	for (;;) {
		const shownBytes = sizes.slice(0, shown).reduce((sum, size) => sum + size, 0);
		const restBytes = total - shownBytes;
		const weights = sizes.slice(0, shown);
		if (shown < entries.length) {
			weights.push(
				shown === 0
					? restBytes
					: paged
						? (shownBytes * groupCells) / (cells - groupCells)
						: Math.max(restBytes, (total * groupCells) / cells),
			);
		}

		const rects = squarify(weights, bounds);
		// A rectangle with no inside cannot show a label or the selection: it joins the group.
		const cramped = rects.findIndex((rect) => rect.width < 2 || rect.height < 2);
		const group = rects[shown];
		// The group is given room to be opened (an inside), and for its label (`3000 files`) while that is
		// still only a little more than its bytes' room; never more than a small share of the map.
		const groupCramped = group !== undefined && (group.width < 2 || group.height < 2);
		const groupThin = group !== undefined && group.width < groupLabelWidth;
		const inflated = paged || restBytes * cells < total * groupCells * 2;
		const canGrow = groupCells * 2 <= Math.max(minimumCells * 2, cells * maximumGroupShare);
		if ((groupCramped || (groupThin && inflated)) && canGrow) {
			groupCells *= 2;
			continue;
		}

		if (cramped !== -1 && shown > 0) {
			shown = Math.min(shown - 1, cramped);
			continue;
		}

		const items = entries
			.slice(0, shown)
			.map((index, position) => entryItem(source, index, rects[position]!));
		if (shown < entries.length) items.push(groupItem(source, level, entries.slice(shown), rects[shown]!));
		return items;
	}
}

function entryItem(source: SizeMapSource, index: number, rect: CellRect): SizeMapItem {
	const row = source.rows[index]!;
	return {
		row: index,
		path: `/${row.path}`,
		name: row.path.slice(row.path.lastIndexOf('/') + 1),
		bytes: row.size,
		isDirectory: row.isDirectory && source.subtreeEnd[index]! > index + 1,
		category: sizeCategories[source.categories[index]!]!,
		count: 1,
		rect,
	};
}

function groupItem(
	source: SizeMapSource,
	level: SizeMapLevel,
	entries: number[],
	rect: CellRect,
): SizeMapItem {
	if (entries.length === 1) return entryItem(source, entries[0]!, rect);
	const bytesByCategory = new Float64Array(sizeCategories.length);
	let bytes = 0;
	let files = 0;
	for (const index of entries) {
		const row = source.rows[index]!;
		bytes += row.size;
		bytesByCategory[source.categories[index]!]! += row.size;
		if (!row.isDirectory) files++;
	}

	let category = sizeCategories.length - 1;
	for (let code = 0; code < sizeCategories.length; code++) {
		if (bytesByCategory[code]! > bytesByCategory[category]!) category = code;
	}

	const count = entries.length;
	const noun = files === count ? (count === 1 ? 'file' : 'files') : 'more';
	return {
		row: -1,
		path: level.directory === -1 ? '/' : `/${source.rows[level.directory]!.path}`,
		name: `${count} ${noun}`,
		bytes,
		isDirectory: false,
		category: sizeCategories[category]!,
		count,
		rect,
	};
}

/**
The rectangle next to `from` in `direction`: one that lies that way and overlaps it sideways, the nearest
first, then the one whose middle is closest; without an overlapping one, the nearest that lies that way.
*/
export function neighbour(items: readonly SizeMapItem[], from: number, direction: Direction): number {
	const origin = items[from]?.rect;
	if (!origin) return -1;
	const horizontal = direction === 'left' || direction === 'right';
	let best = -1;
	let bestKey: [number, number, number] = [0, 0, 0];
	for (const [index, item] of items.entries()) {
		if (index === from) continue;
		const {rect} = item;
		let gap: number;
		if (direction === 'right') gap = rect.x - (origin.x + origin.width);
		else if (direction === 'left') gap = origin.x - (rect.x + rect.width);
		else if (direction === 'down') gap = rect.y - (origin.y + origin.height);
		else gap = origin.y - (rect.y + rect.height);
		if (gap < 0) continue;
		const [start, length, otherStart, otherLength] = horizontal
			? [origin.y, origin.height, rect.y, rect.height]
			: [origin.x, origin.width, rect.x, rect.width];
		const overlap = Math.min(start + length, otherStart + otherLength) - Math.max(start, otherStart);
		const middles = Math.abs(start * 2 + length - (otherStart * 2 + otherLength));
		const key: [number, number, number] = [overlap > 0 ? 0 : 1, gap, middles];
		if (best === -1 || compareKeys(key, bestKey) < 0) {
			best = index;
			bestKey = key;
		}
	}

	return best;
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
	for (let index = 0; index < a.length; index++) {
		if (a[index] !== b[index]) return a[index]! - b[index]!;
	}

	return 0;
}

function compareText(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}
