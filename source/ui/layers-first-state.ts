import type {ImageOutline} from '../analysis/image-outline.js';
import {
	createEarlyTree,
	type EarlyTree,
	type EarlyTreeContext,
	earlyTreeCommand,
	isLayerStacked,
	refit,
	settleEarlyTree,
} from './early-tree-state.js';
import {
	type Command,
	commandFor,
	keymap as defaultKeymap,
	helpLines,
	type Keymap,
	type Scope,
} from './keymap.js';
import {buildLayerList, type LayerList, layerStep} from './layer-list.js';
import {computeLayout, type Size} from './layout.js';
import type {StackedTree} from './stacked-fill.js';
import type {SortOrder} from './tree-row.js';

/**
The explorer before the model exists: the layer list from the source's preview while the layers are read, and
the tree of each layer stacked so far (it and every layer under it read). The keys act here as in the explorer
(layers, panes, help, details, the tree's cursor, folding and view keys, quit), and the explorer opens with this
state handed over (early-handover.ts). The first key this view cannot mirror (a filter being typed, a file to
view, waste marks that need every layer) stops the mirroring: it and every key after it are kept, in order, for
the explorer to replay when it opens, and from then on only Ctrl+C acts here: `q` may be text the explorer is
waiting for.
*/

export type KeyPress = {name: string; text: string};

/** An overlay of text while the layers are read: the keys, what is pending, one layer's details. */
export type EarlyOverlay = {
	kind: 'help' | 'findings' | 'dockerfile' | 'layer';
	lines: string[];
	scroll: number;
};

export type LayersFirstState = {
	keymap: Keymap;
	/** Every key typed since the session began, for the explorer. */
	keys: KeyPress[];
	/** Set once a key was typed that this view does not act on the way the explorer will. */
	diverged: boolean;
	/** The index in `keys` of that key: the explorer replays the keys from there. */
	divergedAt: number | undefined;
	/** The layers stacked so far and their tree, once the first is. */
	stacked: StackedTree | undefined;
	/** The tree pane's cursor, folding and view. */
	tree: EarlyTree;
	outline: ImageOutline | undefined;
	layerList: LayerList;
	size: Size;
	focus: 'layers' | 'tree';
	layer: number;
	layersOffset: number;
	overlay: EarlyOverlay | undefined;
	/** One line for the status bar. */
	message: string | undefined;
	exitCode: number | undefined;
};

export type LayersFirstAction =
	| {type: 'key'; name: string; text: string}
	| {type: 'outline'; outline: ImageOutline}
	| {type: 'stacked'; stacked: StackedTree}
	| {type: 'resize'; size: Size};

const emptyList: LayerList = {rows: [], rowOfLayer: []};

/** `sort`: the tree's order as the explorer opens with it (the config file's, else by size). */
export function createLayersFirstState(
	size: Size,
	keymap: Keymap = defaultKeymap,
	sort: SortOrder = 'size',
): LayersFirstState {
	return {
		keymap,
		keys: [],
		diverged: false,
		divergedAt: undefined,
		stacked: undefined,
		tree: createEarlyTree(sort),
		outline: undefined,
		layerList: emptyList,
		size,
		focus: 'layers',
		layer: 0,
		layersOffset: 0,
		overlay: undefined,
		message: undefined,
		exitCode: undefined,
	};
}

/** The scopes a key is looked up in, as the explorer's activeScopes does for the states this view has. */
function scopes(state: LayersFirstState): Scope[] {
	return state.overlay ? ['overlay'] : [state.focus, 'global'];
}

/** The layer list's offset that keeps the selected layer's row in view (the explorer's rule: scroll just enough). */
function withLayer(state: LayersFirstState, layer: number): LayersFirstState {
	const count = state.outline?.layers.length ?? 0;
	if (count === 0) return state;
	const next = Math.max(0, Math.min(count - 1, layer));
	const row = state.layerList.rowOfLayer[next] ?? 0;
	const height = computeLayout(state.size).layersBody;
	let offset = state.layersOffset;
	if (row < offset) offset = row;
	if (row >= offset + height) offset = row - height + 1;
	if (next === state.layer) return {...state, layersOffset: offset};
	const moved = {...state, layer: next, layersOffset: offset};
	return {...moved, tree: refit(treeContext(moved), {cursor: 0, offset: 0})};
}

function treeContext(state: LayersFirstState): EarlyTreeContext {
	return {stacked: state.stacked, layer: state.layer, size: state.size, tree: state.tree};
}

/** A layer stacked: a layer stacked before keeps its cursor and scroll; one stacked now lands on the cursor's node. */
function onStacked(state: LayersFirstState, stacked: StackedTree): LayersFirstState {
	const wasStacked = isLayerStacked(state.stacked, state.layer);
	const next = {...state, stacked};
	return {
		...next,
		tree: wasStacked ? settleEarlyTree(treeContext(next)) : refit(treeContext(next), {cursor: 0, offset: 0}),
	};
}

function pendingOverlay(kind: 'findings' | 'dockerfile', state: LayersFirstState): EarlyOverlay {
	const what = kind === 'findings' ? 'The findings' : 'The suggested Dockerfile';
	return {
		kind,
		lines: [
			`${what}: pending.`,
			'',
			'They are worked out from the files of every layer, once the read ends.',
			`This view opens as the explorer when it does${state.diverged ? '' : ', with the keys typed meanwhile'}.`,
		],
		scroll: 0,
	};
}

function layerOverlay(state: LayersFirstState): EarlyOverlay {
	const layer = state.outline?.layers[state.layer];
	return {
		kind: 'layer',
		lines: [
			`Layer ${state.layer} of ${state.outline?.layers.length ?? 0}`,
			`Instruction: ${layer?.createdBy ?? layer?.instruction ?? 'pending (named when the read ends)'}`,
			`Diff ID:     ${layer?.diffId ?? ''}`,
			...(layer?.dockerfileLine === undefined ? [] : [`Dockerfile:  line ${layer.dockerfileLine}`]),
			'',
			'Files, sizes, waste: pending until the layer is read.',
		],
		scroll: 0,
	};
}

/** What a command does here, or undefined when this view cannot do what the explorer will. */
function runCommand(state: LayersFirstState, command: Command): LayersFirstState | undefined {
	const pageHeight = Math.max(1, computeLayout(state.size).layersBody);
	const target = layerStep(command, state.layer, pageHeight, Number.MAX_SAFE_INTEGER);
	if (target !== undefined) return withLayer(state, target);
	switch (command) {
		case 'quit':
			return {...state, exitCode: 0};
		case 'nextPane':
		case 'previousPane':
			return {...state, focus: state.focus === 'layers' ? 'tree' : 'layers'};
		case 'help':
			return {...state, overlay: {kind: 'help', lines: helpLines(state.keymap), scroll: 0}};
		case 'findings':
		case 'dockerfile':
			return {...state, overlay: pendingOverlay(command, state)};
		case 'layerInfo':
			return {...state, overlay: layerOverlay(state)};
		case 'overlayClose':
			return {...state, overlay: undefined};
		case 'overlayUp':
		case 'overlayFirst':
			return state.overlay ? {...state, overlay: {...state.overlay, scroll: 0}} : state;
		default: {
			// Before the outline there is no tree: the key acts when the outline replays it.
			if (state.outline === undefined) return state;
			if (state.overlay) return undefined;
			const tree = earlyTreeCommand(treeContext(state), command);
			return tree === undefined ? undefined : {...state, tree};
		}
	}
}

function onKey(state: LayersFirstState, press: KeyPress): LayersFirstState {
	const kept = {...state, keys: [...state.keys, press]};
	if (press.name === 'ctrl+c') return {...kept, exitCode: 130};
	if (state.diverged) return kept;
	const command = commandFor(press.name, scopes(state), state.keymap);
	// Before the outline there are no layers to move over: such keys wait for it (it replays them).
	if (state.outline === undefined && command?.startsWith('layer')) return kept;
	const next = command === undefined ? undefined : runCommand(kept, command);
	if (next !== undefined) return next;
	return {
		...kept,
		diverged: true,
		divergedAt: state.keys.length,
		message: `${press.text || press.name}: kept; it acts when the read ends`,
	};
}

export function layersFirstReducer(state: LayersFirstState, action: LayersFirstAction): LayersFirstState {
	switch (action.type) {
		case 'key':
			return onKey(state, {name: action.name, text: action.text});
		case 'outline': {
			// Keys typed before the outline came are replayed on it, so the list is where they lead.
			const fresh: LayersFirstState = {
				...createLayersFirstState(state.size, state.keymap, state.tree.sort),
				outline: action.outline,
				layerList: buildLayerList(action.outline),
				stacked: state.stacked,
			};
			return state.keys.reduce(onKey, fresh);
		}
		case 'stacked':
			return onStacked(state, action.stacked);
		case 'resize': {
			const next = {...state, size: action.size};
			return {...next, tree: settleEarlyTree(treeContext(next))};
		}
	}
}
