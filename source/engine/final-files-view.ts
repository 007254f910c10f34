import type {TarEntry} from './entry.js';
import type {NodeId, VersionId} from './ids.js';

/** What the view reads of its tree (the PathTree that made it). */
type PathsAndEntries = {
	readonly nodeCount: number;
	pathOf(node: NodeId): string;
	entry(version: VersionId): TarEntry;
	find(path: string): NodeId | undefined;
};

/**
The final filesystem, the one view of it that the rules, the comparison and the reports read (see
`PathTree.finalFiles`): the i-th visible path's node and version, in the tree's pre-order, held as two
columns, so a million files cost 8 MB here and no object each until a reader asks for one.
*/
export class FinalFilesView {
	readonly #tree: PathsAndEntries;
	readonly count: number;
	readonly #nodes: Int32Array;
	readonly #versions: Int32Array;
	/** Each node's index in the view, or -1; made on the first lookup by path. */
	#indexOfNode: Int32Array | undefined;

	constructor(tree: PathsAndEntries, count: number, nodes: Int32Array, versions: Int32Array) {
		this.#tree = tree;
		this.count = count;
		this.#nodes = nodes;
		this.#versions = versions;
	}

	node(index: number): NodeId {
		return this.#nodes[index]! as NodeId;
	}

	/** The visible version of the i-th path: read its fields through the tree (`layerOf`, `entryOf`, `size`, ...). */
	version(index: number): VersionId {
		return this.#versions[index]! as VersionId;
	}

	/**
	The index of the visible non-hidden path `path` in the view, or -1: through the tree's own path index,
	so a lookup by path costs no second table of a million paths.
	*/
	indexOf(path: string): number {
		const node = this.#tree.find(path);
		if (node === undefined) return -1;
		if (this.#indexOfNode === undefined) {
			this.#indexOfNode = new Int32Array(this.#tree.nodeCount).fill(-1);
			for (let index = 0; index < this.count; index++) this.#indexOfNode[this.#nodes[index]!] = index;
		}

		return this.#indexOfNode[node]!;
	}

	path(index: number): string {
		return this.#tree.pathOf(this.#nodes[index]! as NodeId);
	}

	/** The i-th path's entry as an object (its fields, link target, hash and exec facts as stored). */
	entry(index: number): TarEntry {
		return this.#tree.entry(this.#versions[index]! as VersionId);
	}
}
