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

/** Views kept whatever their size (the current one and a few it is toggled with). */
const minViews = 4;
/**
Rows kept across all views: every layer of a 100k-file image in changes mode, or a few of its
aggregated views (a row is ~150 bytes). Moving between layers then shows a view built before.
*/
const maxCachedRows = 600_000;
/** Longest stretch of idle-time building before yielding to input and rendering. */
const sliceMs = 4;

const keyOf = (options: TreeOptions): string => JSON.stringify(options);

/**
The tree views of one analysis, memoised: each explorer holds its own in its state, and the reducers'
selectors and the size map read views through it. Built once per (layer, mode, filter, sort, hide toggles),
kept least recently used first within a row budget, and built ahead in idle time (`warm`).
*/
export class TreeViews {
	readonly buildOnly: Set<string>;
	readonly runtime: Set<string>;
	/** Least recently used first. */
	private readonly views = new Map<string, TreeView>();
	private rows = 0;
	/** Views being built ahead in idle time, by key; a key press that needs one finishes it. */
	private readonly pending = new Map<string, Steps>();
	private readonly visibleByView = new WeakMap<TreeView, {collapse: CollapseState; rows: Int32Array}>();

	constructor(readonly analysis: ImageAnalysis) {
		this.buildOnly = buildOnlyPaths(analysis);
		this.runtime = runtimePaths(analysis);
	}

	/** The fully expanded rows of a view. */
	view(options: TreeOptions): TreeView {
		const key = keyOf(options);
		const cached = this.views.get(key);
		if (cached) {
			// Refresh its place in the least-recently-used order.
			this.views.delete(key);
			this.views.set(key, cached);
			return cached;
		}

		let view: TreeView;
		if (options.filter === '') {
			view = finishSteps(this.pending.get(key) ?? this.steps(options));
			this.pending.delete(key);
		} else {
			// Each typed character re-filters the cached unfiltered rows instead of walking the tree again.
			view = filterTreeView(this.view({...options, filter: ''}), options);
		}

		this.store(key, view);
		return view;
	}

	/** Visible row indexes of a view for a collapse state, memoised on both. */
	visible(view: TreeView, collapse: CollapseState): Int32Array {
		const cached = this.visibleByView.get(view);
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

		this.visibleByView.set(view, {collapse, rows});
		return rows;
	}

	/**
	Build the views for `wanted` (unfiltered options, most wanted first) in idle time, a few milliseconds
	per macrotask, so a key press waits at most one slice. Stops at the row budget rather than evicting
	views. A half-built view stays pending for the next call (or the key press that needs it). Returns a
	function that stops it.
	*/
	warm(wanted: TreeOptions[]): () => void {
		const queue = wanted.filter((options) => options.filter === '').map(keyOf);
		const optionsByKey = new Map(wanted.map((options) => [keyOf(options), options]));
		// Half-built views of options no longer wanted would only hold memory.
		for (const key of this.pending.keys()) {
			if (!optionsByKey.has(key)) this.pending.delete(key);
		}

		let timer: NodeJS.Immediate | undefined;
		const slice = () => {
			const deadline = performance.now() + sliceMs;
			while (queue.length > 0 && performance.now() < deadline) {
				const key = queue[0]!;
				if (this.views.has(key)) {
					queue.shift();
					continue;
				}

				if (this.rows >= maxCachedRows) {
					queue.length = 0;
					break;
				}

				if (this.buildSome(key, optionsByKey.get(key)!, deadline)) queue.shift();
			}

			timer = queue.length > 0 ? setImmediate(slice) : undefined;
		};

		timer = setImmediate(slice);
		return () => {
			if (timer) clearImmediate(timer);
		};
	}

	/** Build `key`'s view until `deadline`; true once it is built and stored. */
	private buildSome(key: string, options: TreeOptions, deadline: number): boolean {
		let steps = this.pending.get(key);
		if (!steps) {
			steps = this.steps(options);
			this.pending.set(key, steps);
		}

		let step = steps.next();
		while (!step.done && performance.now() < deadline) step = steps.next();
		if (!step.done) return false;
		this.pending.delete(key);
		// Warmed views go in as least recently used: they never push out what the user just saw.
		const views = [...this.views];
		this.views.clear();
		this.views.set(key, step.value);
		for (const [other, view] of views) this.views.set(other, view);
		this.rows += step.value.rows.length;
		return true;
	}

	private steps(options: TreeOptions): Steps {
		return treeViewSteps(this.analysis, options, this.buildOnly, this.runtime);
	}

	private store(key: string, view: TreeView): void {
		this.views.set(key, view);
		this.rows += view.rows.length;
		while (this.views.size > minViews && this.rows > maxCachedRows) {
			const [oldest, evicted] = this.views.entries().next().value!;
			this.views.delete(oldest);
			this.rows -= evicted.rows.length;
		}
	}
}
