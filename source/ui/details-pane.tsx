import {memo} from 'react';
import type {LayerPackages} from '../analysis/packages/index.js';
import type {LayerSummary} from '../analysis/types.js';
import {hue} from './colors.js';
import {fitted, formatBytes, sanitize, storedText, truncate, wrap} from './format.js';
import {Box, Text} from './ink.js';
import {PaneTitle} from './pane-title.js';

type Props = {
	layer: LayerSummary | undefined;
	/** What the layer did to the installed packages, when it changed any. */
	packages?: LayerPackages | undefined;
	layerCount: number;
	height: number;
	width: number;
};

/** How many packages the layer installed, removed and upgraded, and the largest it installed or upgraded. */
function packageLines(packages: LayerPackages | undefined, width: number): string[] {
	if (packages === undefined) return [];
	const {installed, removed, upgraded} = packages;
	const installedBytes = formatBytes(installed.reduce((sum, change) => sum + change.bytes, 0));
	const largest = [...installed, ...upgraded].sort((a, b) => b.bytes - a.bytes).slice(0, 4);
	return [
		fitted(
			[
				`Packages +${installed.length} installed (${installedBytes}) -${removed.length} removed ~${upgraded.length} upgraded`,
				`Packages +${installed.length} (${installedBytes}) -${removed.length} ~${upgraded.length}`,
			],
			width,
		),
		...(largest.length === 0
			? []
			: [
					truncate(
						`         ${largest.map((change) => `${sanitize(change.name)} ${formatBytes(change.bytes)}`).join(', ')}`,
						width,
					),
				]),
	];
}

/**
The labelled facts under the instruction, least needed last (the first cut on a short terminal). A narrow
pane gets shorter words, so the figures stay on screen rather than being cut off the line's end.
*/
function factLines(layer: LayerSummary, packages: LayerPackages | undefined, width: number): string[] {
	const stored = storedText(layer);
	const {added, modified, removed} = layer;
	const introduced = formatBytes(layer.wasteIntroducedBytes);
	const hid = formatBytes(layer.wasteHiddenBytes);
	return [
		`Size     ${formatBytes(layer.sizeBytes)} (tar ${formatBytes(layer.tarSizeBytes)})`,
		...(stored ? [`Stored   ${stored}`] : []),
		fitted(
			[
				`Files    +${added} added ~${modified} modified -${removed} removed`,
				`Files    +${added} add ~${modified} mod -${removed} del`,
			],
			width,
		),
		...packageLines(packages, width),
		fitted(
			[`Waste    introduced ${introduced} · hid ${hid}`, `Waste    made ${introduced} · hid ${hid}`],
			width,
		),
		`Diff ID  ${sanitize(layer.diffId)}`,
	];
}

/**
Text lines of the selected layer's details and how many of them are the instruction; the instruction gets
the lines the facts leave (at least one).
*/
export function detailLines(
	layer: LayerSummary,
	height: number,
	width: number,
	packages?: LayerPackages,
): {lines: string[]; instructionLines: number} {
	const facts = factLines(layer, packages, width - 1);
	const room = Math.max(1, height - facts.length);
	const command = sanitize(layer.instruction);
	let wrapped = wrap(command, Math.max(10, width - 1));
	if (wrapped.length > room) {
		wrapped = wrapped.slice(0, room);
		wrapped[room - 1] = truncate(`${wrapped[room - 1]!} …`, width - 1);
	}

	return {lines: [...wrapped, ...facts].slice(0, height), instructionLines: wrapped.length};
}

/** Memoised: its props change only with the layer or the layout. */
export const DetailsPane = memo(function DetailsPane({layer, packages, layerCount, height, width}: Props) {
	const {lines, instructionLines} = layer
		? detailLines(layer, height, width, packages)
		: {lines: ['No layers'], instructionLines: 0};
	return (
		<Box flexDirection="column" width={width} height={height + 1} overflowY="hidden">
			<PaneTitle
				title={layer ? `Layer ${layer.index} of ${layerCount}` : 'Layer'}
				isFocused={false}
				width={width}
			/>
			{lines.map((line, index) => (
				// biome-ignore lint/suspicious/noArrayIndexKey: lines have no identity of their own
				<Text key={index} wrap="truncate" color={index < instructionLines ? hue('white') : undefined}>
					{line}
				</Text>
			))}
		</Box>
	);
});
