import {checkMemoryBudget} from '../shared/memory-budget.js';
import {dirCode, type EntryColumns} from './entry-columns.js';
import {none, rootNode} from './ids.js';
import {fnvOffset, PathIndex, pathHash} from './path-index.js';
import {PathTree} from './path-tree.js';
import {
	type NodeColumns,
	nodeColumnFills,
	type TreeColumns,
	type VersionColumns,
	versionColumnTypes,
} from './tree-columns.js';
import {resized} from './typed-columns.js';

/**
Fills a tree's columns while the layers are stacked (`stackLayers`, and hand-built trees in tests), then
hands them to a PathTree that only reads them. Its columns are open to the stacking, which reads and
writes them in its inner loops; nothing outside the engine sees a builder. Ids here are plain numbers
(-1 for none): the branded ids are what the finished tree hands out. The node and version columns are
the spec's (tree-columns.ts): declared through this interface, made and grown from the spec.
*/
export interface PathTreeBuilder extends NodeColumns, VersionColumns {}

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the column fields come from the spec through the interface above
export class PathTreeBuilder implements TreeColumns {
	readonly layers: readonly EntryColumns[];
	nodeCount = 1;
	versionCount = 0;
	paths: string[] = [''];
	hashes: Uint32Array;
	index: PathIndex;
	/** Per layer, the nodes it touched (added/modified/unchanged re-adds, and removals), in the order it touched them. */
	layerNodes: Int32Array[] = [];
	/** Layers whose whiteout/opaque marker removed a node, for the few nodes ever removed. */
	removals = new Map<number, number[]>();

	/** `expected`: how many entries the layers hold (the columns are sized for about that many nodes and versions). */
	constructor(
		layers: readonly EntryColumns[],
		expected = layers.reduce((sum, layer) => sum + layer.count, 0),
	) {
		this.layers = layers;
		const nodes = Math.max(expected + 1, 16);
		for (const name of nodeColumnNames) this[name] = new Int32Array(nodes).fill(nodeColumnFills[name]);
		this.hashes = new Uint32Array(nodes);
		this.hashes[rootNode] = pathHash('');
		this.index = new PathIndex(nodes);
		const versions = Math.max(expected, 16);
		for (const name of versionColumnNames) setColumn(this, name, new versionColumnTypes[name](versions));
	}

	/** The node at a normalised path, or -1 when no layer stacked so far had it. */
	find(path: string, hash = pathHash(path)): number {
		return path === '' ? rootNode : this.index.find(path, hash, this.paths, this.hashes);
	}

	/** The children of a node in the order the layers introduced them. */
	children(node: number): number[] {
		const children: number[] = [];
		for (let child = this.firstChild[node]!; child !== none; child = this.nextSibling[child]!) {
			children.push(child);
		}

		return children;
	}

	/** The version visible so far (its newest, unless hidden), or -1. */
	finalVersion(node: number): number {
		const last = this.lastVersion[node]!;
		return last !== none && this.hiddenBy[last] === none ? last : none;
	}

	/** The entry-type code of a version (see entryTypeCodes). */
	typeCode(version: number): number {
		return this.layers[this.versionLayer[version]!]!.typeCode(this.versionRow[version]!);
	}

	isDirectory(version: number): boolean {
		return this.typeCode(version) === dirCode;
	}

	/**
	The node of a path (`hash` is its pathHash), created with its missing ancestors, top down, so ids
	follow creation order. The hash of each ancestor is the hash of a prefix: one pass over the path.
	*/
	ensure(path: string, hash: number): number {
		const existing = this.index.find(path, hash, this.paths, this.hashes);
		if (existing !== none) return existing;
		let parent: number = rootNode;
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

	/** `layer` hides `version`; `cause` is a hide-cause code. */
	hide(version: number, layer: number, cause: number): void {
		this.hiddenBy[version] = layer;
		this.hideCause[version] = cause;
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

	/** The tree, once every layer is stacked: the spare capacity is given back and the builder is done. */
	finish(): PathTree {
		this.growNodes(this.nodeCount);
		this.growVersions(this.versionCount);
		return new PathTree(this.layers, this);
	}

	/**
	The tree of the layers stacked so far, while stacking goes on: equal, query for query, to the tree those
	layers alone would finish into. A later layer writes existing nodes' child links and newest versions, and
	hides existing versions, so those columns are copied; the rest are only ever written for new ids, so the
	snapshot shares them up to its counts (the path index too: its `find` never matches an id past the
	snapshot's hashes).
	*/
	snapshot(): PathTree {
		const nodes = this.nodeCount;
		const versions = this.versionCount;
		const columns: TreeColumns = {
			nodeCount: nodes,
			versionCount: versions,
			paths: this.paths.slice(0, nodes),
			hashes: this.hashes.subarray(0, nodes),
			index: this.index,
			parents: this.parents.subarray(0, nodes),
			firstChild: this.firstChild.slice(0, nodes),
			lastChild: this.lastChild.slice(0, nodes),
			nextSibling: this.nextSibling.slice(0, nodes),
			lastVersion: this.lastVersion.slice(0, nodes),
			versionNode: this.versionNode.subarray(0, versions),
			versionLayer: this.versionLayer.subarray(0, versions),
			versionRow: this.versionRow.subarray(0, versions),
			versionKind: this.versionKind.subarray(0, versions),
			hiddenBy: this.hiddenBy.slice(0, versions),
			hideCause: this.hideCause.slice(0, versions),
			previousVersion: this.previousVersion.subarray(0, versions),
			layerNodes: [...this.layerNodes],
			removals: new Map([...this.removals].map(([node, layers]) => [node, [...layers]])),
		};
		return new PathTree(this.layers.slice(), columns);
	}

	private createNode(path: string, hash: number, parent: number): number {
		if (this.nodeCount === this.parents.length) this.growNodes(this.nodeCount * 2);
		// Every 65,536 nodes: a crafted layer can unpack into tens of millions of paths.
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
		for (const name of nodeColumnNames) this[name] = resized(this[name], capacity, nodeColumnFills[name]);
		this.hashes = resized(this.hashes, capacity);
	}

	private growVersions(capacity: number): void {
		for (const name of versionColumnNames) setColumn(this, name, resized(this[name], capacity));
	}
}

const nodeColumnNames = Object.keys(nodeColumnFills) as (keyof NodeColumns)[];
const versionColumnNames = Object.keys(versionColumnTypes) as (keyof VersionColumns)[];

function setColumn<Name extends keyof VersionColumns>(
	columns: VersionColumns,
	name: Name,
	column: VersionColumns[Name],
): void {
	columns[name] = column;
}
