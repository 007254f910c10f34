import chalk, {type ForegroundColorName} from 'chalk';
import stringWidth from 'string-width';
import type {PathTree} from '../engine/index.js';
import {buildOnlyColor, hue, runtimeColor, statusColor, statusMarker, wasteColor} from './colors.js';
import {formatBytes, formatMode, sanitize} from './format.js';
import {ownerCell} from './owner-column.js';
import {heldMark, rowName, type TreeRow} from './tree-view.js';

/** The attribute columns' width when a row has no entry (a directory implied by its files). */
const blankAttributes = ' '.repeat(23);

/** Below this width the attribute columns would leave no room for names (dive hides them under 60). */
export const attributesMinWidth = 64;

/** The fewest cells a wrapped name continues in: deeper rows give up their innermost tree lines for it. */
const minimumNameCells = 10;

const paint = (color: string | undefined, text: string): string => {
	const shown = hue(color);
	return shown === undefined ? text : chalk[shown as ForegroundColorName](text);
};

/** How one row is drawn, before colour: the columns up to the name, and the name (with a link's target). */
export type RowDisplay = {
	row: TreeRow;
	tree: PathTree;
	collapsed: boolean;
	showAttributes: boolean;
	/** For a collapsed folder: the `heldMark` bits of what it holds, shown as its own markers. */
	held: number;
	/** The owner column's text (fixed width); undefined when the column is off. */
	owner?: string | undefined;
};

type RowParts = {head: string; name: string};

function rowParts({row, tree, collapsed, showAttributes, owner}: RowDisplay): RowParts {
	const entry = row.version === undefined ? undefined : tree.entry(row.version);
	const attributes =
		showAttributes && entry
			? `${formatMode(entry.type, entry.mode)} ${`${entry.uid}:${entry.gid}`.padStart(11)} `
			: showAttributes
				? blankAttributes
				: '';
	const link = entry?.linkTarget === undefined ? '' : ` → ${sanitize(entry.linkTarget)}`;
	return {
		head: ` ${attributes}${owner === undefined ? '' : `${ownerCell(owner)} `}${formatBytes(row.size).padStart(9)}  ${row.prefix}`,
		name: `${collapsed ? '⊕ ' : ''}${sanitize(rowName(row))}${row.isDirectory ? '/' : ''}${link}`,
	};
}

/** The three marker cells (`+!b`) and the row's body, coloured: one colour run per part. */
function paintRow(display: RowDisplay, body: string): string {
	const {row, held} = display;
	const color = statusColor[row.status];
	const marker = statusMarker[row.status];
	const wasted = row.wasted || (held & heldMark.wasted) !== 0;
	const buildOnly = row.buildOnly || (held & heldMark.buildOnly) !== 0;
	const runtime = row.runtime || (held & heldMark.runtime) !== 0;
	if (!wasted && !buildOnly && !runtime) {
		return paint(color, `${marker}  ${body}`);
	}

	return (
		paint(color, marker) +
		(wasted ? paint(wasteColor, '!') : ' ') +
		(buildOnly ? paint(buildOnlyColor, 'b') : runtime ? paint(runtimeColor, 'r') : ' ') +
		paint(color, body)
	);
}

/**
One tree row as a single pre-coloured string. Ink re-tokenises every styled run of every row on each
frame, so one text node per row (instead of nested <Text> runs) is most of the cost of a cursor move.
Coloured with chalk at the level Ink's own <Text> uses; the row-wide styles (inverse, bold, dim) stay on
the row's <Text>.
*/
export function treeRowText(
	row: TreeRow,
	tree: PathTree,
	collapsed: boolean,
	showAttributes: boolean,
	held = 0,
	owner?: string,
): string {
	const display = {row, tree, collapsed, showAttributes, held, owner};
	const {head, name} = rowParts(display);
	// Like dive, the whole row takes its status colour: one colour run per row (two escape sequences)
	// is less for Ink to parse on every frame than a run per column. Blank markers stay uncoloured, so
	// the inverted (selected) row shows no coloured blocks.
	return paintRow(display, `${head}${name}`);
}

const graphemes = new Intl.Segmenter(undefined, {granularity: 'grapheme'});

/** `text` cut into pieces of at most `first` cells, then `rest` cells, by grapheme and display width. */
function cutByWidth(text: string, first: number, rest: number): string[] {
	const pieces: string[] = [];
	let piece = '';
	let used = 0;
	let room = first;
	for (const {segment} of graphemes.segment(text)) {
		const cells = stringWidth(segment);
		// A wide character never fits a one-cell room: it opens the next piece (or fills an empty one).
		if (used + cells > room && (used > 0 || pieces.length === 0)) {
			pieces.push(piece);
			piece = '';
			used = 0;
			room = rest;
		}

		piece += segment;
		used += cells;
	}

	pieces.push(piece);
	return pieces;
}

type Wrapped = {head: string; pieces: string[]; continuation: string};

/** Where a row's name breaks at `width`; undefined when the row fits on one line. */
function wrapLayout(display: RowDisplay, width: number): Wrapped | undefined {
	const {head, name} = rowParts(display);
	const headCells = 3 + stringWidth(head);
	if (headCells + stringWidth(name) <= width) return undefined;
	const {row} = display;
	// Under the name: the row's own branch goes on (├─) or ends (└─), so the tree stays readable.
	const guides = `${row.prefix.slice(0, -3)}${row.prefix.endsWith('├─ ') ? '│  ' : '   '}${display.collapsed ? '  ' : ''}`;
	const underName = `${' '.repeat(headCells - stringWidth(row.prefix))}${guides}`;
	// The guides are one cell each, so cutting by code points cuts by cells.
	const continuation = [...underName].slice(0, Math.max(0, width - minimumNameCells)).join('');
	const pieces = cutByWidth(name, Math.max(0, width - headCells), width - stringWidth(continuation));
	return {head, pieces, continuation};
}

/**
The lines of a row with wrapping on (dive's Ctrl+P): a name that does not fit goes on under itself, so the
whole path is readable; a row is never taller than `maxLines` (its last line then ends in `…`). The reducer
counts the same lines (`wrappedRowLineCount`) to keep the cursor's row on screen.
*/
export function wrappedRowLines(display: RowDisplay, width: number, maxLines: number): string[] {
	const layout = wrapLayout(display, width);
	if (!layout) {
		const {head, name} = rowParts(display);
		return [paintRow(display, `${head}${name}`)];
	}

	const {head, continuation} = layout;
	const limit = Math.max(1, maxLines);
	const pieces = layout.pieces.slice(0, limit);
	if (layout.pieces.length > limit) pieces[limit - 1] = `${[...pieces[limit - 1]!].slice(0, -1).join('')}…`;
	const color = statusColor[display.row.status];
	return pieces.map((piece, index) =>
		index === 0 ? paintRow(display, `${head}${piece}`) : paint(color, `${continuation}${piece}`),
	);
}

/** How many lines `wrappedRowLines` draws for the row. */
export function wrappedRowLineCount(display: RowDisplay, width: number, maxLines: number): number {
	const layout = wrapLayout(display, width);
	return layout ? Math.min(Math.max(1, maxLines), layout.pieces.length) : 1;
}
