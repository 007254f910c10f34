import {memo} from 'react';
import type {ReportSuggestion} from '../analysis/suggestion/report-suggestion.js';
import type {ImageAnalysis} from '../analysis/types.js';
import type {WhatIfFigures} from '../analysis/what-if/what-if-model.js';
import {fitted, formatBytes, formatPercent, wrap} from './format.js';
import {Box, Text} from './ink.js';
import {PaneTitle} from './pane-title.js';
import {figureLines} from './what-if-state.js';

type Props = {
	analysis: ImageAnalysis;
	suggestion: ReportSuggestion | undefined;
	height: number;
	width: number;
	/** The key that opens the suggestion, as shown (`d`, or the one a keys file gave it); none: no key. */
	dockerfileKey: string | undefined;
	/** The figures under the what-if marks: the pane shows them, before → after, in place of the summary. */
	whatIf?: WhatIfFigures | undefined;
};

/**
What `d` gives, in one phrase that fits `width` (the headline: the first thing to read). The saving is the
suggestion's projected runtime image against the final files of this one. `key` is the key that opens it
(a keys file may have moved it; with none, the phrase names no key).
*/
export function headline(
	suggestion: ReportSuggestion | undefined,
	finalSizeBytes: number,
	width: number,
	key: string | undefined,
): string[] {
	if (!suggestion) return [];
	const saving = finalSizeBytes - suggestion.projectedSizeBytes;
	const fixes = suggestion.basedOn === 'none';
	const saved = formatBytes(saving);
	const press = key === undefined ? '' : `: press ${key}`;
	const short = key === undefined ? '' : ` (${key})`;
	const candidates =
		saving > 0
			? fixes
				? [
						`The suggested fixes save ${saved}${press}`,
						`Fixes save ${saved}${press}`,
						`Fixes save ${saved}${short}`,
					]
				: [
						`A builder stage saves ${saved}${press}`,
						`Builder stage saves ${saved}${press}`,
						`Builder stage saves ${saved}${short}`,
					]
			: [`Suggested Dockerfile${press}`, `Suggested Dockerfile${short}`];
	const fitting = candidates.find((line) => line.length <= width);
	return fitting ? [fitting] : wrap(candidates[0]!, width);
}

export function buildOnlyTotal(analysis: ImageAnalysis): {bytes: number; count: number} {
	const findings = analysis.findings.filter((finding) => finding.category === 'build-only');
	return {bytes: findings.reduce((sum, finding) => sum + finding.bytes, 0), count: findings.length};
}

export function summaryLines(
	analysis: ImageAnalysis,
	suggestion: ReportSuggestion | undefined,
	width: number,
	dockerfileKey: string | undefined,
): string[] {
	const {image, waste, efficiency} = analysis;
	const buildOnly = buildOnlyTotal(analysis);
	const final = formatBytes(image.finalSizeBytes);
	const reclaimable = formatBytes(waste.reclaimableBytes);
	const score = formatPercent(efficiency.score);
	const wasted = formatBytes(efficiency.wastedBytes);
	// A narrow pane gets shorter words, so no figure is cut off the end of its line.
	return [
		...headline(suggestion, image.finalSizeBytes, width, dockerfileKey),
		`Size         ${formatBytes(image.sizeBytes)} in ${image.layerCount} layers`,
		fitted([`Final files  ${final} visible at the end`, `Final files  ${final} at the end`], width),
		fitted(
			[`Reclaimable  ${reclaimable} hidden by later layers`, `Reclaimable  ${reclaimable} hidden later`],
			width,
		),
		`Build-only   ${formatBytes(buildOnly.bytes)} in ${buildOnly.count} finding${buildOnly.count === 1 ? '' : 's'}`,
		fitted(
			[
				`dive score   ${score} · dive wasted ${wasted}`,
				`dive score   ${score} · wasted ${wasted}`,
				`dive: score ${score} · wasted ${wasted}`,
				`dive: ${score} · wasted ${wasted}`,
			],
			width,
		),
	];
}

/** Memoised: the image summary never changes while exploring. */
export const SummaryPane = memo(function SummaryPane({
	analysis,
	suggestion,
	height,
	width,
	dockerfileKey,
	whatIf,
}: Props) {
	const all = whatIf
		? figureLines(analysis, suggestion, whatIf).flatMap((line) => wrap(line, width - 1))
		: summaryLines(analysis, suggestion, width - 1, dockerfileKey);
	const lines = (all.length > height ? all.filter((line) => !line.startsWith('Final files')) : all).slice(
		0,
		height,
	);
	return (
		<Box flexDirection="column" width={width} height={height + 1} overflowY="hidden">
			<PaneTitle title={whatIf ? 'Image, what if (M: marks)' : 'Image'} isFocused={false} width={width} />
			{lines.map((line) => (
				<Text key={line} wrap="truncate">
					{line}
				</Text>
			))}
		</Box>
	);
});
