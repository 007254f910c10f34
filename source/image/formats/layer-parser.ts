import {createGunzip, type Gunzip} from 'node:zlib';
import {Decompress} from 'fzstd';
import {EntryColumns, PathIndex, pathHash} from '../../engine/index.js';
import {LayerlensError} from '../../shared/errors.js';
import {checkMemoryBudget, PathBudget} from '../../shared/memory-budget.js';
import {
	evidenceCaptureLimitBytes,
	isEvidenceFile,
	isPackageEvidenceFile,
	packageEvidenceBudgetBytes,
} from '../evidence-files.js';
import {ContentHasher, contentHashBitsOf, emptyContentHashBits} from '../hashing/content-hash.js';
import {DiffHasher} from '../hashing/diff-hasher.js';
import {type FileRange, hashFileRange} from '../hashing/file-range-hasher.js';
import type {CapturedFile, EntryType, LayerCompression, ParsedLayer, TarEntry} from '../types.js';
import {sniffBytes, sniffCompression} from './compression.js';
import {type EntryName, normaliseEntryName} from './entry-name.js';
import {type ExecReader, startExecReader} from './exec-info.js';
import {type TarHandler, type TarHeader, TarParser, TarTruncatedError} from './tar-parser.js';
import {recommendedWindowBytes, ZstdFrameGuard, ZstdWindowError} from './zstd-frame-guard.js';

export type ReadLayerOptions = {
	/** How messages name this layer, e.g. `layer 3 (blobs/sha256/ab12…)`. */
	label?: string;
	/** Stop with an error once the uncompressed tar grows past this many bytes (gzip bombs). */
	maxBytes?: number;
	/** Warnings (skipped hostile names) are appended here. */
	warnings?: string[];
	/** Receive the tar entries instead of collecting them (to fetch one file's bytes); `entries` stay empty. */
	tarHandler?: TarHandler;
	/**
	Where the stored bytes also sit in a regular file: an uncompressed layer's diff ID is then hashed
	from the file on a worker instead of from the bytes passing through here.
	*/
	storedFile?: FileRange;
	/** Paths counted across the image's layers (an archive shares one); else this layer has its own. */
	pathBudget?: PathBudget;
};

const entryTypes: Record<string, EntryType> = {
	'0': 'file',
	'7': 'file',
	'1': 'hardlink',
	'2': 'symlink',
	'3': 'char',
	'4': 'block',
	'5': 'dir',
	'6': 'fifo',
};

class NotATarError extends Error {}

/**
The name as it is when it needs no normalising (nearly always): no leading `/` or `.`, no empty, `.`,
`..` or dot-file segment (so no whiteout either); only a trailing `/` to drop. Anything else, undefined:
`normaliseEntryName` decides. Saves an array split and join per entry.
*/
function plainEntryPath(raw: string): string | undefined {
	const first = raw.charCodeAt(0);
	if (raw.length === 0 || first === 0x2f || first === 0x2e || raw.includes('/.') || raw.includes('//')) {
		return undefined;
	}

	return raw.charCodeAt(raw.length - 1) === 0x2f ? raw.slice(0, -1) : raw;
}

/**
Writes entries into the layer's columns with "last one wins" per path, at the first one's row; markers are
keyed apart from the files they sit beside.
*/
class EntryCollector {
	readonly columns = new EntryColumns();
	readonly captured: CapturedFile[] = [];
	/** Rows of files, directories and links by path; markers (a few) by type and path in a map of their own. */
	private readonly rows = new PathIndex();
	private readonly markerRows = new Map<string, number>();

	/** The row an entry with this path and type goes to; `hash` is `pathHash(path)`. */
	rowFor(path: string, type: EntryType, hash: number): number {
		const {columns} = this;
		if (type === 'whiteout' || type === 'opaque') {
			const key = `${type}\0${path}`;
			const row = this.markerRows.get(key);
			if (row !== undefined) return row;
			const created = columns.append();
			this.markerRows.set(key, created);
			return created;
		}

		return columns.rowForPath(path, hash, this.rows);
	}

	/** The columns, their spare capacity given back: the layer is complete. */
	trimmed(): EntryColumns {
		this.columns.trim();
		return this.columns;
	}

	capture(file: CapturedFile): void {
		const position = this.captured.findIndex((captured) => captured.path === file.path);
		if (position === -1) {
			this.captured.push(file);
		} else {
			this.captured[position] = file;
		}
	}
}

/** Turns tar headers and content into entries: one content hash per regular file, evidence files kept as text. */
class EntryHandler {
	readonly collector = new EntryCollector();
	/** The header of the entry being read, until its content has been hashed. */
	private entry: TarEntry | undefined;
	/** Whether the current entry is a regular file whose content is hashed. */
	private hashing = false;
	/** For content split over several chunks; most files arrive whole and take the one-shot path. */
	private hash: ContentHasher | undefined;
	private oneShot: bigint | undefined;
	private kept: Buffer[] | undefined;
	private keptBytes = 0;
	/** The next data chunk is the file's first: one byte decides whether it may be ELF or a script. */
	private firstChunk = false;
	private exec: ExecReader | undefined;
	/** Bytes of per-package evidence this layer may still keep (see `packageEvidenceBudgetBytes`). */
	private packageEvidenceLeft = packageEvidenceBudgetBytes;

	constructor(
		private readonly label: string,
		private readonly warnings: string[] | undefined,
		private readonly pathBudget: PathBudget,
	) {}

	header(header: TarHeader): void {
		const type = entryTypes[header.typeflag];
		const plain = plainEntryPath(header.name);
		const name: EntryName =
			plain === undefined ? normaliseEntryName(header.name) : {kind: 'path', path: plain};
		this.entry = undefined;
		this.hashing = false;
		this.hash = undefined;
		this.oneShot = undefined;
		this.kept = undefined;
		this.firstChunk = false;
		this.exec = undefined;
		if (name.kind === 'escape') {
			this.warnings?.push(`${this.label}: skipped entry '${header.name}' that points outside the image root`);
		}

		if (name.kind === 'escape' || name.kind === 'ignored' || type === undefined) {
			return;
		}

		const isFile = type === 'file' && name.kind === 'path';
		const entry: TarEntry = {
			path: name.path,
			type: name.kind === 'path' ? type : name.kind,
			size: isFile ? header.size : 0,
			mode: header.mode & 0o7777,
			uid: header.uid,
			gid: header.gid,
			mtime: header.mtime,
		};
		if ((type === 'symlink' || type === 'hardlink') && name.kind === 'path') {
			entry.linkTarget = header.linkname;
		}

		this.entry = entry;
		if (isFile) {
			this.hashing = true;
			this.firstChunk = true;
			if (isEvidenceFile(name.path, header.size) && this.packageEvidenceAllowed(name.path, header.size)) {
				this.kept = [];
				this.keptBytes = 0;
			}
		}
	}

	/** Per-package evidence past the layer's budget is not kept: said once, and those packages go unnamed. */
	private packageEvidenceAllowed(path: string, size: number): boolean {
		if (!isPackageEvidenceFile(path)) return true;
		if (size <= this.packageEvidenceLeft) {
			this.packageEvidenceLeft -= size;
			return true;
		}

		if (this.packageEvidenceLeft >= 0) {
			this.warnings?.push(
				`${this.label}: more package manifests than layerlens keeps per layer; the packages of the rest are not named`,
			);
			this.packageEvidenceLeft = -1;
		}

		return false;
	}

	data(chunk: Buffer): void {
		if (this.firstChunk) {
			this.firstChunk = false;
			const entry = this.entry!;
			this.exec = startExecReader(chunk[0]!, (entry.mode & 0o111) !== 0, entry.size);
		}

		this.exec?.push(chunk);
		if (this.hashing) {
			if (this.hash === undefined && this.oneShot === undefined && chunk.length === this.entry!.size) {
				// The one-shot call costs a fraction of a streaming state per file.
				this.oneShot = contentHashBitsOf(chunk);
			} else {
				this.hash ??= new ContentHasher();
				this.hash.update(chunk);
			}
		}

		if (this.kept !== undefined && this.keptBytes < evidenceCaptureLimitBytes) {
			const part = chunk.subarray(0, evidenceCaptureLimitBytes - this.keptBytes);
			this.kept.push(Buffer.from(part));
			this.keptBytes += part.length;
		}
	}

	end(): void {
		const entry = this.entry;
		if (entry === undefined) {
			return;
		}

		this.pathBudget.add(entry.path, this.label);
		const {columns} = this.collector;
		const hash = pathHash(entry.path);
		const row = this.collector.rowFor(entry.path, entry.type, hash);
		const exec = this.exec?.finish();
		this.exec = undefined;
		if (exec !== undefined) entry.exec = exec;
		columns.set(row, entry, hash);
		if (this.hashing) {
			columns.setHashBits(row, this.hash?.digestBits() ?? this.oneShot ?? emptyContentHashBits);
		}

		if (this.kept !== undefined) {
			this.collector.capture({
				path: entry.path,
				text: Buffer.concat(this.kept).toString('utf8'),
				truncated: entry.size > evidenceCaptureLimitBytes,
			});
		}

		this.entry = undefined;
	}
}

function waitForDrain(stream: Gunzip): Promise<void> {
	return new Promise((resolve, reject) => {
		const cleanup = (): void => {
			stream.off('drain', onDrain);
			stream.off('close', onDrain);
			stream.off('error', onError);
		};

		const onDrain = (): void => {
			cleanup();
			resolve();
		};

		const onError = (error: Error): void => {
			cleanup();
			reject(error);
		};

		stream.on('drain', onDrain);
		// A stream destroyed for going over the decompression limit emits neither drain nor error, only close;
		// the caller then rethrows the stored failure.
		stream.on('close', onDrain);
		stream.on('error', onError);
	});
}

/**
Parses one layer blob pushed chunk by chunk (plain, gzip or zstd tar, sniffed from the first bytes):
tar headers, a content hash per regular file and the diff ID, in one pass. Used for a layer file and
for a layer entry inside an archive, so both share one code path.
*/
export class LayerParser {
	private readonly label: string;
	private readonly handler: EntryHandler;
	private readonly tar: TarParser;
	private readonly diffHash = new DiffHasher();
	private storedFileDigest: Promise<string> | undefined;
	private compression: LayerCompression | undefined;
	private head: Buffer[] = [];
	private headBytes = 0;
	private storedBytes = 0;
	private tarBytes = 0;
	private gunzip: Gunzip | undefined;
	private gunzipEnded: Promise<void> | undefined;
	private zstd: Decompress | undefined;
	private zstdGuard: ZstdFrameGuard | undefined;
	private failure: unknown;
	/** Fed through `writeTar`: the diff ID is hashed where the bytes were decompressed. */
	private decodedElsewhere = false;

	constructor(private readonly options: ReadLayerOptions = {}) {
		this.label = options.label ?? 'layer';
		const pathBudget = options.pathBudget ?? new PathBudget();
		pathBudget.startLayer();
		this.handler = new EntryHandler(this.label, options.warnings, pathBudget);
		this.tar = new TarParser(options.tarHandler ?? this.handler);
	}

	/** Feed stored bytes; returns a promise when the caller must wait (gzip back-pressure). */
	write(chunk: Buffer): void | Promise<void> {
		try {
			this.storedBytes += chunk.length;
			if (this.compression === undefined) {
				this.head.push(chunk);
				this.headBytes += chunk.length;
				if (this.headBytes < sniffBytes) {
					return undefined;
				}

				return this.start()?.catch((error: unknown) => {
					throw this.describe(error);
				});
			}

			const waiting = this.decode(chunk);
			return waiting?.catch((error: unknown) => {
				throw this.describe(error);
			});
		} catch (error) {
			throw this.describe(error);
		}
	}

	/** Input is complete: flush the decoder, check the tar ended cleanly, return the layer. */
	async end(): Promise<ParsedLayer> {
		try {
			if (this.compression === undefined) {
				await this.start();
			}

			if (this.gunzip !== undefined) {
				this.gunzip.end();
				await this.gunzipEnded;
			}

			this.zstd?.push(new Uint8Array(0), true);
			this.throwFailure();
			this.tar.finish();
		} catch (error) {
			throw this.describe(error);
		}

		let diffId: string;
		try {
			diffId = await (this.storedFileDigest ?? this.diffHash.digest());
		} catch (error) {
			throw this.describe(error);
		}

		return {
			diffId: `sha256:${diffId}`,
			compression: this.compression ?? 'none',
			compressedSizeBytes: this.storedBytes,
			tarSizeBytes: this.tarBytes,
			entries: this.handler.collector.trimmed(),
			captured: this.handler.collector.captured,
		};
	}

	/**
	Tar bytes decompressed by another thread, which hashes them for the diff ID too: they go straight to
	the tar parser. The layer is then ended with `endDecoded`.
	*/
	writeTar(tar: Buffer): void {
		this.decodedElsewhere = true;
		try {
			this.tarInput(tar);
		} catch (error) {
			throw this.describe(error);
		}
	}

	/** The layer fed through `writeTar` is complete: its stored size and compression, and the diff ID hashed elsewhere. */
	endDecoded(compression: LayerCompression, storedBytes: number, diffId: string): ParsedLayer {
		this.decodedElsewhere = true;
		try {
			this.tar.finish();
		} catch (error) {
			throw this.describe(error);
		}

		return {
			diffId: `sha256:${diffId}`,
			compression,
			compressedSizeBytes: storedBytes,
			tarSizeBytes: this.tarBytes,
			entries: this.handler.collector.trimmed(),
			captured: this.handler.collector.captured,
		};
	}

	/** An error met while decoding this layer elsewhere, worded as the parser words its own. */
	describeFailure(error: unknown): LayerlensError {
		return this.describe(error);
	}

	private start(): void | Promise<void> {
		const head = Buffer.concat(this.head);
		this.head = [];
		const compression = head.length === 0 ? 'none' : sniffCompression(head);
		if (compression === undefined) {
			throw new NotATarError('not gzip, zstd or tar');
		}

		this.compression = compression;
		if (compression === 'none' && this.options.storedFile !== undefined) {
			this.storedFileDigest = hashFileRange(this.options.storedFile);
			// Awaited in end(); a parse that fails first must not leave it unhandled.
			this.storedFileDigest.catch(() => undefined);
		}

		if (compression === 'gzip') {
			const gunzip = createGunzip({chunkSize: 256 * 1024});
			gunzip.on('data', (data: Buffer) => {
				try {
					this.tarInput(data);
				} catch (error) {
					this.failure ??= error;
					gunzip.destroy();
				}
			});
			this.gunzipEnded = new Promise((resolve, reject) => {
				gunzip.on('end', resolve);
				gunzip.on('close', () => (this.failure === undefined ? resolve() : reject(this.failure)));
				gunzip.on('error', (error) => {
					this.failure ??= error;
					reject(error);
				});
			});
			this.gunzipEnded.catch(() => undefined);
			this.gunzip = gunzip;
		} else if (compression === 'zstd') {
			// A window above 8 MiB (zstd's default) or the layer's own size limit is refused before fzstd allocates it.
			this.zstdGuard = new ZstdFrameGuard(this.zstdWindowLimit());
			this.zstd = new Decompress((data) =>
				this.tarInput(Buffer.from(data.buffer, data.byteOffset, data.byteLength)),
			);
		}

		return head.length === 0 ? undefined : this.decode(head);
	}

	private decode(chunk: Buffer): void | Promise<void> {
		this.throwFailure();
		if (this.gunzip !== undefined) {
			if (!this.gunzip.write(chunk)) {
				return waitForDrain(this.gunzip).then(() => this.throwFailure());
			}

			return undefined;
		}

		if (this.zstd !== undefined) {
			this.zstdGuard?.check(chunk);
			this.zstd.push(chunk);
			return undefined;
		}

		this.tarInput(chunk);
		return undefined;
	}

	private tarInput(chunk: Buffer): void {
		if (this.storedFileDigest === undefined && !this.decodedElsewhere) {
			this.diffHash.update(chunk);
		}

		this.tarBytes += chunk.length;
		if (this.options.maxBytes !== undefined && this.tarBytes > this.options.maxBytes) {
			throw new LayerlensError(
				`${this.label} unpacks to more than ${this.options.maxBytes} bytes, which looks like a decompression bomb`,
				{hint: 'If the image is genuine, raise the limit with --max-layer-bytes'},
			);
		}

		checkMemoryBudget(`reading ${this.label}`);
		this.tar.push(chunk);
	}

	private zstdWindowLimit(): number {
		return Math.max(recommendedWindowBytes, this.options.maxBytes ?? 0);
	}

	private throwFailure(): void {
		if (this.failure !== undefined) {
			throw this.failure;
		}
	}

	private describe(error: unknown): LayerlensError {
		this.gunzip?.destroy();
		this.diffHash.abandon();
		if (error instanceof LayerlensError) {
			return error;
		}

		if (error instanceof ZstdWindowError) {
			return new LayerlensError(
				`${this.label} is a zstd stream declaring a ${error.windowBytes}-byte window, above the ${this.zstdWindowLimit()}-byte limit`,
				{hint: 'If the image is genuine, raise the limit with --max-layer-bytes', cause: error},
			);
		}

		const message = error instanceof Error ? error.message : String(error);
		if (error instanceof NotATarError) {
			return new LayerlensError(`${this.label} is not a tar archive (${message})`, {
				hint: 'Check that the file is a `docker save` archive or an OCI image layout',
				cause: error,
			});
		}

		const truncated =
			error instanceof TarTruncatedError || /unexpected end|premature|truncat|unexpected eof/i.test(message);
		return new LayerlensError(
			truncated ? `archive truncated in ${this.label}: ${message}` : `${this.label} is corrupt: ${message}`,
			{hint: 'Export the image again (`docker save -o image.tar <image>`)', cause: error},
		);
	}
}
