import {createHash} from 'node:crypto';

/**
Deterministic filler content for generated files. One pseudo-random pattern is made once; a file's
content is a window into it (wrapping), so generating a gigabyte costs no hashing and no copies.
*/

const patternBytes = 1 << 20;
const chunkBytes = 1024 * 1024;
let pattern: Buffer | undefined;

function fillerPattern(): Buffer {
	if (pattern === undefined) {
		const blocks: Buffer[] = [];
		for (let counter = 0; counter < patternBytes / 32; counter++) {
			blocks.push(createHash('sha256').update(`layerlens filler ${counter}`).digest());
		}

		pattern = Buffer.concat(blocks);
	}

	return pattern;
}

/** Files with the same key and size get the same bytes; the key is the seed when given, else the path. */
export function fillerKey(path: string, seed: number | undefined): string {
	return seed === undefined ? `path:${path}` : `seed:${seed}`;
}

/** FNV-1a of the key: a cheap, stable start offset (a SHA-256 per file cost more than writing it). */
function fillerStart(key: string): number {
	let hash = 0x811c9dc5;
	for (let index = 0; index < key.length; index++) {
		hash ^= key.charCodeAt(index);
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}

	return hash % patternBytes;
}

/** Yields the filler bytes of one file in chunks that are views into the shared pattern. */
export function* fillerChunks(key: string, size: number): Generator<Buffer> {
	const source = fillerPattern();
	let offset = fillerStart(key);
	let remaining = size;
	while (remaining > 0) {
		const length = Math.min(remaining, chunkBytes, patternBytes - offset);
		yield source.subarray(offset, offset + length);
		remaining -= length;
		offset = (offset + length) % patternBytes;
	}
}
