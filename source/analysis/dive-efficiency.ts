import {
	dirCode,
	type EntryColumns,
	type NodeId,
	nodeId,
	opaqueCode,
	type PathTree,
	rootNode,
	whiteoutCode,
} from '../engine/index.js';
import type {DiveEfficiency, DiveInefficiency} from './types.js';

/**
dive 0.13's efficiency figures, quirks included, so CI thresholds written for dive keep their meaning:
- per layer, only the LEAVES of that layer's own tree count (a directory with entries below it in the
  same layer does not; implicit parents are never leaves);
- a `.wh.x` counts as path x: size 0 when dive's stacked lower tree has a file there, the summed size of
  the subtree when it has a directory (so deleting a directory never shows up as waste);
- opaque markers are ignored entirely;
- wasted = Σ cumulative size of every path seen twice or more, the kept copy included;
- user size = every layer but layer 0; wasted-user percent is 0 (not dive's NaN) when that is 0.
Ties in the inefficiency list come out as dive's (stable ascending sort, printed in reverse): the path that
became inefficient later comes first.
*/
export function computeDiveEfficiency(
	layers: readonly DiveLayer[],
	tree: PathTree,
	visit?: DiveEntryVisitor,
): DiveEfficiency {
	const entryCount = layers.reduce((sum, layer) => sum + layer.entries.count, 0);
	const slots = new DiveSlots(tree.nodeCount, entryCount);
	// Slots in the order they reached a count of 2, as dive's walk meets them.
	const becameInefficient: number[] = [];
	const whiteoutLayers = collectWhiteoutLayers(layers);
	// Per node, 1 + the last layer in which it had something below it in that layer's own tree: not a leaf there.
	const innerIn = new Int32Array(tree.nodeCount);
	for (const [layerIndex, layer] of layers.entries()) {
		const resolved = markInnerNodes(tree, layer.entries, innerIn, layerIndex + 1);
		const reachedTwo = countLayer(layerIndex, layer.entries, {
			tree,
			resolved,
			innerIn,
			slots,
			whiteoutLayers,
			visit,
		});
		// Within one layer dive walks the tree with children sorted by name.
		reachedTwo.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
		for (const item of reachedTwo) becameInefficient.push(item.slot);
	}

	return efficiencyOf(layers, slots, becameInefficient);
}

/**
One slot per path that counts, as first met, with its cumulative and minimum size and how often it was
met. A path's slot is found by its node's id (a typed array: no hashing, and no map of a million entries
to collect afterwards); by path only for a whiteout of a path no layer ever had.
*/
class DiveSlots {
	readonly slotOfNode: Int32Array;
	readonly slotOfPath = new Map<string, number>();
	readonly paths: string[] = [];
	readonly cumulative: Float64Array;
	readonly minimum: Float64Array;
	readonly count: Int32Array;
	size = 0;

	constructor(nodeCount: number, entryCount: number) {
		this.slotOfNode = new Int32Array(nodeCount).fill(-1);
		this.cumulative = new Float64Array(entryCount);
		this.minimum = new Float64Array(entryCount);
		this.count = new Int32Array(entryCount);
	}

	/** The slot of a path met before, or -1. */
	find(path: string, node: NodeId | undefined): number {
		return node !== undefined ? this.slotOfNode[node]! : (this.slotOfPath.get(path) ?? -1);
	}

	open(path: string, node: NodeId | undefined, size: number): void {
		const slot = this.size++;
		if (node !== undefined) this.slotOfNode[node] = slot;
		else this.slotOfPath.set(path, slot);
		this.paths.push(path);
		this.cumulative[slot] = size;
		this.minimum[slot] = size;
		this.count[slot] = 1;
	}

	/** Counts a path met again; its new count. */
	add(slot: number, size: number): number {
		this.cumulative[slot]! += size;
		if (size < this.minimum[slot]!) this.minimum[slot] = size;
		return ++this.count[slot]!;
	}
}

/**
Resolves each entry of a layer to its node and marks the nodes with something below them in this layer's
own tree (`innerIn[node] === mark`). A marker's node may only be created by a later layer; the key must
still be that node.
*/
function markInnerNodes(
	tree: PathTree,
	entries: EntryColumns,
	innerIn: Int32Array,
	mark: number,
): Int32Array {
	const resolved = new Int32Array(entries.count).fill(noNode);
	for (let row = 0; row < entries.count; row++) {
		const path = entries.path(row);
		if (entries.typeCode(row) === opaqueCode || path === '') continue;
		const node = tree.find(path, entries.pathHash(row));
		resolved[row] = node ?? noNode;
		let parent = node !== undefined ? tree.parentOf(node) : nearestNode(tree, path);
		while (parent !== undefined && parent !== rootNode && innerIn[parent] !== mark) {
			innerIn[parent] = mark;
			parent = tree.parentOf(parent);
		}
	}

	return resolved;
}

type LayerCount = {
	tree: PathTree;
	resolved: Int32Array;
	innerIn: Int32Array;
	slots: DiveSlots;
	whiteoutLayers: Map<string, number[]>;
	visit: DiveEntryVisitor | undefined;
};

/** Counts a layer's leaves into their slots; the slots that reached a count of 2 here, with dive's walk order. */
function countLayer(
	layerIndex: number,
	entries: EntryColumns,
	{tree, resolved, innerIn, slots, whiteoutLayers, visit}: LayerCount,
): Array<{slot: number; order: string}> {
	const mark = layerIndex + 1;
	const reachedTwo: Array<{slot: number; order: string}> = [];
	for (let row = 0; row < entries.count; row++) {
		const path = entries.path(row);
		if (entries.typeCode(row) === opaqueCode || path === '') continue;
		const found = resolved[row]!;
		const node = found === noNode ? undefined : nodeId(found);
		const isWhiteout = entries.typeCode(row) === whiteoutCode;
		// A whiteout is its own `.wh.x` node, always a leaf.
		if (!isWhiteout && node !== undefined && innerIn[node] === mark) continue;
		const size = isWhiteout ? deletedSize(tree, node, layerIndex, whiteoutLayers) : entries.size(row);
		const slot = slots.find(path, node);
		visit?.(layerIndex, row, node, slot === -1 ? slots.size : slot, size);
		if (slot === -1) slots.open(path, node, size);
		else if (slots.add(slot, size) === 2) reachedTwo.push({slot, order: diveVisitKey(path, isWhiteout)});
	}

	return reachedTwo;
}

function efficiencyOf(
	layers: readonly DiveLayer[],
	slots: DiveSlots,
	becameInefficient: number[],
): DiveEfficiency {
	const {cumulative, minimum, count} = slots;
	let minimumSum = 0;
	let cumulativeSum = 0;
	for (let slot = 0; slot < slots.size; slot++) {
		minimumSum += minimum[slot]!;
		cumulativeSum += cumulative[slot]!;
	}

	const ordered = becameInefficient
		.map((slot, position) => ({slot, position}))
		.sort((a, b) => cumulative[b.slot]! - cumulative[a.slot]! || b.position - a.position);
	const inefficiencies: DiveInefficiency[] = ordered.map(({slot}) => ({
		path: `/${slots.paths[slot]!}`,
		count: count[slot]!,
		cumulativeSizeBytes: cumulative[slot]!,
	}));

	const wastedBytes = inefficiencies.reduce((sum, item) => sum + item.cumulativeSizeBytes, 0);
	const userSizeBytes = layers.reduce(
		(sum, layer, index) => (index === 0 ? sum : sum + layerHeaderBytes(layer)),
		0,
	);

	return {
		score: cumulativeSum === 0 ? 1 : minimumSum / cumulativeSum,
		wastedBytes,
		userSizeBytes,
		wastedUserPercent: userSizeBytes === 0 ? 0 : wastedBytes / userSizeBytes,
		inefficiencies,
	};
}

/** What the figures read of a layer: its entries (a parsed layer, or the tree's own columns). */
export type DiveLayer = {readonly entries: EntryColumns};

/**
Told of every entry that counts, in dive's order: its layer and row, its node (undefined for a whiteout of a
path no layer had), its slot (one per path, numbered from 0 as first met) and the size dive gives it. The
what-if model keeps these to recompute the score without walking the layers again.
*/
export type DiveEntryVisitor = (
	layer: number,
	row: number,
	node: NodeId | undefined,
	slot: number,
	size: number,
) => void;

/** No node in `resolved`: a whiteout of a path no layer ever had. */
const noNode = -1;

/** dive's layer size: the sum of tar header sizes, which is the regular-file bytes (links are 0). */
export function layerHeaderBytes(layer: DiveLayer): number {
	const {entries} = layer;
	let sum = 0;
	for (let row = 0; row < entries.count; row++) {
		sum += entries.size(row);
	}

	return sum;
}

/** The deepest existing node above a path no layer has (for a whiteout of such a path). */
function nearestNode(tree: PathTree, path: string): NodeId {
	for (let slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
		const node = tree.find(path.slice(0, slash));
		if (node !== undefined) {
			return node;
		}
	}

	return rootNode;
}

/** Sorting full paths with `/` below every other character equals a walk with children sorted by name. */
function diveVisitKey(path: string, isWhiteout: boolean): string {
	const slash = path.lastIndexOf('/');
	const named = isWhiteout ? `${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}` : path;
	return named.replaceAll('/', '\u0000');
}

function collectWhiteoutLayers(layers: readonly DiveLayer[]): Map<string, number[]> {
	const byPath = new Map<string, number[]>();
	for (const [layerIndex, layer] of layers.entries()) {
		const {entries} = layer;
		for (let row = 0; row < entries.count; row++) {
			if (entries.typeCode(row) === whiteoutCode) {
				const path = entries.path(row);
				const list = byPath.get(path);
				if (list) {
					list.push(layerIndex);
				} else {
					byPath.set(path, [layerIndex]);
				}
			}
		}
	}

	return byPath;
}

/**
The size dive gives a whiteout: 0 unless dive's stack of the layers below has a directory at that path
(a node only ever created implicitly has no directory flag in dive, so it counts 0 too); then the sizes
of everything below it in that stack. dive's stack only knows whiteouts: a path exists when its latest
write below this layer is not older than the latest whiteout of it or of any ancestor.
*/
function deletedSize(
	tree: PathTree,
	node: NodeId | undefined,
	layerIndex: number,
	whiteoutLayers: Map<string, number[]>,
): number {
	if (node === undefined) {
		return 0;
	}

	let removedAt = -1;
	for (let ancestor: NodeId | undefined = node; ancestor !== undefined; ancestor = tree.parentOf(ancestor)) {
		removedAt = Math.max(removedAt, latestBefore(whiteoutLayers.get(tree.pathOf(ancestor)), layerIndex));
	}

	const own = tree.versionAsOf(node, layerIndex - 1);
	if (own === undefined || tree.layerOf(own) < removedAt || tree.typeCode(own) !== dirCode) {
		return 0;
	}

	let size = 0;
	const stack: Array<{node: NodeId; removedAt: number}> = [{node, removedAt}];
	while (stack.length > 0) {
		const current = stack.pop()!;
		for (const child of tree.childrenOf(current.node)) {
			const childRemovedAt = Math.max(
				current.removedAt,
				latestBefore(whiteoutLayers.get(tree.pathOf(child)), layerIndex),
			);
			const version = tree.versionAsOf(child, layerIndex - 1);
			if (version !== undefined && tree.layerOf(version) >= childRemovedAt) {
				size += tree.size(version);
			}

			stack.push({node: child, removedAt: childRemovedAt});
		}
	}

	return size;
}

function latestBefore(layerList: number[] | undefined, layerIndex: number): number {
	if (!layerList) {
		return -1;
	}

	let latest = -1;
	for (const layer of layerList) {
		if (layer < layerIndex && layer > latest) {
			latest = layer;
		}
	}

	return latest;
}
