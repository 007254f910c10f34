import type {ImageAnalysis} from '../analysis/types.js';
import {exportFormats} from '../report/formats.js';
import {activeScopes} from './explorer-selectors.js';
import type {
	Action,
	ExplorerEvent,
	ExplorerExtras,
	ExplorerState,
	KeyEvent,
	Preferences,
	SliceReducer,
} from './explorer-types.js';
import {filterReducer} from './filter-state.js';
import {commandFor, keymap as defaultKeymap} from './keymap.js';
import {buildLayerList} from './layer-list.js';
import {computeLayout, type Size} from './layout.js';
import {overlayReducer} from './overlay-state.js';
import {promptReducer} from './prompt-state.js';
import {treeReducer} from './tree-state.js';
import {defaultTreeOptions, type SortOrder} from './tree-view.js';
import {TreeViews} from './tree-views.js';

/*
The explorer's root reducer: a thin composition of one reducer per concern, each in its own file with its
tests beside it. A new feature is a new slice of ExplorerState, a new reducer file and one line in
`sliceReducers`.
*/

export type {ExportFormat} from '../report/formats.js';
export {
	activeScopes,
	currentTree,
	overlayLines,
	selectedRow,
	showsAttributes,
	sizeMapGrid,
	type TreeSnapshot,
	treeLinesOf,
	treeOptions,
	viewerLimit,
} from './explorer-selectors.js';
export type {
	Action,
	Effect,
	ExplorerExtras,
	ExplorerState,
	ExportOverlay,
	ExtractOverlay,
	Overlay,
	Preferences,
	SizeMapOverlay,
	TextOverlay,
	TreeState,
	ViewerOverlay,
} from './explorer-types.js';
export {exportPathFor} from './prompt-state.js';
export {exportFormats};

/** The explorer opens sorted by size (the question is "what is big"); `s` switches to name order. */
export const defaultSort: SortOrder = 'size';

/**
Most specific first: a prompt, then an overlay, then the filter line take the keys while they are open;
then the panes' own keys. Each reducer also answers the effect results and resizes of its slice.
*/
const sliceReducers: readonly SliceReducer[] = [promptReducer, overlayReducer, filterReducer, treeReducer];

export function createInitialState(
	analysis: ImageAnalysis,
	extras: ExplorerExtras,
	size: Size,
	preferences: Preferences = {},
): ExplorerState {
	return {
		analysis,
		views: new TreeViews(analysis),
		extras,
		keymap: preferences.keymap ?? defaultKeymap,
		layerList: buildLayerList(analysis),
		size,
		layout: computeLayout(size),
		focus: 'layers',
		layer: 0,
		layersOffset: 0,
		tree: {
			mode: defaultTreeOptions.mode,
			filter: defaultTreeOptions.filter,
			sort: preferences.sort ?? defaultSort,
			hidden: {...defaultTreeOptions.hidden},
			wasteOnly: defaultTreeOptions.wasteOnly,
			buildOnly: defaultTreeOptions.buildOnly,
			collapse: {allCollapsed: false, toggled: new Set()},
			collapseBeforeFilter: undefined,
			viewport: {cursor: 0, offset: 0},
			showAttributes: false,
			wrap: false,
		},
		editingFilter: false,
		overlay: undefined,
		effect: undefined,
		nextEffectId: 1,
		message: preferences.warning,
		exitCode: undefined,
	};
}

/** Every sub-reducer in turn: a resize or an effect's result may change several slices. */
function throughAll(state: ExplorerState, event: ExplorerEvent): ExplorerState {
	let next = state;
	for (const reduce of sliceReducers) next = reduce(next, event) ?? next;
	return next;
}

/** The first sub-reducer that takes the key; the status bar's message goes with any key that does something. */
function handleKey(state: ExplorerState, name: string, text: string): ExplorerState {
	const scopes = activeScopes(state);
	const command = commandFor(name, scopes, state.keymap);
	const event: KeyEvent = {type: 'key', name, text, command, scope: scopes[0]!};
	const cleared = state.message === undefined ? state : {...state, message: undefined};
	for (const reduce of sliceReducers) {
		const next = reduce(cleared, event);
		if (next) return next;
	}

	// A modal (prompt, overlay, filter line) takes every key; the panes only those that name a command.
	return command === undefined && (scopes[0] === 'layers' || scopes[0] === 'tree') ? state : cleared;
}

export function reducer(state: ExplorerState, action: Action): ExplorerState {
	switch (action.type) {
		case 'resize':
			return throughAll({...state, size: action.size, layout: computeLayout(action.size)}, action);
		case 'key':
			return action.name === 'ctrl+c'
				? {...state, exitCode: 130}
				: handleKey(state, action.name, action.text);
		case 'read-progress':
			return state.effect?.id === action.id ? throughAll(state, action) : state;
		default:
			// A result for a request no longer current (its overlay was closed) changes nothing.
			if (state.effect?.id !== action.id || !state.overlay) return state;
			return {...throughAll(state, action), effect: undefined};
	}
}
