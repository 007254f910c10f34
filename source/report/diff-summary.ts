import type {ImageComparison} from '../analysis/compare/types.js';
import {formatBytes} from '../shared/format-bytes.js';
import {sanitize} from '../shared/sanitize-text.js';
import {diffHeadline, signedBytes} from './diff-markdown.js';

const marks = {added: '+', removed: '-', changed: '~'} as const;

/** What `layerlens diff A B | less` prints: the verdict, the totals, the largest changes and the findings. */
export function formatDiffSummary(comparison: ImageComparison): string {
	const {a, b, delta} = comparison.totals;
	const lines = [
		`A: ${sanitize(comparison.a.reference)} (${comparison.a.id.slice(0, 19)})`,
		`B: ${sanitize(comparison.b.reference)} (${comparison.b.id.slice(0, 19)})`,
		'',
		`${comparison.identical ? 'No changes' : 'B'}${comparison.identical ? sanitize(diffHeadline(comparison, (path) => path)).slice('no changes'.length) : ` ${sanitize(diffHeadline(comparison, (path) => path))}`}`,
		'',
	];
	const row = (label: string, left: string, right: string, change: string) =>
		`${label.padEnd(18)}${left.padStart(12)}${right.padStart(12)}${change.padStart(12)}`;
	lines.push(
		row('', 'A', 'B', 'change'),
		row('Layer bytes', formatBytes(a.layerBytes), formatBytes(b.layerBytes), signedBytes(delta.layerBytes)),
		row(
			'Final filesystem',
			formatBytes(a.finalBytes),
			formatBytes(b.finalBytes),
			signedBytes(delta.finalBytes),
		),
		row(
			'Reclaimable',
			formatBytes(a.reclaimableBytes),
			formatBytes(b.reclaimableBytes),
			signedBytes(delta.reclaimableBytes),
		),
		row(
			'dive efficiency',
			(a.efficiencyScore * 100).toFixed(2),
			(b.efficiencyScore * 100).toFixed(2),
			`${delta.efficiencyScore > 0 ? '+' : ''}${(delta.efficiencyScore * 100).toFixed(2)}`,
		),
		row('Files', String(a.files), String(b.files), `${delta.files > 0 ? '+' : ''}${delta.files}`),
		row('Layers', String(a.layers), String(b.layers), `${delta.layers > 0 ? '+' : ''}${delta.layers}`),
		'',
		`Layers: ${comparison.layers.shared.length} shared, ${comparison.layers.onlyA.length} only in A, ${comparison.layers.onlyB.length} only in B`,
	);
	const {topChanges} = comparison.files;
	if (topChanges.length > 0) {
		lines.push('', `Largest changes (${topChanges.length}):`);
		for (const change of topChanges.slice(0, 15)) {
			lines.push(
				`  ${marks[change.kind]} ${signedBytes(change.deltaBytes).padStart(10)}  ${sanitize(change.path)}${change.isDirectory ? '/' : ''}`,
			);
		}
	}

	const {findings} = comparison;
	lines.push(
		'',
		`Findings: ${findings.resolved.length} resolved, ${findings.new.length} new, ${findings.kept.length} kept`,
	);
	for (const finding of findings.resolved.slice(0, 10)) {
		lines.push(`  resolved  ${finding.ruleId}  ${sanitize(finding.title)}`);
	}

	for (const finding of findings.new.slice(0, 10)) {
		lines.push(`  new       ${finding.ruleId}  ${sanitize(finding.title)}`);
	}

	lines.push(
		'',
		'Run in a terminal for the diff explorer, or add --json / --format markdown for the full report.',
	);
	return `${lines.join('\n')}\n`;
}
