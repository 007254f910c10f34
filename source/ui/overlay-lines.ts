import type {ReportSuggestion} from '../analysis/suggestion/report-suggestion.js';
import type {Finding, ImageAnalysis} from '../analysis/types.js';
import {formatBytes, sanitize, sanitizeLines, wrap} from './format.js';
import {helpLines} from './keymap.js';

const indent = '           ';

/**
`lead` then `text` wrapped to `width`, the lines after the first under `hang` spaces: prose cut with `…` at
80 columns loses its point (a fix, a finding's rule id, a note of the suggestion).
*/
export function hanging(lead: string, text: string, width: number, hang = lead.length): string[] {
	if (!Number.isFinite(width)) return [`${lead}${text}`];
	const first = wrap(text, Math.max(20, width - lead.length));
	const [head, ...rest] = first;
	if (rest.length === 0) return [`${lead}${head}`];
	return [
		`${lead}${head}`,
		...wrap(rest.join(' '), Math.max(20, width - hang)).map((line) => `${' '.repeat(hang)}${line}`),
	];
}

/** `label` then `text`, wrapped to `width` under the indent: a fix cut with `…` loses its point. */
function wrapped(label: string, text: string, width: number): string[] {
	return hanging(`${indent}${label}`, text, width);
}

/** Findings, largest first, each with its evidence and fix; evidence and fix wrapped to `width`. */
export function findingLines(analysis: ImageAnalysis, width = Number.POSITIVE_INFINITY): string[] {
	return findingBlocks(analysis, width).lines;
}

/** The finding whose block holds line `line` of the findings overlay (the what-if keys mark the one at the top). */
export function findingAtLine(analysis: ImageAnalysis, width: number, line: number): Finding | undefined {
	const {starts} = findingBlocks(analysis, width);
	let found: Finding | undefined;
	for (const start of starts) if (start.line <= line) found = start.finding;
	return found ?? starts[0]?.finding;
}

function findingBlocks(
	analysis: ImageAnalysis,
	width: number,
): {lines: string[]; starts: Array<{line: number; finding: Finding}>} {
	const starts: Array<{line: number; finding: Finding}> = [];
	if (analysis.findings.length === 0) {
		return {lines: ['No findings: nothing build-only, cached or wasted was recognised.'], starts};
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
		starts.push({line: lines.length, finding});
		lines.push(
			...hanging(
				`${formatBytes(finding.bytes).padStart(9)}  `,
				`${sanitize(finding.title)}  [${finding.ruleId}, ${finding.category}, ${finding.confidence}${where}]`,
				width,
			),
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

	return {lines, starts};
}

/**
The `d` overlay: where the projection comes from, what the container runs, the notes, then the Dockerfile.
The prose is wrapped to `width`; the Dockerfile is code and keeps its lines.
*/
export function dockerfileLines(
	suggestion: ReportSuggestion | undefined,
	finalSizeBytes: number,
	width = Number.POSITIVE_INFINITY,
): string[] {
	if (suggestion === undefined) {
		return ['No suggested Dockerfile for this image.'];
	}

	const {low, high} = suggestion.projectedRange;
	const lines = [
		...hanging(
			'',
			suggestion.basedOn === 'dockerfile'
				? 'Your Dockerfile, made multi-stage:'
				: suggestion.basedOn === 'history'
					? "Rebuilt from the image's history (give --dockerfile for a rewrite of your own file):"
					: 'No builder stage needed: no finding proves a file of your layers build-only.',
			width,
		),
		`Projected runtime image ${formatBytes(suggestion.projectedSizeBytes)}${low === high ? '' : ` (${formatBytes(low)} to ${formatBytes(high)})`}, now ${formatBytes(finalSizeBytes)}`,
		...suggestion.projectionParts.flatMap((part) =>
			hanging(
				`  ${formatBytes(part.bytes).padStart(9)}  `,
				`${sanitize(part.label)}${part.estimated ? ' (estimated)' : ''}`,
				width,
			),
		),
		...suggestion.removedParts.flatMap((part) =>
			hanging(
				`  ${`-${formatBytes(part.bytes)}`.padStart(9)}  `,
				`left out: ${sanitize(part.ruleId)} ${sanitize(part.title)}`,
				width,
			),
		),
	];
	if (suggestion.runtime.chain.length > 0) {
		lines.push(
			...hanging(
				`Runs (${suggestion.runtime.kind}): `,
				sanitize(suggestion.runtime.argv.join(' ')),
				width,
				2,
			),
		);
		for (const step of suggestion.runtime.chain.slice(0, 8)) {
			lines.push(...hanging('  ', `/${sanitize(step.path)}  ${sanitize(step.reason)}`, width, 4));
		}
	}

	for (const note of suggestion.notes) {
		lines.push(...hanging('- ', sanitize(note), width));
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
