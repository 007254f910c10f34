import {errorLine} from '../shared/errors.js';
import {formatBytes} from '../shared/format-bytes.js';
import {sanitize} from '../shared/sanitize-text.js';
import type {ReportInput} from './report-input.js';

/**
What `layerlens IMAGE | less` prints: the layers with their instructions and sizes, the totals and the
biggest findings, in plain text (no colour, no terminal control), and where to get the full data.
*/
export function formatPlainSummary(report: ReportInput): string {
	const lines: string[] = [];
	const {image} = report;
	lines.push(`Image: ${sanitize(image.reference)} (${image.id.slice(0, 19)})`, '');
	const sizeWidth = Math.max(...report.layers.map((layer) => formatBytes(layer.sizeBytes).length), 4);
	lines.push(`${'#'.padStart(3)}  ${'Size'.padStart(sizeWidth)}  Instruction`);
	for (const layer of report.layers) {
		lines.push(
			`${String(layer.index).padStart(3)}  ${formatBytes(layer.sizeBytes).padStart(sizeWidth)}  ${sanitize(layer.instruction)}`,
		);
	}

	lines.push(
		'',
		`Total size (uncompressed layers): ${formatBytes(image.sizeBytes)}`,
		`Final filesystem:                 ${formatBytes(image.finalSizeBytes)}`,
		`Reclaimable (hidden by later layers): ${formatBytes(report.waste.reclaimableBytes)}`,
		`dive efficiency: ${(report.efficiency.score * 100).toFixed(2)} %, dive wasted bytes: ${formatBytes(report.efficiency.wastedBytes)}`,
	);
	const {suggestion} = report;
	if (suggestion) {
		// The reconciliation: what stays, a line each, and what goes, each by the finding that proves it.
		lines.push(
			'',
			suggestion.basedOn === 'none'
				? `No builder stage needed (no finding proves a file of your layers build-only). With the findings fixed in place: final filesystem ${formatBytes(suggestion.projectedSizeBytes)}, and the ${formatBytes(report.waste.reclaimableBytes)} hidden by later layers leaves the image`
				: `Projected size with a builder stage: ${formatBytes(suggestion.projectedSizeBytes)}`,
		);
		for (const part of suggestion.projectionParts) {
			lines.push(
				`  ${formatBytes(part.bytes).padStart(9)}  ${sanitize(part.label)}${part.estimated ? ' (estimated)' : ''}`,
			);
		}

		for (const part of suggestion.removedParts) {
			lines.push(
				`  ${`-${formatBytes(part.bytes)}`.padStart(9)}  left out: ${part.ruleId} ${sanitize(part.title)}`,
			);
		}
	}

	if (report.findings.length > 0) {
		lines.push('', `Findings (${report.findings.length}, largest first):`);
		for (const finding of report.findings.slice(0, 10)) {
			lines.push(
				`  ${formatBytes(finding.bytes).padStart(8)}  ${finding.ruleId}  ${sanitize(finding.title)}`,
			);
		}
	}

	for (const warning of report.warnings) {
		// A warning can quote what the image gave at any length: capped like an error line.
		lines.push(errorLine(`warning: ${warning}`));
	}

	lines.push(
		'',
		'Run in a terminal for the explorer, or add --json / --format markdown for the full report.',
	);
	return `${lines.join('\n')}\n`;
}
