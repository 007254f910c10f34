import type {JsonReport} from '../../source/report/json.js';
import {formatBytes} from '../../source/shared/format-bytes.js';
import {runCliJson} from './run-cli.js';

export type ImageTotals = {layerBytes: number; finalBytes: number; reclaimableBytes: number};

/**
The totals `layerlens IMAGE --json` reports for one image, in the diff's terms. Tests of the naive fixture
read its bytes here rather than write them down: the image keeps npm's cache, whose registry metadata
grows whenever a package publishes, so each rebuild of the fixture changes its size by a few kilobytes.
*/
export async function imageTotals(image: string): Promise<ImageTotals> {
	const single = await runCliJson<JsonReport>([image, '--json'], {timeoutMs: 240_000});
	return {
		layerBytes: single.image.sizeBytes,
		finalBytes: single.image.finalSizeBytes,
		reclaimableBytes: single.waste.reclaimableBytes,
	};
}

/** The start of a diff's headline from `a` to a smaller `b`: `shrinks the image by 149 MB (378 MB → 229 MB, -39.5 %)`. */
export function shrinkHeadline(a: ImageTotals, b: ImageTotals): string {
	const percent = (((b.layerBytes - a.layerBytes) / a.layerBytes) * 100).toFixed(1);
	return `shrinks the image by ${formatBytes(a.layerBytes - b.layerBytes)} (${formatBytes(a.layerBytes)} → ${formatBytes(b.layerBytes)}, ${percent} %)`;
}

/** `text` as a regular expression that matches it literally. */
export function literal(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
