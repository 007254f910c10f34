import {Box, Text} from 'ink';
import type {LoadProgress} from '../image/types.js';
import {formatBar, formatBytes, sanitize} from './format.js';

type Props = {title: string; progress: LoadProgress | undefined; elapsedMs: number; width: number};

export function progressLine(progress: LoadProgress | undefined, elapsedMs: number): string {
	const seconds = `${(elapsedMs / 1000).toFixed(1)} s`;
	if (!progress) {
		return `Starting… · ${seconds}`;
	}

	const bytes =
		progress.bytesTotal === undefined
			? `${formatBytes(progress.bytesRead)} read`
			: `${formatBytes(progress.bytesRead)} of ${formatBytes(progress.bytesTotal)}`;
	const layers =
		progress.layersTotal === undefined
			? `${progress.layersDone} layers`
			: `layer ${progress.layersDone}/${progress.layersTotal}`;
	return `${bytes} · ${layers} · ${seconds}`;
}

/** What the user sees while the image is read, before the model exists. */
export function ProgressView({title, progress, elapsedMs, width}: Props) {
	const total = progress?.bytesTotal;
	const barWidth = Math.max(10, Math.min(50, width - 10));
	return (
		<Box flexDirection="column">
			<Text wrap="truncate">
				<Text bold>layerlens</Text>
				{` · reading ${sanitize(title)}`}
			</Text>
			{total ? (
				<Text color="cyan" wrap="truncate">
					{`[${formatBar(progress?.bytesRead ?? 0, total, barWidth).replace(/ /g, '·')}] ${Math.min(100, Math.floor(((progress?.bytesRead ?? 0) / total) * 100))}%`}
				</Text>
			) : null}
			<Text wrap="truncate">{progressLine(progress, elapsedMs)}</Text>
			<Text dimColor>q or Ctrl+C to cancel</Text>
		</Box>
	);
}
