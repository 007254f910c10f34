import type {ImageOutline} from '../analysis/image-outline.js';
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

/**
The explorer before the model exists: the layer list from the source's preview while the layers are read.
Every key is kept, in order, for the explorer to replay when it opens, so it ends where those keys lead as if
they had been typed on it. Meanwhile the keys whose meaning does not depend on the files act here the same way
(layers, panes, help, details, quit); the first key this view cannot mirror (a filter being typed, a tree key)
stops the mirroring, and from then on only Ctrl+C acts here: `q` may be text the explorer is waiting for.
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
	| {type: 'resize'; size: Size};

const emptyList: LayerList = {rows: [], rowOfLayer: []};

export function createLayersFirstState(size: Size, keymap: Keymap = defaultKeymap): LayersFirstState {
	return {
		keymap,
		keys: [],
		diverged: false,
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
	return {...state, layer: next, layersOffset: offset};
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
		default:
			return undefined;
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
	return {...kept, diverged: true, message: `${press.text || press.name}: kept; it acts when the read ends`};
}

export function layersFirstReducer(state: LayersFirstState, action: LayersFirstAction): LayersFirstState {
	switch (action.type) {
		case 'key':
			return onKey(state, {name: action.name, text: action.text});
		case 'outline': {
			// Keys typed before the outline came are replayed on it, so the list is where they lead.
			const fresh: LayersFirstState = {
				...createLayersFirstState(state.size, state.keymap),
				outline: action.outline,
				layerList: buildLayerList(action.outline),
			};
			return state.keys.reduce(onKey, fresh);
		}
		case 'resize':
			return {...state, size: action.size};
	}
}
