import type {ParsedLayer} from '../types.js';
import {LayerParser, type ReadLayerOptions} from './layer-parser.js';

export type {ReadLayerOptions} from './layer-parser.js';

/**
Parse one layer blob (plain, gzip or zstd tar) in one pass: tar headers, a content hash per regular
file and the diff ID (SHA-256 of the uncompressed stream). File contents are not kept, except evidence files.
*/
export async function readLayer(
	stored: AsyncIterable<Buffer> | Iterable<Buffer>,
	options: ReadLayerOptions = {},
): Promise<ParsedLayer> {
	const parser = new LayerParser(options);
	for await (const chunk of stored) {
		const waiting = parser.write(chunk);
		if (waiting !== undefined) {
			await waiting;
		}
	}

	return parser.end();
}
