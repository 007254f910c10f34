import {type ExplorerState, panesHaveKeys, type SliceReducer} from './explorer-types.js';
import {editText} from './text-input.js';
import {changeTree, moveCursor} from './tree-state.js';

/*
The tree's filter line: `/` opens it from either pane, typed text filters the tree as it is typed, Enter
keeps the filter and Esc clears it.
*/

/**
A filter opens the folders that hold matches (a match in a collapsed folder would be out of sight); the
folding from before comes back when the filter is cleared.
*/
export function withFilter(state: ExplorerState, filter: string): ExplorerState {
	const {tree} = state;
	if (filter === tree.filter) return state;
	if (filter === '') {
		return changeTree(state, {
			filter,
			collapse: tree.collapseBeforeFilter ?? tree.collapse,
			collapseBeforeFilter: undefined,
		});
	}

	return changeTree(state, {
		filter,
		collapse: {allCollapsed: false, toggled: new Set()},
		collapseBeforeFilter: tree.collapseBeforeFilter ?? tree.collapse,
	});
}

export const filterReducer: SliceReducer = (state, event) => {
	if (event.type !== 'key') return undefined;
	if (panesHaveKeys(event)) {
		// Global, as in dive: typing a filter from the layers pane moves to the tree it filters.
		return event.command === 'filter' ? {...state, editingFilter: true, focus: 'tree'} : undefined;
	}

	if (event.scope !== 'filter') return undefined;
	switch (event.command) {
		case 'filterAccept':
			return {...state, editingFilter: false};
		case 'filterClear':
			return {...withFilter(state, ''), editingFilter: false};
		case 'filterUp':
			return moveCursor(state, 'by', -1);
		case 'filterDown':
			return moveCursor(state, 'by', 1);
		default:
			return withFilter(state, editText(state.tree.filter, event, 'filter'));
	}
};
