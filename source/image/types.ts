/**
The raw image as read from a source: configuration, history and, per layer, the tar headers.
File contents are never kept here; only their size and a content hash.
Everything in this file is plain data so that it can be cached and re-analysed without the source.
*/

export type EntryType =
	| 'file'
	| 'dir'
	| 'symlink'
	| 'hardlink'
	| 'char'
	| 'block'
	| 'fifo'
	/** `.wh.<name>`: deletes `path` (file or whole directory) from the layers below. */
	| 'whiteout'
	/** `.wh..wh..opq` inside a directory: hides everything under `path` in the layers below. */
	| 'opaque';

export type TarEntry = {
	/** Normalised POSIX path relative to the image root: no leading `/` or `./`, no trailing `/`, no `.`/`..` segments. For whiteouts, the deleted path; for opaque markers, the directory. */
	path: string;
	type: EntryType;
	/** Content bytes of a regular file; 0 for every other type (hard links included, so they count once). */
	size: number;
	/** Permission bits including setuid/setgid/sticky (`mode & 0o7777`). */
	mode: number;
	uid: number;
	gid: number;
	/** Symlink or hard-link target, as written in the header. */
	linkTarget?: string;
	/** Seconds since the epoch. */
	mtime: number;
	/** Content hash of a regular file (xxHash64, 16 hex digits): tells equal contents apart, nothing more. */
	hash?: string;
	/** What the kernel or the dynamic loader would need to run this file, read from its first bytes while streaming. */
	exec?: ExecInfo;
};

/**
How a regular file runs, as far as its own bytes say: an ELF object's loader and the shared libraries it
asks for, or a script's `#!` line. Read for every ELF file (executables and libraries, whatever their mode)
and for `#!` files with an execute bit. The runtime closure (analysis/closure) follows these links.
*/
export type ExecInfo =
	| {
			kind: 'elf';
			/** 32 or 64 (EI_CLASS). */
			bits: 32 | 64;
			/** e_machine, e.g. 62 for x86-64, 183 for AArch64. */
			machine: number;
			/** e_type: an executable (ET_EXEC), a position-independent executable or shared object (ET_DYN), or other. */
			type: 'exec' | 'dyn' | 'other';
			/** PT_INTERP, e.g. `/lib64/ld-linux-x86-64.so.2`; absent for a static binary or a plain shared library. */
			interpreter?: string;
			/** DT_NEEDED names in order, e.g. `libc.so.6`. */
			needed: string[];
			/** DT_RUNPATH, else DT_RPATH, split on `:` (may hold `$ORIGIN`). */
			runpath: string[];
			/** DT_SONAME of a shared library. */
			soname?: string;
			/** The dynamic section or its strings lay beyond what the reader keeps: `needed` may be incomplete. */
			incomplete?: boolean;
	  }
	| {
			kind: 'script';
			/** The `#!` interpreter path, e.g. `/usr/bin/env` or `/bin/sh`. */
			interpreter: string;
			/** The one optional argument after it, e.g. `python3` for `#!/usr/bin/env python3`. */
			argument?: string;
	  };

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
	entries: TarEntry[];
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
};

/**
A way to read one image. The UI and reports never touch the archive; they go through these callbacks.
*/
export type ImageSource = {
	kind: ImageSourceKind;
	/** Human description, e.g. `docker daemon at unix:///var/run/docker.sock` or a file path. */
	description: string;
	load(options: {onProgress?: (progress: LoadProgress) => void; signal?: AbortSignal}): Promise<RawImage>;
	/** Read up to `limit` bytes of the regular file at `path` as stored in layer `layerIndex`. */
	readFile(layerIndex: number, path: string, limit: number): Promise<Buffer>;
	/**
	Names this exact image content without reading it, for the analysis cache: the image ID for a daemon,
	(realpath, size, mtime, inode) for a file. Undefined (or no method): do not cache.
	*/
	cacheKey?(): Promise<string | undefined>;
	/** After `load`: what `readFile` needs later (layer entry names), stored with the cached image. */
	cacheState?(): string[];
	/** Instead of `load`, when the image came from the cache: restore what `cacheState` returned. */
	restoreCacheState?(state: string[]): void;
};
