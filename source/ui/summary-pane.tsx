import {Box, Text} from 'ink';
import {memo} from 'react';
import type {ImageAnalysis} from '../analysis/types.js';
import {formatBytes, formatPercent} from './format.js';
import {PaneTitle} from './pane-title.js';

type Props = {analysis: ImageAnalysis; projectedSizeBytes: number | undefined; height: number; width: number};

export function buildOnlyTotal(analysis: ImageAnalysis): {bytes: number; count: number} {
	const findings = analysis.findings.filter((finding) => finding.category === 'build-only');
	return {bytes: findings.reduce((sum, finding) => sum + finding.bytes, 0), count: findings.length};
}

export function summaryLines(analysis: ImageAnalysis, projectedSizeBytes: number | undefined): string[] {
	const {image, waste, efficiency} = analysis;
	const buildOnly = buildOnlyTotal(analysis);
	return [
		`Size         ${formatBytes(image.sizeBytes)} in ${image.layerCount} layers`,
		`Final files  ${formatBytes(image.finalSizeBytes)} visible at the end`,
		`Reclaimable  ${formatBytes(waste.reclaimableBytes)} hidden by later layers`,
		`Build-only   ${formatBytes(buildOnly.bytes)} in ${buildOnly.count} finding${buildOnly.count === 1 ? '' : 's'}`,
		`dive score   ${formatPercent(efficiency.score)} · dive wasted ${formatBytes(efficiency.wastedBytes)}`,
		...(projectedSizeBytes === undefined
			? []
			: [`Projected    ${formatBytes(projectedSizeBytes)} after the fixes`]),
	];
}

/** Memoised: the image summary never changes while exploring. */
export const SummaryPane = memo(function SummaryPane({analysis, projectedSizeBytes, height, width}: Props) {
	const all = summaryLines(analysis, projectedSizeBytes);
	const lines = (all.length > height ? all.filter((line) => !line.startsWith('Final files')) : all).slice(
		0,
		height,
	);
	return (
		<Box flexDirection="column" width={width} height={height + 1} overflowY="hidden">
			<PaneTitle title="Image" isFocused={false} width={width} />
			{lines.map((line) => (
				<Text key={line} wrap="truncate">
					{line}
				</Text>
			))}
		</Box>
	);
});
