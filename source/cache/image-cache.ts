import {createHash} from 'node:crypto';
import {homedir} from 'node:os';
import {basename, join} from 'node:path';
import {
	EntryColumns,
	PathTree,
	type StoredColumnName,
	type StoredEntries,
	StoredEntriesError,
	StoredTreeError,
	stackLayers,
	storedEntryColumns,
} from '../engine/index.js';
import type {GoModule} from '../image/formats/go-build-info.js';
import type {
	CapturedFile,
	ExecInfo,
	HistoryRecord,
	ImageSource,
	ImageSourceKind,
	LoadProgress,
	ParsedLayer,
	RawImage,
	RuntimeConfig,
} from '../image/types.js';
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
	arrayOf,
	count,
	either,
	flag,
	object,
	oneOf,
	optional,
	recordOf,
	type Shape,
	text,
	tupleOf,
} from './cache-shape.js';

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
	/** The stacked tree, when it was stored with the entries: a re-open then reads it instead of stacking. */
	tree?: PathTree;
};

/**
`exec`: what the few ELF files and scripts need to run, sparse, as [row, ExecInfo] pairs: a layer has
thousands of them at most against a hundred thousand entries, so no column.
*/
type LayerHeader = Omit<ParsedLayer, 'entries'> & {
	count: number;
	columns: number[];
	exec: [number, ExecInfo][];
};

/** The stacked tree's columns follow the layers' bodies, in `treeColumnOrder`; `columns` holds their byte lengths. */
type TreeHeader = {
	nodeCount: number;
	versionCount: number;
	layerNodeCounts: number[];
	removals: Array<[number, number[]]>;
	columns: number[];
};

type Header = {
	version: number;
	/** The image key the file was written for: another image's file copied under this name is refused. */
	key: string;
	toolVersion: string;
	image: Omit<RawImage, 'layers'>;
	layers: LayerHeader[];
	sourceState: string[];
	tree?: TreeHeader;
};

const stringList = arrayOf(text);

export const sourceKindShape: Shape<ImageSourceKind> = oneOf(
	'docker',
	'podman',
	'docker-archive',
	'oci-archive',
	'oci-dir',
	'registry',
	'demo',
);

export const runtimeConfigShape = object<RuntimeConfig>({
	env: stringList,
	cmd: optional(stringList),
	entrypoint: optional(stringList),
	workingDir: optional(text),
	user: optional(text),
	exposedPorts: stringList,
	labels: recordOf(text),
	volumes: stringList,
	stopSignal: optional(text),
	shell: optional(stringList),
	healthcheck: optional(stringList),
});

const execShape: Shape<ExecInfo> = either(
	object<Extract<ExecInfo, {kind: 'elf'}>>({
		kind: oneOf('elf'),
		bits: oneOf(32, 64),
		machine: count,
		type: oneOf('exec', 'dyn', 'other'),
		interpreter: optional(text),
		needed: stringList,
		runpath: stringList,
		soname: optional(text),
		incomplete: optional(flag),
		goModule: optional(object<GoModule>({path: text, version: text})),
	}),
	object<Extract<ExecInfo, {kind: 'script'}>>({
		kind: oneOf('script'),
		interpreter: text,
		argument: optional(text),
	}),
);

const layerHeaderShape = object<LayerHeader>({
	diffId: text,
	declaredDiffId: optional(text),
	digest: optional(text),
	mediaType: optional(text),
	compression: oneOf('none', 'gzip', 'zstd'),
	compressedSizeBytes: optional(count),
	tarSizeBytes: count,
	captured: arrayOf(object<CapturedFile>({path: text, text, truncated: flag})),
	count,
	columns: arrayOf(count),
	exec: arrayOf(tupleOf(count, execShape)),
});

const treeHeaderShape = object<TreeHeader>({
	nodeCount: count,
	versionCount: count,
	layerNodeCounts: arrayOf(count),
	removals: arrayOf(tupleOf(count, arrayOf(count))),
	columns: arrayOf(count),
});

const headerShape = object<Header>({
	version: count,
	key: text,
	toolVersion: text,
	image: object<Header['image']>({
		reference: text,
		id: text,
		source: sourceKindShape,
		os: text,
		architecture: text,
		variant: optional(text),
		created: optional(text),
		repoTags: stringList,
		config: runtimeConfigShape,
		history: arrayOf(
			object<HistoryRecord>({
				created: optional(text),
				createdBy: optional(text),
				comment: optional(text),
				author: optional(text),
				emptyLayer: flag,
			}),
		),
		diffIds: stringList,
		warnings: stringList,
	}),
	layers: arrayOf(layerHeaderShape),
	sourceState: stringList,
	tree: optional(treeHeaderShape),
});

/** The tree's body: its node and version columns, every layer's touched nodes end to end, the versionless paths. */
function encodeTree(tree: PathTree): {header: TreeHeader; body: Uint8Array[]} {
	const stored = tree.toStored();
	for (const path of stored.versionlessPaths) {
		if (path.includes(separator)) throw new UncacheableError(`path ${path} cannot be encoded`);
	}

	const layerNodes = new Int32Array(stored.layerNodes.reduce((sum, list) => sum + list.length, 0));
	let at = 0;
	for (const list of stored.layerNodes) {
		layerNodes.set(list, at);
		at += list.length;
	}

	const body = [
		bytesOf(stored.parents),
		bytesOf(stored.firstChild),
		bytesOf(stored.lastChild),
		bytesOf(stored.nextSibling),
		bytesOf(stored.lastVersion),
		bytesOf(stored.versionNode),
		bytesOf(stored.versionLayer),
		bytesOf(stored.versionRow),
		bytesOf(stored.hiddenBy),
		bytesOf(stored.previousVersion),
		bytesOf(layerNodes),
		bytesOf(stored.versionKind),
		bytesOf(stored.hideCause),
		Buffer.from(stored.versionlessPaths.join(separator), 'utf8'),
	];
	return {
		header: {
			nodeCount: stored.nodeCount,
			versionCount: stored.versionCount,
			layerNodeCounts: stored.layerNodes.map((list) => list.length),
			removals: stored.removals,
			columns: body.map((column) => column.byteLength),
		},
		body,
	};
}

function decodeTree(bytes: Buffer, start: number, header: TreeHeader, layers: ParsedLayer[]): PathTree {
	const lengths = header.columns;
	if (
		lengths.length !== 14 ||
		header.layerNodeCounts.length !== layers.length ||
		header.removals.some(([, removedIn]) => removedIn.some((layer) => layer >= layers.length))
	) {
		throw new CorruptCacheError('bad tree header');
	}

	const {offsets, end} = columnOffsets(start, lengths);
	if (end > bytes.length - checksumBytes) {
		throw new CorruptCacheError('tree runs past the end');
	}

	const int32 = (index: number): Int32Array =>
		column(bytes, offsets[index]!, lengths[index]!, (buffer, n) => new Int32Array(buffer, 0, n), 4);
	const uint8 = (index: number): Uint8Array =>
		column(bytes, offsets[index]!, lengths[index]!, (buffer, n) => new Uint8Array(buffer, 0, n), 1);
	const allLayerNodes = int32(10);
	const layerNodes: Int32Array[] = [];
	let at = 0;
	for (const count of header.layerNodeCounts) {
		if (!Number.isInteger(count) || count < 0 || at + count > allLayerNodes.length) {
			throw new CorruptCacheError('bad layer node counts');
		}

		layerNodes.push(allLayerNodes.slice(at, at + count));
		at += count;
	}

	const text = bytes.toString('utf8', offsets[13]!, offsets[13]! + lengths[13]!);
	try {
		return PathTree.fromStored(
			layers.map((layer) => layer.entries),
			{
				nodeCount: header.nodeCount,
				versionCount: header.versionCount,
				parents: int32(0),
				firstChild: int32(1),
				lastChild: int32(2),
				nextSibling: int32(3),
				lastVersion: int32(4),
				versionNode: int32(5),
				versionLayer: int32(6),
				versionRow: int32(7),
				hiddenBy: int32(8),
				previousVersion: int32(9),
				layerNodes,
				versionKind: uint8(11),
				hideCause: uint8(12),
				removals: header.removals,
				versionlessPaths: text.split(separator),
			},
		);
	} catch (error) {
		if (error instanceof StoredTreeError) throw new CorruptCacheError(error.message);
		throw error;
	}
}

class UncacheableError extends Error {}

const bytesOf = (column: ArrayBufferView): Uint8Array =>
	new Uint8Array(column.buffer, column.byteOffset, column.byteLength);

/**
One layer's body: its stored numeric columns in the spec's order (see entryColumnSpec), the rows that have a
link target, then the paths and the link targets (NUL-joined).
*/
function encodeLayer(stored: StoredEntries): Uint8Array[] {
	for (const path of stored.paths) {
		if (path.includes(separator)) throw new UncacheableError(`entry ${path} cannot be encoded`);
	}

	for (const target of stored.links) {
		if (target.includes(separator)) throw new UncacheableError(`a link target cannot be encoded`);
	}

	return [
		...storedEntryColumns.map(({name}) => bytesOf(stored.columns[name])),
		bytesOf(stored.linkRows),
		Buffer.from(stored.paths.join(separator), 'utf8'),
		Buffer.from(stored.links.join(separator), 'utf8'),
	];
}

/** Pads to 8 bytes so the Float64 columns can be viewed in place when decoding. */
function padding(length: number): number {
	return (8 - (length % 8)) % 8;
}

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

class CorruptCacheError extends Error {}

/** Where each column of a body starts (each padded to 8 bytes), and where the body ends. */
function columnOffsets(start: number, lengths: readonly number[]): {offsets: number[]; end: number} {
	const offsets: number[] = [];
	let offset = start;
	for (const length of lengths) {
		if (!Number.isInteger(length) || length < 0) throw new CorruptCacheError('bad column length');
		offsets.push(offset);
		offset += length + padding(offset + length);
	}

	return {offsets, end: offset};
}

/** A column's bytes, copied out (the file's buffer is let go once decoded), checked against the file's end. */
function column<T>(
	bytes: Buffer,
	offset: number,
	length: number,
	make: (buffer: ArrayBuffer, count: number) => T,
	width: number,
): T {
	if (length % width !== 0 || offset + length > bytes.length - checksumBytes) {
		throw new CorruptCacheError('column out of bounds');
	}

	const copy = new Uint8Array(length);
	copy.set(bytes.subarray(offset, offset + length));
	return make(copy.buffer, length / width);
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

/** A typed array over a column's bytes, for any array type of the spec. */
type ColumnView = new (
	buffer: ArrayBuffer,
	offset: number,
	length: number,
) => StoredEntries['columns'][StoredColumnName];

function decodeLayer(bytes: Buffer, start: number, layer: LayerHeader): {entries: EntryColumns; end: number} {
	const {count, exec} = layer;
	const lengths = layer.columns;
	const numeric = storedEntryColumns.length;
	if (lengths.length !== numeric + 3) {
		throw new CorruptCacheError('bad layer header');
	}

	const {offsets, end} = columnOffsets(start, lengths);
	if (end > bytes.length - checksumBytes) {
		throw new CorruptCacheError('layer runs past the end');
	}

	const columns: Partial<Record<StoredColumnName, StoredEntries['columns'][StoredColumnName]>> = {};
	storedEntryColumns.forEach(({name, array}, index) => {
		const view = array as unknown as ColumnView;
		columns[name] = column(
			bytes,
			offsets[index]!,
			lengths[index]!,
			(buffer, n) => new view(buffer, 0, n),
			array.BYTES_PER_ELEMENT,
		);
	});
	const linkRows = column(
		bytes,
		offsets[numeric]!,
		lengths[numeric]!,
		(buffer, n) => new Int32Array(buffer, 0, n),
		4,
	);
	try {
		const entries = EntryColumns.fromStored({
			count,
			columns: columns as StoredEntries['columns'],
			linkRows,
			paths: splitText(bytes, offsets[numeric + 1]!, lengths[numeric + 1]!, count),
			links: splitText(bytes, offsets[numeric + 2]!, lengths[numeric + 2]!, linkRows.length),
			execs: exec,
		});
		return {entries, end};
	} catch (error) {
		if (error instanceof StoredEntriesError) throw new CorruptCacheError(error.message);
		throw error;
	}
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
`fullKey` (see `imageCacheKey`; undefined: no caching). After a read, the layers are stacked once and
stored with their tree, so a re-open reads both and stacks nothing.
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
		return {raw, tree: stackLayers(raw.layers)};
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
	const tree = stackLayers(raw.layers);
	// A load the user walked away from writes nothing after the process was told to stop.
	if (!options.signal?.aborted) {
		await writeCachedImage(directory, fullKey, raw, source.cacheState?.() ?? [], options.env, tree);
	}

	return {raw, tree};
}
