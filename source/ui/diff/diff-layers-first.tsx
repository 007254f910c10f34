import type {ImageOutline} from '../../analysis/image-outline.js';
import type {EntryColumns} from '../../engine/index.js';
import type {LayerReadState} from '../../image/read-progress.js';
import {hue} from '../colors.js';
import {asTreeState, createEarlyTree} from '../early-tree-state.js';
import type {TreeState} from '../explorer-types.js';
import {formatBar, formatBytes, sanitize} from '../format.js';
import {Box, Text} from '../ink.js';
import {readLayersById, shownLayerBytes} from '../layer-bytes.js';
import type {KeyPress} from '../layers-first-state.js';
import {computeLayout} from '../layout.js';
import {PaneTitle} from '../pane-title.js';
import {type ReadStatus, readStatusText} from '../read-status.js';
import {type StackedTree, stackedView, stackedVisible} from '../stacked-fill.js';
import {TreePane} from '../tree-pane.js';

/** Both images of a diff as their sources describe them before the reads, and which one is being read. */
export type DiffOutline = {a?: ImageOutline; b?: ImageOutline; reading: 'A' | 'B'};

/**
Each side's tree as far as it is known: the layers stacked while it reads, then (`whole`) every layer once its
load is done.
*/
export type DiffTrees = {A?: SideTree; B?: SideTree};
export type SideTree = {stacked: StackedTree; whole: boolean};

/**
How many bottom layers B has in common with A (the same diff IDs, in the same order): a shared base is known
from the two outlines before a byte is read, and those layers add nothing to the comparison.
*/
export function sharedBaseLayers(a: ImageOutline | undefined, b: ImageOutline | undefined): number {
	if (a === undefined || b === undefined) return 0;
	let shared = 0;
	while (
		shared < a.layers.length &&
		shared < b.layers.length &&
		a.layers[shared]!.diffId === b.layers[shared]!.diffId
	) {
		shared++;
	}

	return shared;
}

/** B's layer count and how many of them are A's base; the rows of that base are marked `=`. */
function sharedText(shared: number, outline: DiffOutline, count: number): string {
	if (outline.a === undefined) return `${count} layers`;
	if (shared === 0) return `${count} layers, none shared with A`;
	if (shared === count && shared === outline.a.layers.length) return `${count} layers, all as in A`;
	return `${count} layers, ${shared} shared with A`;
}

/**
Keys typed while a diff loads: all kept for the diff explorer, in order. Ctrl+C quits at once; `q` too, unless a
filter was opened before it (then `q` is text the filter waits for).
*/
export type DiffKeys = {keys: KeyPress[]; quit?: 0 | 130; typingFilter: boolean};

export function keepDiffKey(state: DiffKeys, press: KeyPress, filterKeys: readonly string[]): DiffKeys {
	const keys = [...state.keys, press];
	if (press.name === 'ctrl+c') return {...state, keys, quit: 130};
	if (!state.typingFilter && press.name === 'q') return {...state, keys, quit: 0};
	return {...state, keys, typingFilter: state.typingFilter || filterKeys.includes(press.name)};
}

function sideStates(
	outline: DiffOutline,
	side: 'A' | 'B',
	status: ReadStatus,
	count: number,
): LayerReadState[] {
	if (side === 'A' && outline.reading === 'B') return Array.from({length: count}, () => 'read');
	if (side === 'B' && outline.reading === 'A') return Array.from({length: count}, () => 'waiting');
	return Array.from({length: count}, (_, index) => status.picture.states[index] ?? 'waiting');
}

function SideRows({
	label,
	image,
	outline,
	status,
	height,
	read,
}: {
	label: 'A' | 'B';
	image: ImageOutline | undefined;
	outline: DiffOutline;
	status: ReadStatus;
	height: number;
	/** The entries of every layer read so far on either side, by diff ID: one diff ID is one set of files. */
	read: ReadonlyMap<string, EntryColumns>;
}) {
	if (image === undefined) {
		return (
			<Text wrap="truncate" bold>
				{`${label}  layers pending`}
			</Text>
		);
	}

	const states = sideStates(outline, label, status, image.layers.length);
	const shared = sharedBaseLayers(outline.a, outline.b);
	const sizes = image.layers.map((layer) => shownLayerBytes(layer.expectedBytes, read.get(layer.diffId)));
	const largest = Math.max(1, ...sizes.map((layer) => layer.bytes ?? 0));
	const doing = outline.reading === label ? 'reading' : label === 'A' ? 'read' : 'waiting';
	// The last layers first when they do not all fit: the layers an image adds over its base are at the end.
	const shown = image.layers.slice(Math.max(0, image.layers.length - Math.max(1, height - 1)));
	return (
		<>
			<Text wrap="truncate" bold>
				{`${label} · ${doing} · ${sanitize(image.reference)} · ${label === 'B' ? sharedText(shared, outline, image.layers.length) : `${image.layers.length} layers`}`}
			</Text>
			{shown.map((layer) => {
				const state = states[layer.index] ?? 'waiting';
				const bytes = sizes[layer.index]?.bytes;
				const size = bytes === undefined ? '…' : formatBytes(bytes);
				return (
					<Text key={`${label}${layer.index}`} wrap="truncate">
						{`  ${String(layer.index).padStart(3)} ${size.padStart(9)} `}
						<Text color={hue('cyan')}>{formatBar(bytes ?? 0, largest, 4)}</Text>
						<Text color={hue(state === 'read' ? 'green' : state === 'reading' ? 'yellow' : 'gray')}>
							{` ${state.padEnd(8)}`}
						</Text>
						<Text dimColor>{layer.index < shared ? ' =' : '  '}</Text>
						{` ${sanitize(layer.instruction ?? '…')}`}
					</Text>
				);
			})}
		</>
	);
}

/** Every layer read so far, on either side, by diff ID: from each side's tree and from the read under way. */
function readLayers(outline: DiffOutline, trees: DiffTrees, status: ReadStatus): Map<string, EntryColumns> {
	const read = new Map<string, EntryColumns>();
	for (const [side, image] of [
		['A', outline.a],
		['B', outline.b],
	] as const) {
		const layers = trees[side]?.stacked.tree.layers ?? [];
		layers.forEach((entries, index) => {
			const diffId = image?.layers[index]?.diffId;
			if (diffId !== undefined) read.set(diffId, entries);
		});
	}

	return readLayersById(status.picture, read);
}

/** Top-level folders, each with its size: the one folding of a tree that only shows. */
const topLevel = {allCollapsed: true, toggled: new Set<string>()};
const previewTree: TreeState = asTreeState({
	...createEarlyTree('size'),
	mode: 'aggregated',
	collapse: topLevel,
});
const allKinds = {added: false, modified: false, removed: false, unchanged: false};

/** Which side's tree to show: the side being read once a layer of it is stacked, else the other one's. */
function shownTree(outline: DiffOutline, trees: DiffTrees): {side: 'A' | 'B'; tree: SideTree} | undefined {
	const reading = trees[outline.reading];
	if (reading !== undefined) return {side: outline.reading, tree: reading};
	const other = outline.reading === 'A' ? 'B' : 'A';
	const tree = trees[other];
	return tree === undefined ? undefined : {side: other, tree};
}

/**
The tree of the side being read, its layers stacked so far, by size with the top-level folders folded; it only
shows (the keys wait for the comparison, where the cursor means something).
*/
function TreePreview({
	outline,
	trees,
	height,
	width,
}: {
	outline: DiffOutline;
	trees: DiffTrees;
	height: number;
	width: number;
}) {
	const shown = shownTree(outline, trees);
	if (shown === undefined) {
		return (
			<Box flexDirection="column" width={width} overflowY="hidden">
				<PaneTitle title="Files" isFocused={false} width={width} />
				<Text wrap="truncate">{`${outline.reading}: the files show once its bottom layer is read`}</Text>
				<Text wrap="truncate" dimColor>
					Each layer is stacked on those under it as they arrive.
				</Text>
			</Box>
		);
	}

	const {stacked, whole} = shown.tree;
	const layer = stacked.layers - 1;
	const view = stackedView(stacked.tree, {layer, mode: 'aggregated', sort: 'size', hidden: allKinds});
	const image = shown.side === 'A' ? outline.a : outline.b;
	const total = image?.layers.length;
	const scope = whole
		? `${shown.side} · every layer`
		: `${shown.side} read so far · layers 0–${layer}${total === undefined ? '' : ` of ${total}`}`;
	return (
		<TreePane
			view={view}
			visible={stackedVisible(view, topLevel)}
			tree={previewTree}
			layerIndex={layer}
			height={height}
			width={width}
			isFocused={false}
			titlePrefix={scope}
		/>
	);
}

/**
The diff before its comparison exists: both images' layers as they are read (B's base shared with A marked),
the files of the side being read as its layers stack, the progress, kept keys.
*/
export function DiffLayersFirstView({
	title,
	outline,
	trees,
	status,
	keptKeys,
	size,
}: {
	title: string;
	outline: DiffOutline;
	trees: DiffTrees;
	status: ReadStatus;
	keptKeys: number;
	size: {columns: number; rows: number};
}) {
	const body = Math.max(4, size.rows - 4);
	const half = Math.floor(body / 2);
	const image = outline.reading === 'A' ? outline.a : outline.b;
	const layout = computeLayout(size);
	const read = readLayers(outline, trees, status);
	// The files beside the layers when the terminal is wide enough for both, as the explorer lays them out.
	const withTree = !layout.tooSmall;
	const listWidth = withTree ? layout.leftWidth : size.columns;
	return (
		<Box flexDirection="column" width={size.columns} height={size.rows - 1} overflowY="hidden">
			<Text wrap="truncate" bold>{`layerlens diff · ${sanitize(title)}`}</Text>
			<Box flexDirection="row" height={body} overflowY="hidden">
				<Box flexDirection="column" width={listWidth} overflowY="hidden">
					<Box flexDirection="column" height={half} overflowY="hidden">
						<SideRows
							label="A"
							image={outline.a}
							outline={outline}
							status={status}
							height={half}
							read={read}
						/>
					</Box>
					<Box flexDirection="column" height={body - half} overflowY="hidden">
						<SideRows
							label="B"
							image={outline.b}
							outline={outline}
							status={status}
							height={body - half}
							read={read}
						/>
					</Box>
				</Box>
				{withTree ? (
					<Box marginLeft={1} flexDirection="column" overflowY="hidden">
						<TreePreview
							outline={outline}
							trees={trees}
							height={Math.max(1, body - 2)}
							width={size.columns - listWidth - 1}
						/>
					</Box>
				) : undefined}
			</Box>
			<Text wrap="truncate">{`${outline.reading}: ${readStatusText(status, image)}`}</Text>
			<Text wrap="truncate" dimColor>
				{`q quit · the comparison opens when both are read${keptKeys > 0 ? ` · ${keptKeys} keys kept for it` : ''}`}
			</Text>
		</Box>
	);
}
