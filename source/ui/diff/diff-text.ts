import type {ImageComparison, LayerRef} from '../../analysis/compare/types.js';
import {signedBytes} from '../../report/diff-markdown.js';
import {formatBytes} from '../../shared/format-bytes.js';
import {sanitize} from '../../shared/sanitize-text.js';
import {
	type Binding,
	type Command,
	keymap as defaultKeymap,
	type Keymap,
	keyLabel,
	type Scope,
	scopeTitles,
} from '../keymap.js';
import type {TreeRow} from './diff-tree.js';

/* The diff view's text: its layer lists, tree rows, help and findings, as lines for the frame. */

/** The keymap commands the diff view answers to; the help overlay lists exactly these. */
export const diffCommands: ReadonlySet<Command> = new Set<Command>([
	'quit',
	'nextPane',
	'previousPane',
	'help',
	'findings',
	'layerUp',
	'layerDown',
	'layerPageUp',
	'layerPageDown',
	'layerFirst',
	'layerLast',
	'up',
	'down',
	'pageUp',
	'pageDown',
	'first',
	'last',
	'collapse',
	'expand',
	'toggle',
	'activate',
	'collapseAll',
	'expandAll',
	'filter',
	'sort',
	'filterAccept',
	'filterClear',
	'filterUp',
	'filterDown',
	'overlayClose',
	'overlayUp',
	'overlayDown',
	'overlayPageUp',
	'overlayPageDown',
	'overlayFirst',
	'overlayLast',
]);

export function fit(text: string, width: number): string {
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
