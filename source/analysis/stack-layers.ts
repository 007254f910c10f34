import type {ParsedLayer, TarEntry} from '../image/types.js';
import {checkMemoryBudget} from '../memory-budget.js';
import {findNode} from './path-node.js';
import type {ChangeKind, FileVersion, HideCause, PathNode} from './types.js';

export type LayerChangeCounts = {added: number; modified: number; removed: number};

export type StackedLayers = {
	root: PathNode;
	/** Per layer, the nodes it touched, in the order it touched them. */
	layerNodes: PathNode[][];
	/**
	Per layer, parallel to its entries: the node of each entry; for a marker, the node it names, or
	undefined when no lower layer had that path (a later layer may still create it).
	*/
	entryNodes: Array<Array<PathNode | undefined>>;
	counts: LayerChangeCounts[];
	/** Nodes created, the root included: every `id` is below it. */
	nodeCount: number;
};

/**
Stacks the layers with OCI/overlay semantics into one global tree: every path once, with one version
per layer that wrote it. Per layer, the whiteout and opaque markers apply first, to the state below
(they never hide entries of their own layer), then the entries. Only the last version of a node can be
visible, so "what is visible now" is a look at `versions.at(-1)`, and no tree is ever copied.
*/
export function stackLayers(layers: ParsedLayer[]): StackedLayers {
	let nodeCount = 0;
	const root = createNode(nodeCount++, '', '', undefined);
	const layerNodes: PathNode[][] = [];
	const entryNodes: Array<Array<PathNode | undefined>> = [];
	const counts: LayerChangeCounts[] = [];
	// Tars list a directory's entries together, so the last parent is nearly always the next one's too.
	let lastParentPath = '';
	let lastParent = root;

	const childOf = (parent: PathNode, name: string, path: string): PathNode => {
		const existing = parent.children?.get(name);
		if (existing) {
			return existing;
		}

		// Every 65,536 nodes: a crafted layer can unpack into tens of millions of paths (issue 17).
		if ((nodeCount & 0xff_ff) === 0) checkMemoryBudget('stacking the layers');
		const node = createNode(nodeCount++, name, path, parent);
		parent.children ??= new Map();
		parent.children.set(name, node);
		return node;
	};

	const ensureNode = (path: string): PathNode => {
		const slash = path.lastIndexOf('/');
		if (slash < 0) {
			return childOf(root, path, path);
		}

		if (!(lastParentPath.length === slash && path.startsWith(lastParentPath))) {
			let parent = root;
			let start = 0;
			for (let next = path.indexOf('/'); next !== -1 && next <= slash; next = path.indexOf('/', start)) {
				parent = childOf(parent, path.slice(start, next), path.slice(0, next));
				start = next + 1;
			}

			lastParentPath = parent.path;
			lastParent = parent;
		}

		return childOf(lastParent, path.slice(slash + 1), path);
	};

	for (const [layerIndex, layer] of layers.entries()) {
		const touched: PathNode[] = [];
		const touch = (node: PathNode) => {
			// A node is pushed once per layer: its last version or last removal already says "this layer".
			if (node.versions.at(-1)?.layer === layerIndex || node.removedIn.at(-1) === layerIndex) {
				return;
			}

			touched.push(node);
		};

		const remove = (node: PathNode) => {
			touch(node);
			recordRemoval(node, layerIndex);
		};

		const hideSubtree = (top: PathNode, cause: HideCause): boolean => {
			let hidAny = false;
			const stack = top.children ? [...top.children.values()] : [];
			while (stack.length > 0) {
				const node = stack.pop()!;
				const visible = visibleVersion(node);
				if (visible) {
					hide(visible, layerIndex, cause);
					remove(node);
					hidAny = true;
				}

				if (node.children) {
					for (const child of node.children.values()) {
						stack.push(child);
					}
				}
			}

			return hidAny;
		};

		const nodes = new Array<PathNode | undefined>(layer.entries.length);
		// 1. Markers, against the layers below.
		for (let position = 0; position < layer.entries.length; position++) {
			const entry = layer.entries[position]!;
			if (entry.type !== 'whiteout' && entry.type !== 'opaque') {
				continue;
			}

			// A marker for a path no lower layer has is a no-op, and creates no node.
			const node = entry.path === '' ? undefined : findNode(root, entry.path);
			nodes[position] = node;
			if (!node) {
				continue;
			}

			if (entry.type === 'opaque') {
				hideSubtree(node, 'opaque-directory');
				continue;
			}

			const visible = visibleVersion(node);
			if (visible) {
				hide(visible, layerIndex, 'deleted');
			}

			const hidDescendants = hideSubtree(node, 'directory-deleted');
			if (visible || hidDescendants) {
				remove(node);
			}
		}

		// 2. Entries. Tars list parents before children, so the parent check is skipped for a run of siblings.
		let checkedParent: PathNode | undefined;
		for (let position = 0; position < layer.entries.length; position++) {
			const entry = layer.entries[position]!;
			if (entry.type === 'whiteout' || entry.type === 'opaque' || entry.path === '') {
				continue;
			}

			const node = ensureNode(entry.path);
			nodes[position] = node;
			if (node.parent !== checkedParent) {
				checkedParent = node.parent;
				replaceNonDirectoryAncestors(node.parent!, layerIndex, remove);
			}

			addVersion(node, entry, layerIndex, touch, hideSubtree);
		}

		layerNodes.push(touched);
		entryNodes.push(nodes);
		counts.push(countChanges(touched, layerIndex));
	}

	return {root, layerNodes, entryNodes, counts, nodeCount};
}

/**
Most paths are never removed; they share this empty list instead of holding one each (a million nodes
would otherwise carry a million empty arrays). Frozen, so a stray push fails loudly.
*/
const noRemovals = Object.freeze([]) as unknown as number[];

function createNode(id: number, name: string, path: string, parent: PathNode | undefined): PathNode {
	return {id, name, path, parent, children: undefined, versions: [], removedIn: noRemovals};
}

function recordRemoval(node: PathNode, layerIndex: number): void {
	if (node.removedIn === noRemovals) {
		node.removedIn = [layerIndex];
	} else {
		node.removedIn.push(layerIndex);
	}
}

/** The version visible in the stacked filesystem as of the layers processed so far. */
function visibleVersion(node: PathNode): FileVersion | undefined {
	const last = node.versions.at(-1);
	return last && last.hiddenBy === -1 ? last : undefined;
}

function hide(version: FileVersion, layerIndex: number, cause: HideCause): void {
	version.hiddenBy = layerIndex;
	version.hideCause = cause;
}

/** A lower file, symlink, ... where this layer writes into it as a directory is replaced by that directory. */
function replaceNonDirectoryAncestors(
	parent: PathNode,
	layerIndex: number,
	remove: (node: PathNode) => void,
): void {
	for (let node: PathNode | undefined = parent; node?.parent; node = node.parent) {
		const visible = visibleVersion(node);
		if (visible && visible.entry.type !== 'dir' && visible.layer < layerIndex) {
			hide(visible, layerIndex, 'overwritten');
			remove(node);
		}
	}
}

function addVersion(
	node: PathNode,
	entry: TarEntry,
	layerIndex: number,
	touch: (node: PathNode) => void,
	hideSubtree: (top: PathNode, cause: HideCause) => boolean,
): void {
	const last = node.versions.at(-1);
	if (last?.layer === layerIndex) {
		// The same path twice in one tar: the later header wins, as when extracting.
		const before = node.versions.at(-2);
		last.entry = entry;
		last.kind = before && before.hiddenBy === layerIndex ? compare(before.entry, entry) : 'added';
		return;
	}

	touch(node);
	// What the path was in the state below: still visible, or hidden by this layer's own marker
	// (`rm -rf d && mkdir d` gives an opaque `d`; a file under it written again is a replacement, not a removal).
	const previous = last && (last.hiddenBy === -1 || last.hiddenBy === layerIndex) ? last : undefined;
	let kind: ChangeKind = 'added';
	if (previous && previous.hideCause !== 'parent-replaced') {
		const wasVisible = previous.hiddenBy === -1;
		hide(previous, layerIndex, 'overwritten');
		if (!wasVisible && node.removedIn.at(-1) === layerIndex) {
			node.removedIn.pop();
		}

		kind = compare(previous.entry, entry);
		if (previous.entry.type === 'dir' && entry.type !== 'dir') {
			hideSubtree(node, 'parent-replaced');
		}
	}

	const version: FileVersion = {layer: layerIndex, entry, kind, hiddenBy: -1};
	if (node.versions.length === 0) {
		// An exact-size array: pushing into an empty one reserves 16 slots, for a path most layers never touch again.
		node.versions = [version];
	} else {
		node.versions.push(version);
	}
}

/** Same type, content, mode, owner and link target; mtime is ignored. */
function compare(before: TarEntry, after: TarEntry): ChangeKind {
	return before.type === after.type &&
		before.size === after.size &&
		before.hash === after.hash &&
		before.mode === after.mode &&
		before.uid === after.uid &&
		before.gid === after.gid &&
		(before.linkTarget ?? '') === (after.linkTarget ?? '')
		? 'unchanged'
		: 'modified';
}

/**
Counts non-directory paths. A non-directory replaced by a directory counts as removed (the file is gone);
a directory replaced by a non-directory counts by the new entry's kind.
*/
function countChanges(touched: PathNode[], layerIndex: number): LayerChangeCounts {
	const counts: LayerChangeCounts = {added: 0, modified: 0, removed: 0};
	for (const node of touched) {
		const last = node.versions.at(-1);
		if (last?.layer === layerIndex) {
			if (last.entry.type !== 'dir') {
				if (last.kind === 'added') {
					counts.added++;
				} else if (last.kind === 'modified') {
					counts.modified++;
				}
			} else {
				const before = node.versions.at(-2);
				if (before && before.hiddenBy === layerIndex && before.entry.type !== 'dir') {
					counts.removed++;
				}
			}
		} else if (last && last.hiddenBy === layerIndex && last.entry.type !== 'dir') {
			counts.removed++;
		}
	}

	return counts;
}
