import type {ReportSuggestion} from '../analysis/suggestion/report-suggestion.js';
import type {ImageAnalysis} from '../analysis/types.js';
import {formatBytes, sanitize, sanitizeLines, wrap} from './format.js';
import {helpLines} from './keymap.js';

const indent = '           ';

/** `label` then `text`, wrapped to `width` under the indent: a fix cut with `…` loses its point. */
function wrapped(label: string, text: string, width: number): string[] {
	const room = Math.max(20, width - indent.length - label.length);
	return wrap(text, room).map((line, index) =>
		index === 0 ? `${indent}${label}${line}` : `${indent}${' '.repeat(label.length)}${line}`,
	);
}

/** Findings, largest first, each with its evidence and fix; evidence and fix wrapped to `width`. */
export function findingLines(analysis: ImageAnalysis, width = Number.POSITIVE_INFINITY): string[] {
	if (analysis.findings.length === 0) {
		return ['No findings: nothing build-only, cached or wasted was recognised.'];
	}

	// The base image's findings come last, under their own heading: only another base removes them.
	const sorted = [...analysis.findings].sort(
		(a, b) => Number(a.fromBase ?? false) - Number(b.fromBase ?? false) || b.bytes - a.bytes,
	);
	const lines: string[] = [];
	if (!sorted.some((finding) => !finding.fromBase)) {
		lines.push('No findings in your layers.', '');
	}

	for (const [index, finding] of sorted.entries()) {
		if (finding.fromBase && !sorted[index - 1]?.fromBase) {
			lines.push('From the base image: choose another base (no step of your Dockerfile removes these)', '');
		}

		const where =
			finding.layerIndex === undefined
				? ''
				: ` · layer ${finding.layerIndex}${finding.dockerfileLine ? ` (Dockerfile:${finding.dockerfileLine})` : ''}`;
		lines.push(
			`${formatBytes(finding.bytes).padStart(9)}  ${sanitize(finding.title)}  [${finding.ruleId}, ${finding.category}, ${finding.confidence}${where}]`,
		);
		for (const evidence of finding.evidence) {
			lines.push(...wrapped('evidence: ', sanitize(evidence), width));
		}

		for (const group of finding.groups.slice(0, 5)) {
			lines.push(
				`           ${formatBytes(group.bytes).padStart(9)}  ${group.count} file${group.count === 1 ? '' : 's'}  ${sanitize(group.path)}`,
			);
		}

		lines.push(...wrapped('fix: ', sanitize(finding.fix), width), '');
	}

	return lines;
}

/** The `d` overlay: where the projection comes from, what the container runs, the notes, then the Dockerfile. */
export function dockerfileLines(suggestion: ReportSuggestion | undefined, finalSizeBytes: number): string[] {
	if (suggestion === undefined) {
		return ['No suggested Dockerfile for this image.'];
	}

	const {low, high} = suggestion.projectedRange;
	const lines = [
		suggestion.basedOn === 'dockerfile'
			? 'Your Dockerfile, made multi-stage:'
			: suggestion.basedOn === 'history'
				? "Rebuilt from the image's history (give --dockerfile for a rewrite of your own file):"
				: 'No builder stage needed: no finding proves a file of your layers build-only.',
		`Projected runtime image ${formatBytes(suggestion.projectedSizeBytes)}${low === high ? '' : ` (${formatBytes(low)} to ${formatBytes(high)})`}, now ${formatBytes(finalSizeBytes)}`,
		...suggestion.projectionParts.map(
			(part) =>
				`  ${formatBytes(part.bytes).padStart(9)}  ${sanitize(part.label)}${part.estimated ? ' (estimated)' : ''}`,
		),
		...suggestion.removedParts.map(
			(part) =>
				` -${formatBytes(part.bytes).padStart(9)}  left out: ${sanitize(part.ruleId)} ${sanitize(part.title)}`,
		),
	];
	if (suggestion.runtime.chain.length > 0) {
		lines.push(`Runs (${suggestion.runtime.kind}): ${sanitize(suggestion.runtime.argv.join(' '))}`);
		for (const step of suggestion.runtime.chain.slice(0, 8)) {
			lines.push(`  /${sanitize(step.path)}  ${sanitize(step.reason)}`);
		}
	}

	for (const note of suggestion.notes) {
		lines.push(`- ${sanitize(note)}`);
	}

	if (suggestion.dockerfile.trim() !== '') {
		lines.push('', ...sanitizeLines(suggestion.dockerfile));
	}

	if (suggestion.dockerignore.length > 0) {
		lines.push('.dockerignore:', ...suggestion.dockerignore.map((line) => `  ${sanitize(line)}`));
	}

	return lines;
}

export {helpLines};
