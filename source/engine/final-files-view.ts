import type {TarEntry} from './entry.js';
import type {NodeId, VersionId} from './ids.js';

/** What the view reads of its tree (the PathTree that made it). */
type PathsAndEntries = {pathOf(node: NodeId): string; entry(version: VersionId): TarEntry};

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

	path(index: number): string {
		return this.#tree.pathOf(this.#nodes[index]! as NodeId);
	}

	/** The i-th path's entry as an object (its fields, link target, hash and exec facts as stored). */
	entry(index: number): TarEntry {
		return this.#tree.entry(this.#versions[index]! as VersionId);
	}
}
