import type {EntryColumns} from '../engine/index.js';

/**
The raw image as read from a source: configuration, history and, per layer, the tar headers.
File contents are never kept here; only their size and a content hash.
Everything here is plain data or typed columns, so that it can be cached and re-analysed without the source.
*/

export type {EntryType, ExecInfo, TarEntry} from '../engine/index.js';

export type LayerCompression = 'none' | 'gzip' | 'zstd';

export type ParsedLayer = {
	/** `sha256:` digest of the uncompressed tar stream, computed while reading. */
	diffId: string;
	/** The diff ID the config declares for this layer, when it differs from the computed one it is reported as a warning. */
	declaredDiffId?: string;
	/** Blob digest (`sha256:` of the stored bytes) when the source names it. */
	digest?: string;
	mediaType?: string;
	compression: LayerCompression;
	/** Bytes as stored (compressed) when known. */
	compressedSizeBytes?: number;
	/** Length of the uncompressed tar stream. */
	tarSizeBytes: number;
	/** The layer's entries, column by column (see EntryColumns), in tar order; a path written twice keeps its first row and its last header. */
	entries: EntryColumns;
	/** Contents of the few small files the findings read as evidence (package databases, lockfiles), see `isEvidenceFile`. */
	captured: CapturedFile[];
};

export type CapturedFile = {
	path: string;
	/** UTF-8 text, cut at the capture limit. */
	text: string;
	truncated: boolean;
};

export type HistoryRecord = {
	created?: string;
	createdBy?: string;
	comment?: string;
	author?: string;
	emptyLayer: boolean;
};

export type RuntimeConfig = {
	env: string[];
	cmd?: string[];
	entrypoint?: string[];
	workingDir?: string;
	user?: string;
	exposedPorts: string[];
	labels: Record<string, string>;
	volumes: string[];
	stopSignal?: string;
	shell?: string[];
	healthcheck?: string[];
};

export type ImageSourceKind =
	| 'docker'
	| 'podman'
	| 'docker-archive'
	| 'oci-archive'
	| 'oci-dir'
	| 'registry'
	| 'demo';

export type RawImage = {
	/** What the user asked for: an image reference or a path. */
	reference: string;
	/** Image ID: the `sha256:` digest of the config JSON. */
	id: string;
	source: ImageSourceKind;
	os: string;
	architecture: string;
	variant?: string;
	created?: string;
	repoTags: string[];
	config: RuntimeConfig;
	history: HistoryRecord[];
	/** Diff IDs the config declares, in order. */
	diffIds: string[];
	/** Layers in manifest order (bottom first). */
	layers: ParsedLayer[];
	/** Things that were odd but not fatal (diff ID mismatch, skipped hostile paths, ...), one line each. */
	warnings: string[];
};

/** Progress while reading a source, for the loading view and the stderr progress line. */
export type LoadProgress = {
	bytesRead: number;
	/** Total bytes expected, when known (archive size, or the daemon's image size). */
	bytesTotal?: number;
	layersDone: number;
	layersTotal?: number;
	/** The layer entry being read: its name in the archive (or blob digest), its stored size and the bytes of it read. */
	reading?: {name: string; sizeBytes: number; bytesRead: number};
	/** Each layer read so far: its entry name, the diff ID computed from its bytes and its entry count, in the order read. */
	layersRead?: Array<{
		name: string;
		diffId: string;
		entries: number;
		/** The layer as parsed, in process only: the layers-first view lists a read layer's files from it. */
		layer?: ParsedLayer;
	}>;
};

/**
What a source knows of an image before reading its layers (the daemon's inspect and history, an archive's or a
registry's manifest and config): enough for the layer list, its instructions and the expected bytes.
*/
export type ImagePreview = {
	id: string;
	os: string;
	architecture: string;
	created?: string;
	repoTags: string[];
	config: RuntimeConfig;
	/** The history, when it can be paired with the layers for sure (else the read's own config names them). */
	history?: HistoryRecord[];
	/** One per layer, bottom first. */
	layers: PreviewLayer[];
	/** The image's size as the source gives it, when the layers' own sizes are not known. */
	sizeBytes?: number;
};

export type PreviewLayer = {
	diffId: string;
	/** Blob digest, when the source stores layers under it (a registry, an OCI layout). */
	digest?: string;
	/**
	Bytes this layer is expected to take in the stream read: its stored size when the source knows it, else the
	daemon's size of its files (the tar adds headers and padding, so the read runs a little past it).
	*/
	expectedBytes?: number;
};

/** Bytes of an export read so far while a file is looked for in it (the viewer shows them). */
export type FileReadProgress = (bytesRead: number) => void;

/**
A way to read one image. The UI and reports never touch the archive; they go through these callbacks.
*/
export type ImageSource = {
	kind: ImageSourceKind;
	/** Human description, e.g. `docker daemon at unix:///var/run/docker.sock` or a file path. */
	description: string;
	load(options: {onProgress?: (progress: LoadProgress) => void; signal?: AbortSignal}): Promise<RawImage>;
	/** The image's config, history and layer sizes without reading the layers (milliseconds); undefined when unknown. */
	preview?(signal?: AbortSignal): Promise<ImagePreview | undefined>;
	/** Read up to `limit` bytes of the regular file at `path` as stored in layer `layerIndex`. */
	readFile(layerIndex: number, path: string, limit: number, onProgress?: FileReadProgress): Promise<Buffer>;
	/**
	Up to `limit` bytes of the final version of `path` (the one a container sees), `expectedSize` bytes long
	by the analysis, when the source has a cheaper way to it than its layer (a daemon's container archive).
	*/
	readFinalFile?(path: string, limit: number, expectedSize: number): Promise<Buffer>;
	/** Ends what the source still holds (temporary containers, spooled layers) once the session is over. */
	dispose?(): Promise<void>;
	/**
	Names this exact image content without reading it, for the analysis cache: the image ID for a daemon,
	(realpath, size, mtime, inode) for a file. Undefined (or no method): do not cache.
	*/
	cacheKey?(): Promise<string | undefined>;
	/** After `load`: what `readFile` needs later (layer entry names), stored with the cached image. */
	cacheState?(): string[];
	/** Instead of `load`, when the image came from the cache: restore what `cacheState` returned. */
	restoreCacheState?(state: string[]): void;
	/** After `load` (or a restore): each layer's entry name in the archive read (`<id>/layer.tar`, `blobs/sha256/<hex>`), for dive's layer id. */
	layerEntryNames?(): string[];
};
