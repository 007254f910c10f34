import process from 'node:process';
import {formatBytes} from '../format-bytes.js';
import type {LoadProgress} from '../image/types.js';

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
			const total = progress.bytesTotal ? ` of ${formatBytes(progress.bytesTotal)}` : '';
			const layers = progress.layersTotal
				? `${progress.layersDone}/${progress.layersTotal}`
				: `${progress.layersDone}`;
			const seconds = ((Date.now() - started) / 1000).toFixed(1);
			stream.write(
				`\r\u001B[2Kreading ${formatBytes(progress.bytesRead)}${total}, layers ${layers}, ${seconds}s`,
			);
			shown = true;
		},
		done() {
			if (shown) {
				stream.write('\r\u001B[2K');
			}
		},
	};
}
