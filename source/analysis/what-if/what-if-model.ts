import {fileCode, type NodeId, type PathTree, type VersionId} from '../../engine/index.js';
import {computeDiveEfficiency} from '../dive-efficiency.js';
import type {Finding, LayerSummary} from '../types.js';
import {markKey, normaliseMarkPath, type WhatIfMark, type WhatIfTarget} from './marks.js';

/** What the model reads of an analysis: the tree, the layers' sizes, the findings and the suggestion's projection. */
export type WhatIfInput = {
	tree: PathTree;
	layers: readonly Pick<LayerSummary, 'sizeBytes'>[];
	finalSizeBytes: number;
	findings: readonly Pick<Finding, 'ruleId' | 'paths'>[];
	/** The suggestion's projection and the findings it removes by (absent: the projection is the final size). */
	suggestion?: {projectedSizeBytes: number; removedParts: readonly {ruleId: string}[]};
};

/** The image as it would be with the marks applied; every figure as the analysis reports it unmarked. */
export type WhatIfFigures = {
	/** Per layer, the bytes its tar's regular files would hold (dive's layer size). */
	layerSizes: number[];
	/** Σ layerSizes. */
	imageSizeBytes: number;
	/** Regular-file bytes visible in the final filesystem. */
	finalSizeBytes: number;
	/** The suggestion's projected runtime stage, less what the marks take out of what it keeps. */
	projectedSizeBytes: number;
	/** dive's figures over the entries left. */
	efficiency: {score: number; wastedBytes: number; userSizeBytes: number; wastedUserPercent: number};
	/** Bytes the final filesystem loses (a layer mark can bring back what the layer overwrote or deleted). */
	finalSavedBytes: number;
	/** Bytes the layers stop storing: the final filesystem's part and the part later layers already hid. */
	storedSavedBytes: number;
};

/** What a mark alone accounts for, among the others: what unmarking it would give back. */
export type MarkShare = {finalBytes: number; storedBytes: number};

const noEntry = -1;

/**
The image recomputed under a set of marks, incrementally: `apply` compares the marks with those in force
and only walks what changed (the marked subtrees, a marked layer's own nodes and what it hid), keeping
running sums, so a mark costs its own size and never a re-stack. Counts per version and per dive entry
make nested and repeated marks count once, and unmarking exact.

A path, finding or package mark removes every version of its paths (the files leave every layer); a layer
mark removes what that layer stores, so what it overwrote or deleted comes back into the final filesystem
unless a kept later layer deletes it too. Removing a file a later layer deletes saves stored bytes only.
dive's score is recomputed over the entries left; an emptied directory is not counted as a new leaf and
a whiteout keeps the size dive gave it.
*/
export class WhatIfModel {
	readonly #input: WhatIfInput;
	readonly #tree: PathTree;
	readonly #applied = new Map<string, WhatIfMark>();
	readonly #versionCover: Uint16Array;
	readonly #layerMarked: Uint16Array;
	readonly #layerCovered: Float64Array;
	/** Per node, the final bytes it shows now; NaN while untouched (its original bytes). */
	readonly #shown: Float64Array;
	readonly #projectionRemoves: Uint8Array;
	#finalDelta = 0;
	#projectedDelta = 0;
	readonly #dive: DiveSlots;
	readonly #hiddenBy: {start: Int32Array; nodes: Int32Array};

	constructor(input: WhatIfInput) {
		this.#input = input;
		const tree = input.tree;
		this.#tree = tree;
		this.#versionCover = new Uint16Array(tree.versionCount);
		this.#layerMarked = new Uint16Array(input.layers.length);
		this.#layerCovered = new Float64Array(input.layers.length);
		this.#shown = new Float64Array(tree.nodeCount).fill(Number.NaN);
		this.#projectionRemoves = new Uint8Array(tree.nodeCount);
		const removedRules = new Set(input.suggestion?.removedParts.map((part) => part.ruleId) ?? []);
		for (const finding of input.findings) {
			if (!removedRules.has(finding.ruleId)) continue;
			for (const path of finding.paths) {
				const node = tree.find(path);
				if (node !== undefined) this.#projectionRemoves[node] = 1;
			}
		}

		this.#dive = new DiveSlots(tree);
		this.#hiddenBy = nodesHiddenByLayer(tree, input.layers.length);
	}

	/** The figures under exactly these marks (the first mark of a target wins; later duplicates are ignored). */
	apply(marks: readonly WhatIfMark[]): WhatIfFigures {
		const wanted = new Map<string, WhatIfMark>();
		for (const mark of marks) {
			const key = markKey(mark);
			if (!wanted.has(key)) wanted.set(key, mark);
		}

		for (const [key, mark] of [...this.#applied]) {
			// An action change keeps the bytes where they are: only the target matters to the sizes.
			if (!wanted.has(key)) {
				this.#applyTarget(mark, -1);
				this.#applied.delete(key);
			}
		}

		for (const [key, mark] of wanted) {
			if (!this.#applied.has(key)) this.#applyTarget(mark, 1);
			this.#applied.set(key, mark);
		}

		return this.figures();
	}

	/** Each mark's own share: the figures with it and without it (two incremental applies per mark). */
	shares(marks: readonly WhatIfMark[]): MarkShare[] {
		const all = this.apply(marks);
		const shares = marks.map((_, index) => {
			const without = this.apply(marks.filter((__, other) => other !== index));
			return {
				finalBytes: all.finalSavedBytes - without.finalSavedBytes,
				storedBytes: all.storedSavedBytes - without.storedSavedBytes,
			};
		});
		this.apply(marks);
		return shares;
	}

	figures(): WhatIfFigures {
		const {layers, finalSizeBytes, suggestion} = this.#input;
		const layerSizes = layers.map((layer, index) =>
			this.#layerMarked[index]! > 0 ? 0 : layer.sizeBytes - this.#layerCovered[index]!,
		);
		const imageSizeBytes = layerSizes.reduce((sum, size) => sum + size, 0);
		const originalImage = layers.reduce((sum, layer) => sum + layer.sizeBytes, 0);
		const userSizeBytes = imageSizeBytes - (layerSizes[0] ?? 0);
		const {minimumSum, cumulativeSum, wastedBytes} = this.#dive;
		const newFinal = finalSizeBytes + this.#finalDelta;
		return {
			layerSizes,
			imageSizeBytes,
			finalSizeBytes: newFinal,
			projectedSizeBytes: (suggestion?.projectedSizeBytes ?? finalSizeBytes) + this.#projectedDelta,
			efficiency: {
				score: cumulativeSum === 0 ? 1 : minimumSum / cumulativeSum,
				wastedBytes,
				userSizeBytes,
				wastedUserPercent: userSizeBytes === 0 ? 0 : wastedBytes / userSizeBytes,
			},
			finalSavedBytes: finalSizeBytes - newFinal,
			storedSavedBytes: originalImage - imageSizeBytes,
		};
	}

	#applyTarget(target: WhatIfTarget, delta: 1 | -1): void {
		const tree = this.#tree;
		if (target.kind === 'layer') {
			const layer = target.layer;
			if (!Number.isInteger(layer) || layer < 0 || layer >= this.#layerMarked.length) return;
			this.#layerMarked[layer]! += delta;
			const touched = tree.touchedIn(layer);
			for (const node of touched) {
				const version = tree.versionIn(node, layer);
				if (version !== undefined) this.#coverVersion(version, delta);
			}

			this.#dive.coverLayer(layer, delta);
			for (const node of touched) this.#refresh(node);
			const {start, nodes} = this.#hiddenBy;
			for (let index = start[layer]!; index < start[layer + 1]!; index++)
				this.#refresh(nodes[index]! as NodeId);
			return;
		}

		const paths = target.kind === 'path' ? [target.path] : target.paths;
		for (const path of paths) {
			const node = tree.find(normaliseMarkPath(path));
			if (node === undefined) continue;
			// What a node shows hangs on its own versions and on the layers marked whole, never on another
			// node's versions: each node is counted and re-read in one pass.
			tree.forEachBelow(node, (each) => {
				for (
					let version = tree.newestVersion(each);
					version !== undefined;
					version = tree.previousOf(version)
				) {
					this.#coverVersion(version, delta);
				}

				this.#dive.coverNode(each, delta);
				this.#refresh(each);
			});
		}
	}

	#coverVersion(version: VersionId, delta: 1 | -1): void {
		const before = this.#versionCover[version]!;
		const after = before + delta;
		this.#versionCover[version] = after;
		if ((before === 0) !== (after === 0)) {
			this.#layerCovered[this.#tree.layerOf(version)]! += delta * this.#tree.size(version);
		}
	}

	/** Re-reads what a node shows in the final filesystem and moves the running sums by the difference. */
	#refresh(node: NodeId): void {
		const tree = this.#tree;
		const previous = Number.isNaN(this.#shown[node]!) ? originalShown(tree, node) : this.#shown[node]!;
		const now = this.#shownNow(node);
		this.#shown[node] = now;
		const change = now - previous;
		this.#finalDelta += change;
		if (this.#projectionRemoves[node] === 0) this.#projectedDelta += change;
	}

	/** The newest kept version, when nothing kept hides it: its bytes if it is a regular file. */
	#shownNow(node: NodeId): number {
		const tree = this.#tree;
		let version = tree.newestVersion(node);
		while (version !== undefined && this.#versionCover[version]! > 0) version = tree.previousOf(version);
		if (version === undefined) return 0;
		const hiddenIn = tree.hiddenIn(version);
		if (hiddenIn !== undefined) {
			// Overwritten: by a newer version of this node, all of which are removed. Otherwise a marker (or an
			// ancestor's replacement) in layer `hiddenIn`: gone only with its layer.
			if (tree.cause(version) !== 'overwritten' && this.#layerMarked[hiddenIn] === 0) return 0;
			if (this.#deletedLaterByKeptLayer(node, tree.layerOf(version))) return 0;
		}

		return tree.typeCode(version) === fileCode ? tree.size(version) : 0;
	}

	/** A kept layer above `layer` whose whiteout or opaque marker removes the node or a directory above it. */
	#deletedLaterByKeptLayer(node: NodeId, layer: number): boolean {
		const tree = this.#tree;
		for (let each: NodeId | undefined = node; each !== undefined; each = tree.parentOf(each)) {
			for (const removal of tree.removedIn(each)) {
				if (removal > layer && this.#layerMarked[removal] === 0) return true;
			}
		}

		return false;
	}
}

function originalShown(tree: PathTree, node: NodeId): number {
	const version = tree.finalVersion(node);
	return version !== undefined && tree.typeCode(version) === fileCode ? tree.size(version) : 0;
}

/** Per layer, the nodes of the versions it hid (what comes back when the layer is marked), as one flat list. */
function nodesHiddenByLayer(tree: PathTree, layerCount: number): {start: Int32Array; nodes: Int32Array} {
	const start = new Int32Array(layerCount + 1);
	for (let version = 0; version < tree.versionCount; version++) {
		const layer = tree.hiddenIn(version as VersionId);
		if (layer !== undefined) start[layer + 1]!++;
	}

	for (let layer = 0; layer < layerCount; layer++) start[layer + 1]! += start[layer]!;
	const fill = start.slice(0, layerCount);
	const nodes = new Int32Array(start[layerCount]!);
	for (let version = 0; version < tree.versionCount; version++) {
		const layer = tree.hiddenIn(version as VersionId);
		if (layer !== undefined) nodes[fill[layer]!++] = tree.nodeOf(version as VersionId);
	}

	return {start, nodes};
}

/**
dive's per-path slots, kept so the score can be recomputed as entries leave: each entry that counts (a leaf
of its layer, or a whiteout) with its slot, size and node, grouped by slot, by node and by layer.
*/
class DiveSlots {
	minimumSum = 0;
	cumulativeSum = 0;
	wastedBytes = 0;
	readonly #entrySlot: Int32Array;
	readonly #entrySize: Float64Array;
	readonly #entryCover: Uint16Array;
	readonly #layerStart: Int32Array;
	readonly #byNode: {start: Int32Array; entries: Int32Array};
	readonly #bySlot: {start: Int32Array; entries: Int32Array};
	readonly #slotCount: Int32Array;
	readonly #slotCumulative: Float64Array;
	readonly #slotMinimum: Float64Array;

	constructor(tree: PathTree) {
		const layers: number[] = [];
		const nodes: number[] = [];
		const slots: number[] = [];
		const sizes: number[] = [];
		let slotTotal = 0;
		computeDiveEfficiency(
			tree.layers.map((entries) => ({entries})),
			tree,
			(layer, _row, node, slot, size) => {
				layers.push(layer);
				nodes.push(node ?? noEntry);
				slots.push(slot);
				sizes.push(size);
				slotTotal = Math.max(slotTotal, slot + 1);
			},
		);
		const count = slots.length;
		this.#entrySlot = Int32Array.from(slots);
		this.#entrySize = Float64Array.from(sizes);
		this.#entryCover = new Uint16Array(count);
		this.#layerStart = new Int32Array(tree.layers.length + 1);
		for (const layer of layers) this.#layerStart[layer + 1]!++;
		for (let layer = 0; layer < tree.layers.length; layer++)
			this.#layerStart[layer + 1]! += this.#layerStart[layer]!;
		this.#byNode = groupBy(Int32Array.from(nodes), tree.nodeCount);
		this.#bySlot = groupBy(this.#entrySlot, slotTotal);
		this.#slotCount = new Int32Array(slotTotal);
		this.#slotCumulative = new Float64Array(slotTotal);
		this.#slotMinimum = new Float64Array(slotTotal);
		for (let slot = 0; slot < slotTotal; slot++) this.#recount(slot, 1);
	}

	coverNode(node: NodeId, delta: 1 | -1): void {
		const {start, entries} = this.#byNode;
		for (let index = start[node]!; index < start[node + 1]!; index++) this.#cover(entries[index]!, delta);
	}

	coverLayer(layer: number, delta: 1 | -1): void {
		for (let entry = this.#layerStart[layer]!; entry < this.#layerStart[layer + 1]!; entry++)
			this.#cover(entry, delta);
	}

	#cover(entry: number, delta: 1 | -1): void {
		const before = this.#entryCover[entry]!;
		const after = before + delta;
		this.#entryCover[entry] = after;
		if ((before === 0) !== (after === 0)) {
			const slot = this.#entrySlot[entry]!;
			const size = this.#entrySize[entry]!;
			// A new minimum, or the old one leaving, needs the slot's entries read again; otherwise the sums move.
			const leaving = after !== 0;
			if (this.#slotCount[slot] === 0 || size <= this.#slotMinimum[slot]!) {
				this.#recount(slot, -1);
				this.#recount(slot, 1);
				return;
			}

			const wasWaste = this.#slotCount[slot]! >= 2;
			if (wasWaste) this.wastedBytes -= this.#slotCumulative[slot]!;
			this.#slotCount[slot]! += leaving ? -1 : 1;
			this.#slotCumulative[slot]! += leaving ? -size : size;
			this.cumulativeSum += leaving ? -size : size;
			if (this.#slotCount[slot]! >= 2) this.wastedBytes += this.#slotCumulative[slot]!;
		}
	}

	/** Takes a slot out of the sums (-1), or recounts it from its entries left and puts it back (1). */
	#recount(slot: number, sign: 1 | -1): void {
		if (sign === 1) {
			const {start, entries} = this.#bySlot;
			let count = 0;
			let cumulative = 0;
			let minimum = Number.POSITIVE_INFINITY;
			for (let index = start[slot]!; index < start[slot + 1]!; index++) {
				const entry = entries[index]!;
				if (this.#entryCover[entry] !== 0) continue;
				const size = this.#entrySize[entry]!;
				count++;
				cumulative += size;
				if (size < minimum) minimum = size;
			}

			this.#slotCount[slot] = count;
			this.#slotCumulative[slot] = cumulative;
			this.#slotMinimum[slot] = count === 0 ? 0 : minimum;
		}

		this.minimumSum += sign * this.#slotMinimum[slot]!;
		this.cumulativeSum += sign * this.#slotCumulative[slot]!;
		if (this.#slotCount[slot]! >= 2) this.wastedBytes += sign * this.#slotCumulative[slot]!;
	}
}

/** Indices 0..n-1 grouped by their key (keys < keyCount; negative keys are left out), as start offsets and a flat list. */
function groupBy(keys: Int32Array, keyCount: number): {start: Int32Array; entries: Int32Array} {
	const start = new Int32Array(keyCount + 1);
	for (const key of keys) if (key >= 0) start[key + 1]!++;
	for (let key = 0; key < keyCount; key++) start[key + 1]! += start[key]!;
	const fill = start.slice(0, keyCount);
	const entries = new Int32Array(start[keyCount]!);
	for (let index = 0; index < keys.length; index++) {
		const key = keys[index]!;
		if (key >= 0) entries[fill[key]!++] = index;
	}

	return {start, entries};
}
