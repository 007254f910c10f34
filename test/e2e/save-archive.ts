import {Readable, Transform} from 'node:stream';
import {gunzipSync} from 'node:zlib';
import tar, {type Header} from 'tar-stream';

/** One tar entry as the tests look at it (tar-stream has already folded PAX and GNU long-name headers in). */
export type TarEntry = {
	name: string;
	type: string;
	size: number;
	mode: number;
	linkname: string | undefined;
};

export type SaveStreamSummary = {
	/** Every byte the daemon sent. */
	bytes: number;
	entries: TarEntry[];
	/** Contents of the entries `keep` asked for, by name. */
	kept: Map<string, Buffer>;
};

/**
Reads a `docker save` stream to its end. Only entries `keep` selects are held in memory, so a
several-hundred-megabyte image costs no more than its manifest and config.
*/
export function readSaveStream(
	source: NodeJS.ReadableStream,
	keep: (entry: TarEntry) => boolean,
): Promise<SaveStreamSummary> {
	return new Promise((resolve, reject) => {
		let bytes = 0;
		const entries: TarEntry[] = [];
		const kept = new Map<string, Buffer>();
		const counter = new Transform({
			transform(chunk: Buffer, _encoding, callback) {
				bytes += chunk.length;
				callback(null, chunk);
			},
		});
		const extract = tar.extract();
		extract.on('entry', (header, stream, next) => {
			const entry = toEntry(header);
			entries.push(entry);
			const chunks: Buffer[] = [];
			const wanted = keep(entry);
			stream.on('data', (chunk: unknown) => {
				if (wanted) {
					chunks.push(chunk as Buffer);
				}
			});
			stream.on('end', () => {
				if (wanted) {
					kept.set(entry.name, Buffer.concat(chunks));
				}

				next();
			});
			stream.on('error', reject);
		});
		extract.on('finish', () => resolve({bytes, entries, kept}));
		extract.on('error', reject);
		counter.on('error', reject);
		source.on('error', reject);
		source.pipe(counter).pipe(extract);
	});
}

/** The entries of one layer tar from a save archive (gzip-compressed layers are unpacked first). */
export async function layerEntries(layer: Buffer): Promise<TarEntry[]> {
	const isGzip = layer[0] === 0x1f && layer[1] === 0x8b;
	const summary = await readSaveStream(bufferStream(isGzip ? gunzipSync(layer) : layer), () => false);
	return summary.entries;
}

/** Sum of the sizes of regular files: what a layer really adds (links and whiteouts are 0). */
export function regularBytes(entries: readonly TarEntry[]): number {
	return entries.filter((entry) => entry.type === 'file').reduce((sum, entry) => sum + entry.size, 0);
}

function toEntry(header: Header): TarEntry {
	return {
		name: header.name,
		type: header.type,
		size: header.size,
		mode: header.mode,
		// tar-stream gives null for entries without a link target.
		linkname: header.linkname || undefined,
	};
}

function bufferStream(buffer: Buffer): NodeJS.ReadableStream {
	return Readable.from([buffer]);
}
