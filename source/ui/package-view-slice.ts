import {type ExplorerState, panesHaveKeys, type SliceReducer, type TreeState} from './explorer-types.js';
import {
	openPackageViewFor,
	type PackageRow,
	packageSubset,
	packageViewReducer,
	selectedPackage,
} from './package-view-state.js';
import {selectLayer, settleAll} from './tree-state.js';
import {defaultTreeOptions} from './tree-view.js';
import {markTarget} from './what-if-state.js';

/*
The explorer's package slice: `P` opens the package view (package-view-state.ts holds its own state and
reducer), its Enter leaves the tree on a package's files, Esc in the tree shows every file again, and `o`
toggles the tree's owner column.
*/

/** The package view's jump: the final filesystem with nothing hidden, filtered to the package's files. */
function showPackageFiles(state: ExplorerState, row: PackageRow): ExplorerState {
	const atLast = selectLayer({...state, overlay: undefined, focus: 'tree'}, state.analysis.layers.length - 1);
	const tree: TreeState = {
		...atLast.tree,
		mode: 'aggregated',
		filter: '',
		only: packageSubset(row),
		hidden: {...defaultTreeOptions.hidden},
		wasteOnly: false,
		buildOnly: false,
		collapse: {allCollapsed: false, toggled: new Set()},
		collapseBeforeFilter: undefined,
		viewport: {cursor: 0, offset: 0},
	};
	return settleAll({...atLast, tree});
}

/** The panes' keys of this slice: open the view, toggle the owner column, leave a package's files. */
function paneCommand(state: ExplorerState, command: string | undefined): ExplorerState | undefined {
	switch (command) {
		case 'packages': {
			const opened = openPackageViewFor(state.extras, state.analysis, state.layout.overlayBody);
			return 'message' in opened ? {...state, message: opened.message} : {...state, overlay: opened};
		}

		case 'ownerColumn':
			return state.extras.packages === undefined
				? {...state, message: 'Package owners are not known here'}
				: settleAll({...state, tree: {...state.tree, showOwner: !state.tree.showOwner}});
		case 'showAllFiles':
			return state.tree.only === undefined
				? state
				: settleAll({...state, tree: {...state.tree, only: undefined}});
		default:
			return undefined;
	}
}

export const packageViewSlice: SliceReducer = (state, event) => {
	const {overlay} = state;
	if (event.type === 'resize') {
		if (overlay?.kind !== 'packages') return undefined;
		const view = packageViewReducer(overlay.view, {
			type: 'resize',
			overlayBody: state.layout.overlayBody,
		}).state;
		return {...state, overlay: {...overlay, view}};
	}

	if (event.type !== 'key') return undefined;
	if (panesHaveKeys(event)) return paneCommand(state, event.command);
	if (overlay?.kind !== 'packages') return undefined;
	if (
		(event.command === 'whatIfPackageRemove' || event.command === 'whatIfPackageBuilder') &&
		!overlay.view.editingFilter
	) {
		const row = selectedPackage(overlay.view);
		if (row === undefined) return {...state, message: 'No package selected'};
		const target = {
			kind: 'package' as const,
			name: `${row.owned.ecosystem}:${row.owned.name}`,
			paths: row.owned.files,
		};
		return markTarget(state, target, event.command === 'whatIfPackageRemove' ? 'remove' : 'builder');
	}

	const {state: view, outcome} = packageViewReducer(overlay.view, {
		type: 'command',
		command: event.command,
		name: event.name,
		text: event.text,
	});
	if (outcome.kind === 'close') return {...state, overlay: undefined};
	if (outcome.kind === 'jump') return showPackageFiles(state, outcome.row);
	return {...state, overlay: {...overlay, view}};
};
