import type {EntryColumns} from './entry-columns.js';
import {none, rootNode} from './ids.js';
import {PathIndex, pathHash} from './path-index.js';
import {changeKinds, hideCauses, type StoredTree, StoredTreeError, type TreeColumns} from './tree-columns.js';

/**
The stored form of a tree, what the analysis cache writes and reads back: `toStoredTree` takes a tree's
columns as they are, `readStoredTree` checks a stored tree link by link and rebuilds what is not stored
(the paths, their hashes and the path index).
*/

/** The columns for the analysis cache (views of the tree's own arrays: encode them before anything changes). */
export function toStoredTree(columns: TreeColumns): StoredTree {
	const {nodeCount: nodes, versionCount: versions} = columns;
	const versionlessPaths: string[] = [];
	for (let node = 0; node < nodes; node++) {
		if (columns.lastVersion[node] === none) versionlessPaths.push(columns.paths[node]!);
	}

	return {
		nodeCount: nodes,
		versionCount: versions,
		parents: columns.parents.subarray(0, nodes),
		firstChild: columns.firstChild.subarray(0, nodes),
		lastChild: columns.lastChild.subarray(0, nodes),
		nextSibling: columns.nextSibling.subarray(0, nodes),
		lastVersion: columns.lastVersion.subarray(0, nodes),
		versionNode: columns.versionNode.subarray(0, versions),
		versionLayer: columns.versionLayer.subarray(0, versions),
		versionRow: columns.versionRow.subarray(0, versions),
		versionKind: columns.versionKind.subarray(0, versions),
		hiddenBy: columns.hiddenBy.subarray(0, versions),
		hideCause: columns.hideCause.subarray(0, versions),
		previousVersion: columns.previousVersion.subarray(0, versions),
		layerNodes: [...columns.layerNodes],
		removals: [...columns.removals].map(([node, layers]) => [node, [...layers]]),
		versionlessPaths,
	};
}

/**
A tree's columns back from the analysis cache: a read, not a stacking. Every link is checked first
(parents and versions point backwards, children and siblings forwards, every id in range), so a damaged
file is a StoredTreeError and never a walk that does not end. Paths come from the entries the versions name.
*/
export function readStoredTree(layers: readonly EntryColumns[], stored: StoredTree): TreeColumns {
	checkCounts(stored);
	checkNodes(stored);
	checkVersions(layers, stored);
	checkLayerLists(layers, stored);
	const {removals: storedRemovals, versionlessPaths, ...stacked} = stored;
	const removals = readRemovals(storedRemovals, stored.nodeCount);
	return {...stacked, ...readPaths(layers, stored), removals};
}

function fail(what: string): never {
	throw new StoredTreeError(`stored tree: ${what}`);
}

function checkCounts(stored: StoredTree): void {
	const {nodeCount: nodes, versionCount: versions} = stored;
	if (!Number.isInteger(nodes) || nodes < 1 || !Number.isInteger(versions) || versions < 0)
		fail('bad counts');
	for (const column of [
		stored.parents,
		stored.firstChild,
		stored.lastChild,
		stored.nextSibling,
		stored.lastVersion,
	]) {
		if (column.length !== nodes) fail('node column of the wrong length');
	}

	for (const column of [
		stored.versionNode,
		stored.versionLayer,
		stored.versionRow,
		stored.versionKind,
		stored.hiddenBy,
		stored.hideCause,
		stored.previousVersion,
	]) {
		if (column.length !== versions) fail('version column of the wrong length');
	}
}

function checkNodes(stored: StoredTree): void {
	const {nodeCount: nodes, versionCount: versions} = stored;
	const inNodes = (id: number): boolean => id === none || (id > 0 && id < nodes);
	for (let node = 0; node < nodes; node++) {
		const parent = stored.parents[node]!;
		if (node === rootNode ? parent !== none : parent < 0 || parent >= node) fail('a parent after its child');
		const child = stored.firstChild[node]!;
		if (!inNodes(child) || (child !== none && (child <= node || stored.parents[child] !== node))) {
			fail('a first child that is not a child');
		}

		const sibling = stored.nextSibling[node]!;
		if (!inNodes(sibling) || (sibling !== none && (sibling <= node || stored.parents[sibling] !== parent))) {
			fail('a sibling that is not a sibling');
		}

		if (!inNodes(stored.lastChild[node]!)) fail('a last child out of range');
		const last = stored.lastVersion[node]!;
		if (last < none || last >= versions || (last !== none && stored.versionNode[last] !== node)) {
			fail('a version of another node');
		}
	}
}

function checkVersions(layers: readonly EntryColumns[], stored: StoredTree): void {
	const {nodeCount: nodes, versionCount: versions} = stored;
	for (let version = 0; version < versions; version++) {
		const layer = stored.versionLayer[version]!;
		const node = stored.versionNode[version]!;
		const previous = stored.previousVersion[version]!;
		const hiddenBy = stored.hiddenBy[version]!;
		if (node < 1 || node >= nodes || layer < 0 || layer >= layers.length) fail('a version out of range');
		const row = stored.versionRow[version]!;
		if (row < 0 || row >= layers[layer]!.count) fail('a version of a missing entry');
		if (
			previous < none ||
			previous >= version ||
			(previous !== none && stored.versionNode[previous] !== node)
		) {
			fail('versions out of order');
		}

		if (hiddenBy < none || hiddenBy >= layers.length) fail('a hiding layer out of range');
		if (
			stored.versionKind[version]! >= changeKinds.length ||
			stored.hideCause[version]! >= hideCauses.length
		) {
			fail('an unknown kind or cause');
		}
	}
}

function checkLayerLists(layers: readonly EntryColumns[], stored: StoredTree): void {
	if (stored.layerNodes.length !== layers.length) fail('layer lists of the wrong count');
	for (const list of stored.layerNodes) {
		for (const node of list) if (node < 1 || node >= stored.nodeCount) fail('a layer list out of range');
	}
}

function readRemovals(stored: StoredTree['removals'], nodes: number): Map<number, number[]> {
	const removals = new Map<number, number[]>();
	for (const [node, removedIn] of stored) {
		if (!Number.isInteger(node) || node < 1 || node >= nodes || !Array.isArray(removedIn))
			fail('a bad removal');
		removals.set(node, removedIn.map(Number));
	}

	return removals;
}

/** Each node's path and hash (from the entry its newest version names, or the stored versionless paths) and the index over them. */
function readPaths(
	layers: readonly EntryColumns[],
	stored: StoredTree,
): Pick<TreeColumns, 'paths' | 'hashes' | 'index'> {
	const {nodeCount: nodes, versionlessPaths} = stored;
	let versionless = 0;
	const paths = new Array<string>(nodes);
	const hashes = new Uint32Array(nodes);
	const index = new PathIndex(nodes);
	for (let node = 0; node < nodes; node++) {
		const last = stored.lastVersion[node]!;
		let path: string | undefined;
		let hash: number;
		if (last === none) {
			path = versionlessPaths[versionless++];
			if (typeof path !== 'string') fail('a node without a path');
			hash = pathHash(path);
		} else {
			// The entry's own path and the hash its columns computed for it.
			const columns = layers[stored.versionLayer[last]!]!;
			const row = stored.versionRow[last]!;
			path = columns.path(row);
			hash = columns.pathHash(row);
		}

		paths[node] = path;
		hashes[node] = hash;
		if (node !== rootNode) index.insert(node, hash, hashes);
	}

	if (versionless !== versionlessPaths.length) fail('paths of the wrong count');
	return {paths, hashes, index};
}
