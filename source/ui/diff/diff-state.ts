import {type Command, commandFor, keymap as defaultKeymap, type Keymap, type Scope} from '../keymap.js';
import type {TreeRow} from './diff-tree.js';

export type DiffPane = 'layers' | 'tree';

export type DiffState = {
	pane: DiffPane;
	layerScroll: number;
	cursor: number;
	scroll: number;
	toggled: ReadonlySet<string>;
	sort: 'name' | 'delta';
	filter: string;
	editingFilter: boolean;
	overlay: 'help' | 'findings' | undefined;
	overlayScroll: number;
	quit: boolean;
	/** One line shown in place of the key hints (a config file's warning) until the next key. */
	message: string | undefined;
};

/** The keymap commands the diff view answers to; the help overlay lists exactly these. */
export const diffCommands: ReadonlySet<Command> = new Set<Command>([
	'quit',
	'nextPane',
	'previousPane',
	'help',
	'findings',
	'layerUp',
	'layerDown',
	'layerPageUp',
	'layerPageDown',
	'layerFirst',
	'layerLast',
	'up',
	'down',
	'pageUp',
	'pageDown',
	'first',
	'last',
	'collapse',
	'expand',
	'toggle',
	'activate',
	'collapseAll',
	'expandAll',
	'filter',
	'sort',
	'filterAccept',
	'filterClear',
	'filterUp',
	'filterDown',
	'overlayClose',
	'overlayUp',
	'overlayDown',
	'overlayPageUp',
	'overlayPageDown',
	'overlayFirst',
	'overlayLast',
]);

export function initialDiffState(message?: string): DiffState {
	return {
		pane: 'tree',
		layerScroll: 0,
		cursor: 0,
		scroll: 0,
		toggled: new Set(),
		sort: 'delta',
		filter: '',
		editingFilter: false,
		overlay: undefined,
		overlayScroll: 0,
		quit: false,
		message,
	};
}

export function diffScopes(state: DiffState): Scope[] {
	if (state.overlay) return ['overlay', 'global'];
	if (state.editingFilter) return ['filter'];
	return [state.pane, 'global'];
}

/** What the reducer needs to know of the screen: the rows as they are now and the panes' heights. */
export type DiffContext = {
	rows: readonly TreeRow[];
	treeHeight: number;
	layerRows: number;
	layerHeight: number;
	overlayLines: number;
	overlayHeight: number;
};

export type DiffAction = {type: 'key'; name: string; text: string};

function clamp(value: number, low: number, high: number): number {
	return Math.max(low, Math.min(high, value));
}

function moveCursor(state: DiffState, cursor: number, context: DiffContext): DiffState {
	const last = Math.max(0, context.rows.length - 1);
	const next = clamp(cursor, 0, last);
	const height = Math.max(1, context.treeHeight);
	const scroll = clamp(state.scroll, next - height + 1, next);
	return {...state, cursor: next, scroll: Math.max(0, scroll)};
}

function toggle(state: DiffState, path: string): DiffState {
	const toggled = new Set(state.toggled);
	if (toggled.has(path)) toggled.delete(path);
	else toggled.add(path);
	return {...state, toggled};
}

/**
One key press: pure, so every key is testable without a terminal. `map` is the keymap in effect: the user's
config file remaps keys here as in the image explorer.
*/
export function reduceDiff(
	current: DiffState,
	action: DiffAction,
	context: DiffContext,
	map: Keymap = defaultKeymap,
): DiffState {
	const state = current.message === undefined ? current : {...current, message: undefined};
	const command = commandFor(action.name, diffScopes(state), map);
	if (state.editingFilter && (command === undefined || !diffCommands.has(command))) {
		if (action.name === 'backspace')
			return {...state, filter: state.filter.slice(0, -1), cursor: 0, scroll: 0};
		if (action.text.length === 1 && action.text >= ' ') {
			return {...state, filter: state.filter + action.text, cursor: 0, scroll: 0};
		}

		return state;
	}

	if (command === undefined || !diffCommands.has(command)) return state;
	const row = context.rows[state.cursor];
	const page = Math.max(1, context.treeHeight - 1);
	const layerPage = Math.max(1, context.layerHeight - 1);
	const layerLast = Math.max(0, context.layerRows - context.layerHeight);
	const overlayLast = Math.max(0, context.overlayLines - context.overlayHeight);
	switch (command) {
		case 'quit':
			return {...state, quit: true};
		case 'nextPane':
		case 'previousPane':
			return {...state, pane: state.pane === 'tree' ? 'layers' : 'tree'};
		case 'help':
			return {...state, overlay: 'help', overlayScroll: 0};
		case 'findings':
			return {...state, overlay: 'findings', overlayScroll: 0};
		case 'layerUp':
			return {...state, layerScroll: clamp(state.layerScroll - 1, 0, layerLast)};
		case 'layerDown':
			return {...state, layerScroll: clamp(state.layerScroll + 1, 0, layerLast)};
		case 'layerPageUp':
			return {...state, layerScroll: clamp(state.layerScroll - layerPage, 0, layerLast)};
		case 'layerPageDown':
			return {...state, layerScroll: clamp(state.layerScroll + layerPage, 0, layerLast)};
		case 'layerFirst':
			return {...state, layerScroll: 0};
		case 'layerLast':
			return {...state, layerScroll: layerLast};
		case 'up':
		case 'filterUp':
			return moveCursor(state, state.cursor - 1, context);
		case 'down':
		case 'filterDown':
			return moveCursor(state, state.cursor + 1, context);
		case 'pageUp':
			return moveCursor(state, state.cursor - page, context);
		case 'pageDown':
			return moveCursor(state, state.cursor + page, context);
		case 'first':
			return moveCursor(state, 0, context);
		case 'last':
			return moveCursor(state, context.rows.length - 1, context);
		case 'collapse': {
			if (row?.expanded && state.filter === '') return toggle(state, row.node.path);
			// On a closed row, go to its parent directory.
			const parentDepth = (row?.node.depth ?? 0) - 1;
			for (let index = state.cursor - 1; index >= 0; index--) {
				if (context.rows[index]!.node.depth === parentDepth) return moveCursor(state, index, context);
			}

			return state;
		}

		case 'expand':
			return row?.node.isDirectory && !row.expanded && state.filter === ''
				? toggle(state, row.node.path)
				: state;
		case 'toggle':
		case 'activate':
			return row?.node.isDirectory && state.filter === '' ? toggle(state, row.node.path) : state;
		case 'collapseAll': {
			// Every directory open by default (depth 0) is toggled shut; deeper ones are shut already.
			const toggled = new Set<string>();
			for (const {node} of context.rows) if (node.isDirectory && node.depth === 0) toggled.add(node.path);
			return {...state, toggled, cursor: 0, scroll: 0};
		}

		case 'expandAll': {
			const toggled = new Set(state.toggled);
			for (const {node} of context.rows) {
				if (node.isDirectory && node.depth >= 1) toggled.add(node.path);
				if (node.isDirectory && node.depth === 0) toggled.delete(node.path);
			}

			return {...state, toggled};
		}

		case 'filter':
			return {...state, editingFilter: true, cursor: 0, scroll: 0};
		case 'filterAccept':
			return {...state, editingFilter: false};
		case 'filterClear':
			return {...state, editingFilter: false, filter: '', cursor: 0, scroll: 0};
		case 'sort':
			return {...state, sort: state.sort === 'delta' ? 'name' : 'delta', cursor: 0, scroll: 0};
		case 'overlayClose':
			return {...state, overlay: undefined};
		case 'overlayUp':
			return {...state, overlayScroll: clamp(state.overlayScroll - 1, 0, overlayLast)};
		case 'overlayDown':
			return {...state, overlayScroll: clamp(state.overlayScroll + 1, 0, overlayLast)};
		case 'overlayPageUp':
			return {...state, overlayScroll: clamp(state.overlayScroll - context.overlayHeight, 0, overlayLast)};
		case 'overlayPageDown':
			return {...state, overlayScroll: clamp(state.overlayScroll + context.overlayHeight, 0, overlayLast)};
		case 'overlayFirst':
			return {...state, overlayScroll: 0};
		case 'overlayLast':
			return {...state, overlayScroll: overlayLast};
		default:
			return state;
	}
}

/** The state after keys typed while the images were read, one by one, each against the frame of the state before it. */
export function replayDiffKeys(
	keys: ReadonlyArray<{name: string; text: string}>,
	initial: DiffState,
	contextOf: (state: DiffState) => DiffContext,
	map: Keymap = defaultKeymap,
): DiffState {
	let state = initial;
	for (const press of keys) {
		if (state.quit || press.name === 'ctrl+c') break;
		state = reduceDiff(state, {type: 'key', name: press.name, text: press.text}, contextOf(state), map);
	}

	return state;
}
