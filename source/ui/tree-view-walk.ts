import type {ImageTree} from '../analysis/types.js';
import {type NodeId, type NodeStatus, type PathTree, rootNode} from '../engine/index.js';
import {checkMemoryBudget} from '../shared/memory-budget.js';
import {compareRowNames, rowPasses, type TreeOptions, type TreeRow, type TreeView} from './tree-row.js';

const noPaths: ReadonlySet<string> = new Set();

/** Run a (possibly half-run) `treeViewSteps` to its end. */
export function finishSteps(steps: Generator<void, TreeView, void>): TreeView {
	let step = steps.next();
	while (!step.done) step = steps.next();
	return step.value;
}

/** Nodes visited between two pauses of `treeViewSteps`: about a millisecond of work. */
const nodesPerStep = 2048;

const sortedChildrenCache = new WeakMap<PathTree, Map<NodeId, NodeId[]>>();

/** A directory's children in name order, sorted once: every layer's view walks them in this order. */
function sortedChildren(tree: PathTree, node: NodeId): NodeId[] {
	let byNode = sortedChildrenCache.get(tree);
	if (!byNode) {
		byNode = new Map();
		sortedChildrenCache.set(tree, byNode);
	}

	let sorted = byNode.get(node);
	if (!sorted) {
		const named = Array.from(tree.childrenOf(node), (child) => ({child, name: tree.name(child)}));
		named.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
		sorted = named.map((item) => item.child);
		byNode.set(node, sorted);
	}

	return sorted;
}

/** A directory being walked: its row is already in the list (at `at`) and is completed when it is left. */
type Frame = {
	node: NodeId;
	children: NodeId[];
	next: number;
	at: number;
	/** The directory's own head, as it was when it was entered. */
	head: NodeStatus;
	size: number;
	childChanged: boolean;
};

/**
One walk of `treeViewSteps`: the rows written so far, the directories being walked, and what the view
shows for a node itself (its head, passed to each step that reads it).
*/
class RowWalk {
	readonly rows: TreeRow[] = [];
	readonly ends: number[] = [];
	readonly stack: Frame[] = [];
	/** Nodes the layer touched and their ancestors (changes mode): a mark per node, no set of a million. */
	private readonly inChangeSet: Uint8Array | undefined;
	private readonly tree: PathTree;

	constructor(
		analysis: ImageTree,
		private readonly options: TreeOptions,
		private readonly buildOnly: Set<string>,
		private readonly runtime: ReadonlySet<string>,
	) {
		this.tree = analysis.tree;
		if (options.mode === 'changes') this.inChangeSet = changeSet(this.tree, options.layer);
	}

	/** Fill `head` for `node`; false when the node is not in the view. */
	headOf(node: NodeId, head: NodeStatus): boolean {
		if (!this.inChangeSet) return this.tree.statusAt(node, this.options.layer, head);
		if (this.inChangeSet[node] === 0) return false;
		this.tree.changeIn(node, this.options.layer, head);
		return true;
	}

	private rowOf(node: NodeId, depth: number, isDirectory: boolean, size: number, head: NodeStatus): TreeRow {
		const path = this.tree.pathOf(node);
		return {
			node,
			path,
			depth,
			prefix: '',
			isDirectory,
			hasChildren: false,
			status: head.status,
			version: head.version,
			size,
			wasted: head.hiddenLater && !isDirectory,
			buildOnly: this.buildOnly.size > 0 && this.buildOnly.has(path),
			runtime: this.runtime.size > 0 && this.runtime.has(path),
			isContext: head.isContext,
		};
	}

	/** A node without children in this view: kept when the filters let it through. */
	addLeaf(node: NodeId, depth: number, head: NodeStatus): TreeRow | undefined {
		const {tree} = this;
		const {version} = head;
		const isDirectory = tree.hasChildren(node) || (version !== undefined && tree.isDirectory(version));
		if (version === undefined && head.status !== 'removed') return undefined;
		// A removed directory shows what it removed, as a single row; an empty directory has no bytes.
		const size = isDirectory
			? tree.hasChildren(node) && head.status === 'removed'
				? removedSize(tree, node, this.options.layer)
				: 0
			: version === undefined
				? 0
				: tree.size(version);
		const row = this.rowOf(node, depth, isDirectory, size, head);
		if (!rowPasses(row, this.options) || (head.isContext && isDirectory)) return undefined;
		this.rows.push(row);
		this.ends.push(this.rows.length);
		return row;
	}

	/** Count a kept child into its parent's size and "contents changed". */
	account(frame: Frame | undefined, row: TreeRow): void {
		if (!frame) return;
		if (row.status !== 'removed') frame.size += row.size;
		if (row.status !== 'unchanged') frame.childChanged = true;
	}

	enter(node: NodeId, head: NodeStatus): void {
		const at = this.rows.length;
		this.rows.push(this.rowOf(node, this.stack.length, true, 0, head));
		this.ends.push(0);
		this.stack.push({
			node,
			children: head.status === 'removed' ? [] : sortedChildren(this.tree, node),
			next: 0,
			at,
			head: {...head, hiddenLater: false},
			size: 0,
			childChanged: false,
		});
	}

	/** Complete a directory's row, or take it out again when nothing is under it and it does not show itself. */
	leave(frame: Frame): TreeRow | undefined {
		const {rows} = this;
		const row = rows[frame.at]!;
		if (rows.length === frame.at + 1) {
			rows.length = frame.at;
			this.ends.length = frame.at;
			return this.addLeaf(frame.node, row.depth, frame.head);
		}

		row.hasChildren = true;
		row.size =
			frame.head.status === 'removed' ? removedSize(this.tree, frame.node, this.options.layer) : frame.size;
		// Like dive: a directory whose contents changed reads as modified.
		if (frame.head.status === 'unchanged' && frame.childChanged && !this.inChangeSet) row.status = 'modified';
		this.ends[frame.at] = rows.length;
		return row;
	}

	/** The rows in the view's order, with their prefixes drawn. */
	finish(): TreeView {
		const subtreeEnd = Int32Array.from(this.ends);
		const view =
			this.options.sort === 'size' ? sortedBySize(this.rows, subtreeEnd) : {rows: this.rows, subtreeEnd};
		setPrefixes(view.rows, view.subtreeEnd);
		return {tree: this.tree, ...view, filterError: undefined};
	}
}

/** The nodes `layer` touched and their ancestors, as a mark per node. */
function changeSet(tree: PathTree, layer: number): Uint8Array {
	const marks = new Uint8Array(tree.nodeCount);
	for (const node of tree.touchedIn(layer)) {
		let current: NodeId | undefined = node;
		while (current !== undefined && marks[current] === 0) {
			marks[current] = 1;
			current = tree.parentOf(current);
		}
	}

	return marks;
}

/**
`buildTreeView` (without a path filter) as steps: it pauses every few thousand nodes, so views can be
built ahead in idle time without holding up a key press for longer than a step.

The walk writes rows straight into the list in pre-order (name order): a directory's row goes in when
it is entered and is completed, or taken out again with nothing under it, when it is left. No row is
wrapped or copied, which made the walk about twice as fast as building a tree of rows and flattening it.
*/
export function* treeViewSteps(
	analysis: ImageTree,
	options: TreeOptions,
	buildOnly: Set<string>,
	runtime: ReadonlySet<string> = noPaths,
): Generator<void, TreeView, void> {
	const {tree} = analysis;
	const walk = new RowWalk(analysis, options, buildOnly, runtime);
	const {stack} = walk;
	// What the view shows for a node itself: one object, filled for each node as it is reached.
	const head: NodeStatus = {version: undefined, status: 'unchanged', isContext: false, hiddenLater: false};
	let visited = 0;
	const top = tree.hasChildren(rootNode) ? sortedChildren(tree, rootNode) : [];
	for (const child of top) {
		if (!walk.headOf(child, head)) continue;
		if (!tree.hasChildren(child)) {
			walk.addLeaf(child, 0, head);
			continue;
		}

		walk.enter(child, head);
		while (stack.length > 0) {
			const frame = stack.at(-1)!;
			if (frame.next === frame.children.length) {
				stack.pop();
				const row = walk.leave(frame);
				if (row) walk.account(stack.at(-1), row);
				continue;
			}

			const node = frame.children[frame.next++]!;
			if (++visited % nodesPerStep === 0) {
				checkMemoryBudget('building the file tree view');
				yield;
			}
			if (!walk.headOf(node, head)) continue;
			if (tree.hasChildren(node)) {
				walk.enter(node, head);
			} else {
				const row = walk.addLeaf(node, stack.length, head);
				if (row) walk.account(frame, row);
			}
		}
	}

	return walk.finish();
}

/**
The same rows with every list of siblings ordered by size (largest first, then by name). A stack, not
recursion: a crafted image can nest 100,000 directories (issue 17).
*/
function sortedBySize(rows: TreeRow[], subtreeEnd: Int32Array): {rows: TreeRow[]; subtreeEnd: Int32Array} {
	const out: TreeRow[] = [];
	const ends = new Int32Array(rows.length);
	const siblingsOf = (start: number, end: number): number[] => {
		const siblings: number[] = [];
		for (let index = start; index < end; index = subtreeEnd[index]!) siblings.push(index);
		return siblings.sort((a, b) => rows[b]!.size - rows[a]!.size || compareRowNames(rows[a]!, rows[b]!));
	};

	// Each frame lists one row's children; `at` is where that row went in `out` (-1 for the top).
	const stack: Array<{siblings: number[]; next: number; at: number}> = [
		{siblings: siblingsOf(0, rows.length), next: 0, at: -1},
	];
	while (stack.length > 0) {
		const frame = stack.at(-1)!;
		if (frame.next === frame.siblings.length) {
			stack.pop();
			if (frame.at >= 0) ends[frame.at] = out.length;
			continue;
		}

		const index = frame.siblings[frame.next++]!;
		const at = out.length;
		out.push(rows[index]!);
		stack.push({siblings: siblingsOf(index + 1, subtreeEnd[index]!), next: 0, at});
	}

	return {rows: out, subtreeEnd: ends};
}

/** The box-drawing prefix of every row: a row is the last of its siblings when its subtree ends where its parent's does. */
function setPrefixes(rows: TreeRow[], subtreeEnd: Int32Array): void {
	const indents: string[] = [''];
	const parentEnds: number[] = [rows.length];
	for (let index = 0; index < rows.length; index++) {
		const row = rows[index]!;
		const {depth} = row;
		const isLast = subtreeEnd[index] === parentEnds[depth];
		const indent = indents[depth]!;
		row.prefix = `${indent}${isLast ? '└─ ' : '├─ '}`;
		indents[depth + 1] = `${indent}${isLast ? '   ' : '│  '}`;
		parentEnds[depth + 1] = subtreeEnd[index]!;
	}
}

function removedSize(tree: PathTree, directory: NodeId, layer: number): number {
	let total = 0;
	const stack: NodeId[] = [directory];
	while (stack.length > 0) {
		const node = stack.pop()!;
		const version = tree.versionAsOf(node, layer - 1);
		if (version !== undefined && tree.hiddenIn(version) === layer && tree.isFile(version)) {
			total += tree.size(version);
		}

		for (const child of tree.childrenOf(node)) stack.push(child);
	}

	return total;
}
