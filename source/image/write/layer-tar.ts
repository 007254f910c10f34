import {Readable} from 'node:stream';
import tar from 'tar-stream';
import {fillerChunks, fillerKey} from './filler.js';
import type {FileSpec, LayerSpec} from './image-spec.js';

/** 2024-01-01T00:00:00Z: a fixed default so archives are byte-identical run to run. */
export const defaultMtimeSeconds = 1_704_067_200;

/** The largest id the 8-byte octal ustar field holds; bigger ids go into a PAX record. */
const maxOctalId = 0o7777777;

type TarType = tar.Header['type'];
type TarHeader = Partial<tar.Header> & {name: string; pax?: Record<string, string>};

const tarTypes: Record<NonNullable<FileSpec['type']>, TarType> = {
	file: 'file',
	dir: 'directory',
	symlink: 'symlink',
	hardlink: 'link',
	whiteout: 'file',
	opaque: 'file',
	fifo: 'fifo',
	char: 'character-device',
	block: 'block-device',
};

function splitPath(path: string): {dir: string; name: string} {
	const trimmed = path.replace(/\/+$/, '');
	const slash = trimmed.lastIndexOf('/');
	return slash === -1
		? {dir: '', name: trimmed}
		: {dir: trimmed.slice(0, slash + 1), name: trimmed.slice(slash + 1)};
}

/** The name as it is written in the tar: whiteouts and opaque markers get their overlay names. */
export function tarNameOf(file: FileSpec): string {
	if (file.rawName !== undefined) {
		return file.rawName;
	}

	const path = file.path.replace(/^\/+/, '');
	switch (file.type) {
		case 'whiteout': {
			const {dir, name} = splitPath(path);
			return `${dir}.wh.${name}`;
		}

		case 'opaque': {
			return `${path.replace(/\/+$/, '')}/.wh..wh..opq`;
		}

		case 'dir': {
			return path.endsWith('/') ? path : `${path}/`;
		}

		default: {
			return path;
		}
	}
}

function defaultMode(type: FileSpec['type']): number {
	if (type === 'dir') {
		return 0o755;
	}

	return type === 'symlink' ? 0o777 : 0o644;
}

function contentBytes(file: FileSpec): Uint8Array | undefined {
	if (file.content === undefined) {
		return undefined;
	}

	return typeof file.content === 'string' ? Buffer.from(file.content) : file.content;
}

/** Size of a file's content as written: only regular files carry content. */
export function contentSize(file: FileSpec): number {
	const type = file.type ?? 'file';
	if (type !== 'file') {
		return 0;
	}

	return contentBytes(file)?.byteLength ?? file.size ?? 0;
}

function headerOf(file: FileSpec): TarHeader {
	const type = file.type ?? 'file';
	const uid = file.uid ?? 0;
	const gid = file.gid ?? 0;
	const pax: Record<string, string> = {};
	if (uid > maxOctalId) {
		pax.uid = String(uid);
	}

	if (gid > maxOctalId) {
		pax.gid = String(gid);
	}

	const header: TarHeader = {
		name: tarNameOf(file),
		type: tarTypes[type],
		size: contentSize(file),
		mode: file.mode ?? defaultMode(type),
		uid: uid > maxOctalId ? 0 : uid,
		gid: gid > maxOctalId ? 0 : gid,
		mtime: new Date((file.mtime ?? defaultMtimeSeconds) * 1000),
		...(file.linkTarget === undefined ? {} : {linkname: file.linkTarget}),
	};
	if (Object.keys(pax).length > 0) {
		header.pax = pax;
	}

	return header;
}

function writeEntry(pack: tar.Pack, file: FileSpec): Promise<void> {
	return new Promise((resolve, reject) => {
		const header = headerOf(file);
		const done = (error?: Error | null) => (error ? reject(error) : resolve());
		const bytes = contentBytes(file);
		if (bytes !== undefined && (file.type ?? 'file') === 'file') {
			pack.entry(header, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), done);
			return;
		}

		const sink = pack.entry(header, done);
		if (header.type !== 'file' || header.size === 0) {
			sink.end(undefined);
			return;
		}

		const chunks = fillerChunks(fillerKey(file.path, file.seed), header.size ?? 0);
		// Write filler as the pack drains so a huge file never sits in memory.
		const pump = (): void => {
			for (let next = chunks.next(); !next.done; next = chunks.next()) {
				if (!sink.write(next.value)) {
					sink.once('drain', pump);
					return;
				}
			}

			sink.end(undefined);
		};

		pump();
	});
}

/** A streamed, deterministic tar of one layer. */
export function createLayerTarStream(layer: LayerSpec): Readable {
	if (layer.rawTar !== undefined) {
		return Readable.from([Buffer.from(layer.rawTar)], {objectMode: false});
	}

	const pack = tar.pack();
	const writeAll = async (): Promise<void> => {
		for (const file of layer.files) {
			await writeEntry(pack, file);
		}

		pack.finalize();
	};

	writeAll().catch((error: unknown) => pack.destroy(error as Error));
	// A node stream for callers; tar-stream's own is a streamx stream.
	return Readable.from(pack, {objectMode: false});
}
