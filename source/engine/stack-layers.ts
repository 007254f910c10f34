import {dirCode, type EntryColumns, opaqueCode, whiteoutCode} from './entry-columns.js';

import {
	addedCode,
	deletedCode,
	directoryDeletedCode,
	modifiedCode,
	none,
	opaqueDirectoryCode,
	overwrittenCode,
	type PathTree,
	parentReplacedCode,
	rootNode,
	unchangedCode,
} from './path-tree.js';
import {PathTreeBuilder} from './path-tree-builder.js';

/**
Stacks the layers with OCI/overlay semantics into one global tree: every path once, with one version
per layer that wrote it. Per layer, the whiteout and opaque markers apply first, to the state below
(they never hide entries of their own layer), then the entries. Only the last version of a node can be
visible, so "what is visible now" is a look at its newest version, and no tree is ever copied.
*/
export function stackLayers(layers: readonly {readonly entries: EntryColumns}[]): PathTree {
	const columns = layers.map((layer) => layer.entries);
	const tree = new PathTreeBuilder(columns);

	// While stacking, a node's newest version is what is visible so far: `finalVersion` as of these layers.
	const visibleVersion = (node: number): number => tree.finalVersion(node);

	const hide = (version: number, layerIndex: number, cause: number): void =>
		tree.hide(version, layerIndex, cause);

	for (let layerIndex = 0; layerIndex < columns.length; layerIndex++) {
		const layer = columns[layerIndex]!;
		const touched: number[] = [];
		const touch = (node: number): void => {
			// A node is pushed once per layer: its last version or last removal already says "this layer".
			const last = tree.lastVersion[node]!;
			if (
				(last !== none && tree.versionLayer[last] === layerIndex) ||
				tree.lastRemoval(node) === layerIndex
			) {
				return;
			}

			touched.push(node);
		};

		const remove = (node: number): void => {
			touch(node);
			tree.recordRemoval(node, layerIndex);
		};

		// The same order as a stack of child lists: the last child first, each one's children after it.
		const hideSubtree = (top: number, cause: number): boolean => {
			let hidAny = false;
			const stack = tree.children(top);
			while (stack.length > 0) {
				const node = stack.pop()!;
				const visible = visibleVersion(node);
				if (visible !== none) {
					hide(visible, layerIndex, cause);
					remove(node);
					hidAny = true;
				}

				for (let child = tree.firstChild[node]!; child !== none; child = tree.nextSibling[child]!) {
					stack.push(child);
				}
			}

			return hidAny;
		};

		const {types, paths, pathHashes} = layer;
		// 1. Markers, against the layers below.
		for (let row = 0; row < layer.count; row++) {
			const type = types[row]!;
			if (type !== whiteoutCode && type !== opaqueCode) {
				continue;
			}

			// A marker for a path no lower layer has is a no-op, and creates no node.
			const path = paths[row]!;
			const node = path === '' ? none : tree.find(path, pathHashes[row]!);
			if (node === none) {
				continue;
			}

			if (type === opaqueCode) {
				hideSubtree(node, opaqueDirectoryCode);
				continue;
			}

			const visible = visibleVersion(node);
			if (visible !== none) {
				hide(visible, layerIndex, deletedCode);
			}

			const hidDescendants = hideSubtree(node, directoryDeletedCode);
			if (visible !== none || hidDescendants) {
				remove(node);
			}
		}

		// 2. Entries. Tars list parents before children, so the parent check is skipped for a run of siblings.
		let checkedParent = none;
		let lastParentPath = '';
		let lastParent = rootNode;
		for (let row = 0; row < layer.count; row++) {
			const type = types[row]!;
			const path = paths[row]!;
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
				// A lower file, symlink, ... where this layer writes into it as a directory is replaced by that directory.
				for (let ancestor = parent; ancestor !== rootNode; ancestor = tree.parents[ancestor]!) {
					const visible = visibleVersion(ancestor);
					if (
						visible !== none &&
						tree.typeCode(visible) !== dirCode &&
						tree.versionLayer[visible]! < layerIndex
					) {
						hide(visible, layerIndex, overwrittenCode);
						remove(ancestor);
					}
				}
			}

			addVersion(node, row);
		}

		function addVersion(node: number, row: number): void {
			const last = tree.lastVersion[node]!;
			if (last !== none && tree.versionLayer[last] === layerIndex) {
				// The same path twice in one tar: the later header wins, as when extracting.
				const before = tree.previousVersion[last]!;
				tree.versionRow[last] = row;
				tree.versionKind[last] =
					before !== none && tree.hiddenBy[before] === layerIndex ? compare(before, last) : addedCode;
				return;
			}

			touch(node);
			// What the path was in the state below: still visible, or hidden by this layer's own marker
			// (`rm -rf d && mkdir d` gives an opaque `d`; a file under it written again is a replacement, not a removal).
			const previous =
				last !== none && (tree.hiddenBy[last] === none || tree.hiddenBy[last] === layerIndex) ? last : none;
			let kind = addedCode;
			const version = tree.addVersion(node, layerIndex, row, addedCode);
			if (previous !== none && tree.hideCause[previous] !== parentReplacedCode) {
				const wasVisible = tree.hiddenBy[previous] === none;
				hide(previous, layerIndex, overwrittenCode);
				if (!wasVisible) tree.undoRemoval(node, layerIndex);
				kind = compare(previous, version);
				if (tree.typeCode(previous) === dirCode && layer.types[row] !== dirCode) {
					hideSubtree(node, parentReplacedCode);
				}
			}

			tree.versionKind[version] = kind;
		}

		tree.layerNodes.push(Int32Array.from(touched));
	}

	return tree.finish();

	/** Same type, content, mode, owner and link target; mtime is ignored. */
	function compare(before: number, after: number): number {
		const a = columns[tree.versionLayer[before]!]!;
		const b = columns[tree.versionLayer[after]!]!;
		return sameEntry(a, tree.versionRow[before]!, b, tree.versionRow[after]!) ? unchangedCode : modifiedCode;
	}
}

function sameEntry(a: EntryColumns, rowA: number, b: EntryColumns, rowB: number): boolean {
	const hashA = a.hasHash(rowA);
	return (
		a.types[rowA] === b.types[rowB] &&
		a.sizes[rowA] === b.sizes[rowB] &&
		hashA === b.hasHash(rowB) &&
		(!hashA || a.sameHash(rowA, b, rowB)) &&
		a.modes[rowA] === b.modes[rowB] &&
		a.uids[rowA] === b.uids[rowB] &&
		a.gids[rowA] === b.gids[rowB] &&
		(a.linkTarget(rowA) ?? '') === (b.linkTarget(rowB) ?? '')
	);
}
