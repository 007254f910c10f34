import {createHash} from 'node:crypto';
import {homedir} from 'node:os';
import {basename, join} from 'node:path';
import {contentHashLength} from '../image/content-hash.js';
import type {
	EntryType,
	ExecInfo,
	ImageSource,
	LoadProgress,
	ParsedLayer,
	RawImage,
	TarEntry,
} from '../image/types.js';
import {writeFileAtomic} from '../write-atomic.js';
import {cacheMaxBytes, evictCacheFiles, prepareCacheDirectory, readCacheFile} from './cache-files.js';

/**
The analysis cache: the RawImage (tar headers, config, captured evidence; never file contents) of an image
already read, so opening it again skips the read. Entries are stored column by column per layer (one
typed array per numeric field, one joined string per text field), which decodes a 100k-file image in
tens of milliseconds instead of the seconds JSON.parse of 100k objects takes.

Bump `imageCacheFormatVersion` whenever the encoding or RawImage changes: it is part of the file name and
of the header, so an upgraded layerlens never reads an old entry.
*/
export const imageCacheFormatVersion = 3;

const magic = 'LLCACHE\n';
const checksumBytes = 32;
/** Every entry type, in a fixed order: a type is stored as its index here. */
const entryTypes: readonly EntryType[] = [
	'file',
	'dir',
	'symlink',
	'hardlink',
	'char',
	'block',
	'fifo',
	'whiteout',
	'opaque',
];
const hashLength = contentHashLength;
const hasHash = 1;
const hasLink = 2;
const separator = '\0';

/** `$XDG_CACHE_HOME/layerlens`, else `~/.cache/layerlens`. */
export function imageCacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
	const root =
		env.XDG_CACHE_HOME && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
	return join(root, 'layerlens');
}

/** The file of one cache key: the format version is in the name so versions never collide. */
export function imageCachePath(directory: string, key: string): string {
	const digest = createHash('sha256').update(key).digest('hex').slice(0, 40);
	return join(directory, `v${imageCacheFormatVersion}-${digest}.bin`);
}

export type CachedImage = {
	raw: RawImage;
	/** What the source needs to serve `readFile` without loading again (see `ImageSource.cacheState`). */
	sourceState: string[];
};

/**
`exec`: what the few ELF files and scripts need to run, sparse, as [entry index, ExecInfo] pairs: a
layer has thousands of them at most against a hundred thousand entries, so no column.
*/
type LayerHeader = Omit<ParsedLayer, 'entries'> & {
	count: number;
	columns: number[];
	exec: [number, ExecInfo][];
};

type Header = {
	version: number;
	image: Omit<RawImage, 'layers'>;
	layers: LayerHeader[];
	sourceState: string[];
};

/** Column order in the body of every layer; `columns` in the header holds each one's byte length. */
type Columns = {
	types: Uint8Array;
	flags: Uint8Array;
	modes: Uint16Array;
	sizes: Float64Array;
	uids: Float64Array;
	gids: Float64Array;
	mtimes: Float64Array;
	paths: Buffer;
	links: Buffer;
	hashes: Buffer;
};

class UncacheableError extends Error {}

function encodeLayer(entries: readonly TarEntry[]): Columns {
	const count = entries.length;
	const columns = {
		types: new Uint8Array(count),
		flags: new Uint8Array(count),
		modes: new Uint16Array(count),
		sizes: new Float64Array(count),
		uids: new Float64Array(count),
		gids: new Float64Array(count),
		mtimes: new Float64Array(count),
	};
	const paths: string[] = new Array(count);
	const links: string[] = [];
	const hashes: string[] = [];
	for (let index = 0; index < count; index++) {
		const entry = entries[index]!;
		const type = entryTypes.indexOf(entry.type);
		if (type === -1 || entry.path.includes(separator) || entry.mode > 0xffff) {
			throw new UncacheableError(`entry ${entry.path} cannot be encoded`);
		}

		columns.types[index] = type;
		columns.modes[index] = entry.mode;
		columns.sizes[index] = entry.size;
		columns.uids[index] = entry.uid;
		columns.gids[index] = entry.gid;
		columns.mtimes[index] = entry.mtime;
		paths[index] = entry.path;
		let flags = 0;
		if (entry.hash !== undefined) {
			if (entry.hash.length !== hashLength || !/^[\da-f]+$/.test(entry.hash)) {
				throw new UncacheableError(`hash of ${entry.path} cannot be encoded`);
			}

			flags |= hasHash;
			hashes.push(entry.hash);
		}

		if (entry.linkTarget !== undefined) {
			if (entry.linkTarget.includes(separator)) {
				throw new UncacheableError(`link of ${entry.path} cannot be encoded`);
			}

			flags |= hasLink;
			links.push(entry.linkTarget);
		}

		columns.flags[index] = flags;
	}

	return {
		...columns,
		paths: Buffer.from(paths.join(separator), 'utf8'),
		links: Buffer.from(links.join(separator), 'utf8'),
		hashes: Buffer.from(hashes.join(''), 'latin1'),
	};
}

function execList(entries: readonly TarEntry[]): [number, ExecInfo][] {
	const list: [number, ExecInfo][] = [];
	for (let index = 0; index < entries.length; index++) {
		const exec = entries[index]!.exec;
		if (exec !== undefined) list.push([index, exec]);
	}

	return list;
}

/** The stored pairs back onto their entries; anything out of shape is a corrupt file. */
function applyExecList(entries: TarEntry[], list: unknown): void {
	if (!Array.isArray(list)) {
		throw new CorruptCacheError('bad exec list');
	}

	for (const pair of list) {
		const [index, exec] = Array.isArray(pair) ? (pair as unknown[]) : [];
		const entry = Number.isInteger(index) ? entries[index as number] : undefined;
		const kind = (exec as {kind?: unknown} | null | undefined)?.kind;
		if (entry === undefined || typeof exec !== 'object' || (kind !== 'elf' && kind !== 'script')) {
			throw new CorruptCacheError('bad exec entry');
		}

		entry.exec = exec as ExecInfo;
	}
}

function columnList(columns: Columns): Uint8Array[] {
	const {types, flags, modes, sizes, uids, gids, mtimes, paths, links, hashes} = columns;
	return [sizes, uids, gids, mtimes, modes, types, flags, paths, links, hashes].map(
		(column) => new Uint8Array(column.buffer, column.byteOffset, column.byteLength),
	);
}

/** Pads to 8 bytes so the Float64 columns can be viewed in place when decoding. */
function padding(length: number): number {
	return (8 - (length % 8)) % 8;
}

/** The cache file: magic, header length, JSON header, the columns of every layer, SHA-256 of all before it. */
export function encodeCachedImage(raw: RawImage, sourceState: readonly string[]): Buffer {
	const {layers, ...image} = raw;
	const bodies: Uint8Array[][] = layers.map((layer) => columnList(encodeLayer(layer.entries)));
	const header: Header = {
		version: imageCacheFormatVersion,
		image,
		layers: layers.map(({entries, ...rest}, index) => ({
			...rest,
			count: entries.length,
			columns: bodies[index]!.map((column) => column.byteLength),
			exec: execList(entries),
		})),
		sourceState: [...sourceState],
	};
	const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
	const prefix = Buffer.alloc(magic.length + 4);
	prefix.write(magic, 0, 'latin1');
	prefix.writeUInt32LE(headerBytes.length, magic.length);
	const parts: Uint8Array[] = [prefix, headerBytes];
	let length = prefix.length + headerBytes.length;
	const pad = (): void => {
		const extra = padding(length);
		if (extra > 0) {
			parts.push(new Uint8Array(extra));
			length += extra;
		}
	};

	pad();
	for (const body of bodies) {
		for (const column of body) {
			parts.push(column);
			length += column.byteLength;
			pad();
		}
	}

	const content = Buffer.concat(parts, length);
	const checksum = createHash('sha256').update(content).digest();
	return Buffer.concat([content, checksum]);
}

class CorruptCacheError extends Error {}

function view<T>(
	bytes: Buffer,
	offset: number,
	length: number,
	make: (buffer: ArrayBuffer, offset: number, count: number) => T,
	width: number,
): T {
	if (length % width !== 0 || offset + length > bytes.length - checksumBytes) {
		throw new CorruptCacheError('column out of bounds');
	}

	const absolute = bytes.byteOffset + offset;
	if (absolute % width === 0) {
		return make(bytes.buffer as ArrayBuffer, absolute, length / width);
	}

	const copy = new Uint8Array(length);
	copy.set(bytes.subarray(offset, offset + length));
	return make(copy.buffer, 0, length / width);
}

function splitText(bytes: Buffer, offset: number, length: number, expected: number): string[] {
	if (expected === 0) {
		return [];
	}

	const parts = bytes.toString('utf8', offset, offset + length).split(separator);
	if (parts.length !== expected) {
		throw new CorruptCacheError('text column has the wrong count');
	}

	return parts;
}

function decodeLayer(bytes: Buffer, start: number, layer: LayerHeader): {entries: TarEntry[]; end: number} {
	const count = layer.count;
	const lengths = layer.columns;
	if (!Array.isArray(lengths) || lengths.length !== 10 || !Number.isInteger(count) || count < 0) {
		throw new CorruptCacheError('bad layer header');
	}

	const offsets: number[] = [];
	let offset = start;
	for (const length of lengths) {
		offsets.push(offset);
		offset += length + padding(offset + length);
	}

	if (offset > bytes.length - checksumBytes) {
		throw new CorruptCacheError('layer runs past the end');
	}

	const float = (buffer: ArrayBuffer, at: number, n: number): Float64Array => new Float64Array(buffer, at, n);
	const sizes = view(bytes, offsets[0]!, lengths[0]!, float, 8);
	const uids = view(bytes, offsets[1]!, lengths[1]!, float, 8);
	const gids = view(bytes, offsets[2]!, lengths[2]!, float, 8);
	const mtimes = view(bytes, offsets[3]!, lengths[3]!, float, 8);
	const modes = view(bytes, offsets[4]!, lengths[4]!, (buffer, at, n) => new Uint16Array(buffer, at, n), 2);
	const types = view(bytes, offsets[5]!, lengths[5]!, (buffer, at, n) => new Uint8Array(buffer, at, n), 1);
	const flags = view(bytes, offsets[6]!, lengths[6]!, (buffer, at, n) => new Uint8Array(buffer, at, n), 1);
	for (const column of [sizes, uids, gids, mtimes, modes, types, flags]) {
		if (column.length !== count) throw new CorruptCacheError('column has the wrong count');
	}

	let linkCount = 0;
	let hashCount = 0;
	for (let index = 0; index < count; index++) {
		if ((flags[index]! & hasLink) !== 0) linkCount++;
		if ((flags[index]! & hasHash) !== 0) hashCount++;
	}

	const paths = splitText(bytes, offsets[7]!, lengths[7]!, count);
	const links = splitText(bytes, offsets[8]!, lengths[8]!, linkCount);
	if (lengths[9] !== hashCount * hashLength) {
		throw new CorruptCacheError('hash column has the wrong length');
	}

	const hashes = bytes.toString('latin1', offsets[9]!, offsets[9]! + lengths[9]!);
	const entries: TarEntry[] = new Array(count);
	let link = 0;
	let hash = 0;
	for (let index = 0; index < count; index++) {
		const type = entryTypes[types[index]!];
		if (type === undefined) throw new CorruptCacheError('unknown entry type');
		const entry: TarEntry = {
			path: paths[index]!,
			type,
			size: sizes[index]!,
			mode: modes[index]!,
			uid: uids[index]!,
			gid: gids[index]!,
			mtime: mtimes[index]!,
		};
		const flag = flags[index]!;
		if ((flag & hasLink) !== 0) entry.linkTarget = links[link++]!;
		if ((flag & hasHash) !== 0) {
			entry.hash = hashes.slice(hash * hashLength, (hash + 1) * hashLength);
			hash++;
		}

		entries[index] = entry;
	}

	return {entries, end: offset};
}

/** The inverse of `encodeCachedImage`; throws on anything that does not check out (treated as a miss). */
export function decodeCachedImage(bytes: Buffer): CachedImage {
	if (
		bytes.length < magic.length + 4 + checksumBytes ||
		bytes.toString('latin1', 0, magic.length) !== magic
	) {
		throw new CorruptCacheError('not a layerlens cache file');
	}

	const content = bytes.subarray(0, bytes.length - checksumBytes);
	const checksum = createHash('sha256').update(content).digest();
	if (!checksum.equals(bytes.subarray(bytes.length - checksumBytes))) {
		throw new CorruptCacheError('checksum mismatch');
	}

	const headerLength = bytes.readUInt32LE(magic.length);
	const headerStart = magic.length + 4;
	const header = JSON.parse(bytes.toString('utf8', headerStart, headerStart + headerLength)) as Header;
	if (header.version !== imageCacheFormatVersion || !Array.isArray(header.layers)) {
		throw new CorruptCacheError('other format version');
	}

	let offset = headerStart + headerLength;
	offset += padding(offset);
	const layers: ParsedLayer[] = [];
	for (const layerHeader of header.layers) {
		const {entries, end} = decodeLayer(bytes, offset, layerHeader);
		const {count: _count, columns: _columns, exec, ...layer} = layerHeader;
		applyExecList(entries, exec);
		layers.push({...layer, entries});
		offset = end;
	}

	return {raw: {...header.image, layers}, sourceState: header.sourceState ?? []};
}

/**
A cached image, or undefined when there is none or it cannot be read (a corrupt entry is never fatal). Read
through readCacheFile: only the user's own regular file, at most the cache's size cap.
*/
export async function readCachedImage(
	directory: string,
	key: string,
	env: NodeJS.ProcessEnv = process.env,
): Promise<CachedImage | undefined> {
	const bytes = await readCacheFile(directory, basename(imageCachePath(directory, key)), cacheMaxBytes(env));
	if (bytes === undefined) {
		return undefined;
	}

	try {
		return decodeCachedImage(bytes);
	} catch {
		return undefined;
	}
}

/** Store an image; failures (read-only home, full disk, an image that cannot be encoded) are ignored. */
export async function writeCachedImage(
	directory: string,
	key: string,
	raw: RawImage,
	sourceState: readonly string[],
	env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
	try {
		const bytes = encodeCachedImage(raw, sourceState);
		const maxBytes = cacheMaxBytes(env);
		if (bytes.length > maxBytes || !(await prepareCacheDirectory(directory))) {
			return false;
		}

		await writeFileAtomic(imageCachePath(directory, key), bytes, {replaceSpecialFiles: true});
		await evictCacheFiles(directory, maxBytes);
		return true;
	} catch {
		return false;
	}
}

export type CachedLoadOptions = {
	/** False with `--no-cache`: neither read nor write. */
	cache: boolean;
	/** What the user asked for; a cached image answers to the name it is opened by now. */
	reference?: string;
	onProgress?: (progress: LoadProgress) => void;
	signal?: AbortSignal;
	env?: NodeJS.ProcessEnv;
};

/** What the cache files of a source's content are named after; undefined with `--no-cache` or when the source cannot name its content. */
export async function imageCacheKey(
	source: ImageSource,
	options: Pick<CachedLoadOptions, 'cache'>,
): Promise<string | undefined> {
	const key = options.cache && source.cacheKey !== undefined ? await source.cacheKey() : undefined;
	return key === undefined ? undefined : `layerlens-cache v${imageCacheFormatVersion}\n${key}`;
}

/** `source.load()`, answered from the cache when the source can name its content and the cache has it. */
export async function loadWithCache(source: ImageSource, options: CachedLoadOptions): Promise<RawImage> {
	return loadWithCacheKey(source, await imageCacheKey(source, options), options);
}

/** `loadWithCache` for a caller that already has the key from `imageCacheKey` (undefined: no cache). */
export async function loadWithCacheKey(
	source: ImageSource,
	fullKey: string | undefined,
	options: Omit<CachedLoadOptions, 'cache'>,
): Promise<RawImage> {
	const loadOptions = {
		...(options.onProgress ? {onProgress: options.onProgress} : {}),
		...(options.signal ? {signal: options.signal} : {}),
	};
	if (fullKey === undefined) {
		return source.load(loadOptions);
	}

	const directory = imageCacheDirectory(options.env);
	const cached = await readCachedImage(directory, fullKey, options.env);
	if (cached !== undefined && source.restoreCacheState !== undefined) {
		source.restoreCacheState(cached.sourceState);
		const layersTotal = cached.raw.layers.length;
		options.onProgress?.({bytesRead: 0, layersDone: layersTotal, layersTotal});
		return options.reference === undefined ? cached.raw : {...cached.raw, reference: options.reference};
	}

	const raw = await source.load(loadOptions);
	// A load the user walked away from writes nothing after the process was told to stop.
	if (!options.signal?.aborted) {
		await writeCachedImage(directory, fullKey, raw, source.cacheState?.() ?? [], options.env);
	}
	return raw;
}
