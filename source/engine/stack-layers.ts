import {columnsOf, dirCode, type EntryColumns, opaqueCode, whiteoutCode} from './entry-columns.js';
import {none, rootNode} from './ids.js';
import type {PathTree} from './path-tree.js';
import {PathTreeBuilder} from './path-tree-builder.js';
import {
	addedCode,
	deletedCode,
	directoryDeletedCode,
	modifiedCode,
	opaqueDirectoryCode,
	overwrittenCode,
	parentReplacedCode,
	unchangedCode,
} from './tree-columns.js';

/**
Stacks the layers with OCI/overlay semantics into one global tree: every path once, with one version
per layer that wrote it. Per layer, the whiteout and opaque markers apply first, to the state below
(they never hide entries of their own layer), then the entries. Only the last version of a node can be
visible, so "what is visible now" is a look at its newest version, and no tree is ever copied.
*/
export function stackLayers(layers: readonly {readonly entries: EntryColumns}[]): PathTree {
	const stack = new IncrementalStack(layers.reduce((sum, layer) => sum + layer.entries.count, 0));
	for (const layer of layers) stack.add(layer.entries);
	return stack.finish();
}

/**
The same stacking one layer at a time, for an image still being read: `add` stacks the next layer (layers
0..k-1 are already in), `snapshot` is the tree of the layers stacked so far, exactly what `stackLayers` of
those layers gives, and `finish` is the tree of them all, exactly what `stackLayers` gives. Each layer is
stacked once: a snapshot copies only the columns a later layer can still write (child links, newest
versions, what hid a version) and shares the rest.
*/
export class IncrementalStack {
	readonly #columns: EntryColumns[] = [];
	readonly #stacker: LayerStacker;
	#finished = false;
	#snapshot: PathTree | undefined;

	/** `expectedEntries`: about how many entries the layers hold, when known (the columns are sized for it). */
	constructor(expectedEntries = 0) {
		this.#stacker = new LayerStacker(this.#columns, expectedEntries);
	}

	/** How many layers are stacked. */
	get count(): number {
		return this.#columns.length;
	}

	add(entries: EntryColumns): void {
		if (this.#finished) throw new Error('IncrementalStack: add after finish');
		this.#columns.push(entries);
		this.#stacker.stack(this.#columns.length - 1);
		this.#snapshot = undefined;
	}

	/** The tree of the layers stacked so far; later `add`s do not change it (the same object until one). */
	snapshot(): PathTree {
		if (this.#finished) throw new Error('IncrementalStack: snapshot after finish');
		this.#snapshot ??= this.#stacker.tree.snapshot();
		return this.#snapshot;
	}

	/** The tree of every layer added; the stack is done. */
	finish(): PathTree {
		if (this.#finished) throw new Error('IncrementalStack: finish twice');
		this.#finished = true;
		return this.#stacker.tree.finish();
	}

	/** Whether `finish` was called: nothing more can be added or looked at. */
	get finished(): boolean {
		return this.#finished;
	}

	/** Whether the layers stacked are the first of `layers`, the very same columns in the same order. */
	startsWith(layers: readonly {readonly entries: EntryColumns}[]): boolean {
		if (this.#columns.length > layers.length) return false;
		return this.#columns.every((columns, index) => columns === layers[index]!.entries);
	}
}

/**
The tree of `layers`, exactly `stackLayers(layers)`: when `stack` (filled while the layers were read) holds the
first of them, only the rest are stacked on it and it is finished; else (no stack, other columns, already
finished) they are all stacked afresh and `stack` is left as it is.
*/
export function finishStack(
	layers: readonly {readonly entries: EntryColumns}[],
	stack: IncrementalStack | undefined,
): PathTree {
	if (stack === undefined || stack.finished || !stack.startsWith(layers)) return stackLayers(layers);
	for (let index = stack.count; index < layers.length; index++) stack.add(layers[index]!.entries);
	return stack.finish();
}

/** The stacking's state: the tree being built and, while one layer is stacked, that layer and what it touched. */
class LayerStacker {
	readonly tree: PathTreeBuilder;
	readonly #columns: readonly EntryColumns[];
	#layerIndex = 0;
	#layer!: EntryColumns;
	#touched: number[] = [];

	/** `columns` grows as layers are added: layer i is stacked once columns[i] is there. */
	constructor(columns: readonly EntryColumns[], expectedEntries: number) {
		this.#columns = columns;
		this.tree = new PathTreeBuilder(columns, expectedEntries);
	}

	stack(layerIndex: number): void {
		this.#layerIndex = layerIndex;
		this.#layer = this.#columns[layerIndex]!;
		this.#touched = [];
		this.#applyMarkers();
		this.#addEntries();
		this.tree.layerNodes.push(Int32Array.from(this.#touched));
	}

	/** 1. Whiteout and opaque markers, against the layers below. */
	#applyMarkers(): void {
		const layer = this.#layer;
		const {types, pathHashes} = columnsOf(layer);
		for (let row = 0; row < layer.count; row++) {
			const type = types[row]!;
			if (type !== whiteoutCode && type !== opaqueCode) {
				continue;
			}

			// A marker for a path no lower layer has is a no-op, and creates no node.
			const path = layer.path(row);
			const node = path === '' ? none : this.tree.find(path, pathHashes[row]!);
			if (node === none) {
				continue;
			}

			if (type === opaqueCode) {
				this.#hideSubtree(node, opaqueDirectoryCode);
				continue;
			}

			// While stacking, a node's newest version is what is visible so far: `finalVersion` as of these layers.
			const visible = this.tree.finalVersion(node);
			if (visible !== none) {
				this.tree.hide(visible, this.#layerIndex, deletedCode);
			}

			const hidDescendants = this.#hideSubtree(node, directoryDeletedCode);
			if (visible !== none || hidDescendants) {
				this.#remove(node);
			}
		}
	}

	/** 2. Entries. Tars list parents before children, so the parent check is skipped for a run of siblings. */
	#addEntries(): void {
		const {tree} = this;
		const layer = this.#layer;
		const {types, pathHashes} = columnsOf(layer);
		let checkedParent = none;
		let lastParentPath = '';
		let lastParent = rootNode as number;
		for (let row = 0; row < layer.count; row++) {
			const type = types[row]!;
			const path = layer.path(row);
			if (type === whiteoutCode || type === opaqueCode || path === '') {
				continue;
			}

			const slash = path.lastIndexOf('/');
			let node: number;
			if (slash < 0) {
				node = tree.ensureChild(path, pathHashes[row]!, rootNode);
			} else if (slash === lastParentPath.length && path.startsWith(lastParentPath)) {
				node = tree.ensureChild(path, pathHashes[row]!, lastParent);
			} else {
				node = tree.ensure(path, pathHashes[row]!);
				lastParent = tree.parents[node]!;
				lastParentPath = tree.paths[lastParent]!;
			}

			const parent = tree.parents[node]!;
			if (parent !== checkedParent) {
				checkedParent = parent;
				this.#replaceNonDirectoryAncestors(parent);
			}

			this.#addVersion(node, row);
		}
	}

	/** A lower file, symlink, ... where this layer writes into it as a directory is replaced by that directory. */
	#replaceNonDirectoryAncestors(parent: number): void {
		const {tree} = this;
		for (let ancestor = parent; ancestor !== rootNode; ancestor = tree.parents[ancestor]!) {
			const visible = tree.finalVersion(ancestor);
			if (
				visible !== none &&
				tree.typeCode(visible) !== dirCode &&
				tree.versionLayer[visible]! < this.#layerIndex
			) {
				tree.hide(visible, this.#layerIndex, overwrittenCode);
				this.#remove(ancestor);
			}
		}
	}

	#addVersion(node: number, row: number): void {
		const {tree} = this;
		const layerIndex = this.#layerIndex;
		const last = tree.lastVersion[node]!;
		if (last !== none && tree.versionLayer[last] === layerIndex) {
			// The same path twice in one tar: the later header wins, as when extracting.
			const before = tree.previousVersion[last]!;
			tree.versionRow[last] = row;
			tree.versionKind[last] =
				before !== none && tree.hiddenBy[before] === layerIndex ? this.#compare(before, last) : addedCode;
			return;
		}

		this.#touch(node);
		// What the path was in the state below: still visible, or hidden by this layer's own marker
		// (`rm -rf d && mkdir d` gives an opaque `d`; a file under it written again is a replacement, not a removal).
		const previous =
			last !== none && (tree.hiddenBy[last] === none || tree.hiddenBy[last] === layerIndex) ? last : none;
		let kind = addedCode;
		const version = tree.addVersion(node, layerIndex, row, addedCode);
		if (previous !== none && tree.hideCause[previous] !== parentReplacedCode) {
			const wasVisible = tree.hiddenBy[previous] === none;
			tree.hide(previous, layerIndex, overwrittenCode);
			if (!wasVisible) tree.undoRemoval(node, layerIndex);
			kind = this.#compare(previous, version);
			if (tree.typeCode(previous) === dirCode && this.#layer.typeCode(row) !== dirCode) {
				this.#hideSubtree(node, parentReplacedCode);
			}
		}

		tree.versionKind[version] = kind;
	}

	/** The same order as a stack of child lists: the last child first, each one's children after it. */
	#hideSubtree(top: number, cause: number): boolean {
		const {tree} = this;
		let hidAny = false;
		const stack = tree.children(top);
		while (stack.length > 0) {
			const node = stack.pop()!;
			const visible = tree.finalVersion(node);
			if (visible !== none) {
				tree.hide(visible, this.#layerIndex, cause);
				this.#remove(node);
				hidAny = true;
			}

			for (let child = tree.firstChild[node]!; child !== none; child = tree.nextSibling[child]!) {
				stack.push(child);
			}
		}

		return hidAny;
	}

	/** A node is pushed once per layer: its last version or last removal already says "this layer". */
	#touch(node: number): void {
		const {tree} = this;
		const last = tree.lastVersion[node]!;
		if (
			(last !== none && tree.versionLayer[last] === this.#layerIndex) ||
			tree.lastRemoval(node) === this.#layerIndex
		) {
			return;
		}

		this.#touched.push(node);
	}

	#remove(node: number): void {
		this.#touch(node);
		this.tree.recordRemoval(node, this.#layerIndex);
	}

	/** Same type, content, mode, owner and link target; mtime is ignored. */
	#compare(before: number, after: number): number {
		const {tree} = this;
		const a = this.#columns[tree.versionLayer[before]!]!;
		const b = this.#columns[tree.versionLayer[after]!]!;
		return sameEntry(a, tree.versionRow[before]!, b, tree.versionRow[after]!) ? unchangedCode : modifiedCode;
	}
}

function sameEntry(a: EntryColumns, rowA: number, b: EntryColumns, rowB: number): boolean {
	const hashA = a.hasHash(rowA);
	return (
		a.typeCode(rowA) === b.typeCode(rowB) &&
		a.size(rowA) === b.size(rowB) &&
		hashA === b.hasHash(rowB) &&
		(!hashA || a.sameHash(rowA, b, rowB)) &&
		a.mode(rowA) === b.mode(rowB) &&
		a.uid(rowA) === b.uid(rowB) &&
		a.gid(rowA) === b.gid(rowB) &&
		(a.linkTarget(rowA) ?? '') === (b.linkTarget(rowB) ?? '')
	);
}
