import process from 'node:process';
import type {ImageOutline} from '../analysis/image-outline.js';
import type {ImagePreview, LoadProgress} from '../image/types.js';
import {formatBytes} from '../shared/format-bytes.js';
import {ReadTracker, readStatusText} from '../ui/read-status.js';

/**
The text of the progress line without a preview of the layers. A total is shown only when it is of the same
bytes as those read (an archive's file size) and not already passed: never "363 MB of 349 MB".
*/
export function progressText(progress: LoadProgress, seconds: number): string {
	const total =
		progress.bytesTotal && progress.bytesTotal >= progress.bytesRead
			? ` of ${formatBytes(progress.bytesTotal)}`
			: '';
	const layers = progress.layersTotal
		? `${progress.layersDone}/${progress.layersTotal}`
		: `${progress.layersDone}`;
	return `reading ${formatBytes(progress.bytesRead)}${total}, layers ${layers}, ${seconds.toFixed(1)}s`;
}

/** How often the line is rewritten: once a second is enough to read it, and a terminal log stays short. */
const intervalMs = 1000;

export type ProgressLine = {
	update: (progress: LoadProgress) => void;
	/** The layers and their sizes, when the source knows them before the read: bytes of a total, the layer, time left. */
	outline: (outline: ImageOutline | undefined, preview: ImagePreview | undefined) => void;
	done: () => void;
};

/**
A single self-overwriting progress line on stderr while loading, only when stderr is a terminal, so
pipes and CI logs get nothing but errors. Written at most once a second, the first time a second in.
*/
export function createProgressLine(
	stream: NodeJS.WriteStream = process.stderr,
	now: () => number = Date.now,
): ProgressLine {
	if (!stream.isTTY) {
		return {update() {}, outline() {}, done() {}};
	}

	const started = now();
	const tracker = new ReadTracker(started);
	let shape: ImageOutline | undefined;
	let lastWrite = started;
	let shown = false;
	return {
		update(progress) {
			const at = now();
			tracker.update(progress, at);
			if (at - lastWrite < intervalMs) return;
			lastWrite = at;
			const status = tracker.status(at);
			const text =
				shape === undefined
					? `${progressText(progress, status.elapsedMs / 1000)}${status.rate === undefined ? '' : `, ${formatBytes(status.rate)}/s`}`
					: `reading ${readStatusText(status, shape)}`;
			const width = stream.columns && stream.columns > 1 ? stream.columns - 1 : 200;
			stream.write(`\r\u001B[2K${text.slice(0, width)}`);
			shown = true;
		},
		outline(outline, preview) {
			shape = outline;
			tracker.setPreview(preview);
		},
		done() {
			if (shown) {
				stream.write('\r\u001B[2K');
				shown = false;
			}
		},
	};
}
