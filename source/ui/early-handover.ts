import type {EarlyTree} from './early-tree-state.js';
import {currentTree, type ExplorerState, type Overlay, treeLinesOf} from './explorer-state.js';
import type {KeyPress, LayersFirstState} from './layers-first-state.js';
import {replayKeys} from './replay-keys.js';
import {selectLayer, settleAll} from './tree-state.js';
import {settle} from './viewport.js';

/**
What the layers-first view hands the explorer when the read ends: where it was (layer, pane, overlay, the tree's
view, folding, cursor and scroll) and the keys it did not act on, for the explorer to replay after.
*/
export type EarlyHandover = {
	layer: number;
	focus: 'layers' | 'tree';
	overlay: LayersFirstState['overlay'];
	tree: EarlyTree;
	/** The path under the tree's cursor, when the selected layer's tree was shown. */
	cursorPath: string | undefined;
	/** The keys from the first one the view could not mirror on. */
	keys: KeyPress[];
};

export function handoverOf(early: LayersFirstState): EarlyHandover {
	const node = early.tree.cursorNode;
	const cursorPath =
		node === undefined || early.stacked === undefined || node >= early.stacked.tree.nodeCount
			? undefined
			: early.stacked.tree.pathOf(node as never);
	return {
		layer: early.layer,
		focus: early.focus,
		overlay: early.overlay,
		tree: early.tree,
		cursorPath,
		keys: early.divergedAt === undefined ? [] : early.keys.slice(early.divergedAt),
	};
}

function overlayOf(overlay: EarlyHandover['overlay'], layer: number): Overlay | undefined {
	if (overlay === undefined) return undefined;
	if (overlay.kind === 'layer') return {kind: 'layer', title: `Layer ${layer}`, layer, scroll: 0};
	return {kind: overlay.kind, scroll: 0};
}

/** The tree's cursor on the handed-over path, at the scroll it had; the explorer's own rule when it is not shown. */
function withCursor(state: ExplorerState, handover: EarlyHandover): ExplorerState {
	const {view, visible} = currentTree(state);
	const node = handover.cursorPath === undefined ? undefined : state.analysis.tree.find(handover.cursorPath);
	let position = -1;
	if (node !== undefined) {
		for (let index = 0; index < visible.length; index++) {
			if (view.rows[visible[index]!]!.node === node) {
				position = index;
				break;
			}
		}
	}

	if (position === -1) return state;
	const {cursor, offset} = handover.tree.viewport;
	const viewport = settle(
		{cursor: position, offset: offset + position - cursor},
		visible.length,
		state.layout.treeBody,
		treeLinesOf(state),
	);
	return {...state, tree: {...state.tree, viewport}};
}

/**
The explorer as the layers-first view left it: its layer, pane, overlay and tree, then the keys it kept replayed,
as if typed on it. The tree's rows of a layer read then are the explorer's rows of that layer, so the cursor
lands on the same row at the same scroll.
*/
export function openFromEarly(initial: ExplorerState, handover: EarlyHandover): ExplorerState {
	const {tree} = handover;
	let state = selectLayer(initial, handover.layer);
	state = {
		...state,
		focus: handover.focus,
		tree: {
			...state.tree,
			mode: tree.mode,
			sort: tree.sort,
			hidden: tree.hidden,
			collapse: tree.collapse,
			showAttributes: tree.showAttributes,
			wrap: tree.wrap,
			viewport: {cursor: 0, offset: 0},
		},
	};
	state = settleAll(withCursor(settleAll(state), handover));
	const overlay = overlayOf(handover.overlay, state.layer);
	if (overlay !== undefined) state = {...state, overlay};
	return replayKeys(handover.keys, state);
}
