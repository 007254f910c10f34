import type {ImageComparison} from '../../analysis/compare/types.js';
import type {Keymap} from '../keymap.js';
import type {Size} from '../layout.js';
import {diffHelpLines, findingLines, layerLines} from './diff-text.js';
import {type DiffTree, filterPattern, type TreeRow, visibleRows} from './diff-tree.js';

/*
What the diff view derives from its state: its layout, the rows the tree shows, the overlay's lines.
Pure reads of the state, memoised on what they depend on; the reducer and the frame share them.
*/

/** The two images compared and their merged tree of changes (built once per comparison). */
export type DiffModel = {comparison: ImageComparison; tree: DiffTree};

/** The parts of the diff state the selectors read (diff-state.ts holds the rest). */
export type DiffSelectable = {
	model: DiffModel;
	keymap: Keymap;
	size: Size;
	sort: 'name' | 'delta';
	toggled: ReadonlySet<string>;
	filter: string;
	overlay: 'help' | 'findings' | undefined;
};

export type DiffLayout = {
	width: number;
	/** The frame's lines: the terminal's less the last, left free (a full-height frame would scroll it). */
	height: number;
	layerHeight: number;
	treeHeight: number;
};

/** The layer lists of a comparison at a width (drawn again only when the width changes). */
const layerLinesDrawn = new WeakMap<ImageComparison, {width: number; lines: string[]}>();

export function diffLayerLines(state: DiffSelectable): string[] {
	const {comparison} = state.model;
	const width = diffLayout(state).width;
	const last = layerLinesDrawn.get(comparison);
	if (last?.width === width) return last.lines;
	const lines = layerLines(comparison, width);
	layerLinesDrawn.set(comparison, {width, lines});
	return lines;
}

export function diffLayout(state: DiffSelectable): DiffLayout {
	const width = Math.max(20, state.size.columns);
	const height = Math.max(8, state.size.rows - 1);
	const {comparison} = state.model;
	const layerCount =
		comparison.layers.shared.length +
		Math.max(comparison.layers.onlyA.length, comparison.layers.onlyB.length);
	const layerHeight = Math.max(2, Math.min(layerCount, Math.floor((height - 7) / 3)));
	// The frame: three header lines, the layers' title and rows, the files' title and rows, the key bar.
	const treeHeight = Math.max(1, height - (3 + 1 + layerHeight) - 2);
	return {width, height, layerHeight, treeHeight};
}

type RowsMemo = {sort: string; toggled: ReadonlySet<string>; filter: string; rows: TreeRow[]};
const rowsMemo = new WeakMap<DiffTree, RowsMemo>();

/** The tree's rows as shown now: open directories' children in the chosen order, or a filter's matches. */
export function diffRows(state: DiffSelectable): readonly TreeRow[] {
	const {tree} = state.model;
	const last = rowsMemo.get(tree);
	if (last && last.sort === state.sort && last.toggled === state.toggled && last.filter === state.filter) {
		return last.rows;
	}

	const rows = visibleRows(tree, {
		sort: state.sort,
		toggled: state.toggled,
		filter: filterPattern(state.filter),
	});
	rowsMemo.set(tree, {sort: state.sort, toggled: state.toggled, filter: state.filter, rows});
	return rows;
}

/** The open overlay's lines: the keys this view answers to, or the findings and packages compared. */
export function diffOverlayLines(state: DiffSelectable): string[] | undefined {
	if (state.overlay === 'help') return diffHelpLines(state.keymap);
	return state.overlay === 'findings' ? findingLines(state.model.comparison) : undefined;
}
