import {compareRowNames, rowPasses, type TreeOptions, type TreeRow, type TreeView} from './tree-row.js';

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

/** Which rows a filter keeps: a row that passes, and every directory above one; sizes are the kept bytes. */
type KeptRows = {
	keep: Uint8Array;
	/** Regular-file bytes each kept row holds once the filter is applied. */
	sizes: Float64Array;
	/** 1 for a row with a kept row below it. */
	keptChildren: Uint8Array;
	count: number;
};

/** Whether a row passes the filters by itself (a directory above a kept row is kept regardless). */
function rowMatches(
	row: TreeRow,
	slashPath: string,
	options: TreeOptions,
	regex: RegExp | undefined,
	only: ReadonlySet<string> | undefined,
): boolean {
	return (
		!(row.isContext && row.isDirectory) &&
		rowPasses(row, options) &&
		(only === undefined || only.has(row.path)) &&
		(regex === undefined || regex.test(slashPath))
	);
}

/** One reverse pass over the rows: children come after their parent in pre-order, so it sees them first. */
function keptRows(
	base: TreeView,
	options: TreeOptions,
	regex: RegExp | undefined,
	only: ReadonlySet<string> | undefined,
): KeptRows {
	const {rows} = base;
	const keep = new Uint8Array(rows.length);
	const sizes = new Float64Array(rows.length);
	const keptChildren = new Uint8Array(rows.length);
	const parentOf = parentsOf(base);
	const slashPaths = slashPathsOf(base);
	let count = 0;
	for (let index = rows.length - 1; index >= 0; index--) {
		const row = rows[index]!;
		if (keptChildren[index]) {
			keep[index] = 1;
		} else if (rowMatches(row, slashPaths[index]!, options, regex, only)) {
			keep[index] = 1;
			sizes[index] = row.hasChildren ? 0 : row.size;
		}

		const parent = parentOf[index]!;
		if (keep[index]) {
			count++;
			if (parent !== -1) {
				keptChildren[parent] = 1;
				if (row.status !== 'removed') sizes[parent]! += sizes[index]!;
			}
		}
	}

	return {keep, sizes, keptChildren, count};
}

/** A kept row as the filtered view shows it: its own prefix, size and children. */
function filteredRow(row: TreeRow, prefix: string, hasChildren: boolean, size: number): TreeRow {
	// Spelled out rather than spread: this runs per kept row on every typed character.
	return {
		node: row.node,
		path: row.path,
		depth: row.depth,
		prefix,
		isDirectory: row.isDirectory,
		hasChildren,
		status: row.status,
		version: row.version,
		size,
		wasted: row.wasted,
		buildOnly: row.buildOnly,
		runtime: row.runtime,
		isContext: row.isContext,
	};
}

/** The base view, the rows it keeps, and the filtered rows written so far (with their subtree ends). */
type FilterOutput = {
	base: TreeView;
	kept: KeptRows;
	sort: TreeOptions['sort'];
	rows: TreeRow[];
	ends: number[];
};

/** The kept siblings among base rows `start` to `end`, in the order the view shows them. */
function keptSiblings(output: FilterOutput, start: number, end: number): number[] {
	const {rows, subtreeEnd} = output.base;
	const {keep, sizes} = output.kept;
	const children: number[] = [];
	for (let index = start; index < end; index = subtreeEnd[index]!) {
		if (keep[index]) children.push(index);
	}

	if (output.sort === 'size') {
		// Directory totals shrink with the filter, so size order is recomputed on what is shown.
		children.sort((a, b) => sizes[b]! - sizes[a]! || compareRowNames(rows[a]!, rows[b]!));
	}

	return children;
}

/** Write the kept rows among base rows `start` to `end` (one list of siblings and what is under them). */
function emitKeptRows(output: FilterOutput, start: number, end: number, indent: string): void {
	const {rows, subtreeEnd} = output.base;
	const {keptChildren, sizes} = output.kept;
	const children = keptSiblings(output, start, end);
	for (let position = 0; position < children.length; position++) {
		const index = children[position]!;
		const isLast = position === children.length - 1;
		const at = output.rows.length;
		const hasChildren = keptChildren[index] === 1;
		output.rows.push(
			filteredRow(rows[index]!, `${indent}${isLast ? '└─ ' : '├─ '}`, hasChildren, sizes[index]!),
		);
		output.ends.push(0);
		if (hasChildren)
			emitKeptRows(output, index + 1, subtreeEnd[index]!, `${indent}${isLast ? '   ' : '│  '}`);
		output.ends[at] = output.rows.length;
	}
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

	const kept = keptRows(base, options, regex, only);
	if (kept.count === base.rows.length) {
		// The first characters of a filter often match every row: the rows, sizes and prefixes are the base's.
		return {...base, filterError: error};
	}

	const output: FilterOutput = {base, kept, sort: options.sort, rows: [], ends: []};
	emitKeptRows(output, 0, base.rows.length, '');
	return {tree: base.tree, rows: output.rows, subtreeEnd: Int32Array.from(output.ends), filterError: error};
}
