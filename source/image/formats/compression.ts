import type {LayerCompression} from '../types.js';

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
A zstd frame, or a skippable frame (magic 0x184D2A50 to 0x184D2A5F, RFC 8878 §3.1.2) that may come first:
moby reads a layer that starts with one, and so does the decoder.
*/
function isZstdMagic(magic: number): boolean {
	return magic === 0xfd2fb528 || magic >>> 4 === 0x184d2a5;
}

/**
The compression of a layer from its first bytes (never from a media type, which builders get wrong),
or undefined when it is not a tar at all. An empty tar (only zero blocks) counts as a tar.
*/
export function sniffCompression(head: Buffer): LayerCompression | undefined {
	if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
		return 'gzip';
	}

	if (head.length >= 4 && isZstdMagic(head.readUInt32LE(0))) {
		return 'zstd';
	}

	if (head.length >= sniffBytes && head.toString('latin1', 257, 262) === 'ustar') {
		return 'none';
	}

	return head.length > 0 && isAllZero(head.subarray(0, 512)) ? 'none' : undefined;
}
