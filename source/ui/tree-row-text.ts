import chalk, {type ForegroundColorName} from 'chalk';
import {none, type PathTree} from '../analysis/path-tree.js';
import {buildOnlyColor, runtimeColor, statusColor, statusMarker, wasteColor} from './colors.js';
import {formatBytes, formatMode, sanitize} from './format.js';
import {rowName, type TreeRow} from './tree-view.js';

/** The attribute columns' width when a row has no entry (a directory implied by its files). */
const blankAttributes = ' '.repeat(23);

const paint = (color: string | undefined, text: string): string =>
	color === undefined ? text : chalk[color as ForegroundColorName](text);

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
): string {
	const color = statusColor[row.status];
	const entry = row.version === none ? undefined : tree.entry(row.version);
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
	if (!row.wasted && !row.buildOnly && !row.runtime) {
		return paint(color, `${marker}  ${body}`);
	}

	return (
		paint(color, marker) +
		(row.wasted ? paint(wasteColor, '!') : ' ') +
		(row.buildOnly ? paint(buildOnlyColor, 'b') : row.runtime ? paint(runtimeColor, 'r') : ' ') +
		paint(color, body)
	);
}
