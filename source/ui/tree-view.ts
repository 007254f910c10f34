import {isBuildOnlyOrCache} from '../analysis/finding-categories.js';
import type {ChangeKind, ImageAnalysis} from '../analysis/types.js';
import {type NodeId, type NodeStatus, type PathTree, rootNode, type VersionId} from '../engine/index.js';
import {checkMemoryBudget} from '../shared/memory-budget.js';

export type TreeMode = 'changes' | 'aggregated';
export type SortOrder = 'name' | 'size';

export type TreeOptions = {
	layer: number;
	mode: TreeMode;
	/** Regular expression source matched against `/path`; empty for no filter. */
	filter: string;
	sort: SortOrder;
	hidden: Readonly<Record<ChangeKind, boolean>>;
	wasteOnly: boolean;
	buildOnly: boolean;
	/** Only these final paths (and the directories above them): one package's files, from the package view. */
	only?: PathSubset;
};

/** A named set of paths (no leading slash); the name keys the view cache, so it must name the set. */
export type PathSubset = {label: string; paths: ReadonlySet<string>};

/** What a view shows when the explorer opens: the first layer's changes, by name, nothing hidden. */
export const defaultTreeOptions: Readonly<TreeOptions> = Object.freeze({
	layer: 0,
	mode: 'changes',
	filter: '',
	sort: 'name',
	hidden: Object.freeze({added: false, modified: false, removed: false, unchanged: false}),
	wasteOnly: false,
	buildOnly: false,
});

export type TreeRow = {
	/** The path's node in the analysis tree. */
	node: NodeId;
	/** The node's path, without a leading slash (the tree's own string: no copy). */
	path: string;
	depth: number;
	/** Box-drawing prefix (`│  ├─ `) drawn before the name. */
	prefix: string;
	isDirectory: boolean;
	/** True when the directory has rows below it in this view. */
	hasChildren: boolean;
	status: ChangeKind;
	/** The version shown: for removed rows, the version that was removed; undefined for a directory only implied by its files. */
	version: VersionId | undefined;
	/** Regular-file bytes of this row, aggregated for directories. */
	size: number;
	/** This version is hidden by a later layer (deleted or overwritten). */
	wasted: boolean;
	buildOnly: boolean;
	/** A file the running container is proven to need (the runtime closure: its programs and libraries). */
	runtime: boolean;
	/** Whether this row is only here as the parent of changed rows (changes mode). */
	isContext: boolean;
};

/** Every row of one view, fully expanded, pre-order; `subtreeEnd[i]` is one past the last row under row i. */
export type TreeView = {
	/** The tree the rows' nodes and versions belong to. */
	tree: PathTree;
	rows: TreeRow[];
	subtreeEnd: Int32Array;
	/** Why the path filter was ignored (an invalid regular expression). */
	filterError: string | undefined;
};

const noPaths: ReadonlySet<string> = new Set();

/**
The runtime closure's proven paths, when the analysis carries the suggestion (the explorer's analysis is the
report with its tree, so it does): the rows marked `r`.
*/
export function runtimePaths(
	analysis: ImageAnalysis & {suggestion?: {runtime?: {paths?: string[]}}},
): Set<string> {
	return new Set(analysis.suggestion?.runtime?.paths ?? []);
}

/** Paths that `build-only` and `cache` findings name, without a leading slash. */
export function buildOnlyPaths(analysis: ImageAnalysis): Set<string> {
	const paths = new Set<string>();
	for (const finding of analysis.findings) {
		if (isBuildOnlyOrCache(finding)) {
			for (const path of finding.paths) {
				paths.add(path.replace(/^\/+/, '').replace(/\/+$/, ''));
			}
		}
	}

	return paths;
}

function compileFilter(source: string): {regex: RegExp | undefined; error: string | undefined} {
	if (source === '') {
		return {regex: undefined, error: undefined};
	}

	try {
		return {regex: new RegExp(source), error: undefined};
	} catch (error) {
		return {regex: undefined, error: (error as Error).message};
	}
}

/**
Build the rows of one layer's tree. Walks only what the view can show: in changes mode the nodes the
layer touched and their ancestors; in aggregated mode every path present as of the layer. A path
filter is applied to the unfiltered rows (see filterTreeView), so a directory whose own path matches
stays even when none of its files do.
*/
export function buildTreeView(
	analysis: ImageAnalysis,
	options: TreeOptions,
	buildOnly: Set<string>,
	runtime: ReadonlySet<string> = noPaths,
): TreeView {
	if (options.filter !== '' || options.only !== undefined) {
		const base = buildTreeView(analysis, {...options, filter: '', only: undefined}, buildOnly, runtime);
		return filterTreeView(base, options);
	}

	return finishSteps(treeViewSteps(analysis, options, buildOnly, runtime));
}

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

/** The last segment of a row's path, as the tree draws it. */
export function rowName(row: TreeRow): string {
	return row.path.slice(row.path.lastIndexOf('/') + 1);
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
		analysis: ImageAnalysis,
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
	analysis: ImageAnalysis,
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

/** The status, waste and build-only filters for one row on its own (the path filter is separate). */
export function rowPasses(row: TreeRow, options: TreeOptions): boolean {
	if (options.hidden[row.status]) return false;
	if (options.wasteOnly && !row.wasted) return false;
	if (options.buildOnly && !row.buildOnly) return false;
	return true;
}

const slashPathCache = new WeakMap<TreeView, string[]>();

/** `/path` of every row, made once per view: the filter tests them on every typed character. */
function slashPathsOf(view: TreeView): string[] {
	let paths = slashPathCache.get(view);
	if (!paths) {
		paths = view.rows.map((row) => `/${row.path}`);
		slashPathCache.set(view, paths);
	}

	return paths;
}

const parentCache = new WeakMap<TreeView, Int32Array>();

/** Row index of each row's parent (-1 at the top), computed once per view. */
function parentsOf(view: TreeView): Int32Array {
	let parents = parentCache.get(view);
	if (!parents) {
		parents = new Int32Array(view.rows.length).fill(-1);
		const stack: number[] = [];
		for (let index = 0; index < view.rows.length; index++) {
			const depth = view.rows[index]!.depth;
			stack.length = Math.min(stack.length, depth);
			parents[index] = stack.length > 0 ? stack.at(-1)! : -1;
			stack.push(index);
		}

		parentCache.set(view, parents);
	}

	return parents;
}

/**
The same rows `buildTreeView` gives with `options.filter`, derived from the unfiltered view of the same
options in one pass over its rows: no tree walk and no sorting, so typing a filter stays fast.
*/
export function filterTreeView(base: TreeView, options: TreeOptions): TreeView {
	const {regex, error} = compileFilter(options.filter);
	const only = options.only?.paths;
	if (!regex && only === undefined) {
		return {...base, filterError: error};
	}

	const {rows, subtreeEnd} = base;
	const keep = new Uint8Array(rows.length);
	const sizes = new Float64Array(rows.length);
	const keptChildren = new Uint8Array(rows.length);
	// Children come after their parent in pre-order, so a reverse pass sees them first.
	const parentOf = parentsOf(base);
	const slashPaths = slashPathsOf(base);
	let kept = 0;
	for (let index = rows.length - 1; index >= 0; index--) {
		const row = rows[index]!;
		if (keptChildren[index]) {
			keep[index] = 1;
		} else if (
			!(row.isContext && row.isDirectory) &&
			rowPasses(row, options) &&
			(only === undefined || only.has(row.path)) &&
			(regex === undefined || regex.test(slashPaths[index]!))
		) {
			keep[index] = 1;
			sizes[index] = row.hasChildren ? 0 : row.size;
		}

		const parent = parentOf[index]!;
		if (keep[index]) {
			kept++;
			if (parent !== -1) {
				keptChildren[parent] = 1;
				if (row.status !== 'removed') sizes[parent]! += sizes[index]!;
			}
		}
	}

	if (kept === rows.length) {
		// The first characters of a filter often match every row: the rows, sizes and prefixes are the base's.
		return {...base, filterError: error};
	}

	const out: TreeRow[] = [];
	const ends: number[] = [];
	const emit = (start: number, end: number, indent: string) => {
		const children: number[] = [];
		for (let index = start; index < end; index = subtreeEnd[index]!) {
			if (keep[index]) children.push(index);
		}

		if (options.sort === 'size') {
			// Directory totals shrink with the filter, so size order is recomputed on what is shown.
			children.sort((a, b) => sizes[b]! - sizes[a]! || compareRowNames(rows[a]!, rows[b]!));
		}

		for (let position = 0; position < children.length; position++) {
			const index = children[position]!;
			const row = rows[index]!;
			const isLast = position === children.length - 1;
			const at = out.length;
			// Spelled out rather than spread: this runs per kept row on every typed character.
			out.push({
				node: row.node,
				path: row.path,
				depth: row.depth,
				prefix: `${indent}${isLast ? '└─ ' : '├─ '}`,
				isDirectory: row.isDirectory,
				hasChildren: keptChildren[index] === 1,
				status: row.status,
				version: row.version,
				size: sizes[index]!,
				wasted: row.wasted,
				buildOnly: row.buildOnly,
				runtime: row.runtime,
				isContext: row.isContext,
			});
			ends.push(0);
			if (keptChildren[index]) emit(index + 1, subtreeEnd[index]!, `${indent}${isLast ? '   ' : '│  '}`);
			ends[at] = out.length;
		}
	};

	emit(0, rows.length, '');
	return {tree: base.tree, rows: out, subtreeEnd: Int32Array.from(ends), filterError: error};
}

function compareRowNames(a: TreeRow, b: TreeRow): number {
	const nameA = rowName(a);
	const nameB = rowName(b);
	return nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
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

/**
Rows left visible once collapsed directories hide their subtrees; returns indexes into `view.rows`.
`isCollapsed` is asked only about directories that have children.
*/
export function visibleRows(view: TreeView, isCollapsed: (path: string) => boolean): Int32Array {
	const {rows, subtreeEnd} = view;
	const out = new Int32Array(rows.length);
	let count = 0;
	let index = 0;
	while (index < rows.length) {
		const row = rows[index]!;
		out[count++] = index;
		index = row.hasChildren && isCollapsed(row.path) ? subtreeEnd[index]! : index + 1;
	}

	return out.subarray(0, count);
}

/** Bits of `subtreeMarks`: what a directory holds below it. */
export const heldMark = {wasted: 1, buildOnly: 2, runtime: 4} as const;

const subtreeMarksCache = new WeakMap<TreeView, Uint8Array>();

/**
Per row, the markers of every row below it (`heldMark` bits), so a collapsed folder shows the strongest
marker of what it holds. One backward pass per view, made the first time a collapsed row is drawn.
*/
export function subtreeMarks(view: TreeView): Uint8Array {
	const cached = subtreeMarksCache.get(view);
	if (cached) return cached;
	const {rows, subtreeEnd} = view;
	const marks = new Uint8Array(rows.length);
	for (let index = rows.length - 1; index >= 0; index--) {
		let held = 0;
		for (let child = index + 1; child < subtreeEnd[index]!; child = subtreeEnd[child]!) {
			const row = rows[child]!;
			held |=
				marks[child]! |
				(row.wasted ? heldMark.wasted : 0) |
				(row.buildOnly ? heldMark.buildOnly : 0) |
				(row.runtime ? heldMark.runtime : 0);
		}

		marks[index] = held;
	}

	subtreeMarksCache.set(view, marks);
	return marks;
}
