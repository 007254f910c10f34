import type {ImageComparison, LayerRef} from '../../analysis/compare/types.js';
import {diffHeadline, signedBytes} from '../../report/diff-markdown.js';
import {formatBytes} from '../../shared/format-bytes.js';
import {sanitize} from '../../shared/sanitize-text.js';
import {
	type Binding,
	barItems,
	type Command,
	keymap as defaultKeymap,
	type Keymap,
	keyLabel,
	type Scope,
	scopeTitles,
} from '../keymap.js';
import {type DiffContext, type DiffState, diffCommands, diffScopes} from './diff-state.js';
import {type DiffTree, filterPattern, type TreeRow, visibleRows} from './diff-tree.js';

export type FrameLine = {text: string; tone?: 'title' | 'cursor' | 'added' | 'removed' | 'changed' | 'dim'};

export type DiffModel = {comparison: ImageComparison; tree: DiffTree};

function fit(text: string, width: number): string {
	const clean = sanitize(text);
	return clean.length > width ? `${clean.slice(0, Math.max(0, width - 1))}…` : clean.padEnd(width);
}

function layerCell(mark: string, layer: LayerRef | undefined, width: number): string {
	if (layer === undefined) return ' '.repeat(width);
	const same = layer.sameContentAs === undefined ? ' ' : '*';
	return fit(
		`${mark}${same}${String(layer.index).padStart(3)} ${formatBytes(layer.sizeBytes).padStart(8)}  ${layer.instruction}`,
		width,
	);
}

/** The two layer lists: the shared base once across both columns, then each side's own layers side by side. */
export function layerLines(comparison: ImageComparison, width: number): string[] {
	const {shared, onlyA, onlyB} = comparison.layers;
	const lines = shared.map((layer) =>
		fit(
			`= ${String(layer.index).padStart(3)} ${formatBytes(layer.sizeBytes).padStart(8)}  ${layer.instruction}  (shared)`,
			width,
		),
	);
	const half = Math.floor((width - 3) / 2);
	for (let index = 0; index < Math.max(onlyA.length, onlyB.length); index++) {
		lines.push(`${layerCell('A', onlyA[index], half)} | ${layerCell('B', onlyB[index], width - half - 3)}`);
	}

	return lines;
}

const marks = {added: '+', removed: '-', changed: '~'} as const;

export function treeRowText(row: TreeRow, width: number): string {
	const {node} = row;
	const mark = node.kind === undefined ? ' ' : marks[node.kind];
	const fold = node.isDirectory ? (row.expanded ? '▾ ' : '▸ ') : '  ';
	const delta = node.deltaBytes === 0 ? '0' : signedBytes(node.deltaBytes);
	return fit(
		`${mark} ${delta.padStart(10)}  ${'  '.repeat(node.depth)}${fold}${node.name}${node.isDirectory ? '/' : ''}`,
		width,
	);
}

/** The `?` overlay: the keymap's own lines (remapped keys included) for the commands this view answers to. */
export function diffHelpLines(map: Keymap = defaultKeymap): string[] {
	const lines: string[] = [];
	for (const scope of Object.keys(scopeTitles) as Scope[]) {
		const bindings = (Object.entries(map) as Array<[Command, Binding]>).filter(
			([command, binding]) => binding.scope === scope && diffCommands.has(command),
		);
		if (bindings.length === 0) continue;
		lines.push(scopeTitles[scope]);
		for (const [, binding] of bindings) {
			lines.push(`  ${binding.keys.map(keyLabel).join(' ').padEnd(22)} ${binding.help}`);
		}

		lines.push('');
	}

	return lines;
}

export function findingLines(comparison: ImageComparison): string[] {
	const {findings} = comparison;
	const lines = [
		`Findings: ${findings.resolved.length} resolved, ${findings.new.length} new, ${findings.kept.length} kept`,
		'',
	];
	const list = (title: string, items: typeof findings.new) => {
		lines.push(`${title} (${items.length})`);
		for (const finding of items) {
			lines.push(`  ${formatBytes(finding.bytes).padStart(9)}  ${finding.ruleId}  ${finding.title}`);
		}

		lines.push('');
	};
	list('Resolved', findings.resolved);
	list('New', findings.new);
	lines.push(`Kept (${findings.kept.length})`);
	for (const kept of findings.kept) {
		lines.push(`  ${signedBytes(kept.bytesB - kept.bytesA).padStart(9)}  ${kept.ruleId}  ${kept.title}`);
	}

	const {packages} = comparison;
	if (packages !== undefined) {
		lines.push(
			'',
			`Packages: ${packages.added.length} added, ${packages.removed.length} removed, ${packages.upgraded.length} upgraded`,
		);
		const rows = [
			...packages.added.map((delta) => ({mark: '+', delta, version: delta.versionB ?? ''})),
			...packages.removed.map((delta) => ({mark: '-', delta, version: delta.versionA ?? ''})),
			...packages.upgraded.map((delta) => ({
				mark: '~',
				delta,
				version: `${delta.versionA} → ${delta.versionB}`,
			})),
		].sort((x, y) => Math.abs(y.delta.deltaBytes) - Math.abs(x.delta.deltaBytes));
		for (const {mark, delta, version} of rows) {
			lines.push(
				`${mark} ${signedBytes(delta.deltaBytes).padStart(9)}  ${delta.ecosystem} ${delta.location ?? delta.name} ${version}`,
			);
		}
	}

	return lines;
}

export type Frame = {lines: FrameLine[]; context: DiffContext};

/** Everything on screen for one state, as text lines: readable without colour (markers carry the meaning). */
export function diffFrame(
	model: DiffModel,
	state: DiffState,
	size: {columns: number; rows: number},
	map: Keymap = defaultKeymap,
): Frame {
	const width = Math.max(20, size.columns);
	const height = Math.max(8, size.rows);
	const {comparison} = model;
	const {a, b, delta} = comparison.totals;
	const lines: FrameLine[] = [
		{
			text: fit(`layerlens diff  A: ${comparison.a.reference}  B: ${comparison.b.reference}`, width),
			tone: 'title',
		},
		{text: fit(`${comparison.identical ? '' : 'B '}${diffHeadline(comparison, (path) => path)}`, width)},
		{
			text: fit(
				`final ${formatBytes(a.finalBytes)} → ${formatBytes(b.finalBytes)} (${signedBytes(delta.finalBytes)})  files ${a.files} → ${b.files}  reclaimable ${signedBytes(delta.reclaimableBytes)}  findings ${comparison.findings.resolved.length} resolved, ${comparison.findings.new.length} new`,
				width,
			),
		},
	];
	const allLayerLines = layerLines(comparison, width);
	const layerHeight = Math.max(2, Math.min(allLayerLines.length, Math.floor((height - 7) / 3)));
	const layerLast = Math.max(0, allLayerLines.length - layerHeight);
	const layerScroll = Math.min(state.layerScroll, layerLast);
	lines.push({
		text: fit(
			`${state.pane === 'layers' ? '▶' : ' '} Layers  = shared  A only | B only  * same content in the other`,
			width,
		),
		tone: 'title',
	});
	for (let index = 0; index < layerHeight; index++) {
		lines.push({text: fit(allLayerLines[layerScroll + index] ?? '', width)});
	}

	const rows = visibleRows(model.tree, {
		sort: state.sort,
		toggled: state.toggled,
		filter: filterPattern(state.filter),
	});
	const treeHeight = Math.max(1, height - lines.length - 2);
	const filterText =
		state.editingFilter || state.filter !== ''
			? `  filter: /${state.filter}${state.editingFilter ? '▏' : ''}`
			: '';
	lines.push({
		text: fit(
			`${state.pane === 'tree' ? '▶' : ' '} Files  + added  - removed  ~ changed  (${comparison.files.unchanged} unchanged)  sort: ${state.sort === 'delta' ? 'size change' : 'name'}${filterText}`,
			width,
		),
		tone: 'title',
	});
	const overlay =
		state.overlay === 'help'
			? diffHelpLines(map)
			: state.overlay === 'findings'
				? findingLines(comparison)
				: undefined;
	const overlayHeight = treeHeight;
	if (overlay) {
		for (let index = 0; index < treeHeight; index++) {
			lines.push({text: fit(overlay[state.overlayScroll + index] ?? '', width)});
		}
	} else {
		if (rows.length === 0) {
			lines.push({
				text: fit(state.filter === '' ? '  no file changes' : '  no change matches the filter', width),
				tone: 'dim',
			});
		}

		for (let index = 0; index < treeHeight - (rows.length === 0 ? 1 : 0); index++) {
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
	}

	const bar =
		state.message ??
		barItems(diffScopes(state), map)
			.filter((item) => diffCommands.has(item.command))
			.map((item) => `${item.keys} ${item.help}`)
			.join('  ');
	lines.push({text: fit(bar, width), tone: 'dim'});
	return {
		lines,
		context: {
			rows,
			treeHeight,
			layerRows: allLayerLines.length,
			layerHeight,
			overlayLines: overlay?.length ?? 0,
			overlayHeight,
		},
	};
}
