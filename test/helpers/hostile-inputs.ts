/**
The issue-17 bombs and loops as archives, shared by the regression tests and for reproducing by hand
(`node --import tsx test/helpers/hostile-inputs.ts DIR` writes them all to DIR).
*/
import {createHash} from 'node:crypto';
import {mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {gzipSync} from 'node:zlib';
import {buildImageArchive, type ImageSpec} from './fixture-writer.js';
import {entry, gnuLong, headerBlock, pax, paxRecords, tarOf} from './tar-blocks.js';

export function rawLayerImage(layer: Buffer, tag = 'hostile:1'): ImageSpec {
	return {
		layers: [{createdBy: 'ADD crafted.tar /', files: [], rawTar: layer}],
		config: {cmd: ['/app/run']},
		repoTags: [tag],
	};
}

/** One file `depth` directories deep (a GNU long name carries the path). */
export function deepPathLayer(depth: number): Buffer {
	return tarOf([gnuLong(`${'d/'.repeat(depth)}leaf.txt`), entry({name: 'leaf.txt', format: 'gnu'}, 'deep')]);
}

/** A PAX header of `count` records (each a distinct key), then one file. */
export function paxRecordsLayer(count: number): Buffer {
	const records: Array<[string, string]> = [];
	for (let index = 0; index < count; index++) records.push([index.toString(36), 'v']);
	const data = paxRecords(records);
	return tarOf([
		headerBlock({name: 'PaxHeader/f', typeflag: 'x', size: data.length}),
		pad(data),
		entry({name: 'f'}, 'x'),
	]);
}

const pad = (data: Buffer): Buffer => Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);

/**
A gzip layer that unpacks into a wide and deep tree: `files` entries, each under its own directory
chain `depth` deep (names differ from the first segment on, so nothing is shared).
*/
export function wideDeepLayer(files: number, depth: number): Buffer {
	const parts: Buffer[] = [];
	for (let index = 0; index < files; index++) {
		parts.push(
			gnuLong(`w${index}/${'d/'.repeat(depth)}f`),
			headerBlock({name: 'f', typeflag: '0', size: 0, format: 'gnu'}),
		);
	}

	return gzipSync(tarOf(parts), {level: 9});
}

/** A zstd frame whose header declares a window of 2^`log` (+ `mantissa` eighths) bytes; one raw block of `content`. */
export function zstdWindowBlob(log: number, content: Buffer, mantissa = 0): Buffer {
	const magic = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
	// Frame header descriptor: no checksum, no dictionary, no content size, not single-segment → a window descriptor.
	const descriptor = Buffer.from([0x00]);
	const window = Buffer.from([((log - 10) << 3) | mantissa]);
	const blockHeader = Buffer.alloc(3);
	// The last block of the frame, raw (type 0), `content.length` bytes.
	blockHeader.writeUIntLE(1 | (content.length << 3), 0, 3);
	return Buffer.concat([magic, descriptor, window, blockHeader, content]);
}

/** An OCI archive whose one layer blob is `wideDeepLayer` (gzip, so the reader sniffs it). */
export async function wideDeepArchive(files: number, depth: number): Promise<Buffer> {
	return swapLayerBlob(
		await buildImageArchive(rawLayerImage(Buffer.alloc(1024)), {format: 'oci', compression: 'none'}),
		wideDeepLayer(files, depth),
	);
}

/** Replace the (only) layer blob of an OCI archive written with `compression: 'none'` by other bytes. */
export async function swapLayerBlob(archive: Buffer, blob: Buffer): Promise<Buffer> {
	const {listArchive, packArchive} = await import('./fixture-writer.js');
	const files = await listArchive(archive);
	const layerTar = Buffer.alloc(1024);
	return packArchive(files.map((file) => (file.content.equals(layerTar) ? {...file, content: blob} : file)));
}

export {createHash, entry, gzipSync, headerBlock, pax};

async function writeAll(directory: string): Promise<void> {
	mkdirSync(directory, {recursive: true});
	const write = async (name: string, spec: ImageSpec) => {
		writeFileSync(join(directory, name), await buildImageArchive(spec));
	};

	await write('deep-10k.tar', rawLayerImage(deepPathLayer(10_000)));
	await write('deep-100k.tar', rawLayerImage(deepPathLayer(100_000)));
	await write('pax-300k.tar', rawLayerImage(paxRecordsLayer(300_000)));
	await write('pax-60k.tar', rawLayerImage(paxRecordsLayer(60_000)));
	writeFileSync(join(directory, 'wide-deep.tar'), await wideDeepArchive(20_000, 1000));
}

if (process.argv[1]?.endsWith('hostile-inputs.ts')) {
	await writeAll(process.argv[2] ?? 'hostile-inputs');
}
