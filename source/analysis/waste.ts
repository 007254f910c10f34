import {checkMemoryBudget} from '../memory-budget.js';
import type {DuplicateGroup, PathNode, WasteItem, WasteSummary} from './types.js';

export type WasteResult = {
	waste: WasteSummary;
	/** Per layer: bytes it stored that a later layer hid. */
	introducedBytes: number[];
	/** Per layer: bytes of lower layers it hid. */
	hiddenBytes: number[];
	/** Bytes of regular files visible in the final filesystem. */
	finalSizeBytes: number;
};

/**
Reads the waste off the stacked tree: every hidden regular-file version is bytes stored for nothing, and
identical content at several visible paths is stored more than once. Hard links are their own type with
size 0, so they never count.
*/
export function computeWaste(root: PathNode, layerCount: number): WasteResult {
	const introducedBytes = new Array<number>(layerCount).fill(0);
	const hiddenBytes = new Array<number>(layerCount).fill(0);
	const items: WasteItem[] = [];
	// The first path of a hash is kept as a bare string: most content is unique, and a group per file would
	// cost an object and an array per file on images with a million of them.
	const byHash = new Map<string, string | {sizeBytes: number; paths: string[]}>();
	let reclaimableBytes = 0;
	let sameContentBytes = 0;
	let finalSizeBytes = 0;

	forEachNode(root, (node) => {
		const {versions} = node;
		for (let position = 0; position < versions.length; position++) {
			const version = versions[position]!;
			const {entry} = version;
			if (entry.type !== 'file') {
				continue;
			}

			if (version.hiddenBy === -1) {
				finalSizeBytes += entry.size;
				if (entry.size > 0 && entry.hash !== undefined) {
					const group = byHash.get(entry.hash);
					if (group === undefined) {
						byHash.set(entry.hash, node.path);
					} else if (typeof group === 'string') {
						byHash.set(entry.hash, {sizeBytes: entry.size, paths: [group, node.path]});
					} else {
						group.paths.push(node.path);
					}
				}

				continue;
			}

			introducedBytes[version.layer]! += entry.size;
			hiddenBytes[version.hiddenBy]! += entry.size;
			reclaimableBytes += entry.size;
			const replacement = versions[position + 1];
			const sameContent =
				version.hideCause === 'overwritten' &&
				replacement !== undefined &&
				replacement.layer === version.hiddenBy &&
				replacement.entry.type === 'file' &&
				entry.hash !== undefined &&
				replacement.entry.hash === entry.hash;
			if (sameContent) {
				sameContentBytes += entry.size;
			}

			if (entry.size > 0) {
				items.push({
					path: node.path,
					bytes: entry.size,
					cause: version.hideCause ?? 'overwritten',
					addedInLayer: version.layer,
					hiddenInLayer: version.hiddenBy,
					sameContent,
				});
			}
		}
	});

	items.sort(
		(a, b) => b.bytes - a.bytes || compareStrings(a.path, b.path) || a.addedInLayer - b.addedInLayer,
	);

	const duplicates: DuplicateGroup[] = [];
	let duplicateBytes = 0;
	for (const [hash, group] of byHash) {
		if (typeof group === 'string') {
			continue;
		}

		const bytes = (group.paths.length - 1) * group.sizeBytes;
		duplicateBytes += bytes;
		duplicates.push({
			hash,
			sizeBytes: group.sizeBytes,
			paths: group.paths.sort(compareStrings),
			duplicateBytes: bytes,
		});
	}

	duplicates.sort((a, b) => b.duplicateBytes - a.duplicateBytes || compareStrings(a.hash, b.hash));

	return {
		waste: {reclaimableBytes, sameContentBytes, duplicateBytes, items, duplicates},
		introducedBytes,
		hiddenBytes,
		finalSizeBytes,
	};
}

/**
Pre-order, children in the order the layers introduced them (tar order), so parents come before their
children and the same image always gives the same order. Iterative: a crafted path 100,000
directories deep must not overflow the call stack (issue 17).
*/
export function forEachNode(root: PathNode, visit: (node: PathNode) => void): void {
	const stack: Array<Iterator<PathNode>> = [];
	let visited = 0;
	visit(root);
	if (root.children) stack.push(root.children.values());
	while (stack.length > 0) {
		const next = stack.at(-1)!.next();
		if (next.done) {
			stack.pop();
			continue;
		}

		if ((++visited & 0xff_ff) === 0) checkMemoryBudget('walking the file tree');
		visit(next.value);
		if (next.value.children) stack.push(next.value.children.values());
	}
}

/** Code-unit order, independent of the locale, so output is the same on every machine. */
export function compareStrings(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}
