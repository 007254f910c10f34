import type {ImageOutline, OutlineLayer} from '../analysis/image-outline.js';
import type {LayerReadState} from '../image/read-progress.js';
import {hue} from './colors.js';
import {asTreeState, earlyCurrent} from './early-tree-state.js';
import {formatBar, formatBytes, sanitize, truncate} from './format.js';
import {Box, Text} from './ink.js';
import {keyLabel} from './keymap.js';
import {shownLayerBytes} from './layer-bytes.js';
import type {LayersFirstState} from './layers-first-state.js';
import {computeLayout} from './layout.js';
import {OverlayView} from './overlay-view.js';
import {PaneTitle} from './pane-title.js';
import {type ReadStatus, readStatusText} from './read-status.js';
import {TreePane} from './tree-pane.js';

type Props = {
	title: string;
	state: LayersFirstState & {outline: ImageOutline};
	status: ReadStatus;
};

const pending = 'pending';

/** `reading 45%`, `waiting`, `read`: the layer's place in the read, in a fixed-width column. */
function stateWord(state: LayerReadState, status: ReadStatus, index: number): string {
	if (state !== 'reading') return state;
	const bytes = status.picture.readingIndex === index ? status.picture.readingBytes : undefined;
	if (bytes === undefined || bytes.size === 0) return 'reading';
	return `reading ${Math.min(99, Math.floor((bytes.read / bytes.size) * 100))}%`;
}

function LayerRows({
	state,
	status,
	height,
	width,
}: {
	state: Props['state'];
	status: ReadStatus;
	height: number;
	width: number;
}) {
	const {outline} = state;
	const shown = outline.layers.map((layer) =>
		shownLayerBytes(layer.expectedBytes, status.picture.layers?.[layer.index]?.entries),
	);
	const largest = Math.max(1, ...shown.map((layer) => layer.bytes ?? 0));
	const digits = String(Math.max(0, outline.layers.length - 1)).length;
	const rows = state.layerList.rows.slice(state.layersOffset, state.layersOffset + height);
	return (
		<>
			{rows.map((row) => {
				if (row.kind === 'history') {
					const entry = outline.history[row.historyIndex];
					return (
						<Text key={`h${row.historyIndex}`} dimColor wrap="truncate">
							{' '.repeat(digits + 30)}
							{sanitize(entry?.instruction ?? '')}
						</Text>
					);
				}

				const layer = outline.layers[row.layerIndex]!;
				const read = status.picture.states[row.layerIndex] ?? 'waiting';
				const isSelected = row.layerIndex === state.layer;
				const bytes = shown[row.layerIndex]?.bytes;
				const size = bytes === undefined ? '…' : formatBytes(bytes);
				return (
					<Text
						key={`l${row.layerIndex}`}
						wrap="truncate"
						inverse={isSelected && state.focus === 'layers'}
						bold={isSelected && state.focus !== 'layers'}
					>
						{`  ${String(layer.index).padStart(digits)} ${size.padStart(9)} `}
						<Text color={hue('cyan')}>{formatBar(bytes ?? 0, largest, 4)}</Text>
						<Text color={hue(read === 'read' ? 'green' : read === 'reading' ? 'yellow' : 'gray')}>
							{` ${stateWord(read, status, row.layerIndex).padEnd(11)}`}
						</Text>
						{` ${sanitize(layer.instruction ?? '…')}`}
					</Text>
				);
			})}
			{rows.length === 0 ? <Text dimColor>{truncate('no layers', width)}</Text> : undefined}
		</>
	);
}

/** The files' bytes once the layer is read (as the explorer counts them), else the source's figure, said so. */
function sizeText(layer: OutlineLayer, status: ReadStatus): string {
	const {bytes, read} = shownLayerBytes(layer.expectedBytes, status.picture.layers?.[layer.index]?.entries);
	if (bytes === undefined) return pending;
	return `${formatBytes(bytes)} ${read ? '(its files)' : '(as the source counts it)'}`;
}

/** The selected layer's facts as far as they are known; what the files tell is pending, never zero. */
function detailLines(layer: OutlineLayer | undefined, read: LayerReadState, status: ReadStatus): string[] {
	if (layer === undefined) return [];
	const bytes = status.picture.readingIndex === layer.index ? status.picture.readingBytes : undefined;
	const entries = status.picture.entries[layer.index];
	return [
		sanitize(layer.createdBy ?? layer.instruction ?? 'instruction: named when the read ends'),
		`Size     ${sizeText(layer, status)}`,
		`Read     ${
			read === 'read'
				? `read${entries === undefined ? '' : `, ${entries.toLocaleString('en-US')} entries`}`
				: read === 'reading' && bytes !== undefined
					? `reading, ${formatBytes(bytes.read)} of ${formatBytes(bytes.size)}`
					: read
		}`,
		`Files    ${pending}`,
		`Waste    ${pending}`,
		...(layer.dockerfileLine === undefined ? [] : [`Line     Dockerfile line ${layer.dockerfileLine}`]),
	];
}

/** What the tree pane says while the selected layer's tree is not stacked: why, and what it waits for. */
function treeLines(read: LayerReadState, layerIndex: number, status: ReadStatus): string[] {
	// Stacking goes bottom up: a layer's tree is the filesystem of it and every layer under it.
	const underRead = status.picture.states.slice(0, layerIndex + 1).every((state) => state === 'read');
	if (read === 'read' && underRead) return [`Layer ${layerIndex} is read: stacking its files…`];
	if (read === 'read') {
		const waiting = status.picture.states.findIndex((state) => state !== 'read');
		return [
			`Layer ${layerIndex} is read.`,
			`Its tree opens once every layer under it is read (layer ${waiting} is ${status.picture.states[waiting] ?? 'waiting'}).`,
		];
	}

	if (read === 'reading') return [`Layer ${layerIndex}: reading its files…`];
	return [
		`Layer ${layerIndex}: waiting.`,
		'The source sends the layers in its own order; this one is still to come.',
	];
}

/** The selected layer's tree once it is stacked, as the explorer draws it; else what it waits for. */
function EarlyTreePane({state, status, layout}: {state: Props['state']; status: ReadStatus; layout: Layout}) {
	const current = earlyCurrent(state);
	if (current !== undefined) {
		return (
			<TreePane
				view={current.view}
				visible={current.visible}
				tree={asTreeState(state.tree)}
				layerIndex={state.layer}
				height={layout.treeBody}
				width={layout.rightWidth}
				isFocused={state.focus === 'tree'}
				titlePrefix="Read so far"
			/>
		);
	}

	const read = status.picture.states[state.layer] ?? 'waiting';
	return (
		<Box flexDirection="column" width={layout.rightWidth} overflowY="hidden">
			<PaneTitle
				title={`Tree · layer ${state.layer}`}
				isFocused={state.focus === 'tree'}
				width={layout.rightWidth}
			/>
			<PaneLines lines={treeLines(read, state.layer, status)} prefix="t" dimFrom={1} />
		</Box>
	);
}

/** Lines of a pane, one Text each, truncated at the pane's width. */
function PaneLines({lines, prefix, dimFrom}: {lines: string[]; prefix: string; dimFrom: number}) {
	return (
		<>
			{lines.map((line, index) => (
				<Text
					// biome-ignore lint/suspicious/noArrayIndexKey: lines are positions in the pane
					key={`${prefix}${index}`}
					wrap="truncate"
					dimColor={index >= dimFrom}
				>
					{line}
				</Text>
			))}
		</>
	);
}

type Layout = ReturnType<typeof computeLayout>;

/** The left column: the layer list, the selected layer's details, the image's summary (findings pending). */
function LeftPanes({title, state, status, layout}: Props & {layout: Layout}) {
	const {outline} = state;
	const read = status.picture.states[state.layer] ?? 'waiting';
	const details = detailLines(outline.layers[state.layer], read, status).slice(0, layout.detailsBody);
	const summary = [
		sanitize(title),
		`${outline.id.replace(/^sha256:/, '').slice(0, 12)} · ${outline.os}/${outline.architecture} · ${outline.layers.length} layers`,
		`Findings ${pending} · Waste ${pending}`,
		`Efficiency ${pending}`,
		...(outline.dockerfileMismatch === undefined ? [] : [sanitize(outline.dockerfileMismatch)]),
	].slice(0, layout.summaryBody);
	return (
		<Box flexDirection="column" width={layout.leftWidth} overflowY="hidden">
			<Box flexDirection="column" height={layout.layersBody + 1} overflowY="hidden">
				<PaneTitle
					title={`Layers (${outline.layers.length})`}
					hint="  reading as they arrive"
					isFocused={state.focus === 'layers'}
					width={layout.leftWidth}
				/>
				<LayerRows state={state} status={status} height={layout.layersBody} width={layout.leftWidth} />
			</Box>
			<Box flexDirection="column" height={layout.detailsBody + 1} overflowY="hidden">
				<PaneTitle title={`Layer ${state.layer}`} isFocused={false} width={layout.leftWidth} />
				<PaneLines lines={details} prefix="d" dimFrom={Number.POSITIVE_INFINITY} />
			</Box>
			<Box flexDirection="column" height={layout.summaryBody + 1} overflowY="hidden">
				<PaneTitle title="Image" isFocused={false} width={layout.leftWidth} />
				<PaneLines lines={summary} prefix="s" dimFrom={2} />
			</Box>
		</Box>
	);
}

/**
The explorer's frame before the model exists: the layer list with instructions, expected sizes and the state of
each layer's read; details, summary and tree say what is pending; the footer has the read's progress and keys.
*/
export function LayersFirstView({title, state, status}: Props) {
	const width = state.size.columns;
	// Before any layer is stacked the tree pane has little to say: the layer list takes the larger part, its
	// instructions in full. Once a tree shows, the panes are the explorer's.
	const standard = computeLayout(state.size);
	const leftWidth =
		state.stacked === undefined ? Math.max(standard.leftWidth, Math.floor(width * 0.65)) : standard.leftWidth;
	const layout = {...standard, leftWidth, rightWidth: Math.max(10, width - leftWidth - 1)};
	const barWidth = Math.max(10, Math.min(30, Math.floor(width / 4)));
	const fraction = status.picture.fraction ?? 0;
	const hints =
		state.stacked === undefined
			? ['↑↓ layer', `${keyLabel('tab')} pane`, '? keys', 'q quit', 'keys typed now act when the read ends']
			: [
					'↑↓ layer',
					`${keyLabel('tab')} pane`,
					'a all files',
					`${keyLabel('space')} fold`,
					'? keys',
					'q quit',
					'findings and waste when the read ends',
				];
	return (
		<Box flexDirection="column" width={width} height={layout.frameHeight} overflowY="hidden">
			{state.overlay ? (
				<OverlayView
					overlay={
						state.overlay.kind === 'layer'
							? {kind: 'layer', title: `Layer ${state.layer}`, layer: state.layer, scroll: 0}
							: {kind: state.overlay.kind, scroll: 0}
					}
					lines={state.overlay.lines}
					height={layout.overlayBody}
					width={width}
				/>
			) : (
				<Box flexDirection="row" height={layout.mainHeight} overflowY="hidden">
					<LeftPanes title={title} state={state} status={status} layout={layout} />
					<Box width={1} />
					<EarlyTreePane state={state} status={status} layout={layout} />
				</Box>
			)}
			<Text wrap="truncate">
				<Text color={hue('cyan')}>{`[${formatBar(fraction, 1, barWidth).replace(/ /g, '·')}]`}</Text>
				{` ${readStatusText(status, state.outline)}`}
			</Text>
			<Text wrap="truncate" dimColor>
				{state.message ?? hints.join(' · ')}
			</Text>
		</Box>
	);
}
