import type {ParsedLayer} from '../image/types.js';
import {findNode} from './path-node.js';
import type {DiveEfficiency, DiveInefficiency, FileVersion, PathNode} from './types.js';

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
	layers: ParsedLayer[],
	root: PathNode,
	entryNodes: Array<Array<PathNode | undefined>>,
	nodeCount: number,
): DiveEfficiency {
	// A path's slot is found by its node's id (a typed array: no hashing, and no map of a million
	// entries to collect afterwards); by path only for a whiteout of a path no layer ever had.
	const slotOfNode = new Int32Array(nodeCount).fill(-1);
	const slotOfPath = new Map<string, number>();
	const entryCount = layers.reduce((sum, layer) => sum + layer.entries.length, 0);
	const paths: string[] = [];
	const cumulative = new Float64Array(entryCount);
	const minimum = new Float64Array(entryCount);
	const count = new Int32Array(entryCount);
	let slots = 0;
	// Slots in the order they reached a count of 2, as dive's walk meets them.
	const becameInefficient: number[] = [];
	const whiteoutLayers = collectWhiteoutLayers(layers);

	for (const [layerIndex, layer] of layers.entries()) {
		const {entries} = layer;
		const nodes = entryNodes[layerIndex]!;
		const resolved = new Array<PathNode | undefined>(entries.length);
		// Nodes of this layer's tree that have something below them in the same layer: not leaves.
		const innerNodes = new Set<PathNode>();
		for (let position = 0; position < entries.length; position++) {
			const entry = entries[position]!;
			if (entry.type === 'opaque' || entry.path === '') {
				continue;
			}

			// A marker's node may only be created by a later layer; the key must still be that node.
			const node = nodes[position] ?? findNode(root, entry.path);
			resolved[position] = node;
			let parent = node ? node.parent : nearestNode(root, entry.path);
			while (parent && parent !== root && !innerNodes.has(parent)) {
				innerNodes.add(parent);
				parent = parent.parent;
			}
		}

		const reachedTwo: Array<{slot: number; order: string}> = [];
		for (let position = 0; position < entries.length; position++) {
			const entry = entries[position]!;
			if (entry.type === 'opaque' || entry.path === '') {
				continue;
			}

			const node = resolved[position];
			const isWhiteout = entry.type === 'whiteout';
			// A whiteout is its own `.wh.x` node, always a leaf.
			if (!isWhiteout && innerNodes.has(node!)) {
				continue;
			}

			const size = isWhiteout ? deletedSize(node, layerIndex, whiteoutLayers) : entry.size;
			const slot = node ? slotOfNode[node.id]! : (slotOfPath.get(entry.path) ?? -1);
			if (slot === -1) {
				if (node) {
					slotOfNode[node.id] = slots;
				} else {
					slotOfPath.set(entry.path, slots);
				}

				paths.push(entry.path);
				cumulative[slots] = size;
				minimum[slots] = size;
				count[slots] = 1;
				slots++;
				continue;
			}

			cumulative[slot]! += size;
			if (size < minimum[slot]!) {
				minimum[slot] = size;
			}

			count[slot]!++;
			if (count[slot] === 2) {
				reachedTwo.push({slot, order: diveVisitKey(entry.path, isWhiteout)});
			}
		}

		// Within one layer dive walks the tree with children sorted by name.
		reachedTwo.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
		for (const item of reachedTwo) {
			becameInefficient.push(item.slot);
		}
	}

	let minimumSum = 0;
	let cumulativeSum = 0;
	for (let slot = 0; slot < slots; slot++) {
		minimumSum += minimum[slot]!;
		cumulativeSum += cumulative[slot]!;
	}

	const ordered = becameInefficient
		.map((slot, position) => ({slot, position}))
		.sort((a, b) => cumulative[b.slot]! - cumulative[a.slot]! || b.position - a.position);
	const inefficiencies: DiveInefficiency[] = ordered.map(({slot}) => ({
		path: `/${paths[slot]!}`,
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

/** dive's layer size: the sum of tar header sizes, which is the regular-file bytes (links are 0). */
export function layerHeaderBytes(layer: ParsedLayer): number {
	let sum = 0;
	for (const entry of layer.entries) {
		sum += entry.size;
	}

	return sum;
}

/** The deepest existing node above a path no layer has (for a whiteout of such a path). */
function nearestNode(root: PathNode, path: string): PathNode {
	for (let slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
		const node = findNode(root, path.slice(0, slash));
		if (node) {
			return node;
		}
	}

	return root;
}

/** Sorting full paths with `/` below every other character equals a walk with children sorted by name. */
function diveVisitKey(path: string, isWhiteout: boolean): string {
	const slash = path.lastIndexOf('/');
	const named = isWhiteout ? `${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}` : path;
	return named.replaceAll('/', '\u0000');
}

function collectWhiteoutLayers(layers: ParsedLayer[]): Map<string, number[]> {
	const byPath = new Map<string, number[]>();
	for (const [layerIndex, layer] of layers.entries()) {
		for (const entry of layer.entries) {
			if (entry.type === 'whiteout') {
				const list = byPath.get(entry.path);
				if (list) {
					list.push(layerIndex);
				} else {
					byPath.set(entry.path, [layerIndex]);
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
	node: PathNode | undefined,
	layerIndex: number,
	whiteoutLayers: Map<string, number[]>,
): number {
	if (!node) {
		return 0;
	}

	let removedAt = -1;
	for (let ancestor: PathNode | undefined = node; ancestor; ancestor = ancestor.parent) {
		removedAt = Math.max(removedAt, latestBefore(whiteoutLayers.get(ancestor.path), layerIndex));
	}

	const own = latestVersionBefore(node, layerIndex);
	if (!own || own.layer < removedAt || own.entry.type !== 'dir') {
		return 0;
	}

	let size = 0;
	const stack: Array<{node: PathNode; removedAt: number}> = [{node, removedAt}];
	while (stack.length > 0) {
		const current = stack.pop()!;
		for (const child of current.node.children?.values() ?? []) {
			const childRemovedAt = Math.max(
				current.removedAt,
				latestBefore(whiteoutLayers.get(child.path), layerIndex),
			);
			const version = latestVersionBefore(child, layerIndex);
			if (version && version.layer >= childRemovedAt) {
				size += version.entry.size;
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

function latestVersionBefore(node: PathNode, layerIndex: number): FileVersion | undefined {
	for (let position = node.versions.length - 1; position >= 0; position--) {
		const version = node.versions[position]!;
		if (version.layer < layerIndex) {
			return version;
		}
	}

	return undefined;
}
