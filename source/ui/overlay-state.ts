import {overlayLines, selectedRow, sizeMapGrid, viewerLimit} from './explorer-selectors.js';
import {
	type ExplorerEvent,
	type ExplorerState,
	type KeyEvent,
	panesHaveKeys,
	type ScrollingOverlay,
	type SizeMapOverlay,
	type SliceReducer,
	type ViewerOverlay,
	withEffect,
} from './explorer-types.js';
import {sanitize} from './format.js';
import type {Command} from './keymap.js';
import {sizeMapSource} from './size-map-source.js';
import {openSizeMap, type SizeMapAction, sizeMapReducer} from './size-map-state.js';
import type {TreeRow} from './tree-view.js';

/*
The overlays that replace the panes: the keys, the findings, the suggested Dockerfile, a layer's details,
the file viewer and the size map. They hold what they show as data (which layer, which file, what was read,
how far it is scrolled); explorer-selectors.ts draws their lines.
*/

function openViewer(state: ExplorerState, row: TreeRow): ExplorerState {
	const version = row.version;
	const path = `/${row.path}`;
	if (version === undefined || row.status === 'removed') {
		return {...state, message: `${sanitize(path)} is removed in this layer: nothing to show`};
	}

	const {tree} = state.analysis;
	const entry = tree.entry(version);
	const overlay: ViewerOverlay = {
		kind: 'viewer',
		title: sanitize(path),
		status: entry.type === 'file' && entry.size > 0 ? 'loading' : 'ready',
		version,
		content: undefined,
		scroll: 0,
	};
	const next = {...state, overlay};
	if (overlay.status === 'loading') {
		return withEffect(next, {
			kind: 'read',
			layer: tree.layerOf(version),
			path: row.path,
			limit: Math.min(viewerLimit, entry.size),
			isText: true,
		});
	}

	return next;
}

function openMap(state: ExplorerState): ExplorerState {
	const source = sizeMapSource(state.views, state.tree.mode, state.layer, state.tree.sort);
	const map = openSizeMap(source, sizeMapGrid(state), selectedRow(state)?.path);
	return {...state, overlay: {kind: 'sizeMap', map}};
}

/** The panes' keys that open an overlay. */
function openOverlay(state: ExplorerState, command: Command | undefined): ExplorerState | undefined {
	switch (command) {
		case 'help':
		case 'findings':
		case 'dockerfile':
			return {...state, overlay: {kind: command, scroll: 0}};
		case 'layerInfo': {
			const layer = state.analysis.layers[state.layer];
			if (!layer) return state;
			return {
				...state,
				overlay: {kind: 'layer', title: `Layer ${layer.index}`, layer: layer.index, scroll: 0},
			};
		}

		case 'sizeMap':
			return openMap(state);
		case 'view': {
			const row = selectedRow(state);
			return row ? openViewer(state, row) : state;
		}

		case 'activate': {
			// A directory's `activate` folds it (tree-state.ts); a file's opens it.
			const row = selectedRow(state);
			return row && !row.hasChildren ? openViewer(state, row) : undefined;
		}

		default:
			return undefined;
	}
}

function scrollOverlay(
	state: ExplorerState,
	overlay: ScrollingOverlay,
	command: Command | undefined,
): ExplorerState {
	const height = state.layout.overlayBody;
	const maxScroll = Math.max(0, overlayLines(state, overlay).length - height);
	const page = Math.max(1, height - 1);
	const scrollTo = (scroll: number) => ({
		...state,
		overlay: {...overlay, scroll: Math.max(0, Math.min(maxScroll, scroll))},
	});
	switch (command) {
		case 'overlayClose':
			return {...state, overlay: undefined, effect: overlay.kind === 'viewer' ? undefined : state.effect};
		case 'overlayUp':
			return scrollTo(overlay.scroll - 1);
		case 'overlayDown':
			return scrollTo(overlay.scroll + 1);
		case 'overlayPageUp':
			return scrollTo(overlay.scroll - page);
		case 'overlayPageDown':
			return scrollTo(overlay.scroll + page);
		case 'overlayFirst':
			return scrollTo(0);
		case 'overlayLast':
			return scrollTo(maxScroll);
		default:
			return state;
	}
}

const sizeMapActions: Partial<Record<Command, SizeMapAction>> = {
	mapUp: {type: 'move', direction: 'up'},
	mapDown: {type: 'move', direction: 'down'},
	mapLeft: {type: 'move', direction: 'left'},
	mapRight: {type: 'move', direction: 'right'},
	mapZoomIn: {type: 'zoom-in'},
	mapZoomOut: {type: 'zoom-out'},
};

function sizeMapKey(
	state: ExplorerState,
	overlay: SizeMapOverlay,
	command: Command | undefined,
): ExplorerState {
	if (command === 'mapClose' || (command === 'mapZoomOut' && overlay.map.levels.length === 1)) {
		return {...state, overlay: undefined};
	}

	const action = command === undefined ? undefined : sizeMapActions[command];
	if (!action) return state;
	const map = sizeMapReducer(overlay.map, action);
	return map === overlay.map ? state : {...state, overlay: {...overlay, map}};
}

function overlayKey(state: ExplorerState, event: KeyEvent): ExplorerState | undefined {
	const {overlay} = state;
	if (panesHaveKeys(event)) return openOverlay(state, event.command);
	if (event.scope === 'sizeMap' && overlay?.kind === 'sizeMap')
		return sizeMapKey(state, overlay, event.command);
	if (event.scope !== 'overlay' || !overlay || overlay.kind === 'sizeMap') return undefined;
	if (overlay.kind === 'export' || overlay.kind === 'extract') return undefined;
	return scrollOverlay(state, overlay, event.command);
}

/** What the viewer's read brought: the file's text, a binary note, or why it failed. */
function viewerResult(
	state: ExplorerState,
	overlay: ViewerOverlay,
	event: ExplorerEvent,
): ExplorerState | undefined {
	switch (event.type) {
		case 'read-progress':
			return {...state, overlay: {...overlay, exportedBytes: event.exportedBytes}};
		case 'read-done': {
			const content = event.isText
				? {
						kind: 'text' as const,
						text: event.content.toString('utf8'),
						truncated: event.content.length >= viewerLimit,
					}
				: {kind: 'binary' as const};
			return {...state, overlay: {...overlay, status: 'ready', content}};
		}

		case 'effect-failed':
			return {
				...state,
				overlay: {...overlay, status: 'failed', content: {kind: 'failed', message: event.message}},
			};
		default:
			return undefined;
	}
}

export const overlayReducer: SliceReducer = (state, event) => {
	const {overlay} = state;
	switch (event.type) {
		case 'key':
			return overlayKey(state, event);
		case 'resize':
			return overlay?.kind === 'sizeMap'
				? {
						...state,
						overlay: {...overlay, map: sizeMapReducer(overlay.map, {type: 'resize', ...sizeMapGrid(state)})},
					}
				: undefined;
		default:
			return overlay?.kind === 'viewer' ? viewerResult(state, overlay, event) : undefined;
	}
};
