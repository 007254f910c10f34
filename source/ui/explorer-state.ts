import type {ReportSuggestion} from '../analysis/suggestion/report-suggestion.js';
import type {ChangeKind, ImageAnalysis} from '../analysis/types.js';
import type {Plan} from '../ci/plan.js';
import {type ExportFormat, exportFormats, reportPathFor} from '../report/formats.js';
import {compressionWord, formatBytes, sanitize, sanitizeLines} from './format.js';
import {
	type Command,
	commandFor,
	keymap as defaultKeymap,
	helpLines,
	type Keymap,
	type Scope,
} from './keymap.js';
import {buildLayerList, type LayerList} from './layer-list.js';
import {computeLayout, type Layout, type Size} from './layout.js';
import {dockerfileLines, findingLines, hanging} from './overlay-lines.js';
import {sizeMapSource} from './size-map-source.js';
import {openSizeMap, type SizeMapAction, type SizeMapState, sizeMapReducer} from './size-map-state.js';
import {type CollapseState, treeViewFor, visibleFor} from './tree-cache.js';
import {attributesMinWidth, wrappedRowLineCount} from './tree-row-text.js';
import {
	defaultTreeOptions,
	type SortOrder,
	type TreeMode,
	type TreeOptions,
	type TreeRow,
	type TreeView,
} from './tree-view.js';
import {type LinesOf, moveBy, moveTo, pageBy, settle, type Viewport} from './viewport.js';
import {initialWhatIf, type MarksOverlay, planSaved, type WhatIfState, whatIfKey} from './what-if-state.js';

export type {ExportFormat};
export {exportFormats};

/** What the explorer needs besides the analysis (whether export exists, the suggested Dockerfile...). */
export type ExplorerExtras = {
	canExport: boolean;
	suggestion?: ReportSuggestion;
	defaultExportName: string;
	/** Whether `S` in the marks list can write the plan (a --config file, or a --dockerfile to write beside). */
	canSavePlan?: boolean;
};

export type TextOverlay = {
	kind: 'help' | 'findings' | 'dockerfile' | 'layer';
	title?: string;
	lines: string[];
	scroll: number;
};
export type ViewerOverlay = {
	kind: 'viewer';
	title: string;
	status: 'loading' | 'ready' | 'failed';
	lines: string[];
	scroll: number;
	/** Bytes of the image export read so far, when the file is only in a layer the source must export. */
	exportedBytes?: number;
};
export type ExportOverlay = {
	kind: 'export';
	stage: 'format' | 'path' | 'confirm-overwrite' | 'writing' | 'done' | 'failed';
	format: ExportFormat;
	path: string;
	message?: string;
};
export type ExtractOverlay = {
	kind: 'extract';
	stage: 'path' | 'writing' | 'done' | 'failed';
	directory: string;
	layer: number;
	path: string;
	size: number;
	message?: string;
	/** As for the viewer: bytes of the image export read so far while the file is looked for. */
	exportedBytes?: number;
};
/** The size map of what the tree shows (see size-map-state.ts). */
export type SizeMapOverlay = {kind: 'sizeMap'; map: SizeMapState};
export type Overlay =
	| TextOverlay
	| ViewerOverlay
	| ExportOverlay
	| ExtractOverlay
	| SizeMapOverlay
	| MarksOverlay;

/** Work the component must do outside the reducer; `id` changes once per request. */
export type Effect =
	| {id: number; kind: 'read'; layer: number; path: string; limit: number; isText: boolean}
	| {id: number; kind: 'export'; format: ExportFormat; path: string; overwrite: boolean}
	| {id: number; kind: 'extract'; layer: number; path: string; size: number; directory: string}
	| {id: number; kind: 'save-plan'; plan: Plan};

export type TreeState = {
	mode: TreeMode;
	filter: string;
	sort: TreeOptions['sort'];
	hidden: Record<ChangeKind, boolean>;
	wasteOnly: boolean;
	buildOnly: boolean;
	collapse: CollapseState;
	/** The folding from before a filter was typed: a filter opens every folder, clearing it restores this. */
	collapseBeforeFilter: CollapseState | undefined;
	viewport: Viewport;
	showAttributes: boolean;
	/** dive's Ctrl+P: long names go on under themselves instead of being cut at the pane's edge. */
	wrap: boolean;
};

/** What the user's config file sets (see keys-config.ts); all optional. */
export type Preferences = {
	keymap?: Keymap;
	sort?: SortOrder;
	/** A one-line warning about the config file, shown in the status bar at start. */
	warning?: string;
};

/** The explorer opens sorted by size (the question is "what is big"); `s` switches to name order. */
export const defaultSort: SortOrder = 'size';

export type ExplorerState = {
	analysis: ImageAnalysis;
	extras: ExplorerExtras;
	keymap: Keymap;
	layerList: LayerList;
	size: Size;
	layout: Layout;
	focus: 'layers' | 'tree';
	layer: number;
	layersOffset: number;
	tree: TreeState;
	editingFilter: boolean;
	overlay: Overlay | undefined;
	/** The what-if marks (what-if-state.ts). */
	whatIf: WhatIfState;
	effect: Effect | undefined;
	nextEffectId: number;
	/** One line for the status bar (results, errors). */
	message: string | undefined;
	/** Set when the user quits: the process exit code. */
	exitCode: number | undefined;
};

export type Action =
	| {type: 'key'; name: string; text: string}
	| {type: 'resize'; size: Size}
	| {type: 'read-done'; id: number; content: Buffer; isText: boolean}
	| {type: 'effect-failed'; id: number; message: string; exists?: boolean}
	| {type: 'export-done'; id: number; path: string}
	| {type: 'extract-done'; id: number; path: string}
	| {type: 'read-progress'; id: number; exportedBytes: number};

/** The largest slice of a file the viewer reads. */
export const viewerLimit = 64 * 1024;

export function createInitialState(
	analysis: ImageAnalysis,
	extras: ExplorerExtras,
	size: Size,
	preferences: Preferences = {},
): ExplorerState {
	return {
		analysis,
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
		whatIf: initialWhatIf,
		effect: undefined,
		nextEffectId: 1,
		message: preferences.warning,
		exitCode: undefined,
	};
}

export function treeOptions(state: ExplorerState): TreeOptions {
	const {tree} = state;
	return {
		layer: state.layer,
		mode: tree.mode,
		filter: tree.filter,
		sort: tree.sort,
		hidden: tree.hidden,
		wasteOnly: tree.wasteOnly,
		buildOnly: tree.buildOnly,
	};
}

export type TreeSnapshot = {view: TreeView; visible: Int32Array};

/** The current tree view and visible rows (memoised, so calling it per render is cheap). */
export function currentTree(state: ExplorerState): TreeSnapshot {
	const view = treeViewFor(state.analysis, treeOptions(state));
	return {view, visible: visibleFor(view, state.tree.collapse)};
}

/** Whether the tree pane shows the attribute columns (not when they would leave no room for names). */
export function showsAttributes(tree: TreeState, width: number): boolean {
	return tree.showAttributes && width >= attributesMinWidth;
}

/**
The screen lines each visible row takes when wrapping is on (undefined: one each). Counted as the pane draws
them, so paging and the cursor account for wrapped names exactly.
*/
export function treeLinesOf(state: ExplorerState): LinesOf | undefined {
	if (!state.tree.wrap) return undefined;
	const {view, visible} = currentTree(state);
	const {collapse} = state.tree;
	const width = state.layout.rightWidth;
	const height = state.layout.treeBody;
	const showAttributes = showsAttributes(state.tree, width);
	return (position) => {
		const index = visible[position]!;
		const row = view.rows[index]!;
		const collapsed = row.hasChildren && collapse.allCollapsed !== collapse.toggled.has(row.path);
		// The markers take the same three cells whatever a folder holds: no need to know them here.
		return wrappedRowLineCount({row, tree: view.tree, collapsed, showAttributes, held: 0}, width, height);
	};
}

export function selectedRow(state: ExplorerState): TreeRow | undefined {
	const {view, visible} = currentTree(state);
	const index = visible[state.tree.viewport.cursor];
	return index === undefined ? undefined : view.rows[index];
}

/** The scopes whose keys work right now, most specific first. */
export function activeScopes(state: ExplorerState): Scope[] {
	if (state.overlay) {
		if (state.overlay.kind === 'sizeMap') return ['sizeMap'];
		return state.overlay.kind === 'export' || state.overlay.kind === 'extract' ? ['prompt'] : ['overlay'];
	}

	if (state.editingFilter) {
		return ['filter'];
	}

	return [state.focus, 'global'];
}

export function reducer(state: ExplorerState, action: Action): ExplorerState {
	switch (action.type) {
		case 'resize': {
			const next = {...state, size: action.size, layout: computeLayout(action.size)};
			// Text overlays are wrapped to the width, so they are wrapped again for the new one.
			const overlay =
				next.overlay?.kind === 'findings' ||
				next.overlay?.kind === 'dockerfile' ||
				next.overlay?.kind === 'layer'
					? {...next.overlay, lines: textOverlayLines(next, next.overlay.kind)}
					: next.overlay?.kind === 'sizeMap'
						? {...next.overlay, map: sizeMapReducer(next.overlay.map, {type: 'resize', ...sizeMapGrid(next)})}
						: next.overlay;
			return settleAll({...next, overlay});
		}

		case 'key': {
			if (action.name === 'ctrl+c') {
				return {...state, exitCode: 130};
			}

			return handleKey(state, action.name, action.text);
		}

		case 'read-progress': {
			const {overlay} = state;
			if (state.effect?.id !== action.id || (overlay?.kind !== 'viewer' && overlay?.kind !== 'extract')) {
				return state;
			}

			return {...state, overlay: {...overlay, exportedBytes: action.exportedBytes}};
		}

		case 'read-done':
		case 'export-done':
		case 'extract-done':
		case 'effect-failed': {
			if (state.effect?.id !== action.id || !state.overlay) {
				return state;
			}

			return {...applyEffectResult(state, action), effect: undefined};
		}
	}
}

function applyEffectResult(state: ExplorerState, action: Action): ExplorerState {
	const overlay = state.overlay!;
	if (overlay.kind === 'marks') return planSaved(state, action);
	if (overlay.kind === 'viewer') {
		if (action.type === 'read-done') {
			const lines = action.isText
				? sanitizeLines(action.content.toString('utf8'))
				: [...overlay.lines, '', 'Binary content: not shown (extract it with x)'];
			if (action.isText && action.content.length >= viewerLimit) {
				lines.push(`… (first ${viewerLimit / 1024} KiB shown)`);
			}

			return {...state, overlay: {...overlay, status: 'ready', lines}};
		}

		if (action.type === 'effect-failed') {
			return {
				...state,
				overlay: {...overlay, status: 'failed', lines: [`Cannot read the file: ${sanitize(action.message)}`]},
			};
		}
	}

	if (overlay.kind === 'export') {
		if (action.type === 'export-done') {
			return {...state, overlay: {...overlay, stage: 'done', message: `Wrote ${sanitize(action.path)}`}};
		}

		if (action.type === 'effect-failed') {
			return action.exists
				? {...state, overlay: {...overlay, stage: 'confirm-overwrite', message: undefined}}
				: {...state, overlay: {...overlay, stage: 'failed', message: sanitize(action.message)}};
		}
	}

	if (overlay.kind === 'extract') {
		if (action.type === 'extract-done') {
			return {
				...state,
				overlay: {...overlay, stage: 'done', message: `Extracted to ${sanitize(action.path)}`},
			};
		}

		if (action.type === 'effect-failed') {
			return {...state, overlay: {...overlay, stage: 'failed', message: sanitize(action.message)}};
		}
	}

	return state;
}

/** Re-clamp both viewports after anything that changes row counts or heights. */
function settleAll(state: ExplorerState): ExplorerState {
	const {visible} = currentTree(state);
	const viewport = settle(state.tree.viewport, visible.length, state.layout.treeBody, treeLinesOf(state));
	const layersOffset = layersOffsetFor(state, state.layer, state.layersOffset);
	return {...state, layersOffset, tree: {...state.tree, viewport}};
}

function layersOffsetFor(state: ExplorerState, layer: number, offset: number): number {
	const {rows, rowOfLayer} = state.layerList;
	const height = state.layout.layersBody;
	// The first and last layers show the history rows before/after them too.
	if (layer === 0) return 0;
	const row = layer === rowOfLayer.length - 1 ? rows.length - 1 : (rowOfLayer[layer] ?? 0);
	return settle({cursor: row, offset}, rows.length, height).offset;
}

function selectLayer(state: ExplorerState, layer: number): ExplorerState {
	const last = state.analysis.layers.length - 1;
	const clamped = Math.max(0, Math.min(last, layer));
	if (clamped === state.layer && state.layersOffset === layersOffsetFor(state, clamped, state.layersOffset)) {
		return state;
	}

	const previous = selectedRow(state)?.node;
	const next: ExplorerState = {
		...state,
		layer: clamped,
		layersOffset: layersOffsetFor(state, clamped, state.layersOffset),
	};
	return keepCursorOn(next, previous, {cursor: 0, offset: 0});
}

/**
After the view changes, keep the cursor on the same path when it is still shown. Compared by node:
every view of an analysis shares its path nodes, and this scan can cover 100k rows per layer move.
*/
function keepCursorOn(state: ExplorerState, node: number | undefined, fallback: Viewport): ExplorerState {
	const {view, visible} = currentTree(state);
	let cursor = -1;
	if (node !== undefined) {
		for (let index = 0; index < visible.length; index++) {
			if (view.rows[visible[index]!]!.node === node) {
				cursor = index;
				break;
			}
		}
	}

	const height = state.layout.treeBody;
	const linesOf = treeLinesOf(state);
	const viewport =
		cursor === -1
			? settle(fallback, visible.length, height, linesOf)
			: settle({cursor, offset: cursor - Math.floor(height / 2)}, visible.length, height, linesOf);
	return {...state, tree: {...state.tree, viewport}};
}

/** The overlay's text width: the frame less a column, so wrapped lines never reach the edge. */
function overlayWidth(state: ExplorerState): number {
	return Math.max(20, state.size.columns - 1);
}

/** The lines of a text overlay that is wrapped to the terminal width. */
function textOverlayLines(state: ExplorerState, kind: 'findings' | 'dockerfile' | 'layer'): string[] {
	const width = overlayWidth(state);
	if (kind === 'findings') return findingLines(state.analysis, width);
	if (kind === 'dockerfile') {
		return dockerfileLines(state.extras.suggestion, state.analysis.image.finalSizeBytes, width);
	}

	return layerInfoLines(state, width);
}

/**
A filter opens the folders that hold matches (a match in a collapsed folder would be out of sight); the
folding from before comes back when the filter is cleared.
*/
function withFilter(state: ExplorerState, filter: string): ExplorerState {
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

function changeTree(state: ExplorerState, change: Partial<TreeState>): ExplorerState {
	const previous = selectedRow(state)?.node;
	const next = {...state, tree: {...state.tree, ...change}};
	return keepCursorOn(next, previous, state.tree.viewport);
}

function withViewport(state: ExplorerState, viewport: Viewport): ExplorerState {
	return viewport === state.tree.viewport ? state : {...state, tree: {...state.tree, viewport}};
}

function handleKey(state: ExplorerState, name: string, text: string): ExplorerState {
	const scopes = activeScopes(state);
	const command = commandFor(name, scopes, state.keymap);
	const cleared = state.message === undefined ? state : {...state, message: undefined};
	if (state.overlay?.kind === 'export' || state.overlay?.kind === 'extract') {
		return handlePrompt(cleared, state.overlay, command, name, text);
	}

	const whatIf = whatIfKey(cleared, command, selectedRow(cleared));
	if (whatIf) return whatIf;

	if (state.overlay?.kind === 'sizeMap') {
		return handleSizeMap(cleared, state.overlay, command);
	}

	if (state.overlay) {
		return handleOverlay(cleared, state.overlay, command);
	}

	if (state.editingFilter) {
		return handleFilterTyping(cleared, command, name, text);
	}

	if (!command) {
		return state;
	}

	return runCommand(cleared, command);
}

function handleFilterTyping(state: ExplorerState, command: Command | undefined, name: string, text: string) {
	const {visible} = currentTree(state);
	const height = state.layout.treeBody;
	switch (command) {
		case 'filterAccept':
			return {...state, editingFilter: false};
		case 'filterClear':
			return {...withFilter(state, ''), editingFilter: false};
		case 'filterUp':
			return withViewport(state, moveBy(state.tree.viewport, -1, visible.length, height, treeLinesOf(state)));
		case 'filterDown':
			return withViewport(state, moveBy(state.tree.viewport, 1, visible.length, height, treeLinesOf(state)));
		default:
			break;
	}

	if (name === 'backspace') {
		return withFilter(state, state.tree.filter.slice(0, -1));
	}

	const typed = name === 'space' ? ' ' : text;
	if (typed.length > 0 && !name.startsWith('ctrl+') && !/[\u0000-\u001f]/.test(typed)) {
		return withFilter(state, (state.tree.filter + typed).slice(0, 200));
	}

	return state;
}

/** The size map's grid: the overlay's body less the legend line. */
export function sizeMapGrid(state: ExplorerState): {columns: number; rows: number} {
	return {columns: state.size.columns, rows: Math.max(1, state.layout.overlayBody - 1)};
}

function openMap(state: ExplorerState): ExplorerState {
	const source = sizeMapSource(state.analysis, state.tree.mode, state.layer, state.tree.sort);
	const map = openSizeMap(source, sizeMapGrid(state), selectedRow(state)?.path);
	return {...state, overlay: {kind: 'sizeMap', map}};
}

const sizeMapActions: Partial<Record<Command, SizeMapAction>> = {
	mapUp: {type: 'move', direction: 'up'},
	mapDown: {type: 'move', direction: 'down'},
	mapLeft: {type: 'move', direction: 'left'},
	mapRight: {type: 'move', direction: 'right'},
	mapZoomIn: {type: 'zoom-in'},
	mapZoomOut: {type: 'zoom-out'},
};

function handleSizeMap(
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

function handleOverlay(state: ExplorerState, overlay: Overlay, command: Command | undefined): ExplorerState {
	if (
		overlay.kind === 'export' ||
		overlay.kind === 'extract' ||
		overlay.kind === 'sizeMap' ||
		overlay.kind === 'marks'
	) {
		return state;
	}

	const height = state.layout.overlayBody;
	const maxScroll = Math.max(0, overlay.lines.length - height);
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
			return scrollTo(overlay.scroll - Math.max(1, height - 1));
		case 'overlayPageDown':
			return scrollTo(overlay.scroll + Math.max(1, height - 1));
		case 'overlayFirst':
			return scrollTo(0);
		case 'overlayLast':
			return scrollTo(maxScroll);
		default:
			return state;
	}
}

function withEffect(
	state: ExplorerState,
	effect: Omit<Effect, 'id'> & Record<string, unknown>,
): ExplorerState {
	return {
		...state,
		effect: {...effect, id: state.nextEffectId} as Effect,
		nextEffectId: state.nextEffectId + 1,
	};
}

/** `layerlens-<image>` + the format's extension, unless the user already typed another name. */
export function exportPathFor(base: string, format: ExportFormat): string {
	return reportPathFor(base, format);
}

function editText(value: string, name: string, text: string): string {
	if (name === 'backspace') return value.slice(0, -1);
	const typed = name === 'space' ? ' ' : text;
	if (typed.length > 0 && !name.startsWith('ctrl+') && !/[\u0000-\u001f]/.test(typed)) {
		return (value + typed).slice(0, 4096);
	}

	return value;
}

function handlePrompt(
	state: ExplorerState,
	overlay: ExportOverlay | ExtractOverlay,
	command: Command | undefined,
	name: string,
	text: string,
): ExplorerState {
	const set = (change: Partial<ExportOverlay> | Partial<ExtractOverlay>) =>
		({...state, overlay: {...overlay, ...change}}) as ExplorerState;
	if (overlay.stage === 'writing') {
		return state;
	}

	if (overlay.stage === 'done' || overlay.stage === 'failed') {
		// Any key closes the result; the message stays in the status bar.
		return {...state, overlay: undefined, message: overlay.message};
	}

	if (command === 'promptCancel') {
		return {...state, overlay: undefined};
	}

	if (overlay.kind === 'extract') {
		if (command === 'promptConfirm') {
			const directory = overlay.directory.trim() === '' ? '.' : overlay.directory;
			return withEffect(set({stage: 'writing', directory}), {
				kind: 'extract',
				layer: overlay.layer,
				path: overlay.path,
				size: overlay.size,
				directory,
			});
		}

		return set({directory: editText(overlay.directory, name, text)});
	}

	switch (overlay.stage) {
		case 'format': {
			const index = exportFormats.indexOf(overlay.format);
			if (command === 'promptPrevious' || command === 'promptNext') {
				const step = command === 'promptNext' ? 1 : exportFormats.length - 1;
				const format = exportFormats[(index + step) % exportFormats.length]!;
				return set({format, path: exportPathFor(overlay.path, format)});
			}

			if (command === 'promptConfirm') {
				return set({stage: 'path'});
			}

			return state;
		}

		case 'path': {
			if (command === 'promptConfirm') {
				if (overlay.path.trim() === '') return state;
				return withEffect(set({stage: 'writing'}), {
					kind: 'export',
					format: overlay.format,
					path: overlay.path,
					overwrite: false,
				});
			}

			if (command === 'promptPrevious' || command === 'promptNext') return state;
			return set({path: editText(overlay.path, name, text)});
		}

		case 'confirm-overwrite': {
			if (name === 'y' || name === 'Y') {
				return withEffect(set({stage: 'writing'}), {
					kind: 'export',
					format: overlay.format,
					path: overlay.path,
					overwrite: true,
				});
			}

			if (name === 'n' || name === 'N') {
				return set({stage: 'path'});
			}

			return state;
		}
	}
}

function jumpToWasteLayer(state: ExplorerState): ExplorerState {
	const {layers} = state.analysis;
	if ((layers[state.layer]?.wasteIntroducedBytes ?? 0) > 0) {
		return state;
	}

	let best = -1;
	for (const layer of layers) {
		if (
			layer.wasteIntroducedBytes > 0 &&
			(best === -1 || layer.wasteIntroducedBytes > layers[best]!.wasteIntroducedBytes)
		) {
			best = layer.index;
		}
	}

	return best === -1
		? {...state, message: 'No layer adds files that a later layer hides'}
		: selectLayer(state, best);
}

function toggleHidden(state: ExplorerState, kind: ChangeKind): ExplorerState {
	return changeTree(state, {hidden: {...state.tree.hidden, [kind]: !state.tree.hidden[kind]}});
}

function setCollapsed(state: ExplorerState, path: string, collapsed: boolean): ExplorerState {
	const {collapse} = state.tree;
	const isCollapsed = collapse.allCollapsed !== collapse.toggled.has(path);
	if (isCollapsed === collapsed) {
		return state;
	}

	const toggled = new Set(collapse.toggled);
	if (toggled.has(path)) {
		toggled.delete(path);
	} else {
		toggled.add(path);
	}

	return changeTree(state, {collapse: {allCollapsed: collapse.allCollapsed, toggled}});
}

function isRowCollapsed(state: ExplorerState, row: TreeRow): boolean {
	const {collapse} = state.tree;
	return row.hasChildren && collapse.allCollapsed !== collapse.toggled.has(row.path);
}

function openViewer(state: ExplorerState, row: TreeRow): ExplorerState {
	const version = row.version;
	const path = `/${row.path}`;
	if (version === undefined || row.status === 'removed') {
		return {...state, message: `${sanitize(path)} is removed in this layer: nothing to show`};
	}

	const {tree} = state.analysis;
	const entry = tree.entry(version);
	const hiddenBy = tree.hiddenIn(version);
	const metadata = [
		`Path:     ${sanitize(path)}`,
		`Type:     ${entry.type}${entry.linkTarget === undefined ? '' : ` → ${sanitize(entry.linkTarget)}`}`,
		`Size:     ${entry.size} B`,
		`Mode:     ${(entry.mode & 0o7777).toString(8).padStart(4, '0')}`,
		`Owner:    ${entry.uid}:${entry.gid}`,
		`Layer:    ${tree.layerOf(version)}`,
		`Modified: ${new Date(entry.mtime * 1000).toISOString()}`,
		...(entry.hash ? [`xxHash64: ${entry.hash}`] : []),
		...(hiddenBy === undefined ? [] : [`Hidden by layer ${hiddenBy} (${tree.cause(version) ?? 'hidden'})`]),
	];
	const overlay: ViewerOverlay = {
		kind: 'viewer',
		title: sanitize(path),
		status: entry.type === 'file' && entry.size > 0 ? 'loading' : 'ready',
		lines: metadata,
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

function runCommand(state: ExplorerState, command: Command): ExplorerState {
	const {visible} = currentTree(state);
	const treeHeight = state.layout.treeBody;
	const layersHeight = state.layout.layersBody;
	const viewport = state.tree.viewport;
	switch (command) {
		case 'quit':
			return {...state, exitCode: 0};
		case 'nextPane':
		case 'previousPane':
			return {...state, focus: state.focus === 'layers' ? 'tree' : 'layers'};
		case 'help':
			return {...state, overlay: {kind: 'help', lines: helpLines(state.keymap), scroll: 0}};
		case 'findings':
			return {
				...state,
				overlay: {kind: 'findings', lines: textOverlayLines(state, 'findings'), scroll: 0},
			};
		case 'dockerfile':
			return {
				...state,
				overlay: {
					kind: 'dockerfile',
					lines: textOverlayLines(state, 'dockerfile'),
					scroll: 0,
				},
			};
		case 'exportReport':
			if (!state.extras.canExport) {
				return {...state, message: 'Export is not available here'};
			}

			return {
				...state,
				overlay: {
					kind: 'export',
					stage: 'format',
					format: 'markdown',
					path: exportPathFor(state.extras.defaultExportName, 'markdown'),
				},
			};

		case 'layerUp':
			return selectLayer(state, state.layer - 1);
		case 'layerDown':
			return selectLayer(state, state.layer + 1);
		case 'layerPageUp':
			return selectLayer(state, state.layer - Math.max(1, layersHeight - 1));
		case 'layerPageDown':
			return selectLayer(state, state.layer + Math.max(1, layersHeight - 1));
		case 'layerInfo': {
			const layer = state.analysis.layers[state.layer];
			if (!layer) return state;
			return {
				...state,
				overlay: {
					kind: 'layer',
					title: `Layer ${layer.index}`,
					lines: textOverlayLines(state, 'layer'),
					scroll: 0,
				},
			};
		}

		case 'showAggregated':
			return state.tree.mode === 'aggregated' ? state : changeTree(state, {mode: 'aggregated'});
		case 'showChanges':
			return state.tree.mode === 'changes' ? state : changeTree(state, {mode: 'changes'});
		case 'layerFirst':
			return selectLayer(state, 0);
		case 'layerLast':
			return selectLayer(state, state.analysis.layers.length - 1);

		case 'up':
			return withViewport(state, moveBy(viewport, -1, visible.length, treeHeight, treeLinesOf(state)));
		case 'down':
			return withViewport(state, moveBy(viewport, 1, visible.length, treeHeight, treeLinesOf(state)));
		case 'pageUp':
			return withViewport(state, pageBy(viewport, -1, visible.length, treeHeight, treeLinesOf(state)));
		case 'pageDown':
			return withViewport(state, pageBy(viewport, 1, visible.length, treeHeight, treeLinesOf(state)));
		case 'first':
			return withViewport(state, moveTo(viewport, 0, visible.length, treeHeight, treeLinesOf(state)));
		case 'last':
			return withViewport(
				state,
				moveTo(viewport, visible.length - 1, visible.length, treeHeight, treeLinesOf(state)),
			);
		case 'collapseAll':
			return changeTree(state, {collapse: {allCollapsed: true, toggled: new Set()}});
		case 'expandAll':
			return changeTree(state, {collapse: {allCollapsed: false, toggled: new Set()}});
		case 'toggleAll':
			// dive's Ctrl+Space: everything folded unless it already is.
			return changeTree(state, {
				collapse: {
					allCollapsed: !(state.tree.collapse.allCollapsed && state.tree.collapse.toggled.size === 0),
					toggled: new Set(),
				},
			});
		case 'filter':
			// Global, as in dive: typing a filter from the layers pane moves to the tree it filters.
			return {...state, editingFilter: true, focus: 'tree'};
		case 'sort':
			return changeTree(state, {sort: state.tree.sort === 'name' ? 'size' : 'name'});
		case 'aggregated':
			return changeTree(state, {mode: state.tree.mode === 'changes' ? 'aggregated' : 'changes'});
		case 'hideAdded':
			return toggleHidden(state, 'added');
		case 'hideModified':
			return toggleHidden(state, 'modified');
		case 'hideRemoved':
			return toggleHidden(state, 'removed');
		case 'hideUnchanged':
			return toggleHidden(state, 'unchanged');
		case 'wasteOnly': {
			const next = changeTree(state, {wasteOnly: !state.tree.wasteOnly});
			return next.tree.wasteOnly ? jumpToWasteLayer(next) : next;
		}

		case 'buildOnly':
			return changeTree(state, {buildOnly: !state.tree.buildOnly});
		case 'attributes':
			// The columns change how long rows are, so wrapped rows take other heights.
			return settleAll({...state, tree: {...state.tree, showAttributes: !state.tree.showAttributes}});
		case 'wrapTree':
			return changeTree(state, {wrap: !state.tree.wrap});
		case 'sizeMap':
			return openMap(state);
		default:
			return runRowCommand(state, command);
	}
}

function runRowCommand(state: ExplorerState, command: Command): ExplorerState {
	const row = selectedRow(state);
	if (!row) {
		return state;
	}

	switch (command) {
		case 'collapse': {
			if (isRowCollapsed(state, row) || !row.hasChildren) {
				// Already closed (or a file): go to the parent row, like most tree views.
				return gotoParent(state, row);
			}

			return setCollapsed(state, row.path, true);
		}

		case 'expand':
			return row.hasChildren ? setCollapsed(state, row.path, false) : state;
		case 'toggle':
			return row.hasChildren ? setCollapsed(state, row.path, !isRowCollapsed(state, row)) : state;
		case 'activate':
			return row.hasChildren
				? setCollapsed(state, row.path, !isRowCollapsed(state, row))
				: openViewer(state, row);
		case 'view':
			return openViewer(state, row);
		case 'extract': {
			const version = row.version;
			const {tree} = state.analysis;
			if (version === undefined || row.status === 'removed' || !tree.isFile(version)) {
				return {...state, message: 'Only regular files can be extracted'};
			}

			return {
				...state,
				overlay: {
					kind: 'extract',
					stage: 'path',
					directory: '.',
					layer: tree.layerOf(version),
					path: row.path,
					size: tree.size(version),
				},
			};
		}

		default:
			return state;
	}
}

function gotoParent(state: ExplorerState, row: TreeRow): ExplorerState {
	if (row.depth === 0) return state;
	const {view, visible} = currentTree(state);
	for (let index = state.tree.viewport.cursor - 1; index >= 0; index--) {
		if (view.rows[visible[index]!]!.node === state.analysis.tree.parentOf(row.node)) {
			return withViewport(
				state,
				moveTo(state.tree.viewport, index, visible.length, state.layout.treeBody, treeLinesOf(state)),
			);
		}
	}

	return state;
}

/** Everything known about the selected layer, for the details overlay (the pane has room for less). */
function layerInfoLines(state: ExplorerState, width: number): string[] {
	const layer = state.analysis.layers[state.layer]!;
	const history = layer.historyIndex === undefined ? undefined : state.analysis.history[layer.historyIndex];
	return [
		'Instruction:',
		...sanitizeLines(layer.createdBy ?? layer.instruction).flatMap((line) => hanging('  ', line, width, 4)),
		'',
		...hanging('Normalised:    ', sanitize(layer.instruction), width),
		...(history?.created ? [`Created:       ${sanitize(history.created)}`] : []),
		...(history?.comment ? hanging('Comment:       ', sanitize(history.comment), width) : []),
		...hanging('Diff ID:       ', sanitize(layer.diffId), width),
		...(layer.digest ? hanging('Digest:        ', sanitize(layer.digest), width) : []),
		`Size:          ${formatBytes(layer.sizeBytes)} in ${layer.fileCount} ${layer.fileCount === 1 ? 'file' : 'files'} (${layer.sizeBytes} B)`,
		`Tar:           ${formatBytes(layer.tarSizeBytes)}${
			layer.compressedSizeBytes === undefined
				? ''
				: ` · stored ${formatBytes(layer.compressedSizeBytes)} ${compressionWord(layer.compression)}`
		}`,
		`Changes:       +${layer.added} added · ~${layer.modified} modified · -${layer.removed} removed`,
		`Introduced:    ${formatBytes(layer.wasteIntroducedBytes)} that later layers hide`,
		`Hid:           ${formatBytes(layer.wasteHiddenBytes)} of lower layers`,
	];
}
