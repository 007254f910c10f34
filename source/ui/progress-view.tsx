import type {LoadProgress} from '../image/types.js';
import {hue} from './colors.js';
import {formatBar, formatBytes, sanitize} from './format.js';
import {Box, Text} from './ink.js';
import type {ReadStatus} from './read-status.js';

type Props = {
	title: string;
	progress: LoadProgress | undefined;
	/** The read's rate and time left, when it is followed (see read-status.ts). */
	status?: ReadStatus;
	elapsedMs: number;
	width: number;
	/** Lines available; a frame taller than the terminal makes Ink clear and scroll it on every update. */
	height?: number;
};

export function progressLine(
	progress: LoadProgress | undefined,
	elapsedMs: number,
	status?: ReadStatus,
): string {
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
	const rate = status?.rate === undefined ? '' : ` · ${formatBytes(status.rate)}/s`;
	return `${bytes}${rate} · ${layers} · ${seconds}`;
}

/**
What the user sees while the image is read, before the model exists. On a pane shorter than the view the
lines past `height` are dropped rather than squeezed: Yoga shrinks rows of a too-short box onto each other.
*/
export function ProgressView({title, progress, status, elapsedMs, width, height}: Props) {
	const total = progress?.bytesTotal;
	const barWidth = Math.max(10, Math.min(50, width - 10));
	const lines = [
		<Text key="title" wrap="truncate">
			<Text bold>layerlens</Text>
			{` · reading ${sanitize(title)}`}
		</Text>,
		total ? (
			<Text key="bar" color={hue('cyan')} wrap="truncate">
				{`[${formatBar(progress?.bytesRead ?? 0, total, barWidth).replace(/ /g, '·')}] ${Math.min(100, Math.floor(((progress?.bytesRead ?? 0) / total) * 100))}%`}
			</Text>
		) : undefined,
		<Text key="progress" wrap="truncate">
			{progressLine(progress, elapsedMs, status)}
		</Text>,
		<Text key="hint" dimColor wrap="truncate">
			q or Ctrl+C to cancel
		</Text>,
	].filter((line) => line !== undefined);
	return <Box flexDirection="column">{lines.slice(0, height ?? lines.length)}</Box>;
}
