import chalk, {type ForegroundColorName} from 'chalk';
import type {PathTree} from '../engine/index.js';
import {buildOnlyColor, hue, runtimeColor, statusColor, statusMarker, wasteColor} from './colors.js';
import {formatBytes, formatMode, sanitize} from './format.js';
import {heldMark, rowName, type TreeRow} from './tree-view.js';

/** The attribute columns' width when a row has no entry (a directory implied by its files). */
const blankAttributes = ' '.repeat(23);

const paint = (color: string | undefined, text: string): string => {
	const shown = hue(color);
	return shown === undefined ? text : chalk[shown as ForegroundColorName](text);
};

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
	/** For a collapsed folder: the `heldMark` bits of what it holds, shown as its own markers. */
	held = 0,
): string {
	const color = statusColor[row.status];
	const entry = row.version === undefined ? undefined : tree.entry(row.version);
	const attributes =
		showAttributes && entry
			? `${formatMode(entry.type, entry.mode)} ${`${entry.uid}:${entry.gid}`.padStart(11)} `
			: showAttributes
				? blankAttributes
				: '';
	const link = entry?.linkTarget === undefined ? '' : ` → ${sanitize(entry.linkTarget)}`;
	const name = `${collapsed ? '⊕ ' : ''}${sanitize(rowName(row))}${row.isDirectory ? '/' : ''}`;
	// Like dive, the whole row takes its status colour: one colour run per row (two escape sequences)
	// is less for Ink to parse on every frame than a run per column. Blank markers stay uncoloured, so
	// the inverted (selected) row shows no coloured blocks.
	const body = ` ${attributes}${formatBytes(row.size).padStart(9)}  ${row.prefix}${name}${link}`;
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
