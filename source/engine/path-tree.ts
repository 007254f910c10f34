import {checkMemoryBudget} from '../shared/memory-budget.js';
import type {EntryType, TarEntry} from './entry.js';
import {dirCode, type EntryColumns, fileCode} from './entry-columns.js';
import {FinalFilesView} from './final-files-view.js';
import {type NodeId, none, type Row, rootNode, type VersionId} from './ids.js';
import {type PathIndex, pathHash} from './path-index.js';
import {readStoredTree, toStoredTree} from './stored-tree.js';
import {
	addedCode,
	type ChangeKind,
	changeKinds,
	type HideCause,
	hideCauses,
	type LayerChangeCounts,
	modifiedCode,
	type NodeStatus,
	type StoredTree,
	type TreeColumns,
} from './tree-columns.js';
import {resized} from './typed-columns.js';

const nodeOrUndefined = (id: number): NodeId | undefined => (id === none ? undefined : (id as NodeId));
const versionOrUndefined = (id: number): VersionId | undefined =>
	id === none ? undefined : (id as VersionId);
const layerOrUndefined = (layer: number): number | undefined => (layer === none ? undefined : layer);
const noRemovals: readonly number[] = Object.freeze([]);

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
	/** The columns as handed over, for the stored form. */
	readonly #columns: TreeColumns;

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
		this.#columns = columns;
	}

	// ---- Nodes ----

	/** The node at a normalised path (`usr/bin/env`), or undefined when no layer had it. */
	find(path: string, hash = pathHash(path)): NodeId | undefined {
		return path === '' ? rootNode : nodeOrUndefined(this.#index.find(path, hash, this.#paths, this.#hashes));
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
		return nodeOrUndefined(this.#parents[node]!);
	}

	hasChildren(node: NodeId): boolean {
		return this.#firstChild[node] !== none;
	}

	/** The children of a node in the order the layers introduced them. */
	*childrenOf(node: NodeId): IterableIterator<NodeId> {
		for (let child = this.#firstChild[node]!; child !== none; child = this.#nextSibling[child]!)
			yield child as NodeId;
	}

	/** The nodes a layer touched (added, modified, unchanged re-adds, and removals), in the order it touched them. */
	touchedIn(layer: number): readonly NodeId[] {
		const nodes = this.#layerNodes[layer];
		return nodes === undefined ? [] : (Array.from(nodes) as NodeId[]);
	}

	/** Layers whose marker removed this node (for the "removed" rows of a layer's change view). */
	removedIn(node: NodeId): readonly number[] {
		return this.#removals.get(node) ?? noRemovals;
	}

	// ---- A node's versions ----

	/** The newest version of a node, visible or not; undefined for a directory only implied by its files. */
	newestVersion(node: NodeId): VersionId | undefined {
		return versionOrUndefined(this.#lastVersion[node]!);
	}

	/** The version visible in the final filesystem. */
	finalVersion(node: NodeId): VersionId | undefined {
		const last = this.#lastVersion[node]!;
		return last !== none && this.#hiddenBy[last] === none ? (last as VersionId) : undefined;
	}

	/** The newest version stored at or below `layer`, visible there or not. */
	versionAsOf(node: NodeId, layer: number): VersionId | undefined {
		return versionOrUndefined(this.#versionAsOf(node, layer));
	}

	/** The version visible in the filesystem stacked from layers 0..layer. */
	versionAt(node: NodeId, layer: number): VersionId | undefined {
		return versionOrUndefined(this.#versionAt(node, layer));
	}

	/** The version this node has in `layer` itself. */
	versionIn(node: NodeId, layer: number): VersionId | undefined {
		const version = this.#versionAsOf(node, layer);
		return version !== none && this.#versionLayer[version] === layer ? (version as VersionId) : undefined;
	}

	/** Versions of a node, oldest first. */
	versions(node: NodeId): VersionId[] {
		const versions: VersionId[] = [];
		for (
			let version = this.#lastVersion[node]!;
			version !== none;
			version = this.#previousVersion[version]!
		) {
			versions.push(version as VersionId);
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
				version as VersionId,
				this.#versionLayer[version] === layer ? changeKinds[this.#versionKind[version]!]! : 'unchanged',
				false,
				hiddenBy !== none,
			);
		}

		if ((version !== none && hiddenBy === layer) || this.removedIn(node).includes(layer)) {
			return setStatus(into, versionOrUndefined(version), 'removed', false, false);
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
			setStatus(
				into,
				own as VersionId,
				changeKinds[this.#versionKind[own]!]!,
				false,
				this.#hiddenBy[own] !== none,
			);
		} else if (this.removedIn(node).includes(layer)) {
			setStatus(into, this.versionAsOf(node, layer - 1), 'removed', false, false);
		} else {
			setStatus(into, versionOrUndefined(own), 'unchanged', true, false);
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
				if (this.#typeCode(last) !== dirCode) {
					if (this.#versionKind[last] === addedCode) {
						counts.added++;
					} else if (this.#versionKind[last] === modifiedCode) {
						counts.modified++;
					}
				} else {
					const before = this.#previousVersion[last]!;
					if (before !== none && this.#hiddenBy[before] === layer && this.#typeCode(before) !== dirCode) {
						counts.removed++;
					}
				}
			} else if (this.#hiddenBy[last] === layer && this.#typeCode(last) !== dirCode) {
				counts.removed++;
			}
		}

		return counts;
	}

	// ---- Versions ----

	nodeOf(version: VersionId): NodeId {
		return this.#versionNode[version]! as NodeId;
	}

	/** The layer that stored this version. */
	layerOf(version: VersionId): number {
		return this.#versionLayer[version]!;
	}

	/** The row of this version's entry in its layer's entry columns. */
	rowOf(version: VersionId): Row {
		return this.#versionRow[version]! as Row;
	}

	/** The layer's entry columns and the row of this version's entry there, for reading a field without an object. */
	entryOf(version: VersionId): {columns: EntryColumns; row: Row} {
		return {columns: this.layers[this.#versionLayer[version]!]!, row: this.#versionRow[version]! as Row};
	}

	/** The next older version of the same node. */
	previousOf(version: VersionId): VersionId | undefined {
		return versionOrUndefined(this.#previousVersion[version]!);
	}

	/** The layer whose entry or marker hid this version; undefined while it is visible at the end. */
	hiddenIn(version: VersionId): number | undefined {
		return layerOrUndefined(this.#hiddenBy[version]!);
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
		return this.#typeCode(version);
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
		return this.layers[this.#versionLayer[version]!]!.size(this.#versionRow[version]!);
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
			visit(node as NodeId);
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
			visit(current as NodeId);
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
			if (!options.directories && this.#typeCode(last) === dirCode) return;
			if (count === nodes.length) {
				nodes = resized(nodes, count * 2);
				versions = resized(versions, count * 2);
			}

			nodes[count] = node;
			versions[count++] = last;
		});
		return new FinalFilesView(this, count, nodes.subarray(0, count), versions.subarray(0, count));
	}

	#versionAsOf(node: number, layer: number): number {
		let version = this.#lastVersion[node]!;
		while (version !== none && this.#versionLayer[version]! > layer)
			version = this.#previousVersion[version]!;
		return version;
	}

	#typeCode(version: number): number {
		return this.layers[this.#versionLayer[version]!]!.typeCode(this.#versionRow[version]!);
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
		return toStoredTree(this.#columns);
	}

	/** A tree back from the analysis cache, checked link by link (a damaged file is a StoredTreeError). */
	static fromStored(layers: readonly EntryColumns[], stored: StoredTree): PathTree {
		return new PathTree(layers, readStoredTree(layers, stored));
	}
}

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
