import type {ImageOutline} from '../analysis/image-outline.js';
import {
	addSample,
	type ReadPicture,
	type ReadSample,
	rateOf,
	readPicture,
	secondsLeft,
} from '../image/read-progress.js';
import type {ImagePreview, LoadProgress} from '../image/types.js';
import {formatBytes} from '../shared/format-bytes.js';
import {sanitize} from '../shared/sanitize-text.js';

/**
What a read looks like to the user at one moment: the picture per layer, the rate and time left. Shared by the
explorer's layers-first view and the stderr line of the report modes, so both say the same thing.
*/
export type ReadStatus = {
	progress: LoadProgress | undefined;
	picture: ReadPicture;
	/** Bytes a second over the last few seconds. */
	rate?: number;
	secondsLeft?: number;
	elapsedMs: number;
};

/** Follows a read: feed it every progress report; `status` is the picture as of the last one. */
export class ReadTracker {
	private samples: ReadSample[] = [];
	private progress: LoadProgress | undefined;
	private preview: ImagePreview | undefined;

	constructor(private readonly startedMs: number) {}

	setPreview(preview: ImagePreview | undefined): void {
		this.preview = preview;
	}

	update(progress: LoadProgress, nowMs: number): void {
		this.progress = progress;
		this.samples = addSample(this.samples, {atMs: nowMs, bytes: progress.bytesRead});
	}

	status(nowMs: number): ReadStatus {
		const picture = readPicture(this.preview, this.progress);
		const rate = rateOf(this.samples);
		const left = secondsLeft(picture, rate);
		return {
			progress: this.progress,
			picture,
			...(rate === undefined ? {} : {rate}),
			...(left === undefined ? {} : {secondsLeft: left}),
			elapsedMs: nowMs - this.startedMs,
		};
	}
}

export function formatDuration(seconds: number): string {
	// Whole seconds first, so 59.6 s reads `1 min 00 s`, never `0 min 60 s`.
	const whole = Math.max(1, Math.round(seconds));
	if (whole < 60) return `${whole} s`;
	if (whole < 3600) return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
	return `${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')} min`;
}

/** `412 MB of ~1.1 GB (37%)`: the total is the layers' expected bytes, dropped once the read has passed it. */
export function bytesText(status: ReadStatus): string {
	const read = status.progress?.bytesRead ?? 0;
	const {expectedBytes, fraction} = status.picture;
	if (expectedBytes === undefined || fraction === undefined || read > expectedBytes) {
		return `${formatBytes(read)} read`;
	}

	return `${formatBytes(read)} of ~${formatBytes(expectedBytes)} (${Math.min(99, Math.floor(fraction * 100))}%)`;
}

/** `layer 5/9 RUN npm install`: which layer is being read, by its place and instruction, when it is known. */
export function layerText(status: ReadStatus, outline: ImageOutline | undefined): string | undefined {
	const index = status.picture.readingIndex;
	const total = outline?.layers.length ?? status.progress?.layersTotal;
	if (index !== undefined && outline !== undefined) {
		const instruction = outline.layers[index]?.instruction;
		return `layer ${index + 1}/${total}${instruction === undefined ? '' : ` ${sanitize(instruction)}`}`;
	}

	const done = status.progress?.layersDone ?? 0;
	return total === undefined ? `${done} layers read` : `${done}/${total} layers read`;
}

/** The whole line: bytes, rate, time left, the layer; the elapsed time while nothing else is known. */
export function readStatusText(status: ReadStatus, outline: ImageOutline | undefined): string {
	if (status.progress === undefined) {
		// `docker save` writes every layer out before its first byte: on a large image that is most of the wait.
		return `waiting for the first bytes from the source · ${(status.elapsedMs / 1000).toFixed(1)} s`;
	}

	const parts = [bytesText(status)];
	if (status.rate !== undefined) parts.push(`${formatBytes(status.rate)}/s`);
	if (status.secondsLeft !== undefined) parts.push(`${formatDuration(status.secondsLeft)} left`);
	const layer = layerText(status, outline);
	if (layer !== undefined) parts.push(layer);
	return parts.join(' · ');
}
