import {checkMemoryBudget} from '../memory-budget.js';
import type {EntryType, TarEntry} from './entry.js';
import {dirCode, type EntryColumns, fileCode} from './entry-columns.js';
import {fnvOffset, PathIndex, pathHash} from './path-index.js';
import {resized} from './typed-columns.js';

/** How a path in one layer compares with the filesystem stacked from the layers below it. */
export type ChangeKind = 'added' | 'modified' | 'removed' | 'unchanged';

/** Why bytes stored in a layer are not visible in the final filesystem. */
export type HideCause =
	/** A `.wh.<name>` whiteout deleted this file. */
	| 'deleted'
	/** A `.wh.<dir>` whiteout deleted a directory above this file. */
	| 'directory-deleted'
	/** A `.wh..wh..opq` marker hid the directory's lower contents. */
	| 'opaque-directory'
	/** An ancestor directory was replaced by a non-directory. */
	| 'parent-replaced'
	/** The same path was written again in a later layer. */
	| 'overwritten';

/** A change kind is stored as its index here. */
export const changeKinds: readonly ChangeKind[] = ['added', 'modified', 'removed', 'unchanged'];
export const addedCode = 0;
export const modifiedCode = 1;
export const unchangedCode = 3;

/** A hide cause is stored as its index here; 0 is "not hidden". */
export const hideCauses: readonly (HideCause | undefined)[] = [
	undefined,
	'deleted',
	'directory-deleted',
	'opaque-directory',
	'parent-replaced',
	'overwritten',
];
export const deletedCode = 1;
export const directoryDeletedCode = 2;
export const opaqueDirectoryCode = 3;
export const parentReplacedCode = 4;
export const overwrittenCode = 5;

/** No node, no version, no child. */
export const none = -1;
export const rootNode = 0;

const noRemovals: readonly number[] = Object.freeze([]);

/** A stacked tree as the analysis cache stores it: its columns as they are, and the few paths no entry names. */
export type StoredTree = Pick<
	PathTree,
	| 'nodeCount'
	| 'versionCount'
	| 'parents'
	| 'firstChild'
	| 'lastChild'
	| 'nextSibling'
	| 'lastVersion'
	| 'versionNode'
	| 'versionLayer'
	| 'versionRow'
	| 'versionKind'
	| 'hiddenBy'
	| 'hideCause'
	| 'previousVersion'
	| 'layerNodes'
> & {
	removals: Array<[number, number[]]>;
	/** Paths of the nodes without a version (the root, directories only implied by their files), in node order. */
	versionlessPaths: string[];
};

/** A stored tree that does not hold together. */
export class StoredTreeError extends Error {}

/**
Every path that ever appears in any layer, once, and every version of it, as columns indexed by id: no
object per path or per version. A node is a path (`paths[node]`, the root is node 0 with path ''), its
parent, its children as a linked list in the order the layers introduced them (tar order), and its
newest version. A version is one appearance of a path in one layer: the layer, the row of that layer's
entry columns, how it compares with the layer below, and the layer that hid it (-1 when it is visible
at the end); versions of a node are chained newest to oldest through `previousVersion`.

The stacked filesystem as of layer i is the set of versions with `layer <= i` and (`hiddenBy === -1` or
`hiddenBy > i`), so no per-layer tree copy is kept. Built once by `stackLayers`, then only read.
*/
export class PathTree {
	readonly layers: readonly EntryColumns[];
	nodeCount = 1;
	paths: string[] = [''];
	parents: Int32Array;
	firstChild: Int32Array;
	lastChild: Int32Array;
	nextSibling: Int32Array;
	lastVersion: Int32Array;
	versionCount = 0;
	versionNode: Int32Array;
	versionLayer: Int32Array;
	versionRow: Int32Array;
	versionKind: Uint8Array;
	hiddenBy: Int32Array;
	hideCause: Uint8Array;
	previousVersion: Int32Array;
	/** Per layer, the nodes it touched (added/modified/unchanged re-adds, and removals), in the order it touched them. */
	layerNodes: Int32Array[] = [];
	/** Layers whose whiteout/opaque marker removed a node, for the few nodes ever removed. */
	private readonly removals = new Map<number, number[]>();
	/** `pathHash` of each node's path, for `index`. */
	private hashes: Uint32Array;
	/** Node by path: an open-addressing table over `paths` and `hashes`, no map of strings. */
	private index: PathIndex;

	/** `expected`: how many entries the layers hold (the columns are sized for about that many nodes and versions). */
	constructor(
		layers: readonly EntryColumns[],
		expected = layers.reduce((sum, layer) => sum + layer.count, 0),
	) {
		this.layers = layers;
		const entries = expected;
		const nodes = Math.max(entries + 1, 16);
		this.parents = new Int32Array(nodes).fill(none);
		this.firstChild = new Int32Array(nodes).fill(none);
		this.lastChild = new Int32Array(nodes).fill(none);
		this.nextSibling = new Int32Array(nodes).fill(none);
		this.lastVersion = new Int32Array(nodes).fill(none);
		this.hashes = new Uint32Array(nodes);
		this.hashes[rootNode] = pathHash('');
		this.index = new PathIndex(nodes);
		const versions = Math.max(entries, 16);
		this.versionNode = new Int32Array(versions);
		this.versionLayer = new Int32Array(versions);
		this.versionRow = new Int32Array(versions);
		this.versionKind = new Uint8Array(versions);
		this.hiddenBy = new Int32Array(versions);
		this.hideCause = new Uint8Array(versions);
		this.previousVersion = new Int32Array(versions);
	}

	/** The node at a normalised path (`usr/bin/env`), or -1 when no layer stacked so far had it. */
	find(path: string, hash = pathHash(path)): number {
		return path === '' ? rootNode : this.index.find(path, hash, this.paths, this.hashes);
	}

	/** The last path segment. */
	name(node: number): string {
		const path = this.paths[node]!;
		return path.slice(path.lastIndexOf('/') + 1);
	}

	/** The children of a node in the order the layers introduced them. */
	children(node: number): number[] {
		const children: number[] = [];
		for (let child = this.firstChild[node]!; child !== none; child = this.nextSibling[child]!) {
			children.push(child);
		}

		return children;
	}

	/** Layers whose marker removed this node (for the "removed" rows of a layer's change view). */
	removedIn(node: number): readonly number[] {
		return this.removals.get(node) ?? noRemovals;
	}

	/** The version visible in the final filesystem, or -1. */
	finalVersion(node: number): number {
		const last = this.lastVersion[node]!;
		return last !== none && this.hiddenBy[last] === none ? last : none;
	}

	/** The newest version stored at or below `layer`, visible there or not; -1 when there is none. */
	versionAsOf(node: number, layer: number): number {
		let version = this.lastVersion[node]!;
		while (version !== none && this.versionLayer[version]! > layer) version = this.previousVersion[version]!;
		return version;
	}

	/** The version visible in the filesystem stacked from layers 0..layer, or -1. */
	versionAt(node: number, layer: number): number {
		const version = this.versionAsOf(node, layer);
		if (version === none) return none;
		const hiddenBy = this.hiddenBy[version]!;
		return hiddenBy === none || hiddenBy > layer ? version : none;
	}

	/** The version this node has in `layer` itself, or -1. */
	versionIn(node: number, layer: number): number {
		const version = this.versionAsOf(node, layer);
		return version !== none && this.versionLayer[version] === layer ? version : none;
	}

	/** Versions of a node, oldest first. */
	versions(node: number): number[] {
		const versions: number[] = [];
		for (let version = this.lastVersion[node]!; version !== none; version = this.previousVersion[version]!) {
			versions.push(version);
		}

		return versions.reverse();
	}

	kind(version: number): ChangeKind {
		return changeKinds[this.versionKind[version]!]!;
	}

	cause(version: number): HideCause | undefined {
		return hideCauses[this.hideCause[version]!];
	}

	/** The entry-type code of a version (see entryTypeCodes). */
	typeCode(version: number): number {
		return this.layers[this.versionLayer[version]!]!.types[this.versionRow[version]!]!;
	}

	type(version: number): EntryType {
		return this.layers[this.versionLayer[version]!]!.type(this.versionRow[version]!);
	}

	isFile(version: number): boolean {
		return this.typeCode(version) === fileCode;
	}

	isDirectory(version: number): boolean {
		return this.typeCode(version) === dirCode;
	}

	size(version: number): number {
		return this.layers[this.versionLayer[version]!]!.sizes[this.versionRow[version]!]!;
	}

	hash(version: number): string | undefined {
		return this.layers[this.versionLayer[version]!]!.hash(this.versionRow[version]!);
	}

	/** The version's entry as an object (cold paths: the details pane, exports of one file, tests). */
	entry(version: number): TarEntry {
		return this.layers[this.versionLayer[version]!]!.entry(this.versionRow[version]!);
	}

	/**
	Pre-order, children in the order the layers introduced them (tar order), so parents come before their
	children and the same image always gives the same order. No recursion and no stack: a crafted path
	100,000 directories deep walks like any other.
	*/
	forEachNode(visit: (node: number) => void): void {
		visit(rootNode);
		let node = this.firstChild[rootNode]!;
		let visited = 0;
		while (node !== none) {
			if ((++visited & 0xff_ff) === 0) checkMemoryBudget('walking the file tree');
			visit(node);
			const child = this.firstChild[node]!;
			if (child !== none) {
				node = child;
				continue;
			}

			while (node !== rootNode && this.nextSibling[node] === none) node = this.parents[node]!;
			node = node === rootNode ? none : this.nextSibling[node]!;
		}
	}

	/** The columns for the analysis cache (views of the tree's own arrays: encode them before anything changes). */
	toStored(): StoredTree {
		const nodes = this.nodeCount;
		const versions = this.versionCount;
		const versionlessPaths: string[] = [];
		for (let node = 0; node < nodes; node++) {
			if (this.lastVersion[node] === none) versionlessPaths.push(this.paths[node]!);
		}

		return {
			nodeCount: nodes,
			versionCount: versions,
			parents: this.parents.subarray(0, nodes),
			firstChild: this.firstChild.subarray(0, nodes),
			lastChild: this.lastChild.subarray(0, nodes),
			nextSibling: this.nextSibling.subarray(0, nodes),
			lastVersion: this.lastVersion.subarray(0, nodes),
			versionNode: this.versionNode.subarray(0, versions),
			versionLayer: this.versionLayer.subarray(0, versions),
			versionRow: this.versionRow.subarray(0, versions),
			versionKind: this.versionKind.subarray(0, versions),
			hiddenBy: this.hiddenBy.subarray(0, versions),
			hideCause: this.hideCause.subarray(0, versions),
			previousVersion: this.previousVersion.subarray(0, versions),
			layerNodes: this.layerNodes,
			removals: [...this.removals].map(([node, layers]) => [node, [...layers]]),
			versionlessPaths,
		};
	}

	/**
	A tree back from the analysis cache: a read, not a stacking. Every link is checked first (parents and
	versions point backwards, children and siblings forwards, every id in range), so a damaged file is a
	StoredTreeError and never a walk that does not end. Paths come from the entries the versions name.
	*/
	static fromStored(layers: readonly EntryColumns[], stored: StoredTree): PathTree {
		const {nodeCount: nodes, versionCount: versions} = stored;
		const fail = (what: string): never => {
			throw new StoredTreeError(`stored tree: ${what}`);
		};

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

		const inNodes = (id: number): boolean => id === none || (id > 0 && id < nodes);
		for (let node = 0; node < nodes; node++) {
			const parent = stored.parents[node]!;
			if (node === rootNode ? parent !== none : parent < 0 || parent >= node)
				fail('a parent after its child');
			const child = stored.firstChild[node]!;
			if (!inNodes(child) || (child !== none && (child <= node || stored.parents[child] !== node))) {
				fail('a first child that is not a child');
			}

			const sibling = stored.nextSibling[node]!;
			if (
				!inNodes(sibling) ||
				(sibling !== none && (sibling <= node || stored.parents[sibling] !== parent))
			) {
				fail('a sibling that is not a sibling');
			}

			if (!inNodes(stored.lastChild[node]!)) fail('a last child out of range');
			const last = stored.lastVersion[node]!;
			if (last < none || last >= versions || (last !== none && stored.versionNode[last] !== node)) {
				fail('a version of another node');
			}
		}

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

		if (stored.layerNodes.length !== layers.length) fail('layer lists of the wrong count');
		for (const list of stored.layerNodes) {
			for (const node of list) if (node < 1 || node >= nodes) fail('a layer list out of range');
		}

		const tree = new PathTree(layers, 0);
		const {removals, versionlessPaths, ...columns} = stored;
		Object.assign(tree, columns);
		for (const [node, removedIn] of removals) {
			if (!Number.isInteger(node) || node < 1 || node >= nodes || !Array.isArray(removedIn))
				fail('a bad removal');
			tree.removals.set(node, removedIn.map(Number));
		}

		let versionless = 0;
		tree.paths = new Array<string>(nodes);
		tree.hashes = new Uint32Array(nodes);
		tree.index = new PathIndex(nodes);
		for (let node = 0; node < nodes; node++) {
			const last = stored.lastVersion[node]!;
			let path: string | undefined;
			let hash: number;
			if (last === none) {
				path = versionlessPaths[versionless++];
				if (typeof path !== 'string') fail('a node without a path');
				hash = pathHash(path!);
			} else {
				// The entry's own path and the hash its columns computed for it.
				const columns = layers[stored.versionLayer[last]!]!;
				const row = stored.versionRow[last]!;
				path = columns.paths[row]!;
				hash = columns.pathHashes[row]!;
			}

			tree.paths[node] = path!;
			tree.hashes[node] = hash;
			if (node !== rootNode) tree.index.insert(node, hash, tree.hashes);
		}

		if (versionless !== versionlessPaths.length) fail('paths of the wrong count');
		return tree;
	}

	// ---- Building (stackLayers only) ----

	/**
	The node of a path (`hash` is its pathHash), created with its missing ancestors, top down, so ids
	follow creation order. The hash of each ancestor is the hash of a prefix: one pass over the path.
	*/
	ensure(path: string, hash: number): number {
		const existing = this.index.find(path, hash, this.paths, this.hashes);
		if (existing !== none) return existing;
		let parent = rootNode;
		let prefixHash = fnvOffset;
		let start = 0;
		for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', start)) {
			prefixHash = pathHash(path, prefixHash, start, slash);
			const found = this.index.findPrefix(path, slash, prefixHash, this.paths, this.hashes);
			parent = found === none ? this.createNode(path.slice(0, slash), prefixHash, parent) : found;
			// The separator belongs to the next prefix's hash.
			prefixHash = pathHash(path, prefixHash, slash, slash + 1);
			start = slash + 1;
		}

		return this.createNode(path, hash, parent);
	}

	/** The node of `path` (`hash` is its pathHash) under `parent`, which the caller knows is its parent. */
	ensureChild(path: string, hash: number, parent: number): number {
		const existing = this.index.find(path, hash, this.paths, this.hashes);
		return existing === none ? this.createNode(path, hash, parent) : existing;
	}

	addVersion(node: number, layer: number, row: number, kind: number): number {
		if (this.versionCount === this.versionNode.length) this.growVersions(this.versionCount * 2);
		const version = this.versionCount++;
		this.versionNode[version] = node;
		this.versionLayer[version] = layer;
		this.versionRow[version] = row;
		this.versionKind[version] = kind;
		this.hiddenBy[version] = none;
		this.hideCause[version] = 0;
		this.previousVersion[version] = this.lastVersion[node]!;
		this.lastVersion[node] = version;
		return version;
	}

	recordRemoval(node: number, layer: number): void {
		const list = this.removals.get(node);
		if (list === undefined) {
			this.removals.set(node, [layer]);
		} else {
			list.push(layer);
		}
	}

	/** Takes back this layer's removal of a node that the same layer writes again. */
	undoRemoval(node: number, layer: number): void {
		const list = this.removals.get(node);
		if (list?.at(-1) === layer) {
			list.pop();
			if (list.length === 0) this.removals.delete(node);
		}
	}

	lastRemoval(node: number): number {
		const list = this.removals.get(node);
		return list === undefined ? none : list.at(-1)!;
	}

	/** Gives the spare capacity back once every layer is stacked. */
	trim(): void {
		this.growNodes(this.nodeCount);
		this.growVersions(this.versionCount);
	}

	private createNode(path: string, hash: number, parent: number): number {
		if (this.nodeCount === this.parents.length) this.growNodes(this.nodeCount * 2);
		// Every 65,536 nodes: a crafted layer can unpack into tens of millions of paths (issue 17).
		if ((this.nodeCount & 0xff_ff) === 0) checkMemoryBudget('stacking the layers');
		const node = this.nodeCount++;
		this.paths.push(path);
		this.hashes[node] = hash;
		this.index.insert(node, hash, this.hashes);
		this.parents[node] = parent;
		const last = this.lastChild[parent]!;
		if (last === none) {
			this.firstChild[parent] = node;
		} else {
			this.nextSibling[last] = node;
		}

		this.lastChild[parent] = node;
		return node;
	}

	private growNodes(capacity: number): void {
		this.parents = resized(this.parents, capacity, none);
		this.firstChild = resized(this.firstChild, capacity, none);
		this.lastChild = resized(this.lastChild, capacity, none);
		this.nextSibling = resized(this.nextSibling, capacity, none);
		this.lastVersion = resized(this.lastVersion, capacity, none);
		this.hashes = resized(this.hashes, capacity);
	}

	private growVersions(capacity: number): void {
		this.versionNode = resized(this.versionNode, capacity);
		this.versionLayer = resized(this.versionLayer, capacity);
		this.versionRow = resized(this.versionRow, capacity);
		this.versionKind = resized(this.versionKind, capacity);
		this.hiddenBy = resized(this.hiddenBy, capacity);
		this.hideCause = resized(this.hideCause, capacity);
		this.previousVersion = resized(this.previousVersion, capacity);
	}
}
