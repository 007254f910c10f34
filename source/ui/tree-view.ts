import type {ChangeKind, FileVersion, ImageAnalysis, PathNode} from '../analysis/types.js';

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
};

export type TreeRow = {
	node: PathNode;
	depth: number;
	/** Box-drawing prefix (`│  ├─ `) drawn before the name. */
	prefix: string;
	isDirectory: boolean;
	/** True when the directory has rows below it in this view. */
	hasChildren: boolean;
	status: ChangeKind;
	/** The version shown: for removed rows, the version that was removed. */
	version: FileVersion | undefined;
	/** Regular-file bytes of this row, aggregated for directories. */
	size: number;
	/** This version is hidden by a later layer (deleted or overwritten). */
	wasted: boolean;
	buildOnly: boolean;
	/** Whether this row is only here as the parent of changed rows (changes mode). */
	isContext: boolean;
};

/** Every row of one view, fully expanded, pre-order; `subtreeEnd[i]` is one past the last row under row i. */
export type TreeView = {
	rows: TreeRow[];
	subtreeEnd: Int32Array;
	/** Why the path filter was ignored (an invalid regular expression). */
	filterError: string | undefined;
};

/** A row before its place in the list is known (depth, prefix and hasChildren are filled in when emitted). */
type Built = {row: TreeRow; children: Built[]};

/** Paths that `build-only` and `cache` findings name, without a leading slash. */
export function buildOnlyPaths(analysis: ImageAnalysis): Set<string> {
	const paths = new Set<string>();
	for (const finding of analysis.findings) {
		if (finding.category === 'build-only' || finding.category === 'cache') {
			for (const path of finding.paths) {
				paths.add(path.replace(/^\/+/, '').replace(/\/+$/, ''));
			}
		}
	}

	return paths;
}

/** The version of `node` stored at or below `layer` (the newest one), or undefined. */
function versionAsOf(node: PathNode, layer: number): FileVersion | undefined {
	const {versions} = node;
	for (let index = versions.length - 1; index >= 0; index--) {
		const version = versions[index]!;
		if (version.layer <= layer) {
			return version;
		}
	}

	return undefined;
}

function isVisibleAt(version: FileVersion, layer: number): boolean {
	return version.hiddenBy === -1 || version.hiddenBy > layer;
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
): TreeView {
	if (options.filter !== '') {
		return filterTreeView(buildTreeView(analysis, {...options, filter: ''}, buildOnly), options);
	}

	const steps = treeViewSteps(analysis, options, buildOnly);
	let step = steps.next();
	while (!step.done) step = steps.next();
	return step.value;
}

/** Nodes visited between two pauses of `treeViewSteps`: about a millisecond of work. */
const nodesPerStep = 2048;

/** Shared by every leaf: most rows are files, and an array each is garbage the walk need not make. */
const noChildren: Built[] = [];

const sortedChildrenCache = new WeakMap<PathNode, PathNode[]>();

/** A directory's children in name order, sorted once: every layer's view walks them in this order. */
function sortedChildren(node: PathNode): PathNode[] {
	let sorted = sortedChildrenCache.get(node);
	if (!sorted) {
		sorted = [...node.children!.values()].sort(compareNodeNames);
		sortedChildrenCache.set(node, sorted);
	}

	return sorted;
}

/**
`buildTreeView` (without a path filter) as steps: it pauses every few thousand nodes, so views can be
built ahead in idle time without holding up a key press for longer than a step.
*/
export function* treeViewSteps(
	analysis: ImageAnalysis,
	options: TreeOptions,
	buildOnly: Set<string>,
): Generator<void, TreeView, void> {
	const {layer} = options;
	let inChangeSet: Set<PathNode> | undefined;
	if (options.mode === 'changes') {
		inChangeSet = new Set();
		for (const node of analysis.layerNodes[layer] ?? []) {
			let current: PathNode | undefined = node;
			while (current && !inChangeSet.has(current)) {
				inChangeSet.add(current);
				current = current.parent;
			}
		}
	}

	let visited = 0;
	type Head = {version: FileVersion | undefined; status: ChangeKind; isContext: boolean; wasted: boolean};

	/** What the view shows for `node` itself, or undefined when the node is not in it. */
	const headOf = (node: PathNode): Head | undefined => {
		if (inChangeSet) {
			if (!inChangeSet.has(node)) return undefined;
			const last = node.versions.at(-1);
			const own = last?.layer === layer ? last : node.versions.find((candidate) => candidate.layer === layer);
			if (own) return {version: own, status: own.kind, isContext: false, wasted: own.hiddenBy !== -1};
			if (node.removedIn.includes(layer)) {
				return {version: versionAsOf(node, layer - 1), status: 'removed', isContext: false, wasted: false};
			}

			return {version: versionAsOf(node, layer), status: 'unchanged', isContext: true, wasted: false};
		}

		const version = versionAsOf(node, layer);
		if (version && isVisibleAt(version, layer)) {
			return {
				version,
				status: version.layer === layer ? version.kind : 'unchanged',
				isContext: false,
				wasted: version.hiddenBy !== -1,
			};
		}

		if (node.removedIn.includes(layer) || version?.hiddenBy === layer) {
			return {version, status: 'removed', isContext: false, wasted: false};
		}

		// Not present as of this layer (not yet added, or removed earlier).
		return node.versions.length > 0 || !node.children
			? undefined
			: {version, status: 'unchanged', isContext: false, wasted: false};
	};

	const finish = (
		node: PathNode,
		head: Head,
		children: Built[],
		childrenSize: number,
		childChanged: boolean,
	): Built | undefined => {
		const {version, isContext} = head;
		let {status} = head;
		const isDirectory = node.children !== undefined || version?.entry.type === 'dir';
		let size = childrenSize;
		if (node.children && status === 'removed') {
			// A removed directory shows what it removed, as a single row.
			size = removedSize(node, layer);
		}

		if (!isDirectory) {
			size = version?.entry.size ?? 0;
		}

		if (!version && children.length === 0 && status !== 'removed') {
			// A directory implied only by paths that are not in this view.
			return undefined;
		}

		if (isDirectory && status === 'unchanged' && childChanged && !inChangeSet) {
			// Like dive: a directory whose contents changed reads as modified.
			status = 'modified';
		}

		const row: TreeRow = {
			node,
			depth: 0,
			prefix: '',
			isDirectory,
			hasChildren: children.length > 0,
			status,
			version,
			size,
			wasted: head.wasted && !isDirectory,
			buildOnly: buildOnly.size > 0 && buildOnly.has(node.path),
			isContext,
		};
		if (children.length > 0) {
			return {row, children};
		}

		return rowPasses(row, options) && !(isContext && isDirectory) ? {row, children} : undefined;
	};

	// Only directories are generators: a generator per file would cost more than the file's own work.
	function* visit(node: PathNode): Generator<void, Built | undefined, void> {
		const head = headOf(node);
		if (!head) return undefined;
		const children: Built[] = [];
		let size = 0;
		let childChanged = false;
		if (node.children && head.status !== 'removed') {
			for (const child of sortedChildren(node)) {
				if (++visited % nodesPerStep === 0) yield;
				let built: Built | undefined;
				if (child.children) {
					built = yield* visit(child);
				} else {
					const childHead = headOf(child);
					built = childHead && finish(child, childHead, noChildren, 0, false);
				}

				if (built) {
					children.push(built);
					if (built.row.status !== 'removed') size += built.row.size;
					if (built.row.status !== 'unchanged') childChanged = true;
				}
			}
		}

		return finish(node, head, children, size, childChanged);
	}

	const rootChildren: Built[] = [];
	if (analysis.root.children) {
		for (const child of sortedChildren(analysis.root)) {
			const head = child.children ? undefined : headOf(child);
			const built = child.children ? yield* visit(child) : head && finish(child, head, noChildren, 0, false);
			if (built) rootChildren.push(built);
		}
	}

	const rows: TreeRow[] = [];
	const ends: number[] = [];
	// Children were visited in name order, so only a size sort has work left to do.
	const compare =
		options.sort === 'size'
			? (a: Built, b: Built) => b.row.size - a.row.size || compareNames(a, b)
			: undefined;
	const emit = (items: Built[], depth: number, indent: string) => {
		if (compare) items.sort(compare);
		for (let index = 0; index < items.length; index++) {
			const item = items[index]!;
			const isLast = index === items.length - 1;
			const at = rows.length;
			// The row objects are this build's own, so filling them in place is safe.
			item.row.depth = depth;
			item.row.prefix = `${indent}${isLast ? '└─ ' : '├─ '}`;
			rows.push(item.row);
			ends.push(0);
			if (item.children.length > 0) {
				emit(item.children, depth + 1, `${indent}${isLast ? '   ' : '│  '}`);
			}

			ends[at] = rows.length;
		}
	};

	emit(rootChildren, 0, '');
	return {rows, subtreeEnd: Int32Array.from(ends), filterError: undefined};
}

/** The status, waste and build-only filters for one row on its own (the path filter is separate). */
export function rowPasses(row: TreeRow, options: TreeOptions): boolean {
	if (options.hidden[row.status]) return false;
	if (options.wasteOnly && !row.wasted) return false;
	if (options.buildOnly && !row.buildOnly) return false;
	return true;
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
	if (!regex) {
		return {...base, filterError: error};
	}

	const {rows, subtreeEnd} = base;
	const keep = new Uint8Array(rows.length);
	const sizes = new Float64Array(rows.length);
	const keptChildren = new Uint8Array(rows.length);
	// Children come after their parent in pre-order, so a reverse pass sees them first.
	const parentOf = parentsOf(base);
	for (let index = rows.length - 1; index >= 0; index--) {
		const row = rows[index]!;
		if (keptChildren[index]) {
			keep[index] = 1;
		} else if (
			!(row.isContext && row.isDirectory) &&
			rowPasses(row, options) &&
			regex.test(`/${row.node.path}`)
		) {
			keep[index] = 1;
			sizes[index] = row.hasChildren ? 0 : row.size;
		}

		const parent = parentOf[index]!;
		if (keep[index] && parent !== -1) {
			keptChildren[parent] = 1;
			if (row.status !== 'removed') sizes[parent]! += sizes[index]!;
		}
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
			children.sort((a, b) => sizes[b]! - sizes[a]! || compareNodeNames(rows[a]!.node, rows[b]!.node));
		}

		for (let position = 0; position < children.length; position++) {
			const index = children[position]!;
			const row = rows[index]!;
			const isLast = position === children.length - 1;
			const at = out.length;
			// Spelled out rather than spread: this runs per kept row on every typed character.
			out.push({
				node: row.node,
				depth: row.depth,
				prefix: `${indent}${isLast ? '└─ ' : '├─ '}`,
				isDirectory: row.isDirectory,
				hasChildren: keptChildren[index] === 1,
				status: row.status,
				version: row.version,
				size: sizes[index]!,
				wasted: row.wasted,
				buildOnly: row.buildOnly,
				isContext: row.isContext,
			});
			ends.push(0);
			if (keptChildren[index]) emit(index + 1, subtreeEnd[index]!, `${indent}${isLast ? '   ' : '│  '}`);
			ends[at] = out.length;
		}
	};

	emit(0, rows.length, '');
	return {rows: out, subtreeEnd: Int32Array.from(ends), filterError: undefined};
}

function compareNames(a: Built, b: Built): number {
	return compareNodeNames(a.row.node, b.row.node);
}

function compareNodeNames(a: PathNode, b: PathNode): number {
	return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function removedSize(directory: PathNode, layer: number): number {
	let total = 0;
	const stack: PathNode[] = [directory];
	while (stack.length > 0) {
		const node = stack.pop()!;
		const version = versionAsOf(node, layer - 1);
		if (version && version.hiddenBy === layer && version.entry.type === 'file') {
			total += version.entry.size;
		}

		if (node.children) stack.push(...node.children.values());
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
		index = row.hasChildren && isCollapsed(row.node.path) ? subtreeEnd[index]! : index + 1;
	}

	return out.subarray(0, count);
}
