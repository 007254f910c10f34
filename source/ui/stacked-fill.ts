import {IncrementalStack, type PathTree} from '../engine/index.js';
import type {ReadPicture} from '../image/read-progress.js';
import {defaultTreeOptions, type TreeOptions, type TreeView} from './tree-row.js';
import {visibleRows} from './tree-view.js';
import {finishSteps, treeViewSteps} from './tree-view-walk.js';
import type {CollapseState} from './tree-views.js';

/**
The image's tree while it is read: each layer is stacked once it and every layer under it are read, so the
tree of layer k is the filesystem of layers 0..k, exactly as the explorer will show it (only what a later layer
hides is not known yet). Layers arrive with the read's progress; `advance` stacks those that can be. The load
finishes the same stack once the read ends (`finishStack`), so no layer is stacked twice; after that `advance`
stacks nothing more.
*/
export type StackedTree = {
	/** The layers stacked so far, 0..layers-1. */
	layers: number;
	tree: PathTree;
};

export class StackedFill {
	readonly #stack = new IncrementalStack();
	#stacked: StackedTree | undefined;

	/** The stack itself, for the load to finish once every layer is read. */
	get stack(): IncrementalStack {
		return this.#stack;
	}

	/** The tree as of the last layer stacked; undefined before the first. */
	get stacked(): StackedTree | undefined {
		return this.#stacked;
	}

	/** Stacks every layer the picture has read in order after those stacked; true when one was. */
	advance(picture: ReadPicture): boolean {
		// Finished by the load: the explorer opens on its tree, this view's last frame keeps the snapshot it had.
		if (this.#stack.finished) return false;
		const before = this.#stack.count;
		for (;;) {
			const next = this.#stack.count;
			const layer = picture.layers?.[next];
			if (layer === undefined || picture.states[next] !== 'read') break;
			this.#stack.add(layer.entries);
		}

		if (this.#stack.count === before) return false;
		this.#stacked = {layers: this.#stack.count, tree: this.#stack.snapshot()};
		return true;
	}
}

const noPaths: ReadonlySet<string> = new Set();
const noPathSet = new Set<string>();
/** The views of a stacked tree by their options, and their visible rows per folding: each tree is stacked once. */
const viewsOf = new WeakMap<PathTree, Map<string, TreeView>>();
const visibleOf = new WeakMap<TreeView, {collapse: CollapseState; rows: Int32Array}>();

/** The options the early tree pane can show: no filter, no waste or build-only marks (they need every layer). */
export type EarlyTreeOptions = Pick<TreeOptions, 'layer' | 'mode' | 'sort' | 'hidden'>;

/** One layer's view of a stacked tree, as the explorer builds it (the same walk), memoised on the tree. */
export function stackedView(tree: PathTree, options: EarlyTreeOptions): TreeView {
	let views = viewsOf.get(tree);
	if (!views) {
		views = new Map();
		viewsOf.set(tree, views);
	}

	const key = JSON.stringify([options.layer, options.mode, options.sort, options.hidden]);
	let view = views.get(key);
	if (!view) {
		const full: TreeOptions = {...defaultTreeOptions, ...options};
		view = finishSteps(treeViewSteps({tree}, full, noPathSet, noPaths));
		views.set(key, view);
	}

	return view;
}

/** The visible rows of a view for a folding, memoised on both. */
export function stackedVisible(view: TreeView, collapse: CollapseState): Int32Array {
	const cached = visibleOf.get(view);
	if (cached?.collapse === collapse) return cached.rows;
	const rows =
		!collapse.allCollapsed && collapse.toggled.size === 0
			? Int32Array.from(view.rows, (_row, index) => index)
			: visibleRows(view, (path) => collapse.allCollapsed !== collapse.toggled.has(path));
	visibleOf.set(view, {collapse, rows});
	return rows;
}
