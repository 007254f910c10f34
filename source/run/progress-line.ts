import process from 'node:process';
import type {LoadProgress} from '../image/types.js';
import {formatBytes} from '../shared/format-bytes.js';

/**
The text of the progress line. A total is shown only when it is of the same bytes as those read (an archive's
file size) and not already passed: never "363 MB of 349 MB".
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

/**
A single self-overwriting progress line on stderr while loading, only when stderr is a terminal, so
pipes and CI logs get nothing but errors.
*/
export function createProgressLine(stream: NodeJS.WriteStream = process.stderr): {
	update: (progress: LoadProgress) => void;
	done: () => void;
} {
	if (!stream.isTTY) {
		return {update() {}, done() {}};
	}

	const started = Date.now();
	let shown = false;
	return {
		update(progress) {
			stream.write(`\r\u001B[2K${progressText(progress, (Date.now() - started) / 1000)}`);
			shown = true;
		},
		done() {
			if (shown) {
				stream.write('\r\u001B[2K');
			}
		},
	};
}
