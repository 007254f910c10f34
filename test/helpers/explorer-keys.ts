import {
	createInitialState,
	currentTree,
	type ExplorerState,
	overlayLines,
	type Preferences,
	reducer,
} from '../../source/ui/explorer-state.js';
import {sampleAnalysis} from './sample-analysis.js';

/** The explorer's reducer driven by key names, on the sample analysis: the reducers' unit tests share these. */

export const extras = {canExport: true, defaultExportName: 'layerlens-sample'};

/** Name order, which the tests read most easily (the explorer itself opens by size). */
export function start(
	size = {columns: 120, rows: 30},
	preferences: Preferences = {sort: 'name'},
): ExplorerState {
	return createInitialState(sampleAnalysis(), extras, size, preferences);
}

/** Press keys by name (`down`, `j`, `enter`, ...); single characters are also typed text. */
export function press(state: ExplorerState, ...names: string[]): ExplorerState {
	return names.reduce(
		(current, name) => reducer(current, {type: 'key', name, text: name.length === 1 ? name : ''}),
		state,
	);
}

export function visiblePaths(state: ExplorerState): string[] {
	const {view, visible} = currentTree(state);
	return Array.from(visible, (index) => view.rows[index]!.path);
}

/** The lines the open overlay shows (overlays hold data; the selector draws their lines). */
export function shownLines(state: ExplorerState, kind: 'viewer' | 'findings' | 'layer'): string[] {
	return state.overlay?.kind === kind ? overlayLines(state, state.overlay) : [];
}
