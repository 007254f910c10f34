import {Box, Text} from 'ink';
import {memo} from 'react';
import type {LayerSummary} from '../analysis/types.js';
import {hue} from './colors.js';
import {formatBytes, sanitize, storedText, truncate, wrap} from './format.js';
import {PaneTitle} from './pane-title.js';

type Props = {layer: LayerSummary | undefined; layerCount: number; height: number; width: number};

/** Text lines of the selected layer's details; the instruction gets whatever lines are left. */
export function detailLines(layer: LayerSummary, height: number, width: number): string[] {
	const facts = [
		`Size     ${formatBytes(layer.sizeBytes)} of files · ${storedText(layer)}`,
		`Files    +${layer.added} added ~${layer.modified} modified -${layer.removed} removed`,
		`Waste    introduced ${formatBytes(layer.wasteIntroducedBytes)} · hid ${formatBytes(layer.wasteHiddenBytes)}`,
		`Diff ID  ${sanitize(layer.diffId)}`,
	];
	const room = Math.max(1, height - facts.length);
	const command = sanitize(layer.instruction);
	let wrapped = wrap(command, Math.max(10, width - 1));
	if (wrapped.length > room) {
		wrapped = wrapped.slice(0, room);
		wrapped[room - 1] = truncate(`${wrapped[room - 1]!} …`, width - 1);
	}

	return [...wrapped, ...facts].slice(0, height);
}

/** Memoised: its props change only with the layer or the layout. */
export const DetailsPane = memo(function DetailsPane({layer, layerCount, height, width}: Props) {
	const lines = layer ? detailLines(layer, height, width) : ['No layers'];
	return (
		<Box flexDirection="column" width={width} height={height + 1} overflowY="hidden">
			<PaneTitle
				title={layer ? `Layer ${layer.index} of ${layerCount}` : 'Layer'}
				isFocused={false}
				width={width}
			/>
			{lines.map((line, index) => (
				// biome-ignore lint/suspicious/noArrayIndexKey: lines have no identity of their own
				<Text key={index} wrap="truncate" color={index < lines.length - 4 ? hue('white') : undefined}>
					{line}
				</Text>
			))}
		</Box>
	);
});
