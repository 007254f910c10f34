import type {LayerCompression} from './types.js';

/** Bytes needed to tell a plain tar (its `ustar` magic sits at offset 257). */
export const sniffBytes = 262;

function isAllZero(bytes: Buffer): boolean {
	for (let index = 0; index < bytes.length; index++) {
		if (bytes[index] !== 0) {
			return false;
		}
	}

	return true;
}

/**
The compression of a layer from its first bytes (never from a media type, which builders get wrong),
or undefined when it is not a tar at all. An empty tar (only zero blocks) counts as a tar.
*/
export function sniffCompression(head: Buffer): LayerCompression | undefined {
	if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
		return 'gzip';
	}

	if (head.length >= 4 && head.readUInt32BE(0) === 0x28b52ffd) {
		return 'zstd';
	}

	if (head.length >= sniffBytes && head.toString('latin1', 257, 262) === 'ustar') {
		return 'none';
	}

	return head.length > 0 && isAllZero(head.subarray(0, 512)) ? 'none' : undefined;
}
