import type {ChangeKind} from '../analysis/types.js';
import type {TreeState} from './explorer-types.js';
import type {Command} from './keymap.js';
import {computeLayout, type Size} from './layout.js';
import {type StackedTree, stackedView, stackedVisible} from './stacked-fill.js';
import type {SortOrder, TreeMode, TreeRow, TreeView} from './tree-row.js';
import {attributesMinWidth, wrappedRowLineCount} from './tree-row-text.js';
import type {CollapseState} from './tree-views.js';
import {type LinesOf, moveBy, moveTo, pageBy, settle, type Viewport} from './viewport.js';

/*
The tree pane of the layers-first view while the image is read: the explorer's tree of the selected layer,
from the layers stacked so far, with the explorer's cursor, folding and view keys. What needs every layer (the
filter line, waste and build-only marks, the file viewer, owners) is not mirrored: such a key waits for the
explorer. The explorer opens with this state handed over (early-handover.ts).
*/

export type EarlyTree = {
	mode: TreeMode;
	sort: SortOrder;
	hidden: Record<ChangeKind, boolean>;
	collapse: CollapseState;
	viewport: Viewport;
	showAttributes: boolean;
	wrap: boolean;
	/** The node the cursor is on, kept while the selected layer is not stacked yet, to land on it again. */
	cursorNode: number | undefined;
};

/** What the tree's keys read: the stacked tree, the selected layer, the terminal's size. */
export type EarlyTreeContext = {
	stacked: StackedTree | undefined;
	layer: number;
	size: Size;
	tree: EarlyTree;
};

export function createEarlyTree(sort: SortOrder): EarlyTree {
	return {
		mode: 'changes',
		sort,
		hidden: {added: false, modified: false, removed: false, unchanged: false},
		collapse: {allCollapsed: false, toggled: new Set()},
		viewport: {cursor: 0, offset: 0},
		showAttributes: false,
		wrap: false,
		cursorNode: undefined,
	};
}

/** Whether the selected layer's tree is stacked: it and every layer under it are read. */
export function isLayerStacked(stacked: StackedTree | undefined, layer: number): stacked is StackedTree {
	return stacked !== undefined && layer < stacked.layers;
}

export type EarlyTreeSnapshot = {view: TreeView; visible: Int32Array};

/** The selected layer's view and visible rows, or undefined while it is not stacked. */
export function earlyCurrent(context: EarlyTreeContext): EarlyTreeSnapshot | undefined {
	const {stacked, layer, tree} = context;
	if (!isLayerStacked(stacked, layer)) return undefined;
	const view = stackedView(stacked.tree, {layer, mode: tree.mode, sort: tree.sort, hidden: tree.hidden});
	return {view, visible: stackedVisible(view, tree.collapse)};
}

/** The tree pane's width in the layers-first frame (the explorer's layout once there is a tree). */
export function earlyTreeWidth(size: Size): number {
	return computeLayout(size).rightWidth;
}

function linesOf(context: EarlyTreeContext, current: EarlyTreeSnapshot): LinesOf | undefined {
	const {tree, size} = context;
	if (!tree.wrap) return undefined;
	const width = earlyTreeWidth(size);
	const height = computeLayout(size).treeBody;
	return (position) => {
		const row = current.view.rows[current.visible[position]!]!;
		const collapsed = row.hasChildren && tree.collapse.allCollapsed !== tree.collapse.toggled.has(row.path);
		const showAttributes = tree.showAttributes && width >= attributesMinWidth;
		const display = {row, tree: current.view.tree, collapsed, showAttributes, held: 0};
		return wrappedRowLineCount({...display, owner: undefined}, width, height);
	};
}

function selected(tree: EarlyTree, current: EarlyTreeSnapshot | undefined): TreeRow | undefined {
	const index = current?.visible[tree.viewport.cursor];
	return index === undefined ? undefined : current!.view.rows[index];
}

/** The tree with the cursor's node recorded (the node of the row under it, when there are rows). */
function noted(context: EarlyTreeContext, tree: EarlyTree): EarlyTree {
	const current = earlyCurrent({...context, tree});
	if (current === undefined) return tree;
	const node = selected(tree, current)?.node;
	return node === tree.cursorNode ? tree : {...tree, cursorNode: node};
}

/**
After what the pane shows changes (another layer, a layer stacked, a view key): the cursor on the node it was
on when that node is shown, centred as the explorer does; else `fallback`. While the layer is not stacked the
tree is left as it is, so the cursor lands on its node once the layer is.
*/
export function refit(context: EarlyTreeContext, fallback: Viewport = context.tree.viewport): EarlyTree {
	const {tree} = context;
	const current = earlyCurrent(context);
	if (current === undefined) return tree;
	const {view, visible} = current;
	let cursor = -1;
	if (tree.cursorNode !== undefined) {
		for (let position = 0; position < visible.length; position++) {
			if (view.rows[visible[position]!]!.node === tree.cursorNode) {
				cursor = position;
				break;
			}
		}
	}

	const height = computeLayout(context.size).treeBody;
	const lines = linesOf(context, current);
	const viewport =
		cursor === -1
			? settle(fallback, visible.length, height, lines)
			: settle({cursor, offset: cursor - Math.floor(height / 2)}, visible.length, height, lines);
	return noted(context, {...tree, viewport});
}

/** A change of what the tree shows, the cursor kept on its node. */
function change(context: EarlyTreeContext, patch: Partial<EarlyTree>): EarlyTree {
	return refit({...context, tree: {...context.tree, ...patch}}, context.tree.viewport);
}

function move(context: EarlyTreeContext, kind: 'by' | 'page' | 'to', amount: number): EarlyTree {
	const current = earlyCurrent(context);
	if (current === undefined) return context.tree;
	const step = kind === 'by' ? moveBy : kind === 'page' ? pageBy : moveTo;
	const height = computeLayout(context.size).treeBody;
	const viewport = step(
		context.tree.viewport,
		amount,
		current.visible.length,
		height,
		linesOf(context, current),
	);
	return noted(context, {...context.tree, viewport});
}

function setCollapsed(context: EarlyTreeContext, path: string, collapsed: boolean): EarlyTree {
	const {collapse} = context.tree;
	if ((collapse.allCollapsed !== collapse.toggled.has(path)) === collapsed) return context.tree;
	const toggled = new Set(collapse.toggled);
	if (!toggled.delete(path)) toggled.add(path);
	return change(context, {collapse: {allCollapsed: collapse.allCollapsed, toggled}});
}

/** The selected row's folding keys; `activate` on a file opens the viewer, which waits for the explorer. */
function rowCommand(context: EarlyTreeContext, command: Command): EarlyTree | undefined {
	const current = earlyCurrent(context);
	const row = selected(context.tree, current);
	if (row === undefined || current === undefined) return command === 'activate' ? undefined : context.tree;
	const {collapse} = context.tree;
	const isCollapsed = row.hasChildren && collapse.allCollapsed !== collapse.toggled.has(row.path);
	switch (command) {
		case 'collapse': {
			if (row.hasChildren && !isCollapsed) return setCollapsed(context, row.path, true);
			const parent = current.view.tree.parentOf(row.node);
			for (let position = context.tree.viewport.cursor - 1; position >= 0; position--) {
				if (row.depth > 0 && current.view.rows[current.visible[position]!]!.node === parent) {
					return move(context, 'to', position);
				}
			}

			return context.tree;
		}

		case 'expand':
			return row.hasChildren ? setCollapsed(context, row.path, false) : context.tree;
		case 'activate':
			return row.hasChildren ? setCollapsed(context, row.path, !isCollapsed) : undefined;
		default:
			return row.hasChildren ? setCollapsed(context, row.path, !isCollapsed) : context.tree;
	}
}

const hideCommands: Partial<Record<Command, ChangeKind>> = {
	hideAdded: 'added',
	hideModified: 'modified',
	hideRemoved: 'removed',
	hideUnchanged: 'unchanged',
};

/** The view keys: what the tree shows, its order, folding of everything, attributes, wrapping. */
function viewCommand(context: EarlyTreeContext, command: Command): EarlyTree | undefined {
	const {tree} = context;
	const hide = hideCommands[command];
	if (hide !== undefined) return change(context, {hidden: {...tree.hidden, [hide]: !tree.hidden[hide]}});
	switch (command) {
		case 'showAggregated':
			return tree.mode === 'aggregated' ? tree : change(context, {mode: 'aggregated'});
		case 'showChanges':
			return tree.mode === 'changes' ? tree : change(context, {mode: 'changes'});
		case 'aggregated':
			return change(context, {mode: tree.mode === 'changes' ? 'aggregated' : 'changes'});
		case 'sort':
			return change(context, {sort: tree.sort === 'name' ? 'size' : 'name'});
		case 'collapseAll':
			return change(context, {collapse: {allCollapsed: true, toggled: new Set()}});
		case 'expandAll':
			return change(context, {collapse: {allCollapsed: false, toggled: new Set()}});
		case 'toggleAll': {
			const all = !(tree.collapse.allCollapsed && tree.collapse.toggled.size === 0);
			return change(context, {collapse: {allCollapsed: all, toggled: new Set()}});
		}

		case 'attributes':
			return refit({...context, tree: {...tree, showAttributes: !tree.showAttributes}});
		case 'wrapTree':
			return change(context, {wrap: !tree.wrap});
		default:
			return undefined;
	}
}

/** What a tree key does to the early tree; undefined when only the explorer can do it (it is then kept). */
export function earlyTreeCommand(context: EarlyTreeContext, command: Command): EarlyTree | undefined {
	switch (command) {
		case 'up':
			return move(context, 'by', -1);
		case 'down':
			return move(context, 'by', 1);
		case 'pageUp':
			return move(context, 'page', -1);
		case 'pageDown':
			return move(context, 'page', 1);
		case 'first':
			return move(context, 'to', 0);
		case 'last':
			return move(context, 'to', (earlyCurrent(context)?.visible.length ?? 1) - 1);
		case 'collapse':
		case 'expand':
		case 'toggle':
		case 'activate':
			return rowCommand(context, command);
		default:
			return viewCommand(context, command);
	}
}

/** The same rows again (a later layer stacked, a resize): the cursor and the scroll stay, clamped to the rows. */
export function settleEarlyTree(context: EarlyTreeContext): EarlyTree {
	const current = earlyCurrent(context);
	if (current === undefined) return context.tree;
	const height = computeLayout(context.size).treeBody;
	const viewport = settle(context.tree.viewport, current.visible.length, height, linesOf(context, current));
	return noted(context, viewport === context.tree.viewport ? context.tree : {...context.tree, viewport});
}

/** The early tree as the explorer's tree state, for the explorer's tree pane to draw it. */
export function asTreeState(tree: EarlyTree): TreeState {
	return {
		mode: tree.mode,
		filter: '',
		sort: tree.sort,
		hidden: tree.hidden,
		wasteOnly: false,
		buildOnly: false,
		collapse: tree.collapse,
		collapseBeforeFilter: undefined,
		viewport: tree.viewport,
		showAttributes: tree.showAttributes,
		wrap: tree.wrap,
		showOwner: false,
		only: undefined,
	};
}
