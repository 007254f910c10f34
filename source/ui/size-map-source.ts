import {baseLayersOfHistory} from '../analysis/findings/base-image.js';
import {defaultTreeOptions, runtimePaths, type SortOrder, type TreeMode, type TreeRow} from './tree-view.js';
import type {TreeViews} from './tree-views.js';

/**
What a rectangle of the size map is, strongest claim first, as the HTML report ranks them: a finding's
category (a secret first), then the runtime closure, then the base image (a cache file of the base image is
cache). A version a later layer hides is waste whatever names its path.
*/
export const sizeCategories = ['secret', 'build-only', 'cache', 'waste', 'runtime', 'base', 'other'] as const;
export type SizeCategory = (typeof sizeCategories)[number];

/** The fields of a tree row the map reads (a TreeRow has them). */
export type SizeMapRow = Pick<TreeRow, 'path' | 'size' | 'isDirectory' | 'status'>;

/**
Everything the size map draws, as plain data: the rows of one tree view in pre-order (`subtreeEnd[i]` is
one past the last row under row i) and each row's category, a directory's being that of most of its bytes.
*/
export type SizeMapSource = {
	/** What the map is of, e.g. `Filesystem as of layer 5`. */
	title: string;
	rows: readonly SizeMapRow[];
	subtreeEnd: Int32Array;
	/** Index into `sizeCategories`, per row. */
	categories: Uint8Array;
};

const categoryCode = Object.fromEntries(sizeCategories.map((category, index) => [category, index])) as Record<
	SizeCategory,
	number
>;
const otherCode = categoryCode.other;

/**
The map's data for the tree's mode at a layer: the filesystem as of the layer, or the layer's changes.
The one place the size map reads the analysis: it goes through the tree view (sizes aggregated per
directory, removed rows kept apart) and asks the path tree only which layer a shown version came from.
*/
export function sizeMapSource(
	views: TreeViews,
	mode: TreeMode,
	layer: number,
	/** The map orders each level itself; the tree's own order finds the view the tree already built. */
	sort: SortOrder = 'size',
): SizeMapSource {
	const view = views.view({...defaultTreeOptions, layer, mode, sort});
	const {analysis} = views;
	const {tree} = analysis;
	const findingCategory = new Map<string, number>();
	for (const finding of analysis.findings) {
		const code = categoryCode[finding.category];
		for (const path of finding.paths) {
			const key = path.replace(/^\/+/, '').replace(/\/+$/, '');
			findingCategory.set(key, Math.min(code, findingCategory.get(key) ?? otherCode));
		}
	}

	const runtime = runtimePaths(analysis);
	// The base image is the history's first steps (see baseHistoryLength): layers 0 to lastBase.
	const lastBase = Math.max(-1, ...baseLayersOfHistory(analysis.history));
	const fileCategory = (row: TreeRow): number => {
		if (row.wasted) return categoryCode.waste;
		const byFinding = findingCategory.get(row.path);
		if (byFinding !== undefined) return byFinding;
		if (runtime.has(row.path)) return categoryCode.runtime;
		if (lastBase >= 0 && row.version !== undefined && tree.versionAsOf(row.node, lastBase) === row.version) {
			return categoryCode.base;
		}

		return otherCode;
	};

	const categories = categorize(view.rows, view.subtreeEnd, (index) => fileCategory(view.rows[index]!));
	const what = mode === 'aggregated' ? `Filesystem as of layer ${layer}` : `Changes in layer ${layer}`;
	const last = analysis.layers.length - 1;
	return {
		title: mode === 'aggregated' && layer === last ? `${what} (final)` : what,
		rows: view.rows,
		subtreeEnd: view.subtreeEnd,
		categories,
	};
}

/**
Each file's category from `fileCategory`; each directory's the category holding most of the bytes under it
(ties to the stronger claim). One forward pass with a stack of open directories' byte sums: no recursion, so
a crafted image 100,000 directories deep is walked like any other.
*/
export function categorize(
	rows: readonly SizeMapRow[],
	subtreeEnd: Int32Array,
	fileCategory: (index: number) => number,
): Uint8Array {
	const categories = new Uint8Array(rows.length).fill(otherCode);
	const open: Array<{index: number; bytes: Float64Array}> = [];
	const close = () => {
		const directory = open.pop()!;
		let best = otherCode;
		for (let code = 0; code < sizeCategories.length; code++) {
			const bytes = directory.bytes[code]!;
			if (bytes > directory.bytes[best]! || (bytes > 0 && bytes === directory.bytes[best]! && code < best)) {
				best = code;
			}
		}

		categories[directory.index] = best;
		const parent = open.at(-1);
		if (parent)
			for (let code = 0; code < sizeCategories.length; code++) parent.bytes[code]! += directory.bytes[code]!;
	};

	for (let index = 0; index < rows.length; index++) {
		while (open.length > 0 && subtreeEnd[open.at(-1)!.index]! <= index) close();
		const row = rows[index]!;
		if (row.status === 'removed') continue;
		if (row.isDirectory && subtreeEnd[index]! > index + 1) {
			open.push({index, bytes: new Float64Array(sizeCategories.length)});
			continue;
		}

		if (row.isDirectory) continue;
		const code = fileCategory(index);
		categories[index] = code;
		const parent = open.at(-1);
		if (parent) parent.bytes[code]! += row.size;
	}

	while (open.length > 0) close();
	return categories;
}
