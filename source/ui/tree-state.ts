import type {ChangeKind} from '../analysis/types.js';
import {currentTree, isRowCollapsed, selectedRow, treeLinesOf} from './explorer-selectors.js';
import {type ExplorerState, panesHaveKeys, type SliceReducer, type TreeState} from './explorer-types.js';
import type {Command} from './keymap.js';
import {layerStep} from './layer-list.js';
import type {TreeRow} from './tree-view.js';
import {moveBy, moveTo, pageBy, settle, type Viewport} from './viewport.js';

/*
Navigation: the layer list, the tree's cursor, folding and what the tree shows (mode, order, the hide
toggles). Every change keeps the cursor on the path it was on, when that path is still shown.
*/

/** Re-clamp both viewports after anything that changes row counts or heights. */
export function settleAll(state: ExplorerState): ExplorerState {
	const {visible} = currentTree(state);
	const viewport = settle(state.tree.viewport, visible.length, state.layout.treeBody, treeLinesOf(state));
	const layersOffset = layersOffsetFor(state, state.layer, state.layersOffset);
	return {...state, layersOffset, tree: {...state.tree, viewport}};
}

function layersOffsetFor(state: ExplorerState, layer: number, offset: number): number {
	const {rows, rowOfLayer} = state.layerList;
	const height = state.layout.layersBody;
	// The first and last layers show the history rows before/after them too.
	if (layer === 0) return 0;
	const row = layer === rowOfLayer.length - 1 ? rows.length - 1 : (rowOfLayer[layer] ?? 0);
	return settle({cursor: row, offset}, rows.length, height).offset;
}

export function selectLayer(state: ExplorerState, layer: number): ExplorerState {
	const last = state.analysis.layers.length - 1;
	const clamped = Math.max(0, Math.min(last, layer));
	if (clamped === state.layer && state.layersOffset === layersOffsetFor(state, clamped, state.layersOffset)) {
		return state;
	}

	const previous = selectedRow(state)?.node;
	const next: ExplorerState = {
		...state,
		layer: clamped,
		layersOffset: layersOffsetFor(state, clamped, state.layersOffset),
	};
	return keepCursorOn(next, previous, {cursor: 0, offset: 0});
}

/**
After the view changes, keep the cursor on the same path when it is still shown. Compared by node:
every view of an analysis shares its path nodes, and this scan can cover 100k rows per layer move.
*/
function keepCursorOn(state: ExplorerState, node: number | undefined, fallback: Viewport): ExplorerState {
	const {view, visible} = currentTree(state);
	let cursor = -1;
	if (node !== undefined) {
		for (let index = 0; index < visible.length; index++) {
			if (view.rows[visible[index]!]!.node === node) {
				cursor = index;
				break;
			}
		}
	}

	const height = state.layout.treeBody;
	const linesOf = treeLinesOf(state);
	const viewport =
		cursor === -1
			? settle(fallback, visible.length, height, linesOf)
			: settle({cursor, offset: cursor - Math.floor(height / 2)}, visible.length, height, linesOf);
	return {...state, tree: {...state.tree, viewport}};
}

/** Change what the tree shows, keeping the cursor on its path. */
export function changeTree(state: ExplorerState, change: Partial<TreeState>): ExplorerState {
	const previous = selectedRow(state)?.node;
	const next = {...state, tree: {...state.tree, ...change}};
	return keepCursorOn(next, previous, state.tree.viewport);
}

export function withViewport(state: ExplorerState, viewport: Viewport): ExplorerState {
	return viewport === state.tree.viewport ? state : {...state, tree: {...state.tree, viewport}};
}

/** Move the tree's cursor by a step of `kind` (`by`: rows, `page`: pages, `to`: a row). */
export function moveCursor(state: ExplorerState, kind: 'by' | 'page' | 'to', amount: number): ExplorerState {
	const {visible} = currentTree(state);
	const move = kind === 'by' ? moveBy : kind === 'page' ? pageBy : moveTo;
	return withViewport(
		state,
		move(state.tree.viewport, amount, visible.length, state.layout.treeBody, treeLinesOf(state)),
	);
}

function jumpToWasteLayer(state: ExplorerState): ExplorerState {
	const {layers} = state.analysis;
	if ((layers[state.layer]?.wasteIntroducedBytes ?? 0) > 0) {
		return state;
	}

	let best = -1;
	for (const layer of layers) {
		if (
			layer.wasteIntroducedBytes > 0 &&
			(best === -1 || layer.wasteIntroducedBytes > layers[best]!.wasteIntroducedBytes)
		) {
			best = layer.index;
		}
	}

	return best === -1
		? {...state, message: 'No layer adds files that a later layer hides'}
		: selectLayer(state, best);
}

function toggleHidden(state: ExplorerState, kind: ChangeKind): ExplorerState {
	return changeTree(state, {hidden: {...state.tree.hidden, [kind]: !state.tree.hidden[kind]}});
}

export function setCollapsed(state: ExplorerState, path: string, collapsed: boolean): ExplorerState {
	const {collapse} = state.tree;
	const isCollapsed = collapse.allCollapsed !== collapse.toggled.has(path);
	if (isCollapsed === collapsed) {
		return state;
	}

	const toggled = new Set(collapse.toggled);
	if (toggled.has(path)) {
		toggled.delete(path);
	} else {
		toggled.add(path);
	}

	return changeTree(state, {collapse: {allCollapsed: collapse.allCollapsed, toggled}});
}

function gotoParent(state: ExplorerState, row: TreeRow): ExplorerState {
	if (row.depth === 0) return state;
	const {view, visible} = currentTree(state);
	for (let index = state.tree.viewport.cursor - 1; index >= 0; index--) {
		if (view.rows[visible[index]!]!.node === state.analysis.tree.parentOf(row.node)) {
			return moveCursor(state, 'to', index);
		}
	}

	return state;
}

/** The layer list's keys, and the panes' own: quit and switching panes. */
function layerCommand(state: ExplorerState, command: Command): ExplorerState | undefined {
	const page = Math.max(1, state.layout.layersBody - 1);
	const target = layerStep(command, state.layer, page, state.analysis.layers.length - 1);
	if (target !== undefined) return selectLayer(state, target);
	switch (command) {
		case 'quit':
			return {...state, exitCode: 0};
		case 'nextPane':
		case 'previousPane':
			return {...state, focus: state.focus === 'layers' ? 'tree' : 'layers'};
		default:
			return undefined;
	}
}

/** The cursor's moves and the folding of every directory at once. */
function cursorCommand(state: ExplorerState, command: Command): ExplorerState | undefined {
	switch (command) {
		case 'up':
			return moveCursor(state, 'by', -1);
		case 'down':
			return moveCursor(state, 'by', 1);
		case 'pageUp':
			return moveCursor(state, 'page', -1);
		case 'pageDown':
			return moveCursor(state, 'page', 1);
		case 'first':
			return moveCursor(state, 'to', 0);
		case 'last':
			return moveCursor(state, 'to', currentTree(state).visible.length - 1);
		case 'collapseAll':
			return changeTree(state, {collapse: {allCollapsed: true, toggled: new Set()}});
		case 'expandAll':
			return changeTree(state, {collapse: {allCollapsed: false, toggled: new Set()}});
		case 'toggleAll':
			// dive's Ctrl+Space: everything folded unless it already is.
			return changeTree(state, {
				collapse: {
					allCollapsed: !(state.tree.collapse.allCollapsed && state.tree.collapse.toggled.size === 0),
					toggled: new Set(),
				},
			});
		default:
			return undefined;
	}
}

/** What the tree shows: changes or everything, the order, the hide toggles, attributes and wrapping. */
function viewCommand(state: ExplorerState, command: Command): ExplorerState | undefined {
	const {tree} = state;
	switch (command) {
		case 'showAggregated':
			return tree.mode === 'aggregated' ? state : changeTree(state, {mode: 'aggregated'});
		case 'showChanges':
			return tree.mode === 'changes' ? state : changeTree(state, {mode: 'changes'});
		case 'aggregated':
			return changeTree(state, {mode: tree.mode === 'changes' ? 'aggregated' : 'changes'});
		case 'sort':
			return changeTree(state, {sort: tree.sort === 'name' ? 'size' : 'name'});
		case 'hideAdded':
			return toggleHidden(state, 'added');
		case 'hideModified':
			return toggleHidden(state, 'modified');
		case 'hideRemoved':
			return toggleHidden(state, 'removed');
		case 'hideUnchanged':
			return toggleHidden(state, 'unchanged');
		case 'wasteOnly': {
			const next = changeTree(state, {wasteOnly: !tree.wasteOnly});
			return next.tree.wasteOnly ? jumpToWasteLayer(next) : next;
		}

		case 'buildOnly':
			return changeTree(state, {buildOnly: !tree.buildOnly});
		case 'attributes':
			// The columns change how long rows are, so wrapped rows take other heights.
			return settleAll({...state, tree: {...tree, showAttributes: !tree.showAttributes}});
		case 'wrapTree':
			return changeTree(state, {wrap: !tree.wrap});
		default:
			return undefined;
	}
}

/** Folding the selected directory (a file's `activate` is the viewer's: overlay-state.ts). */
function rowCommand(state: ExplorerState, command: Command): ExplorerState | undefined {
	if (command !== 'collapse' && command !== 'expand' && command !== 'toggle' && command !== 'activate') {
		return undefined;
	}

	const row = selectedRow(state);
	if (!row) return state;
	switch (command) {
		case 'collapse':
			// Already closed (or a file): go to the parent row, like most tree views.
			return isRowCollapsed(state, row) || !row.hasChildren
				? gotoParent(state, row)
				: setCollapsed(state, row.path, true);
		case 'expand':
			return row.hasChildren ? setCollapsed(state, row.path, false) : state;
		default:
			return row.hasChildren ? setCollapsed(state, row.path, !isRowCollapsed(state, row)) : state;
	}
}

/** The panes' keys: the layer list, the cursor, the folding and what the tree shows. */
export const treeReducer: SliceReducer = (state, event) => {
	if (event.type === 'resize') return settleAll(state);
	if (event.type !== 'key' || !panesHaveKeys(event) || event.command === undefined) return undefined;
	const {command} = event;
	return (
		layerCommand(state, command) ??
		cursorCommand(state, command) ??
		viewCommand(state, command) ??
		rowCommand(state, command)
	);
};
