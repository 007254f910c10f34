import {fileCode, hashHex, type PathTree, type VersionId} from '../engine/index.js';
import type {DuplicateGroup, WasteItem, WasteSummary} from './types.js';

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
export function computeWaste(tree: PathTree, layerCount: number): WasteResult {
	const tally = new WasteTally(tree, layerCount);
	// Reused for every node: a node's versions, newest first.
	const chain: VersionId[] = [];
	tree.forEachNode((node) => {
		const path = tree.pathOf(node);
		chain.length = 0;
		for (let version = tree.newestVersion(node); version !== undefined; version = tree.previousOf(version)) {
			chain.push(version);
		}

		// Oldest first, as the waste items were always listed; the replacement is the next newer version.
		for (let position = chain.length - 1; position >= 0; position--) {
			tally.add(path, chain[position]!, position > 0 ? chain[position - 1]! : undefined);
		}
	});

	return tally.result();
}

/** The sums of the waste, added to one version of a path at a time. */
class WasteTally {
	readonly #tree: PathTree;
	readonly introducedBytes: number[];
	readonly hiddenBytes: number[];
	readonly items: WasteItem[] = [];
	readonly contents = new ContentGroups();
	reclaimableBytes = 0;
	sameContentBytes = 0;
	finalSizeBytes = 0;

	constructor(tree: PathTree, layerCount: number) {
		this.#tree = tree;
		this.introducedBytes = new Array<number>(layerCount).fill(0);
		this.hiddenBytes = new Array<number>(layerCount).fill(0);
	}

	/** A version of `path`; `replacement` is the next newer version, if any. */
	add(path: string, version: VersionId, replacement: VersionId | undefined): void {
		const tree = this.#tree;
		const layer = tree.layerOf(version);
		const columns = tree.layers[layer]!;
		const row = tree.rowOf(version);
		if (columns.typeCode(row) !== fileCode) return;
		const size = columns.size(row);
		const hidden = tree.hiddenIn(version);
		if (hidden === undefined) {
			this.finalSizeBytes += size;
			if (size > 0 && columns.hasHash(row)) {
				this.contents.add(columns.hashHigh(row), columns.hashLow(row), size, path);
			}

			return;
		}

		const cause = tree.cause(version);
		this.introducedBytes[layer]! += size;
		this.hiddenBytes[hidden]! += size;
		this.reclaimableBytes += size;
		let sameContent = false;
		if (cause === 'overwritten' && replacement !== undefined && tree.layerOf(replacement) === hidden) {
			const replacementColumns = tree.layers[hidden]!;
			const replacementRow = tree.rowOf(replacement);
			sameContent =
				replacementColumns.typeCode(replacementRow) === fileCode &&
				columns.sameHash(row, replacementColumns, replacementRow);
		}

		if (sameContent) this.sameContentBytes += size;
		if (size > 0) {
			this.items.push({
				path,
				bytes: size,
				cause: cause ?? 'overwritten',
				addedInLayer: layer,
				hiddenInLayer: hidden,
				sameContent,
			});
		}
	}

	result(): WasteResult {
		const {items, reclaimableBytes, sameContentBytes} = this;
		items.sort(
			(a, b) => b.bytes - a.bytes || compareStrings(a.path, b.path) || a.addedInLayer - b.addedInLayer,
		);

		const duplicates = this.contents.duplicates();
		let duplicateBytes = 0;
		for (const group of duplicates) duplicateBytes += group.duplicateBytes;
		duplicates.sort((a, b) => b.duplicateBytes - a.duplicateBytes || compareStrings(a.hash, b.hash));
		return {
			waste: {reclaimableBytes, sameContentBytes, duplicateBytes, items, duplicates},
			introducedBytes: this.introducedBytes,
			hiddenBytes: this.hiddenBytes,
			finalSizeBytes: this.finalSizeBytes,
		};
	}
}

/**
Visible files grouped by content hash without turning a million hashes into strings or map keys: an
open-addressing table of candidates (one per distinct hash) over typed arrays. The first path of a hash
is kept bare: most content is unique, and a group per file would cost an array per file.
*/
class ContentGroups {
	private slots = new Int32Array(1024).fill(-1);
	private readonly high: number[] = [];
	private readonly low: number[] = [];
	private readonly firstPath: string[] = [];
	/** For hashes seen twice or more: the size of the second file and every path. */
	private readonly groups = new Map<number, {sizeBytes: number; paths: string[]}>();

	add(high: number, low: number, size: number, path: string): void {
		const mask = this.slots.length - 1;
		let slot = (low ^ Math.imul(high, 0x9e_37_79_b1)) & mask;
		for (let candidate = this.slots[slot]!; candidate !== -1; candidate = this.slots[slot]!) {
			if (this.low[candidate] === low && this.high[candidate] === high) {
				const group = this.groups.get(candidate);
				if (group === undefined) {
					this.groups.set(candidate, {sizeBytes: size, paths: [this.firstPath[candidate]!, path]});
				} else {
					group.paths.push(path);
				}

				return;
			}

			slot = (slot + 1) & mask;
		}

		const candidate = this.high.length;
		this.high.push(high);
		this.low.push(low);
		this.firstPath.push(path);
		this.slots[slot] = candidate;
		if (this.high.length * 2 > this.slots.length) this.grow();
	}

	duplicates(): DuplicateGroup[] {
		const duplicates: DuplicateGroup[] = [];
		for (const [candidate, group] of this.groups) {
			const bytes = (group.paths.length - 1) * group.sizeBytes;
			duplicates.push({
				hash: hashHex(this.high[candidate]!, this.low[candidate]!),
				sizeBytes: group.sizeBytes,
				paths: group.paths.sort(compareStrings),
				duplicateBytes: bytes,
			});
		}

		return duplicates;
	}

	private grow(): void {
		this.slots = new Int32Array(this.slots.length * 2).fill(-1);
		const mask = this.slots.length - 1;
		for (let candidate = 0; candidate < this.high.length; candidate++) {
			let slot = (this.low[candidate]! ^ Math.imul(this.high[candidate]!, 0x9e_37_79_b1)) & mask;
			while (this.slots[slot] !== -1) slot = (slot + 1) & mask;
			this.slots[slot] = candidate;
		}
	}
}

/** Code-unit order, independent of the locale, so output is the same on every machine. */
export function compareStrings(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}
