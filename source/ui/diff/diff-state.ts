import type {ImageComparison} from '../../analysis/compare/types.js';
import type {Preferences} from '../explorer-types.js';
import {type Command, commandFor, keymap as defaultKeymap, type Scope} from '../keymap.js';
import type {Size} from '../layout.js';
import {editsText, editText} from '../text-input.js';
import {settle} from '../viewport.js';
import {
	type DiffModel,
	type DiffSelectable,
	diffLayerLines,
	diffLayout,
	diffOverlayLines,
	diffRows,
} from './diff-selectors.js';
import {diffCommands} from './diff-text.js';
import {buildDiffTree} from './diff-tree.js';

export {diffCommands};

/*
The diff view's state and its pure reducer, as the explorer's: every key press is an action, what the
reducer needs of the screen (rows, heights) comes from the selectors, and the filter is the one text input.
*/

export type DiffPane = 'layers' | 'tree';

export type DiffState = DiffSelectable & {
	pane: DiffPane;
	layerScroll: number;
	cursor: number;
	scroll: number;
	editingFilter: boolean;
	overlayScroll: number;
	/** One line shown in place of the key hints (a config file's warning) until the next key. */
	message: string | undefined;
	/** Set when the user quits: the process exit code (0, or 130 for Ctrl+C). */
	exitCode: number | undefined;
};

export type DiffAction = {type: 'key'; name: string; text: string} | {type: 'resize'; size: Size};

export function createDiffState(
	comparison: ImageComparison,
	size: Size,
	preferences: Preferences = {},
): DiffState {
	return {
		model: {comparison, tree: buildDiffTree(comparison.files)} satisfies DiffModel,
		keymap: preferences.keymap ?? defaultKeymap,
		size,
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
		message: preferences.warning,
		exitCode: undefined,
	};
}

export function diffScopes(state: DiffState): Scope[] {
	if (state.overlay) return ['overlay', 'global'];
	if (state.editingFilter) return ['filter'];
	return [state.pane, 'global'];
}

function clamp(value: number, low: number, high: number): number {
	return Math.max(low, Math.min(high, value));
}

/** The cursor on row `cursor` (kept inside the rows), the window scrolled the least that shows it. */
function moveCursor(state: DiffState, cursor: number): DiffState {
	const count = diffRows(state).length;
	const viewport = settle({cursor, offset: state.scroll}, count, diffLayout(state).treeHeight);
	return {...state, cursor: viewport.cursor, scroll: viewport.offset};
}

function toggle(state: DiffState, path: string): DiffState {
	const toggled = new Set(state.toggled);
	if (toggled.has(path)) toggled.delete(path);
	else toggled.add(path);
	return {...state, toggled};
}

/** The filter line's text: typed as in the explorer's filter; the cursor goes back to the first match. */
function typeFilter(state: DiffState, key: {name: string; text: string}): DiffState {
	if (!editsText(key)) return state;
	return {...state, filter: editText(state.filter, key, 'filter'), cursor: 0, scroll: 0};
}

function scrollCommand(state: DiffState, command: Command): DiffState | undefined {
	const {layerHeight, treeHeight} = diffLayout(state);
	const layerPage = Math.max(1, layerHeight - 1);
	const layerLast = Math.max(0, diffLayerLines(state).length - layerHeight);
	const overlayLast = Math.max(0, (diffOverlayLines(state)?.length ?? 0) - treeHeight);
	const layers = (scroll: number) => ({...state, layerScroll: clamp(scroll, 0, layerLast)});
	const overlay = (scroll: number) => ({...state, overlayScroll: clamp(scroll, 0, overlayLast)});
	switch (command) {
		case 'layerUp':
			return layers(state.layerScroll - 1);
		case 'layerDown':
			return layers(state.layerScroll + 1);
		case 'layerPageUp':
			return layers(state.layerScroll - layerPage);
		case 'layerPageDown':
			return layers(state.layerScroll + layerPage);
		case 'layerFirst':
			return layers(0);
		case 'layerLast':
			return layers(layerLast);
		case 'overlayUp':
			return overlay(state.overlayScroll - 1);
		case 'overlayDown':
			return overlay(state.overlayScroll + 1);
		case 'overlayPageUp':
			return overlay(state.overlayScroll - treeHeight);
		case 'overlayPageDown':
			return overlay(state.overlayScroll + treeHeight);
		case 'overlayFirst':
			return overlay(0);
		case 'overlayLast':
			return overlay(overlayLast);
		default:
			return undefined;
	}
}

function cursorCommand(state: DiffState, command: Command): DiffState | undefined {
	const page = Math.max(1, diffLayout(state).treeHeight - 1);
	switch (command) {
		case 'up':
		case 'filterUp':
			return moveCursor(state, state.cursor - 1);
		case 'down':
		case 'filterDown':
			return moveCursor(state, state.cursor + 1);
		case 'pageUp':
			return moveCursor(state, state.cursor - page);
		case 'pageDown':
			return moveCursor(state, state.cursor + page);
		case 'first':
			return moveCursor(state, 0);
		case 'last':
			return moveCursor(state, diffRows(state).length - 1);
		default:
			return undefined;
	}
}

/** Folding: the selected directory, or every directory at once (not while a filter shows its matches). */
function foldCommand(state: DiffState, command: Command): DiffState | undefined {
	const rows = diffRows(state);
	const row = rows[state.cursor];
	switch (command) {
		case 'collapse': {
			if (row?.expanded && state.filter === '') return toggle(state, row.node.path);
			// On a closed row, go to its parent directory.
			const parentDepth = (row?.node.depth ?? 0) - 1;
			for (let index = state.cursor - 1; index >= 0; index--) {
				if (rows[index]!.node.depth === parentDepth) return moveCursor(state, index);
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
			for (const {node} of rows) if (node.isDirectory && node.depth === 0) toggled.add(node.path);
			return {...state, toggled, cursor: 0, scroll: 0};
		}

		case 'expandAll': {
			const toggled = new Set(state.toggled);
			for (const {node} of rows) {
				if (node.isDirectory && node.depth >= 1) toggled.add(node.path);
				if (node.isDirectory && node.depth === 0) toggled.delete(node.path);
			}

			return {...state, toggled};
		}

		default:
			return undefined;
	}
}

function viewCommand(state: DiffState, command: Command): DiffState | undefined {
	switch (command) {
		case 'quit':
			return {...state, exitCode: 0};
		case 'nextPane':
		case 'previousPane':
			return {...state, pane: state.pane === 'tree' ? 'layers' : 'tree'};
		case 'help':
		case 'findings':
			return {...state, overlay: command, overlayScroll: 0};
		case 'overlayClose':
			return {...state, overlay: undefined};
		case 'filter':
			return {...state, editingFilter: true, cursor: 0, scroll: 0};
		case 'filterAccept':
			return {...state, editingFilter: false};
		case 'filterClear':
			return {...state, editingFilter: false, filter: '', cursor: 0, scroll: 0};
		case 'sort':
			return {...state, sort: state.sort === 'delta' ? 'name' : 'delta', cursor: 0, scroll: 0};
		default:
			return undefined;
	}
}

function pressKey(current: DiffState, name: string, text: string): DiffState {
	if (name === 'ctrl+c') return {...current, exitCode: 130};
	const state = current.message === undefined ? current : {...current, message: undefined};
	const command = commandFor(name, diffScopes(state), state.keymap);
	const answered = command !== undefined && diffCommands.has(command) ? command : undefined;
	if (answered === undefined) return state.editingFilter ? typeFilter(state, {name, text}) : state;
	return (
		viewCommand(state, answered) ??
		scrollCommand(state, answered) ??
		cursorCommand(state, answered) ??
		foldCommand(state, answered) ??
		state
	);
}

/** One action: pure, so every key is testable without a terminal; the keymap is the state's (the config file's). */
export function diffReducer(state: DiffState, action: DiffAction): DiffState {
	return action.type === 'resize' ? {...state, size: action.size} : pressKey(state, action.name, action.text);
}

/** The state after keys typed while the images were read, one by one, as if typed on the first frame. */
export function replayDiffKeys(
	keys: ReadonlyArray<{name: string; text: string}>,
	initial: DiffState,
): DiffState {
	let state = initial;
	for (const press of keys) {
		if (state.exitCode !== undefined) break;
		state = diffReducer(state, {type: 'key', name: press.name, text: press.text});
	}

	return state;
}
