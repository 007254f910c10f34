import {isBuildOnlyOrCache} from '../analysis/finding-categories.js';
import type {ImageAnalysis} from '../analysis/types.js';
import type {TreeOptions, TreeView} from './tree-row.js';
import {filterTreeView} from './tree-view-filter.js';
import {finishSteps, treeViewSteps} from './tree-view-walk.js';

export {
	defaultTreeOptions,
	type PathSubset,
	rowName,
	rowPasses,
	type SortOrder,
	type TreeMode,
	type TreeOptions,
	type TreeRow,
	type TreeView,
} from './tree-row.js';
export {filterTreeView} from './tree-view-filter.js';
export {finishSteps, treeViewSteps} from './tree-view-walk.js';

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
