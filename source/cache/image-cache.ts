import {createHash} from 'node:crypto';
import {homedir} from 'node:os';
import {basename, join} from 'node:path';
import {finishStack, type IncrementalStack, type PathTree, stackLayers} from '../engine/index.js';
import type {ImageSource, LoadProgress, ParsedLayer, RawImage} from '../image/types.js';
import {toolVersion} from '../shared/version.js';
import {writeFileAtomic} from '../shared/write-atomic.js';
import {
	cacheMaxBytes,
	cacheSeal,
	cacheSealBytes,
	evictCacheFiles,
	isSealed,
	prepareCacheDirectory,
	readCacheFile,
} from './cache-files.js';
import {
	CorruptCacheError,
	columnOffsets,
	decodeLayer,
	decodeTree,
	encodeLayer,
	encodeTree,
	padding,
} from './column-codec.js';
import {type Header, headerShape} from './image-cache-header.js';

/**
The analysis cache: the RawImage (tar headers, config, captured evidence; never file contents) of an image
already read, so opening it again skips the read. Entries are stored as the columns they are in memory
(EntryColumns: one typed array per numeric field, the paths and link targets as joined text), so a
re-open copies arrays instead of building objects: a 100k-file image decodes in milliseconds.

Bump `imageCacheFormatVersion` whenever the encoding or RawImage changes: it is part of the file name and
of the header, so an upgraded layerlens never reads an old entry. The header also names the image key and
the tool version the file was written for, and the file ends in its seal (see cache-files.ts), checked
before the header is read; every header field and every column value is then checked against its type and
range, so nothing in the file reaches the analysis unless it could have come from a real read.
Which files are captured as evidence is part of RawImage too (6: PHP ini files, Perl scripts, apt's
extended_states; 7: the diversions, node_modules manifests, Python RECORDs), so a change to that list bumps the version as well.
8: a layer's columns in the order of EntryColumns' column spec (toStored/fromStored), the link rows after them.
*/
export const imageCacheFormatVersion = 8;

const magic = 'LLCACHE\n';
const checksumBytes = cacheSealBytes;

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
	/** The stacked tree, when it was stored with the entries: a re-open then reads it instead of stacking. */
	tree?: PathTree;
};

/**
The cache file of image key `key`: magic, header length, JSON header, the columns of every layer (and of
the tree), and the seal of all before it.
*/
export function encodeCachedImage(
	key: string,
	raw: RawImage,
	sourceState: readonly string[],
	tree?: PathTree,
	env: NodeJS.ProcessEnv = process.env,
): Buffer {
	const {layers, ...image} = raw;
	const stored = layers.map((layer) => layer.entries.toStored());
	const bodies: Uint8Array[][] = stored.map(encodeLayer);
	const encodedTree = tree === undefined ? undefined : encodeTree(tree);
	if (encodedTree !== undefined) bodies.push(encodedTree.body);
	const header: Header = {
		version: imageCacheFormatVersion,
		key,
		toolVersion,
		image,
		layers: layers.map(({entries, ...rest}, index) => ({
			...rest,
			count: entries.count,
			columns: bodies[index]!.map((column) => column.byteLength),
			exec: stored[index]!.execs,
		})),
		sourceState: [...sourceState],
		...(encodedTree === undefined ? {} : {tree: encodedTree.header}),
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
	return Buffer.concat([content, cacheSeal(content, key, env)]);
}

/**
The inverse of `encodeCachedImage` for the file of image key `key`; throws a CorruptCacheError on anything
that does not check out (the caller treats it as a miss). The seal is checked before anything is parsed.
*/
export function decodeCachedImage(
	bytes: Buffer,
	key: string,
	env: NodeJS.ProcessEnv = process.env,
): CachedImage {
	if (
		bytes.length < magic.length + 4 + checksumBytes ||
		bytes.toString('latin1', 0, magic.length) !== magic
	) {
		throw new CorruptCacheError('not a layerlens cache file');
	}

	const contentEnd = bytes.length - checksumBytes;
	if (!isSealed(bytes.subarray(0, contentEnd), bytes.subarray(contentEnd), key, env)) {
		throw new CorruptCacheError('checksum mismatch');
	}

	const headerLength = bytes.readUInt32LE(magic.length);
	const headerStart = magic.length + 4;
	if (headerStart + headerLength > contentEnd) {
		throw new CorruptCacheError('header runs past the end');
	}

	let header: unknown;
	try {
		header = JSON.parse(bytes.toString('utf8', headerStart, headerStart + headerLength));
	} catch {
		throw new CorruptCacheError('header is not JSON');
	}

	if (!headerShape(header)) {
		throw new CorruptCacheError('bad header');
	}

	if (header.version !== imageCacheFormatVersion || header.toolVersion !== toolVersion) {
		throw new CorruptCacheError('other format version');
	}

	if (header.key !== key) {
		throw new CorruptCacheError('another image');
	}

	let offset = headerStart + headerLength;
	offset += padding(offset);
	const layers: ParsedLayer[] = [];
	for (const layerHeader of header.layers) {
		const {entries, end} = decodeLayer(bytes, offset, layerHeader);
		const {count: _count, columns: _columns, exec: _exec, ...layer} = layerHeader;
		layers.push({...layer, entries});
		offset = end;
	}

	let tree: PathTree | undefined;
	if (header.tree !== undefined) {
		tree = decodeTree(bytes, offset, header.tree, layers);
		offset = columnOffsets(offset, header.tree.columns).end;
	}

	if (offset !== contentEnd) {
		throw new CorruptCacheError('bytes beyond the last column');
	}

	return {
		raw: {...header.image, layers},
		sourceState: header.sourceState,
		...(tree === undefined ? {} : {tree}),
	};
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
		return decodeCachedImage(bytes, key, env);
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
	tree?: PathTree,
): Promise<boolean> {
	try {
		const bytes = encodeCachedImage(key, raw, sourceState, tree, env);
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
	/**
	The layers stacked while the read went on (the explorer's layers-first view fills it from the progress):
	a read finishes this stack, stacking only the layers not in it yet, rather than stacking them all again.
	*/
	stack?: IncrementalStack;
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
	return (await loadImageModel(source, await imageCacheKey(source, options), options)).raw;
}

/** An image as the engine holds it, whatever its source: the layers as read and the tree they stack into. */
export type ImageModel = {
	raw: RawImage;
	tree: PathTree;
};

/**
The image store: always the complete model, read and stacked, or restored from the analysis cache under
`fullKey` (see `imageCacheKey`; undefined: no caching). After a read, the layers are stacked once (on
`options.stack` when the read filled it) and stored with their tree, so a re-open reads both and stacks nothing.
*/
export async function loadImageModel(
	source: ImageSource,
	fullKey: string | undefined,
	options: Omit<CachedLoadOptions, 'cache'>,
): Promise<ImageModel> {
	const loadOptions = {
		...(options.onProgress ? {onProgress: options.onProgress} : {}),
		...(options.signal ? {signal: options.signal} : {}),
	};
	if (fullKey === undefined) {
		const raw = await source.load(loadOptions);
		return {raw, tree: finishStack(raw.layers, options.stack)};
	}

	const directory = imageCacheDirectory(options.env);
	const cached = await readCachedImage(directory, fullKey, options.env);
	if (cached !== undefined && source.restoreCacheState !== undefined) {
		source.restoreCacheState(cached.sourceState);
		const layersTotal = cached.raw.layers.length;
		options.onProgress?.({bytesRead: 0, layersDone: layersTotal, layersTotal});
		const raw = options.reference === undefined ? cached.raw : {...cached.raw, reference: options.reference};
		// A file written without its tree (never by this version, but the format allows it) is stacked here.
		return {raw, tree: cached.tree ?? stackLayers(raw.layers)};
	}

	const raw = await source.load(loadOptions);
	const tree = finishStack(raw.layers, options.stack);
	// A load the user walked away from writes nothing after the process was told to stop.
	if (!options.signal?.aborted) {
		await writeCachedImage(directory, fullKey, raw, source.cacheState?.() ?? [], options.env, tree);
	}

	return {raw, tree};
}
