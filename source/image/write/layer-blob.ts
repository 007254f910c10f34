import {createHash} from 'node:crypto';
import {PassThrough, type Readable} from 'node:stream';
import {constants, createGzip} from 'node:zlib';
import type {LayerSpec} from './image-spec.js';
import {createLayerTarStream} from './layer-tar.js';

export type BlobCompression = 'none' | 'gzip';

/** A layer whose digests and sizes are known before it is written into an archive. */
export type PreparedLayer = {
	diffId: string;
	tarSizeBytes: number;
	/** `sha256:` of the stored blob (equals `diffId` when uncompressed). */
	digest: string;
	sizeBytes: number;
	compression: BlobCompression;
	mediaType: string;
	/** A fresh stream of the stored blob bytes. */
	open(): Readable;
};

/** Layers up to this size are kept from the measuring pass; bigger ones are generated again when written. */
const keepInMemoryBytes = 32 * 1024 * 1024;

function blobStream(layer: LayerSpec, compression: BlobCompression): Readable {
	const tarStream = createLayerTarStream(layer);
	if (compression === 'none') {
		return tarStream;
	}

	const gzip = createGzip({level: constants.Z_DEFAULT_COMPRESSION});
	tarStream.on('error', (error) => gzip.destroy(error));
	return tarStream.pipe(gzip);
}

/**
Measure a layer by generating it once: the tar digest and size (diff ID) and the stored blob's.
Both hashes come from one generation: the tar bytes are hashed on their way into gzip.
*/
export async function prepareLayer(layer: LayerSpec, compression: BlobCompression): Promise<PreparedLayer> {
	const tarHash = createHash('sha256');
	let tarSizeBytes = 0;
	const tarStream = createLayerTarStream(layer);
	const counted = new PassThrough({highWaterMark: 1024 * 1024});
	tarStream.on('data', (chunk: Buffer) => {
		tarHash.update(chunk);
		tarSizeBytes += chunk.byteLength;
	});
	tarStream.on('error', (error) => counted.destroy(error));
	tarStream.pipe(counted);
	const stored: Readable =
		compression === 'none' ? counted : counted.pipe(createGzip({level: constants.Z_DEFAULT_COMPRESSION}));
	counted.on('error', (error) => stored.destroy(error));

	const blobHash = createHash('sha256');
	let sizeBytes = 0;
	let kept: Buffer[] | undefined = [];
	for await (const chunk of stored as AsyncIterable<Buffer>) {
		blobHash.update(chunk);
		sizeBytes += chunk.byteLength;
		if (kept !== undefined) {
			kept.push(chunk);
			if (sizeBytes > keepInMemoryBytes) {
				kept = undefined;
			}
		}
	}

	const keptBytes = kept === undefined ? undefined : Buffer.concat(kept);
	const open = (): Readable => {
		if (keptBytes === undefined) {
			return blobStream(layer, compression);
		}

		const copy = new PassThrough();
		copy.end(keptBytes);
		return copy;
	};

	return {
		diffId: `sha256:${tarHash.digest('hex')}`,
		tarSizeBytes,
		digest: `sha256:${blobHash.digest('hex')}`,
		sizeBytes,
		compression,
		mediaType:
			compression === 'gzip'
				? 'application/vnd.oci.image.layer.v1.tar+gzip'
				: 'application/vnd.oci.image.layer.v1.tar',
		open,
	};
}
