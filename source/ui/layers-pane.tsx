import {memo} from 'react';
import type {ImageAnalysis} from '../analysis/types.js';
import type {WhatIfFigures} from '../analysis/what-if/what-if-model.js';
import {buildOnlyColor, hue, wasteColor} from './colors.js';
import {formatBar, formatBytes, sanitize} from './format.js';
import {Box, Text} from './ink.js';
import type {LayerList} from './layer-list.js';
import {PaneTitle} from './pane-title.js';

type Props = {
	analysis: ImageAnalysis;
	layerList: LayerList;
	layerIndex: number;
	offset: number;
	height: number;
	width: number;
	isFocused: boolean;
	/** Layers that hold build-only files (from findings). */
	buildOnlyLayers: ReadonlySet<number>;
	/** With what-if marks: the layer sizes they leave (the pane shows those), and the layers marked whole. */
	whatIf?: WhatIfFigures | undefined;
	markedLayers?: ReadonlySet<number>;
};

/**
`Layers (10)`, and when the list scrolls `Layers (10) ↑↓`: more rows lie above or below (the first thing cut at
80×24 would be the last layers). The selected layer's number is in the details pane's title.
*/
function scrollTitle(props: Props, rowCount: number): string {
	const title = `Layers (${props.analysis.layers.length})`;
	if (rowCount <= props.height) return title;
	const above = props.offset > 0 ? '↑' : '';
	const below = props.offset + props.height < rowCount ? '↓' : '';
	return `${title}${above || below ? ` ${above}${below}` : ''}`;
}

/** One row per layer, with the empty-layer instructions dimmed between them. Memoised: a tree key leaves it alone. */
export const LayersPane = memo(function LayersPane(props: Props) {
	const {analysis, layerList, height, width} = props;
	const sizeOf = (index: number) => props.whatIf?.layerSizes[index] ?? analysis.layers[index]!.sizeBytes;
	const largest = Math.max(1, ...analysis.layers.map((layer) => layer.sizeBytes));
	const digits = String(Math.max(0, analysis.layers.length - 1)).length;
	const visible = layerList.rows.slice(props.offset, props.offset + height);
	return (
		<Box flexDirection="column" width={width} height={height + 1} overflowY="hidden">
			<PaneTitle
				title={scrollTitle(props, layerList.rows.length)}
				hint="  !=waste b=build-only"
				isFocused={props.isFocused}
				width={width}
			/>
			{visible.map((row) => {
				if (row.kind === 'history') {
					const entry = analysis.history[row.historyIndex]!;
					return (
						<Text key={`h${row.historyIndex}`} dimColor wrap="truncate">
							{' '.repeat(digits + 20)}
							{sanitize(entry.instruction)}
						</Text>
					);
				}

				const layer = analysis.layers[row.layerIndex]!;
				const isSelected = row.layerIndex === props.layerIndex;
				const waste = layer.wasteIntroducedBytes > 0 ? '!' : ' ';
				const build = props.buildOnlyLayers.has(layer.index) ? 'b' : ' ';
				const size = sizeOf(layer.index);
				// A layer the marks shrink shows its size as they leave it, after a `~`; one marked whole, `x`.
				const changedMark = props.markedLayers?.has(layer.index) ? 'x' : size !== layer.sizeBytes ? '~' : ' ';
				return (
					<Text
						key={`l${row.layerIndex}`}
						wrap="truncate"
						inverse={isSelected && props.isFocused}
						bold={isSelected && !props.isFocused}
					>
						{/* Blank markers uncoloured, as in the tree: a coloured space is a coloured block when inverted. */}
						{waste === '!' ? <Text color={hue(wasteColor)}>!</Text> : ' '}
						{build === 'b' ? <Text color={hue(buildOnlyColor)}>b</Text> : ' '}
						{` ${String(layer.index).padStart(digits)}${changedMark}${formatBytes(size).padStart(9)} `}
						<Text color={hue('cyan')}>{formatBar(size, largest, 4)}</Text>
						{` ${sanitize(layer.instruction)}`}
					</Text>
				);
			})}
		</Box>
	);
});
