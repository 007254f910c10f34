import type {ReportSuggestion} from '../analysis/suggestion/report-suggestion.js';
import type {ChangeKind, ImageAnalysis} from '../analysis/types.js';
import type {VersionId} from '../engine/index.js';
import type {ExportFormat} from '../report/formats.js';
import type {Command, Keymap, Scope} from './keymap.js';
import type {LayerList} from './layer-list.js';
import type {Layout, Size} from './layout.js';
import type {SizeMapState} from './size-map-state.js';
import type {SortOrder, TreeMode, TreeOptions} from './tree-view.js';
import type {CollapseState, TreeViews} from './tree-views.js';
import type {Viewport} from './viewport.js';

/*
The explorer's state as plain data, one slice per concern: the tree and layer navigation (tree-state.ts),
the filter line (filter-state.ts), the overlays (overlay-state.ts) and the export/extract prompts
(prompt-state.ts). Overlays hold data, not rendered lines: explorer-selectors.ts draws their lines.
*/

/** What the explorer needs besides the analysis (whether export exists, the suggested Dockerfile...). */
export type ExplorerExtras = {
	canExport: boolean;
	suggestion?: ReportSuggestion;
	defaultExportName: string;
};

/** Overlays of text: the keys, the findings, the suggested Dockerfile, one layer's details. */
export type TextOverlay =
	| {kind: 'help' | 'findings' | 'dockerfile'; scroll: number}
	| {kind: 'layer'; title: string; layer: number; scroll: number};
/** What the viewer read of the file: its text, a note that it is binary, or why it could not be read. */
export type ViewerContent =
	| {kind: 'text'; text: string; truncated: boolean}
	| {kind: 'binary'}
	| {kind: 'failed'; message: string};
export type ViewerOverlay = {
	kind: 'viewer';
	title: string;
	status: 'loading' | 'ready' | 'failed';
	/** The version whose details head the overlay. */
	version: VersionId;
	/** Undefined while it loads, and for what has no content to read (a directory, an empty file). */
	content: ViewerContent | undefined;
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
export type Overlay = TextOverlay | ViewerOverlay | ExportOverlay | ExtractOverlay | SizeMapOverlay;
/** The overlays whose lines scroll: text and the file viewer. */
export type ScrollingOverlay = TextOverlay | ViewerOverlay;

/** Work the component must do outside the reducer; `id` changes once per request. */
export type Effect =
	| {id: number; kind: 'read'; layer: number; path: string; limit: number; isText: boolean}
	| {id: number; kind: 'export'; format: ExportFormat; path: string; overwrite: boolean}
	| {id: number; kind: 'extract'; layer: number; path: string; size: number; directory: string};

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

export type ExplorerState = {
	analysis: ImageAnalysis;
	/** The analysis' tree views, memoised for this explorer: the selectors read the tree through it. */
	views: TreeViews;
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

/** A key press as the sub-reducers see it: its command in the scope that takes keys now (`scope`). */
export type KeyEvent = {type: 'key'; name: string; text: string; command: Command | undefined; scope: Scope};
/** What a sub-reducer is given: a key press with its command, or any other action. */
export type ExplorerEvent = KeyEvent | Exclude<Action, {type: 'key'}>;

/**
One concern's reducer. For a key press, the first sub-reducer that answers (a state, not undefined) takes
it; every other action goes through each in turn (undefined: nothing changed).
*/
export type SliceReducer = (state: ExplorerState, event: ExplorerEvent) => ExplorerState | undefined;

/** Whether the panes take keys now (no overlay, prompt or filter line does). */
export function panesHaveKeys(event: KeyEvent): boolean {
	return event.scope === 'layers' || event.scope === 'tree';
}

/** Ask the component for `effect`, with the next id. */
export function withEffect(
	state: ExplorerState,
	effect: Omit<Effect, 'id'> & Record<string, unknown>,
): ExplorerState {
	return {
		...state,
		effect: {...effect, id: state.nextEffectId} as Effect,
		nextEffectId: state.nextEffectId + 1,
	};
}
