import type {ImageAnalysis} from '../analysis/types.js';
import {
	buildOnlyPaths,
	buildTreeView,
	filterTreeView,
	type TreeOptions,
	type TreeView,
	visibleRows,
} from './tree-view.js';

/** Which directories are collapsed: everything `toggled` flips the default. Replaced, never mutated. */
export type CollapseState = {allCollapsed: boolean; toggled: ReadonlySet<string>};

type AnalysisCache = {buildOnly: Set<string>; views: Map<string, TreeView>};

const caches = new WeakMap<ImageAnalysis, AnalysisCache>();
const visibleCache = new WeakMap<TreeView, {collapse: CollapseState; rows: Int32Array}>();
const maxViews = 4;

function cacheFor(analysis: ImageAnalysis): AnalysisCache {
	let cache = caches.get(analysis);
	if (!cache) {
		cache = {buildOnly: buildOnlyPaths(analysis), views: new Map()};
		caches.set(analysis, cache);
	}

	return cache;
}

export function buildOnlySet(analysis: ImageAnalysis): Set<string> {
	return cacheFor(analysis).buildOnly;
}

/** The fully expanded rows of a view, built once per (layer, mode, filter, sort, hide toggles). */
export function treeViewFor(analysis: ImageAnalysis, options: TreeOptions): TreeView {
	const cache = cacheFor(analysis);
	const key = JSON.stringify(options);
	let view = cache.views.get(key);
	if (view) {
		// Refresh its place in the least-recently-used order.
		cache.views.delete(key);
	} else if (options.filter === '') {
		view = buildTreeView(analysis, options, cache.buildOnly);
	} else {
		// Each typed character re-filters the cached unfiltered rows instead of walking the tree again.
		view = filterTreeView(treeViewFor(analysis, {...options, filter: ''}), options);
	}

	cache.views.set(key, view);
	if (cache.views.size > maxViews) {
		cache.views.delete(cache.views.keys().next().value!);
	}

	return view;
}

/** Visible row indexes of a view for a collapse state, memoised on both. */
export function visibleFor(view: TreeView, collapse: CollapseState): Int32Array {
	const cached = visibleCache.get(view);
	if (cached && cached.collapse === collapse) {
		return cached.rows;
	}

	const rows =
		!collapse.allCollapsed && collapse.toggled.size === 0
			? Int32Array.from({length: view.rows.length}, (_, index) => index)
			: visibleRows(view, (path) => collapse.allCollapsed !== collapse.toggled.has(path));
	visibleCache.set(view, {collapse, rows});
	return rows;
}
