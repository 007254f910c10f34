import type {ImageComparison, LayerRef, TopChange, Totals} from '../analysis/compare/types.js';
import type {PackageDelta} from '../analysis/packages/index.js';
import {formatBytes} from '../shared/format-bytes.js';
import {categoryOrder, categoryTitles} from './category-labels.js';
import {escapeText, inlineCode, singleLine, table, truncate} from './markdown-text.js';

/** GitHub refuses a pull-request comment longer than this. */
export const commentLimit = 65_536;
/** Rows of the changes table a reviewer reads before the rest is left to the JSON report. */
const defaultChangeRows = 50;

export function signedBytes(bytes: number): string {
	return bytes > 0 ? `+${formatBytes(bytes)}` : formatBytes(bytes);
}

function percentText(delta: number, base: number): string {
	if (base === 0) return '';
	const percent = (delta / base) * 100;
	return `, ${percent > 0 ? '+' : ''}${percent.toFixed(1)} %`;
}

const changeMarks = {added: '+', removed: '-', changed: '~'} as const;

function changePath(change: TopChange): string {
	return change.isDirectory ? `${change.path}/` : change.path;
}

/** `grows the image by 41 MB: `app/node_modules/typescript/` +32 MB, …`: the verdict a reviewer reads first. */
export function diffHeadline(comparison: ImageComparison, inline: (path: string) => string): string {
	const {delta, a, b} = comparison.totals;
	if (comparison.identical) {
		return `no changes: the same files, layer bytes and findings${
			comparison.files.timestampOnly > 0
				? ` (${comparison.files.timestampOnly} paths differ only in time stamps)`
				: ''
		}`;
	}

	const verb =
		delta.layerBytes > 0
			? `grows the image by ${formatBytes(delta.layerBytes)}`
			: delta.layerBytes < 0
				? `shrinks the image by ${formatBytes(-delta.layerBytes)}`
				: 'keeps the image size';
	const top = comparison.files.topChanges
		.filter((change) => change.deltaBytes !== 0)
		.slice(0, 3)
		.map((change) => `${inline(changePath(change))} ${signedBytes(change.deltaBytes)}`);
	return `${verb} (${formatBytes(a.layerBytes)} → ${formatBytes(b.layerBytes)}${percentText(delta.layerBytes, a.layerBytes)})${
		top.length > 0 ? `: ${top.join(', ')}${comparison.files.topChanges.length > 3 ? ' …' : ''}` : ''
	}`;
}

function totalsRows(comparison: ImageComparison): string[][] {
	const {a, b, delta} = comparison.totals;
	const bytesRow = (label: string, key: keyof Totals) => [
		label,
		formatBytes(a[key]),
		formatBytes(b[key]),
		signedBytes(delta[key]),
	];
	const countRow = (label: string, key: keyof Totals) => [
		label,
		a[key].toLocaleString('en-US'),
		b[key].toLocaleString('en-US'),
		`${delta[key] > 0 ? '+' : ''}${delta[key].toLocaleString('en-US')}`,
	];
	return [
		bytesRow('Layer bytes', 'layerBytes'),
		bytesRow('Final filesystem', 'finalBytes'),
		bytesRow('Reclaimable', 'reclaimableBytes'),
		[
			'dive efficiency',
			`${(a.efficiencyScore * 100).toFixed(2)} %`,
			`${(b.efficiencyScore * 100).toFixed(2)} %`,
			`${delta.efficiencyScore > 0 ? '+' : ''}${(delta.efficiencyScore * 100).toFixed(2)} pt`,
		],
		countRow('Files', 'files'),
		countRow('Layers', 'layers'),
	];
}

function layerRow(side: string, layer: LayerRef): string[] {
	return [
		side,
		String(layer.index),
		formatBytes(layer.sizeBytes),
		`${inlineCode(truncate(singleLine(layer.instruction), 100), {inTable: true})}${
			layer.sameContentAs === undefined ? '' : ` (same content as the other's layer ${layer.sameContentAs})`
		}`,
	];
}

/**
The pull-request comment: the verdict, the totals, the largest changes first, the layers each side adds
above the shared base and the findings resolved and new. Never longer than GitHub's comment limit: the
change table is cut first, with a note saying how many rows were left out.
*/
export function renderDiffMarkdown(comparison: ImageComparison, options: {limit?: number} = {}): string {
	const limit = options.limit ?? commentLimit;
	let rows = Math.min(defaultChangeRows, comparison.files.topChanges.length);
	let text = compose(comparison, rows);
	while (text.length > limit && rows > 0) {
		rows = Math.floor(rows / 2);
		text = compose(comparison, rows);
	}

	if (text.length > limit) {
		const note = '\n\n_Cut at the comment limit: run `layerlens diff --json` for everything._\n';
		text = `${text.slice(0, limit - note.length).replace(/\n[^\n]*$/, '')}${note}`;
	}

	return text;
}

function packageRow(
	kind: 'added' | 'removed' | 'upgraded',
	delta: PackageDelta,
): {delta: number; cells: string[]} {
	const version =
		kind === 'upgraded' ? `${delta.versionA} → ${delta.versionB}` : (delta.versionB ?? delta.versionA ?? '');
	return {
		delta: delta.deltaBytes,
		cells: [
			changeMarks[kind === 'upgraded' ? 'changed' : kind],
			`${inlineCode(truncate(delta.location ?? delta.name, 120), {inTable: true})} (${delta.ecosystem})`,
			inlineCode(truncate(version, 80), {inTable: true}),
			signedBytes(delta.deltaBytes),
		],
	};
}

type InlinePath = (path: string) => string;

/** The title, the verdict and the totals table. */
function headerLines(comparison: ImageComparison, inline: InlinePath): string[] {
	return [
		`## layerlens diff: ${inline(comparison.a.reference)} → ${inline(comparison.b.reference)}`,
		'',
		`**${escapeText(comparison.identical ? 'No changes' : 'This change')}** ${diffHeadline(comparison, inline)}.`,
		'',
		table(['', 'A', 'B', 'Change'], ['left', 'right', 'right', 'right'], totalsRows(comparison)),
	];
}

/** The largest path changes, the first `changeRows` of them, with a note for the rest. */
function changeLines(comparison: ImageComparison, changeRows: number): string[] {
	const {files} = comparison;
	if (files.topChanges.length === 0) return [];
	const counts = {added: 0, removed: 0, changed: 0};
	for (const change of files.changes) counts[change.kind]++;
	const lines = [
		'',
		'### Largest changes',
		'',
		`${counts.added} paths added, ${counts.removed} removed, ${counts.changed} changed, ${files.unchanged} unchanged${
			files.timestampOnly > 0 ? ` (${files.timestampOnly} differ only in time stamps)` : ''
		}.`,
		'',
		table(
			['', 'Path', 'Files', 'Bytes'],
			['left', 'left', 'right', 'right'],
			files.topChanges
				.slice(0, changeRows)
				.map((change) => [
					changeMarks[change.kind],
					inlineCode(truncate(changePath(change), 160), {inTable: true}),
					change.files.toLocaleString('en-US'),
					signedBytes(change.deltaBytes),
				]),
		),
	];
	const left = files.topChanges.length - changeRows;
	if (left > 0) {
		lines.push('', `_${left} smaller changes not shown: run \`layerlens diff --json\` for every path._`);
	}

	return lines;
}

/** The shared base and the layers only one side has. */
function layerLines(comparison: ImageComparison): string[] {
	const {layers} = comparison;
	const sharedBytes = layers.shared.reduce((sum, layer) => sum + layer.sizeBytes, 0);
	const lines = [
		'',
		'### Layers',
		'',
		`Shared base: ${layers.shared.length} ${layers.shared.length === 1 ? 'layer' : 'layers'}, ${formatBytes(sharedBytes)}.`,
	];
	if (layers.onlyA.length + layers.onlyB.length > 0) {
		lines.push(
			'',
			table(
				['Image', '#', 'Size', 'Instruction'],
				['left', 'right', 'right', 'left'],
				[
					...layers.onlyA.map((layer) => layerRow('A', layer)),
					...layers.onlyB.map((layer) => layerRow('B', layer)),
				],
			),
		);
	}

	return lines;
}

/** The package changes, largest first, at least five rows (more when the change table shows more). */
function packageLines(comparison: ImageComparison, changeRows: number): string[] {
	const {packages} = comparison;
	if (packages === undefined) return [];
	const rows = [
		...packages.added.map((delta) => packageRow('added', delta)),
		...packages.removed.map((delta) => packageRow('removed', delta)),
		...packages.upgraded.map((delta) => packageRow('upgraded', delta)),
	];
	const lines = [
		'',
		'### Packages',
		'',
		`${packages.added.length} added, ${packages.removed.length} removed, ${packages.upgraded.length} upgraded, ${packages.resized.length} with other files on disk; files no package names: ${formatBytes(packages.unownedBytesA)} → ${formatBytes(packages.unownedBytesB)}.`,
	];
	if (rows.length === 0) return lines;
	rows.sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta));
	const shown = Math.min(rows.length, Math.max(changeRows, 5));
	lines.push(
		'',
		table(
			['', 'Package', 'Version', 'Bytes'],
			['left', 'left', 'left', 'right'],
			rows.slice(0, shown).map((row) => row.cells),
		),
	);
	if (rows.length > shown) lines.push('', `_${rows.length - shown} more: run \`layerlens diff --json\`._`);
	return lines;
}

/** A titled bullet list of findings, the first 30; nothing when there are none. */
function findingListLines(title: string, items: ImageComparison['findings']['new']): string[] {
	if (items.length === 0) return [];
	const lines = ['', `**${title}**`, ''];
	for (const finding of items.slice(0, 30)) {
		lines.push(
			`- ${inlineCode(finding.ruleId, {inTable: false})} ${escapeText(truncate(finding.title, 160))} (${formatBytes(finding.bytes)})`,
		);
	}

	if (items.length > 30) lines.push(`- _and ${items.length - 30} more_`);
	return lines;
}

/** The findings per category, then those resolved and new. */
function findingLines(comparison: ImageComparison): string[] {
	const {findings} = comparison;
	return [
		'',
		'### Findings',
		'',
		table(
			['Category', 'A', 'B', 'Change'],
			['left', 'right', 'right', 'right'],
			categoryOrder.map((category) => {
				const entry = findings.byCategory[category];
				return [
					categoryTitles[category],
					`${entry.countA} (${formatBytes(entry.bytesA)})`,
					`${entry.countB} (${formatBytes(entry.bytesB)})`,
					signedBytes(entry.bytesB - entry.bytesA),
				];
			}),
		),
		...findingListLines(`Resolved (${findings.resolved.length})`, findings.resolved),
		...findingListLines(`New (${findings.new.length})`, findings.new),
		'',
		`Kept: ${findings.kept.length}.`,
	];
}

function compose(comparison: ImageComparison, changeRows: number): string {
	const inline: InlinePath = (path) => inlineCode(truncate(path, 120), {inTable: false});
	const parts = [
		...headerLines(comparison, inline),
		...changeLines(comparison, changeRows),
		...layerLines(comparison),
		...packageLines(comparison, changeRows),
		...findingLines(comparison),
	];
	return `${parts.join('\n')}\n`;
}
