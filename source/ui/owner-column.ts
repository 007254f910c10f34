import stringWidth from 'string-width';
import type {PackageInventory} from '../analysis/packages/index.js';
import type {PathTree} from '../engine/index.js';
import {sanitize} from './format.js';
import {ownerLabel} from './package-view-state.js';
import type {TreeRow} from './tree-view.js';

/** Cells the owner column takes (its text is cut or padded to it, so a row's length never depends on it). */
export const ownerColumnWidth = 18;

/** The owner column's text of a row: asked only for the rows on screen. */
export type OwnerLookup = (row: TreeRow) => string;

const lookups = new WeakMap<PackageInventory, WeakMap<PathTree, OwnerLookup>>();

/**
The package that owns a row's path in the final filesystem (`name`, or `ecosystem:name` outside the system
package manager), `yours` for a final file no package names, blank for directories and for paths the final
filesystem does not have (ownership is read from the final image's package records). One map lookup per
drawn row: nothing walks the image's files per frame. The same function for the same inventory and tree, so
memoised rows stay memoised.
*/
export function ownerLookup(inventory: PackageInventory, tree: PathTree): OwnerLookup {
	let byTree = lookups.get(inventory);
	if (byTree === undefined) {
		byTree = new WeakMap();
		lookups.set(inventory, byTree);
	}

	let lookup = byTree.get(tree);
	if (lookup === undefined) {
		// Names come from the image (a package.json says what it likes): made safe to print once.
		const labels = inventory.packages.map((owned) => sanitize(ownerLabel(owned)));
		lookup = (row) => {
			if (row.isDirectory) return '';
			const owner = inventory.ownerOf.get(row.path);
			if (owner !== undefined) return labels[owner]!;
			const final = tree.finalVersion(row.node);
			return final === undefined || tree.isDirectory(final) ? '' : 'yours';
		};
		byTree.set(tree, lookup);
	}

	return lookup;
}

const graphemes = new Intl.Segmenter(undefined, {granularity: 'grapheme'});

/** `text` cut (with `…`) or padded with spaces to exactly `width` terminal cells. */
export function fitCells(text: string, width: number): string {
	if (stringWidth(text) <= width) return text + ' '.repeat(width - stringWidth(text));
	let out = '';
	let used = 0;
	for (const {segment} of graphemes.segment(text)) {
		const cells = stringWidth(segment);
		if (used + cells > width - 1) break;
		out += segment;
		used += cells;
	}

	return `${out}…${' '.repeat(Math.max(0, width - 1 - used))}`;
}

/** The owner column's cell for a row's owner text. */
export function ownerCell(text: string): string {
	return fitCells(text, ownerColumnWidth);
}
