import type {ExplorerState, ScrollingOverlay, TreeState, ViewerOverlay} from './explorer-types.js';
import {compressionWord, formatBytes, sanitize, sanitizeLines} from './format.js';
import {helpLines, type Scope} from './keymap.js';
import {dockerfileLines, findingLines, hanging} from './overlay-lines.js';
import {attributesMinWidth, wrappedRowLineCount} from './tree-row-text.js';
import type {TreeOptions, TreeRow, TreeView} from './tree-view.js';
import type {LinesOf} from './viewport.js';

/*
What the explorer derives from its state: the tree view and its visible rows, the selected row, the lines
of an overlay. Pure reads of the state (memoised), shared by the reducers and the components.
*/

/** The largest slice of a file the viewer reads. */
export const viewerLimit = 64 * 1024;

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
	const view = state.views.view(treeOptions(state));
	return {view, visible: state.views.visible(view, state.tree.collapse)};
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

export function isRowCollapsed(state: ExplorerState, row: TreeRow): boolean {
	const {collapse} = state.tree;
	return row.hasChildren && collapse.allCollapsed !== collapse.toggled.has(row.path);
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

/** The size map's grid: the overlay's body less the legend line. */
export function sizeMapGrid(state: ExplorerState): {columns: number; rows: number} {
	return {columns: state.size.columns, rows: Math.max(1, state.layout.overlayBody - 1)};
}

/** The overlay's text width: the frame less a column, so wrapped lines never reach the edge. */
function overlayWidth(state: ExplorerState): number {
	return Math.max(20, state.size.columns - 1);
}

/** The last lines drawn for an owner (the analysis, the keymap, a file's content) and what they were drawn for. */
const drawn = new WeakMap<object, {key: string; lines: string[]}>();

function memo(owner: object, key: string, draw: () => string[]): string[] {
	const last = drawn.get(owner);
	if (last?.key === key) return last.lines;
	const lines = draw();
	drawn.set(owner, {key, lines});
	return lines;
}

/** The lines of a scrolling overlay, wrapped to the terminal's width (drawn again only when that changes). */
export function overlayLines(state: ExplorerState, overlay: ScrollingOverlay): string[] {
	const width = overlayWidth(state);
	switch (overlay.kind) {
		case 'help':
			return memo(state.keymap, 'help', () => helpLines(state.keymap));
		case 'findings':
			return memo(state.analysis, `findings ${width}`, () => findingLines(state.analysis, width));
		case 'dockerfile':
			return memo(state.analysis, `dockerfile ${width}`, () =>
				dockerfileLines(state.extras.suggestion, state.analysis.image.finalSizeBytes, width),
			);
		case 'layer':
			return memo(state.analysis, `layer ${overlay.layer} ${width}`, () =>
				layerInfoLines(state, overlay.layer, width),
			);
		case 'viewer':
			return viewerLines(state, overlay);
	}
}

/** The file's details, then its text (which replaces them), a binary note, or why it could not be read. */
function viewerLines(state: ExplorerState, overlay: ViewerOverlay): string[] {
	const {content} = overlay;
	if (content?.kind === 'failed') return [`Cannot read the file: ${sanitize(content.message)}`];
	if (content?.kind === 'text') {
		return memo(content, 'text', () => [
			...sanitizeLines(content.text),
			...(content.truncated ? [`… (first ${viewerLimit / 1024} KiB shown)`] : []),
		]);
	}

	const metadata = fileDetailLines(state, overlay);
	return content?.kind === 'binary'
		? [...metadata, '', 'Binary content: not shown (extract it with x)']
		: metadata;
}

function fileDetailLines(state: ExplorerState, overlay: ViewerOverlay): string[] {
	const {tree} = state.analysis;
	const {version} = overlay;
	const entry = tree.entry(version);
	const hiddenBy = tree.hiddenIn(version);
	return [
		`Path:     ${overlay.title}`,
		`Type:     ${entry.type}${entry.linkTarget === undefined ? '' : ` → ${sanitize(entry.linkTarget)}`}`,
		`Size:     ${entry.size} B`,
		`Mode:     ${(entry.mode & 0o7777).toString(8).padStart(4, '0')}`,
		`Owner:    ${entry.uid}:${entry.gid}`,
		`Layer:    ${tree.layerOf(version)}`,
		`Modified: ${new Date(entry.mtime * 1000).toISOString()}`,
		...(entry.hash ? [`xxHash64: ${entry.hash}`] : []),
		...(hiddenBy === undefined ? [] : [`Hidden by layer ${hiddenBy} (${tree.cause(version) ?? 'hidden'})`]),
	];
}

/** Everything known about a layer, for the details overlay (the pane has room for less). */
function layerInfoLines(state: ExplorerState, index: number, width: number): string[] {
	const layer = state.analysis.layers[index]!;
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
