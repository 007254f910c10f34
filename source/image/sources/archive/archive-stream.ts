/**
The tar bytes of an image archive as given: `docker save x | gzip` and `| zstd` are decompressed (told by
their first bytes, never by a file name), and input that is no archive at all is named as such from its
first bytes instead of failing later as a truncated or invalid tar.
*/
import {isUtf8} from 'node:buffer';
import {pipeline, Readable} from 'node:stream';
import {createGunzip, type Gunzip} from 'node:zlib';
import {Decompress} from 'fzstd';
import {LayerlensError} from '../../../shared/errors.js';
import {sniffCompression} from '../../formats/compression.js';
import {isTarHeaderBlock} from '../../formats/tar-parser.js';
import {recommendedWindowBytes, ZstdFrameGuard, ZstdWindowError} from '../../formats/zstd-frame-guard.js';
import type {LayerCompression} from '../../types.js';

/** A tar's first header block, which tells a V7 tar (no `ustar` magic) by its checksum. */
const headerBlockBytes = 512;
/**
Stored zstd bytes handed to the decoder at a time: each of its blocks yields at most 128 KiB from as few as
4 stored bytes, so this bounds what one step can produce (about 32 MiB) before it is passed on.
*/
const zstdStepBytes = 1024;

const archiveHint =
	'Give a `docker save` archive (plain, gzip or zstd), an OCI image layout (directory or tar) or an image name';

/** Text: UTF-8 (a character cut at the end allowed) with no control bytes but tab, newlines, form feed and escape. */
function isText(head: Buffer): boolean {
	for (const byte of head) {
		const control =
			byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d && byte !== 0x1b;
		if (control || byte === 0x7f) return false;
	}

	for (let cut = 0; cut < 4 && cut <= head.length; cut++) {
		if (isUtf8(head.subarray(0, head.length - cut))) return true;
	}

	return false;
}

/** One line saying the input is no image archive, and what it is when that is known (`a text file`). */
export function notAnArchive(reference: string, detail?: string): LayerlensError {
	return new LayerlensError(
		`${reference} is not an image archive${detail === undefined ? '' : `: ${detail}`}`,
		{
			hint: archiveHint,
		},
	);
}

/** What the first bytes of the input are, when they are no archive and can be named. */
function describeHead(head: Buffer): string | undefined {
	if (head.length === 0) return 'it is empty';
	return isText(head) ? 'a text file' : undefined;
}

/**
Whether `head` (the first bytes of a tar stream) may start a tar: the `ustar` magic, a first block of zeros
(an empty tar) or a header whose checksum matches (V7).
*/
function startsTar(head: Buffer): boolean {
	if (sniffCompression(head) === 'none') return true;
	return isTarHeaderBlock(head);
}

/** Reads from `source` until `bytes` are gathered or it ends. */
async function gather(source: AsyncIterator<Buffer>, bytes: number): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let length = 0;
	while (length < bytes) {
		const next = await source.next();
		if (next.done) break;
		chunks.push(next.value);
		length += next.value.length;
	}

	return Buffer.concat(chunks);
}

async function* prepend(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
	if (head.length > 0) yield head;
	for (;;) {
		const next = await rest.next();
		if (next.done) return;
		yield next.value;
	}
}

/** zstd decoded in small steps, every frame header checked before the decoder allocates its window. */
async function* zstdChunks(stored: AsyncIterable<Buffer>, reference: string): AsyncGenerator<Buffer> {
	const decoded: Buffer[] = [];
	const guard = new ZstdFrameGuard(recommendedWindowBytes);
	// The decoder may reuse its buffers: what it hands out is copied before the next step.
	const decoder = new Decompress((data) => decoded.push(Buffer.from(data)));
	try {
		for await (const chunk of stored) {
			guard.check(chunk);
			for (let at = 0; at < chunk.length; at += zstdStepBytes) {
				decoder.push(chunk.subarray(at, at + zstdStepBytes));
				if (decoded.length > 0) yield* decoded.splice(0);
			}
		}

		decoder.push(new Uint8Array(0), true);
		yield* decoded.splice(0);
	} catch (error) {
		if (error instanceof ZstdWindowError) {
			throw new LayerlensError(
				`${reference} is a zstd stream declaring a ${error.windowBytes}-byte window, above the ${recommendedWindowBytes}-byte limit`,
				{hint: 'Compress it again with zstd without --long, or decompress it first', cause: error},
			);
		}

		throw error;
	}
}

/**
The tar stream of an archive: iterate it for the tar's bytes. `compression` is known once the first
chunk is out; `destroy` stops the input and any decoder.
*/
export class ArchiveStream implements AsyncIterable<Buffer> {
	compression: LayerCompression | undefined;
	private gunzip: Gunzip | undefined;

	constructor(
		private readonly input: Readable,
		private readonly reference: string,
	) {}

	destroy(): void {
		this.gunzip?.destroy();
		this.input.destroy();
	}

	async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
		const source = this.input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
		const head = await gather(source, headerBlockBytes);
		const compression = sniffCompression(head);
		this.compression = compression === undefined && isTarHeaderBlock(head) ? 'none' : compression;
		if (this.compression === undefined) {
			throw notAnArchive(this.reference, describeHead(head));
		}

		if (this.compression === 'none') {
			yield* prepend(head, source);
			return;
		}

		let decoded: AsyncIterator<Buffer>;
		if (this.compression === 'gzip') {
			const gunzip = createGunzip({chunkSize: 256 * 1024});
			this.gunzip = gunzip;
			// A failure on either side ends the other and reaches the loop below.
			pipeline(Readable.from(prepend(head, source)), gunzip, () => undefined);
			decoded = gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
		} else {
			decoded = zstdChunks(prepend(head, source), this.reference)[Symbol.asyncIterator]();
		}

		const tarHead = await gather(decoded, headerBlockBytes);
		if (!startsTar(tarHead)) {
			throw notAnArchive(this.reference, `${this.compression} data that is not a tar`);
		}

		yield* prepend(tarHead, decoded);
	}
}
