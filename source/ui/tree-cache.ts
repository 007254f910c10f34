import type {ImageAnalysis} from '../analysis/types.js';
import {
	buildOnlyPaths,
	filterTreeView,
	finishSteps,
	runtimePaths,
	type TreeOptions,
	type TreeView,
	treeViewSteps,
	visibleRows,
} from './tree-view.js';

/** Which directories are collapsed: everything `toggled` flips the default. Replaced, never mutated. */
export type CollapseState = {allCollapsed: boolean; toggled: ReadonlySet<string>};

type Steps = Generator<void, TreeView, void>;
type AnalysisCache = {
	buildOnly: Set<string>;
	runtime: Set<string>;
	/** Least recently used first. */
	views: Map<string, TreeView>;
	rows: number;
	/** Views being built ahead in idle time, by key; a key press that needs one finishes it. */
	pending: Map<string, Steps>;
};

const caches = new WeakMap<ImageAnalysis, AnalysisCache>();
const visibleCache = new WeakMap<TreeView, {collapse: CollapseState; rows: Int32Array}>();
/** Views kept whatever their size (the current one and a few it is toggled with). */
const minViews = 4;
/**
Rows kept across all views: every layer of a 100k-file image in changes mode, or a few of its
aggregated views (a row is ~150 bytes). Moving between layers then shows a view built before.
*/
const maxCachedRows = 600_000;

function cacheFor(analysis: ImageAnalysis): AnalysisCache {
	let cache = caches.get(analysis);
	if (!cache) {
		cache = {
			buildOnly: buildOnlyPaths(analysis),
			runtime: runtimePaths(analysis),
			views: new Map(),
			rows: 0,
			pending: new Map(),
		};
		caches.set(analysis, cache);
	}

	return cache;
}

export function buildOnlySet(analysis: ImageAnalysis): Set<string> {
	return cacheFor(analysis).buildOnly;
}

/** A path subset is keyed by its label: its set would serialise as `{}`. */
const keyOf = (options: TreeOptions): string =>
	JSON.stringify(options, (key, value) => (key === 'only' ? (value as TreeOptions['only'])?.label : value));

function store(cache: AnalysisCache, key: string, view: TreeView): void {
	cache.views.set(key, view);
	cache.rows += view.rows.length;
	while (cache.views.size > minViews && cache.rows > maxCachedRows) {
		const [oldest, evicted] = cache.views.entries().next().value!;
		cache.views.delete(oldest);
		cache.rows -= evicted.rows.length;
	}
}

/** The fully expanded rows of a view, built once per (layer, mode, filter, sort, hide toggles). */
export function treeViewFor(analysis: ImageAnalysis, options: TreeOptions): TreeView {
	const cache = cacheFor(analysis);
	const key = keyOf(options);
	const cached = cache.views.get(key);
	if (cached) {
		// Refresh its place in the least-recently-used order.
		cache.views.delete(key);
		cache.views.set(key, cached);
		return cached;
	}

	let view: TreeView;
	if (options.filter === '' && options.only === undefined) {
		view = finishSteps(
			cache.pending.get(key) ?? treeViewSteps(analysis, options, cache.buildOnly, cache.runtime),
		);
		cache.pending.delete(key);
	} else {
		// Each typed character re-filters the cached unfiltered rows instead of walking the tree again.
		view = filterTreeView(treeViewFor(analysis, {...options, filter: '', only: undefined}), options);
	}

	store(cache, key, view);
	return view;
}

/** Longest stretch of idle-time building before yielding to input and rendering. */
const sliceMs = 4;

/**
Build the views for `wanted` (unfiltered options, most wanted first) in idle time, a few milliseconds
per macrotask, so a key press waits at most one slice. Stops at the cache's row budget rather than
evicting views. A half-built view stays pending for the next call (or the key press that needs it).
Returns a function that stops it.
*/
export function warmTreeViews(analysis: ImageAnalysis, wanted: TreeOptions[]): () => void {
	const cache = cacheFor(analysis);
	const queue = wanted.filter((options) => options.filter === '' && options.only === undefined).map(keyOf);
	const optionsByKey = new Map(wanted.map((options) => [keyOf(options), options]));
	// Half-built views of options no longer wanted would only hold memory.
	for (const key of cache.pending.keys()) {
		if (!optionsByKey.has(key)) cache.pending.delete(key);
	}

	let timer: NodeJS.Immediate | undefined;
	const slice = () => {
		const deadline = performance.now() + sliceMs;
		while (queue.length > 0 && performance.now() < deadline) {
			const key = queue[0]!;
			if (cache.views.has(key)) {
				queue.shift();
				continue;
			}

			if (cache.rows >= maxCachedRows) {
				queue.length = 0;
				break;
			}

			let steps = cache.pending.get(key);
			if (!steps) {
				steps = treeViewSteps(analysis, optionsByKey.get(key)!, cache.buildOnly, cache.runtime);
				cache.pending.set(key, steps);
			}

			let step = steps.next();
			while (!step.done && performance.now() < deadline) step = steps.next();
			if (step.done) {
				cache.pending.delete(key);
				// Warmed views go in as least recently used: they never push out what the user just saw.
				const views = [...cache.views];
				cache.views.clear();
				cache.views.set(key, step.value);
				for (const [other, view] of views) cache.views.set(other, view);
				cache.rows += step.value.rows.length;
				queue.shift();
			}
		}

		timer = queue.length > 0 ? setImmediate(slice) : undefined;
	};

	timer = setImmediate(slice);
	return () => {
		if (timer) clearImmediate(timer);
	};
}

/** Visible row indexes of a view for a collapse state, memoised on both. */
export function visibleFor(view: TreeView, collapse: CollapseState): Int32Array {
	const cached = visibleCache.get(view);
	if (cached && cached.collapse === collapse) {
		return cached.rows;
	}

	let rows: Int32Array;
	if (!collapse.allCollapsed && collapse.toggled.size === 0) {
		rows = new Int32Array(view.rows.length);
		for (let index = 0; index < rows.length; index++) rows[index] = index;
	} else {
		rows = visibleRows(view, (path) => collapse.allCollapsed !== collapse.toggled.has(path));
	}

	visibleCache.set(view, {collapse, rows});
	return rows;
}
