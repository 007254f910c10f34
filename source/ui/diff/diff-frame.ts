import {diffHeadline, signedBytes} from '../../report/diff-markdown.js';
import {formatBytes} from '../../shared/format-bytes.js';
import {barItems} from '../keymap.js';
import {diffLayerLines, diffLayout, diffOverlayLines, diffRows} from './diff-selectors.js';
import {type DiffState, diffCommands, diffScopes} from './diff-state.js';
import {fit, treeRowText} from './diff-text.js';

export type FrameLine = {text: string; tone?: 'title' | 'cursor' | 'added' | 'removed' | 'changed' | 'dim'};

/*
Everything on screen for one state, as text lines (readable without colour: markers carry the meaning),
drawn pane by pane from the selectors: the header, the layer lists, the files (or the open overlay), the
key bar.
*/

function headerLines(state: DiffState, width: number): FrameLine[] {
	const {comparison} = state.model;
	const {a, b, delta} = comparison.totals;
	const {findings} = comparison;
	return [
		{
			text: fit(`layerlens diff  A: ${comparison.a.reference}  B: ${comparison.b.reference}`, width),
			tone: 'title',
		},
		{text: fit(`${comparison.identical ? '' : 'B '}${diffHeadline(comparison, (path) => path)}`, width)},
		{
			text: fit(
				`final ${formatBytes(a.finalBytes)} → ${formatBytes(b.finalBytes)} (${signedBytes(delta.finalBytes)})  files ${a.files} → ${b.files}  reclaimable ${signedBytes(delta.reclaimableBytes)}  findings ${findings.resolved.length} resolved, ${findings.new.length} new`,
				width,
			),
		},
	];
}

function layersPane(state: DiffState, width: number, height: number): FrameLine[] {
	const all = diffLayerLines(state);
	const scroll = Math.min(state.layerScroll, Math.max(0, all.length - height));
	const lines: FrameLine[] = [
		{
			text: fit(
				`${state.pane === 'layers' ? '▶' : ' '} Layers  = shared  A only | B only  * same content in the other`,
				width,
			),
			tone: 'title',
		},
	];
	for (let index = 0; index < height; index++) lines.push({text: fit(all[scroll + index] ?? '', width)});
	return lines;
}

function filesTitle(state: DiffState, width: number): FrameLine {
	const filterText =
		state.editingFilter || state.filter !== ''
			? `  filter: /${state.filter}${state.editingFilter ? '▏' : ''}`
			: '';
	const {unchanged} = state.model.comparison.files;
	return {
		text: fit(
			`${state.pane === 'tree' ? '▶' : ' '} Files  + added  - removed  ~ changed  (${unchanged} unchanged)  sort: ${state.sort === 'delta' ? 'size change' : 'name'}${filterText}`,
			width,
		),
		tone: 'title',
	};
}

/** The files pane's rows: the tree from its scroll, the cursor's row marked, or why there is nothing. */
function fileRows(state: DiffState, width: number, height: number): FrameLine[] {
	const rows = diffRows(state);
	const lines: FrameLine[] = [];
	if (rows.length === 0) {
		const empty = state.filter === '' ? '  no file changes' : '  no change matches the filter';
		lines.push({text: fit(empty, width), tone: 'dim'});
	}

	for (let index = 0; index < height - (rows.length === 0 ? 1 : 0); index++) {
		const row = rows[state.scroll + index];
		if (row === undefined) {
			lines.push({text: ' '.repeat(width)});
			continue;
		}

		const isCursor = state.scroll + index === state.cursor && state.pane === 'tree';
		lines.push({
			text: treeRowText(row, width),
			...(isCursor ? {tone: 'cursor' as const} : row.node.kind ? {tone: row.node.kind} : {}),
		});
	}

	return lines;
}

function keyBar(state: DiffState, width: number): FrameLine {
	const bar =
		state.message ??
		barItems(diffScopes(state), state.keymap)
			.filter((item) => diffCommands.has(item.command))
			.map((item) => `${item.keys} ${item.help}`)
			.join('  ');
	return {text: fit(bar, width), tone: 'dim'};
}

export function diffFrame(state: DiffState): FrameLine[] {
	const {width, layerHeight, treeHeight} = diffLayout(state);
	const overlay = diffOverlayLines(state);
	const body = overlay
		? Array.from({length: treeHeight}, (_, index) => ({
				text: fit(overlay[state.overlayScroll + index] ?? '', width),
			}))
		: fileRows(state, width, treeHeight);
	return [
		...headerLines(state, width),
		...layersPane(state, width, layerHeight),
		filesTitle(state, width),
		...body,
		keyBar(state, width),
	];
}
