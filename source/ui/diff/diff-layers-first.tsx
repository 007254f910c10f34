import {Box, Text} from 'ink';
import type {ImageOutline} from '../../analysis/image-outline.js';
import type {LayerReadState} from '../../image/read-progress.js';
import {hue} from '../colors.js';
import {formatBar, formatBytes, sanitize} from '../format.js';
import type {KeyPress} from '../layers-first-state.js';
import {type ReadStatus, readStatusText} from '../read-status.js';

/** Both images of a diff as their sources describe them before the reads, and which one is being read. */
export type DiffOutline = {a?: ImageOutline; b?: ImageOutline; reading: 'A' | 'B'};

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
}: {
	label: 'A' | 'B';
	image: ImageOutline | undefined;
	outline: DiffOutline;
	status: ReadStatus;
	height: number;
}) {
	if (image === undefined) {
		return (
			<Text wrap="truncate" bold>
				{`${label}  layers pending`}
			</Text>
		);
	}

	const states = sideStates(outline, label, status, image.layers.length);
	const largest = Math.max(1, ...image.layers.map((layer) => layer.expectedBytes ?? 0));
	const doing = outline.reading === label ? 'reading' : label === 'A' ? 'read' : 'waiting';
	// The last layers first when they do not all fit: the layers an image adds over its base are at the end.
	const shown = image.layers.slice(Math.max(0, image.layers.length - Math.max(1, height - 1)));
	return (
		<>
			<Text wrap="truncate" bold>
				{`${label}  ${sanitize(image.reference)} · ${image.layers.length} layers · ${doing}`}
			</Text>
			{shown.map((layer) => {
				const state = states[layer.index] ?? 'waiting';
				const size = layer.expectedBytes === undefined ? '…' : formatBytes(layer.expectedBytes);
				return (
					<Text key={`${label}${layer.index}`} wrap="truncate">
						{`  ${String(layer.index).padStart(3)} ${size.padStart(9)} `}
						<Text color={hue('cyan')}>{formatBar(layer.expectedBytes ?? 0, largest, 4)}</Text>
						<Text color={hue(state === 'read' ? 'green' : state === 'reading' ? 'yellow' : 'gray')}>
							{` ${state.padEnd(8)}`}
						</Text>
						{` ${sanitize(layer.instruction ?? '…')}`}
					</Text>
				);
			})}
		</>
	);
}

/** The diff before its comparison exists: both images' layers as they are read, the progress, kept keys. */
export function DiffLayersFirstView({
	title,
	outline,
	status,
	keptKeys,
	size,
}: {
	title: string;
	outline: DiffOutline;
	status: ReadStatus;
	keptKeys: number;
	size: {columns: number; rows: number};
}) {
	const body = Math.max(4, size.rows - 4);
	const half = Math.floor(body / 2);
	const image = outline.reading === 'A' ? outline.a : outline.b;
	return (
		<Box flexDirection="column" width={size.columns} height={size.rows - 1} overflowY="hidden">
			<Text wrap="truncate" bold>{`layerlens diff · ${sanitize(title)}`}</Text>
			<Box flexDirection="column" height={half} overflowY="hidden">
				<SideRows label="A" image={outline.a} outline={outline} status={status} height={half} />
			</Box>
			<Box flexDirection="column" height={body - half} overflowY="hidden">
				<SideRows label="B" image={outline.b} outline={outline} status={status} height={body - half} />
			</Box>
			<Text wrap="truncate">{`${outline.reading}: ${readStatusText(status, image)}`}</Text>
			<Text wrap="truncate" dimColor>
				{`q quit · the comparison opens when both are read${keptKeys > 0 ? ` · ${keptKeys} keys kept for it` : ''}`}
			</Text>
		</Box>
	);
}
