import {checkMemoryBudget} from '../shared/memory-budget.js';
import type {EntryType, TarEntry} from './entry.js';
import {dirCode, type EntryColumns, fileCode} from './entry-columns.js';
import {PathIndex, pathHash} from './path-index.js';
import {resized} from './typed-columns.js';

/** How a path in one layer compares with the filesystem stacked from the layers below it. */
export type ChangeKind = 'added' | 'modified' | 'removed' | 'unchanged';

/** A layer's changes in non-directory paths (`PathTree.changeCounts`). */
export type LayerChangeCounts = {added: number; modified: number; removed: number};

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

/** A path of one tree: its id there (the root is `rootNode`); ids follow the order the layers created them. */
export type NodeId = number;
/** One appearance of a path in one layer: its id in one tree, in the order the layers were stacked. */
export type VersionId = number;
/** An entry's index in its layer's entry columns. */
export type Row = number;

/** A stacked tree as the analysis cache stores it: its columns as they are, and the few paths no entry names. */
export type StoredTree = {
	nodeCount: number;
	versionCount: number;
	parents: Int32Array;
	firstChild: Int32Array;
	lastChild: Int32Array;
	nextSibling: Int32Array;
	lastVersion: Int32Array;
	versionNode: Int32Array;
	versionLayer: Int32Array;
	versionRow: Int32Array;
	versionKind: Uint8Array;
	hiddenBy: Int32Array;
	hideCause: Uint8Array;
	previousVersion: Int32Array;
	layerNodes: Int32Array[];
	removals: Array<[number, number[]]>;
	/** Paths of the nodes without a version (the root, directories only implied by their files), in node order. */
	versionlessPaths: string[];
};

/** A stored tree that does not hold together. */
export class StoredTreeError extends Error {}

/**
The storage of a tree, shared by the builder (which fills it) and the tree (which only reads it); never
seen outside the engine. Per node: path, path hash, parent, first and last child, next sibling, newest
version. Per version: node, layer, entry row, change kind, the layer that hid it (-1: visible at the
end), why, and the next older version of its node.
*/
export type TreeColumns = Omit<StoredTree, 'removals' | 'versionlessPaths'> & {
	paths: string[];
	hashes: Uint32Array;
	index: PathIndex;
	removals: Map<number, number[]>;
};

/**
What a node shows in the filesystem as of one layer (`PathTree.statusAt`) or in one layer's own changes
(`PathTree.changeIn`): filled in place, so a walk over a million nodes allocates nothing per node.
*/
export type NodeStatus = {
	/** The version shown; for a removed path, the version that was removed; undefined for a directory only implied by its files. */
	version: VersionId | undefined;
	status: ChangeKind;
	/** Shown only as the way to a change below it (changes mode), not a change itself. */
	isContext: boolean;
	/** The version shown is hidden by a later layer: its bytes are stored for nothing. */
	hiddenLater: boolean;
};

const orUndefined = (id: number): number | undefined => (id === none ? undefined : id);

/**
Every path that ever appears in any layer, once, and every version of it, as private columns indexed by
id: no object per path or per version. A node is a path (the root is `rootNode`, path ''), its parent, its
children in the order the layers introduced them (tar order), and its newest version. A version is one
appearance of a path in one layer: the layer, the row of that layer's entry columns, how it compares with
the layer below, and the layer that hid it (none when it is visible at the end); a node's versions are
chained newest to oldest.

The stacked filesystem as of layer i is the set of versions with `layer <= i` and not hidden by a layer
`<= i`, so no per-layer tree copy is kept. Built once by `stackLayers` (through a PathTreeBuilder) or read
back from the cache, then only read, through the queries below.
*/
export class PathTree {
	readonly layers: readonly EntryColumns[];
	readonly nodeCount: number;
	readonly versionCount: number;
	readonly #paths: readonly string[];
	readonly #hashes: Uint32Array;
	readonly #index: PathIndex;
	readonly #parents: Int32Array;
	readonly #firstChild: Int32Array;
	readonly #lastChild: Int32Array;
	readonly #nextSibling: Int32Array;
	readonly #lastVersion: Int32Array;
	readonly #versionNode: Int32Array;
	readonly #versionLayer: Int32Array;
	readonly #versionRow: Int32Array;
	readonly #versionKind: Uint8Array;
	readonly #hiddenBy: Int32Array;
	readonly #hideCause: Uint8Array;
	readonly #previousVersion: Int32Array;
	readonly #layerNodes: readonly Int32Array[];
	readonly #removals: ReadonlyMap<number, readonly number[]>;

	/** Only the builder and `fromStored` make a tree: `columns` is then handed over and never written again. */
	constructor(layers: readonly EntryColumns[], columns: TreeColumns) {
		this.layers = layers;
		this.nodeCount = columns.nodeCount;
		this.versionCount = columns.versionCount;
		this.#paths = columns.paths;
		this.#hashes = columns.hashes;
		this.#index = columns.index;
		this.#parents = columns.parents;
		this.#firstChild = columns.firstChild;
		this.#lastChild = columns.lastChild;
		this.#nextSibling = columns.nextSibling;
		this.#lastVersion = columns.lastVersion;
		this.#versionNode = columns.versionNode;
		this.#versionLayer = columns.versionLayer;
		this.#versionRow = columns.versionRow;
		this.#versionKind = columns.versionKind;
		this.#hiddenBy = columns.hiddenBy;
		this.#hideCause = columns.hideCause;
		this.#previousVersion = columns.previousVersion;
		this.#layerNodes = columns.layerNodes;
		this.#removals = columns.removals;
	}

	// ---- Nodes ----

	/** The node at a normalised path (`usr/bin/env`), or undefined when no layer had it. */
	find(path: string, hash = pathHash(path)): NodeId | undefined {
		return path === '' ? rootNode : orUndefined(this.#index.find(path, hash, this.#paths, this.#hashes));
	}

	pathOf(node: NodeId): string {
		return this.#paths[node]!;
	}

	/** The last path segment. */
	name(node: NodeId): string {
		const path = this.#paths[node]!;
		return path.slice(path.lastIndexOf('/') + 1);
	}

	/** The parent directory's node; undefined for the root. */
	parentOf(node: NodeId): NodeId | undefined {
		return orUndefined(this.#parents[node]!);
	}

	hasChildren(node: NodeId): boolean {
		return this.#firstChild[node] !== none;
	}

	/** The children of a node in the order the layers introduced them. */
	*childrenOf(node: NodeId): IterableIterator<NodeId> {
		for (let child = this.#firstChild[node]!; child !== none; child = this.#nextSibling[child]!) yield child;
	}

	/** The nodes a layer touched (added, modified, unchanged re-adds, and removals), in the order it touched them. */
	touchedIn(layer: number): readonly NodeId[] {
		const nodes = this.#layerNodes[layer];
		return nodes === undefined ? [] : Array.from(nodes);
	}

	/** Layers whose marker removed this node (for the "removed" rows of a layer's change view). */
	removedIn(node: NodeId): readonly number[] {
		return this.#removals.get(node) ?? noRemovals;
	}

	// ---- A node's versions ----

	/** The newest version of a node, visible or not; undefined for a directory only implied by its files. */
	newestVersion(node: NodeId): VersionId | undefined {
		return orUndefined(this.#lastVersion[node]!);
	}

	/** The version visible in the final filesystem. */
	finalVersion(node: NodeId): VersionId | undefined {
		const last = this.#lastVersion[node]!;
		return last !== none && this.#hiddenBy[last] === none ? last : undefined;
	}

	/** The newest version stored at or below `layer`, visible there or not. */
	versionAsOf(node: NodeId, layer: number): VersionId | undefined {
		return orUndefined(this.#versionAsOf(node, layer));
	}

	/** The version visible in the filesystem stacked from layers 0..layer. */
	versionAt(node: NodeId, layer: number): VersionId | undefined {
		return orUndefined(this.#versionAt(node, layer));
	}

	/** The version this node has in `layer` itself. */
	versionIn(node: NodeId, layer: number): VersionId | undefined {
		const version = this.#versionAsOf(node, layer);
		return version !== none && this.#versionLayer[version] === layer ? version : undefined;
	}

	/** Versions of a node, oldest first. */
	versions(node: NodeId): VersionId[] {
		const versions: VersionId[] = [];
		for (
			let version = this.#lastVersion[node]!;
			version !== none;
			version = this.#previousVersion[version]!
		) {
			versions.push(version);
		}

		return versions.reverse();
	}

	/**
	What the filesystem as of `layer` shows at `node`, into `into`; false when the path is not there (not
	yet added, or removed before this layer). A path removed by this very layer shows as 'removed' with
	the version it removed; a directory only implied by its files shows as 'unchanged' without a version.
	*/
	statusAt(node: NodeId, layer: number, into: NodeStatus): boolean {
		const version = this.#versionAsOf(node, layer);
		const hiddenBy = version === none ? none : this.#hiddenBy[version]!;
		if (version !== none && (hiddenBy === none || hiddenBy > layer)) {
			return setStatus(
				into,
				version,
				this.#versionLayer[version] === layer ? changeKinds[this.#versionKind[version]!]! : 'unchanged',
				false,
				hiddenBy !== none,
			);
		}

		if ((version !== none && hiddenBy === layer) || this.removedIn(node).includes(layer)) {
			return setStatus(into, orUndefined(version), 'removed', false, false);
		}

		return this.#lastVersion[node] !== none || this.#firstChild[node] === none
			? false
			: setStatus(into, undefined, 'unchanged', false, false);
	}

	/**
	What `node` shows among the changes of `layer` itself, into `into`: its own version there, the version
	the layer removed, or (for a directory on the way to a change) the version it had, as context.
	*/
	changeIn(node: NodeId, layer: number, into: NodeStatus): void {
		const own = this.#versionAsOf(node, layer);
		if (own !== none && this.#versionLayer[own] === layer) {
			setStatus(into, own, changeKinds[this.#versionKind[own]!]!, false, this.#hiddenBy[own] !== none);
		} else if (this.removedIn(node).includes(layer)) {
			setStatus(into, this.versionAsOf(node, layer - 1), 'removed', false, false);
		} else {
			setStatus(into, orUndefined(own), 'unchanged', true, false);
		}
	}

	/**
	What `layer` changed, in non-directory paths. A non-directory replaced by a directory counts as removed
	(the file is gone); a directory replaced by a non-directory counts by the new entry's kind.
	*/
	changeCounts(layer: number): LayerChangeCounts {
		const counts: LayerChangeCounts = {added: 0, modified: 0, removed: 0};
		for (const node of this.#layerNodes[layer] ?? []) {
			// The node's newest version as this layer left it.
			const last = this.#versionAsOf(node, layer);
			if (last === none) continue;
			if (this.#versionLayer[last] === layer) {
				if (this.typeCode(last) !== dirCode) {
					if (this.#versionKind[last] === addedCode) {
						counts.added++;
					} else if (this.#versionKind[last] === modifiedCode) {
						counts.modified++;
					}
				} else {
					const before = this.#previousVersion[last]!;
					if (before !== none && this.#hiddenBy[before] === layer && this.typeCode(before) !== dirCode) {
						counts.removed++;
					}
				}
			} else if (this.#hiddenBy[last] === layer && this.typeCode(last) !== dirCode) {
				counts.removed++;
			}
		}

		return counts;
	}

	// ---- Versions ----

	nodeOf(version: VersionId): NodeId {
		return this.#versionNode[version]!;
	}

	/** The layer that stored this version. */
	layerOf(version: VersionId): number {
		return this.#versionLayer[version]!;
	}

	/** The row of this version's entry in its layer's entry columns. */
	rowOf(version: VersionId): Row {
		return this.#versionRow[version]!;
	}

	/** The layer's entry columns and the row of this version's entry there, for reading a field without an object. */
	entryOf(version: VersionId): {columns: EntryColumns; row: Row} {
		return {columns: this.layers[this.#versionLayer[version]!]!, row: this.#versionRow[version]!};
	}

	/** The next older version of the same node. */
	previousOf(version: VersionId): VersionId | undefined {
		return orUndefined(this.#previousVersion[version]!);
	}

	/** The layer whose entry or marker hid this version; undefined while it is visible at the end. */
	hiddenIn(version: VersionId): number | undefined {
		return orUndefined(this.#hiddenBy[version]!);
	}

	isHidden(version: VersionId): boolean {
		return this.#hiddenBy[version] !== none;
	}

	kind(version: VersionId): ChangeKind {
		return changeKinds[this.#versionKind[version]!]!;
	}

	cause(version: VersionId): HideCause | undefined {
		return hideCauses[this.#hideCause[version]!];
	}

	/** The entry-type code of a version (see entryTypeCodes). */
	typeCode(version: VersionId): number {
		return this.layers[this.#versionLayer[version]!]!.types[this.#versionRow[version]!]!;
	}

	type(version: VersionId): EntryType {
		return this.layers[this.#versionLayer[version]!]!.type(this.#versionRow[version]!);
	}

	isFile(version: VersionId): boolean {
		return this.typeCode(version) === fileCode;
	}

	isDirectory(version: VersionId): boolean {
		return this.typeCode(version) === dirCode;
	}

	size(version: VersionId): number {
		return this.layers[this.#versionLayer[version]!]!.sizes[this.#versionRow[version]!]!;
	}

	hash(version: VersionId): string | undefined {
		return this.layers[this.#versionLayer[version]!]!.hash(this.#versionRow[version]!);
	}

	/** The version's entry as an object (cold paths: the details pane, exports of one file, tests). */
	entry(version: VersionId): TarEntry {
		return this.layers[this.#versionLayer[version]!]!.entry(this.#versionRow[version]!);
	}

	// ---- Walks ----

	/**
	Pre-order, children in the order the layers introduced them (tar order), so parents come before their
	children and the same image always gives the same order. No recursion and no stack: a crafted path
	100,000 directories deep walks like any other.
	*/
	forEachNode(visit: (node: NodeId) => void): void {
		const firstChild = this.#firstChild;
		const nextSibling = this.#nextSibling;
		const parents = this.#parents;
		visit(rootNode);
		let node = firstChild[rootNode]!;
		let visited = 0;
		while (node !== none) {
			if ((++visited & 0xff_ff) === 0) checkMemoryBudget('walking the file tree');
			visit(node);
			const child = firstChild[node]!;
			if (child !== none) {
				node = child;
				continue;
			}

			while (node !== rootNode && nextSibling[node] === none) node = parents[node]!;
			node = node === rootNode ? none : nextSibling[node]!;
		}
	}

	/** `node` and every node below it, pre-order, as `forEachNode` walks them: no recursion, no iterator per node. */
	forEachBelow(node: NodeId, visit: (node: NodeId) => void): void {
		const firstChild = this.#firstChild;
		const nextSibling = this.#nextSibling;
		const parents = this.#parents;
		visit(node);
		let current = firstChild[node]!;
		while (current !== none) {
			visit(current);
			const child = firstChild[current]!;
			if (child !== none) {
				current = child;
				continue;
			}

			while (current !== node && nextSibling[current] === none) current = parents[current]!;
			current = current === node ? none : nextSibling[current]!;
		}
	}

	/**
	The final filesystem as a view over the columns: per visible path (the root left out), its node and
	version, in `forEachNode` order; `directories: false` leaves directories out. No object per file.
	*/
	finalFiles(options: {directories: boolean}): FinalFilesView {
		let nodes = new Int32Array(Math.min(this.nodeCount, 1024));
		let versions = new Int32Array(nodes.length);
		let count = 0;
		this.forEachNode((node) => {
			const last = this.#lastVersion[node]!;
			if (last === none || this.#hiddenBy[last] !== none) return;
			if (!options.directories && this.typeCode(last) === dirCode) return;
			if (count === nodes.length) {
				nodes = resized(nodes, count * 2);
				versions = resized(versions, count * 2);
			}

			nodes[count] = node;
			versions[count++] = last;
		});
		return {tree: this, count, nodes: nodes.subarray(0, count), versions: versions.subarray(0, count)};
	}

	#versionAsOf(node: NodeId, layer: number): number {
		let version = this.#lastVersion[node]!;
		while (version !== none && this.#versionLayer[version]! > layer)
			version = this.#previousVersion[version]!;
		return version;
	}

	#versionAt(node: NodeId, layer: number): number {
		const version = this.#versionAsOf(node, layer);
		if (version === none) return none;
		const hiddenBy = this.#hiddenBy[version]!;
		return hiddenBy === none || hiddenBy > layer ? version : none;
	}

	// ---- The analysis cache ----

	/** The columns for the analysis cache (views of the tree's own arrays: encode them before anything changes). */
	toStored(): StoredTree {
		const nodes = this.nodeCount;
		const versions = this.versionCount;
		const versionlessPaths: string[] = [];
		for (let node = 0; node < nodes; node++) {
			if (this.#lastVersion[node] === none) versionlessPaths.push(this.#paths[node]!);
		}

		return {
			nodeCount: nodes,
			versionCount: versions,
			parents: this.#parents.subarray(0, nodes),
			firstChild: this.#firstChild.subarray(0, nodes),
			lastChild: this.#lastChild.subarray(0, nodes),
			nextSibling: this.#nextSibling.subarray(0, nodes),
			lastVersion: this.#lastVersion.subarray(0, nodes),
			versionNode: this.#versionNode.subarray(0, versions),
			versionLayer: this.#versionLayer.subarray(0, versions),
			versionRow: this.#versionRow.subarray(0, versions),
			versionKind: this.#versionKind.subarray(0, versions),
			hiddenBy: this.#hiddenBy.subarray(0, versions),
			hideCause: this.#hideCause.subarray(0, versions),
			previousVersion: this.#previousVersion.subarray(0, versions),
			layerNodes: [...this.#layerNodes],
			removals: [...this.#removals].map(([node, layers]) => [node, [...layers]]),
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

		const {removals: storedRemovals, versionlessPaths, ...stacked} = stored;
		const removals = new Map<number, number[]>();
		for (const [node, removedIn] of storedRemovals) {
			if (!Number.isInteger(node) || node < 1 || node >= nodes || !Array.isArray(removedIn))
				fail('a bad removal');
			removals.set(node, removedIn.map(Number));
		}

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
				hash = pathHash(path!);
			} else {
				// The entry's own path and the hash its columns computed for it.
				const columns = layers[stored.versionLayer[last]!]!;
				const row = stored.versionRow[last]!;
				path = columns.paths[row]!;
				hash = columns.pathHashes[row]!;
			}

			paths[node] = path!;
			hashes[node] = hash;
			if (node !== rootNode) index.insert(node, hash, hashes);
		}

		if (versionless !== versionlessPaths.length) fail('paths of the wrong count');
		return new PathTree(layers, {...stacked, paths, hashes, index, removals});
	}
}

/** The final filesystem as columns (see `PathTree.finalFiles`): the i-th visible path's node and version. */
export type FinalFilesView = {
	tree: PathTree;
	count: number;
	nodes: Int32Array;
	versions: Int32Array;
};

function setStatus(
	into: NodeStatus,
	version: VersionId | undefined,
	status: ChangeKind,
	isContext: boolean,
	hiddenLater: boolean,
): true {
	into.version = version;
	into.status = status;
	into.isContext = isContext;
	into.hiddenLater = hiddenLater;
	return true;
}
