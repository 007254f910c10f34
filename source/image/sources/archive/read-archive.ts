import type {Readable} from 'node:stream';
import {LayerlensError} from '../../../shared/errors.js';
import {type AssembledImage, assembleImage} from '../../assemble-image.js';
import {ArchiveEntryHandler, cleanName} from '../../formats/archive-entries.js';
import {documentTooLarge} from '../../formats/json-document.js';
import type {PlatformSpec} from '../../formats/platform.js';
import {TarParser, TarTruncatedError} from '../../formats/tar-parser.js';
import type {ImageSourceKind, LoadProgress, ParsedLayer} from '../../types.js';
import {ArchiveStream, notAnArchive} from './archive-stream.js';

export type ReadArchiveOptions = {
	/** How messages name the archive (a path or an image reference). */
	reference: string;
	/** Recorded as `RawImage.source`; default decided by content (`docker-archive` when it has manifest.json). */
	source?: ImageSourceKind;
	platform?: PlatformSpec;
	/** Limit on each layer's uncompressed bytes; default `defaultLayerLimit` of its stored size. */
	maxLayerBytes?: number;
	/** The regular file `input` reads from its first byte, when it is one (used only when it is not compressed). */
	archiveFile?: string;
	/** Total archive bytes, when known, for progress. */
	bytesTotal?: number;
	onProgress?: (progress: LoadProgress) => void;
	signal?: AbortSignal;
};

export {defaultLayerLimit} from '../../formats/archive-entries.js';

const progressIntervalMs = 100;
/**
Bytes still read after the end-of-archive marker, so a writer padding its last record (GNU tar pads to
10 KiB) is not cut off with EPIPE; past this the input is closed, whatever follows (`/dev/zero` never ends).
*/
const tailBytes = 1024 * 1024;

function describeArchiveFailure(
	error: unknown,
	reference: string,
	entry: string | undefined,
): LayerlensError {
	if (error instanceof LayerlensError) {
		return error;
	}

	const message = error instanceof Error ? error.message : String(error);
	if (error instanceof TarTruncatedError || /unexpected end/i.test(message)) {
		const where =
			entry === undefined ? `${reference} ends in the middle of an entry` : `${entry}: ${message}`;
		return new LayerlensError(
			entry === undefined ? `archive truncated: ${where}` : `archive truncated in ${where}`,
			{
				hint: 'Export the image again (`docker save -o image.tar <image>`)',
				cause: error,
			},
		);
	}

	return new LayerlensError(`${reference} is not a tar archive (${message})`, {
		hint: 'Give a `docker save` archive, an OCI image layout (directory or tar) or an image name',
		cause: error,
	});
}

/** Progress of one archive read: bytes through the stream, the layers read, the layer being read and how far. */
class ArchiveProgress {
	bytesRead = 0;
	readonly layersRead: NonNullable<LoadProgress['layersRead']> = [];
	private lastProgress = 0;
	// Where in the stream the layer being read began: its bytes read so far, for "which layer, how far".
	private layerStart: {name: string; at: number} | undefined;

	constructor(
		private readonly options: ReadArchiveOptions,
		private readonly currentLayer: () => {name: string; sizeBytes: number} | undefined,
		private readonly layersDone: () => number,
	) {}

	/**
	A layer whose header was in the chunk just read began within it, not at the next progress report; it is
	reported at once, so a layer whose read stalls (a slow disk, a pipe) shows as the one reading.
	*/
	noteChunk(length: number): void {
		const current = this.currentLayer();
		if (current !== undefined && this.layerStart?.name !== current.name) {
			this.layerStart = {name: current.name, at: this.bytesRead - length};
			this.report(true);
		}
	}

	report(force: boolean): void {
		const now = Date.now();
		const {onProgress, bytesTotal} = this.options;
		if (onProgress === undefined || (!force && now - this.lastProgress < progressIntervalMs)) return;
		this.lastProgress = now;
		const current = this.reading();
		onProgress({
			bytesRead: this.bytesRead,
			layersDone: this.layersDone(),
			...(bytesTotal === undefined ? {} : {bytesTotal}),
			...(current === undefined ? {} : {reading: current}),
			layersRead: [...this.layersRead],
		});
	}

	private reading(): LoadProgress['reading'] {
		const current = this.currentLayer();
		if (current === undefined) return undefined;
		if (this.layerStart?.name !== current.name) this.layerStart = {name: current.name, at: this.bytesRead};
		const read = Math.min(current.sizeBytes, Math.max(0, this.bytesRead - this.layerStart.at));
		return {name: current.name, sizeBytes: current.sizeBytes, bytesRead: read};
	}
}

/** What one streaming pass gathers: the small documents, the parsed layers, the links between entries. */
type ArchiveContents = {
	warnings: string[];
	documents: Map<string, Buffer>;
	oversized: Map<string, number>;
	layers: Map<string, ParsedLayer>;
	links: Map<string, string>;
};

/**
Read a `docker save` archive (classic or containerd flavour) or an OCI layout tar in one streaming pass:
layers are parsed as they pass by, small JSON documents are kept, and the image is put together at the end.
*/
export async function readImageArchive(
	input: Readable,
	options: ReadArchiveOptions,
): Promise<AssembledImage> {
	const contents: ArchiveContents = {
		warnings: [],
		documents: new Map(),
		oversized: new Map(),
		layers: new Map(),
		links: new Map(),
	};
	const stream = new ArchiveStream(input, options.reference);
	const handler: ArchiveEntryHandler = new ArchiveEntryHandler({
		...contents,
		...(options.maxLayerBytes === undefined ? {} : {maxLayerBytes: options.maxLayerBytes}),
		// Entry offsets are in the decompressed tar, not in the file, when the archive is compressed.
		...(options.archiveFile === undefined
			? {}
			: {archiveFile: () => (stream.compression === 'none' ? options.archiveFile : undefined)}),
		onLayer: (name, layer) => {
			progress.layersRead.push({name, diffId: layer.diffId, entries: layer.entries.count, layer});
			progress.report(true);
		},
	});
	const progress = new ArchiveProgress(
		options,
		() => handler.currentLayer,
		() => contents.layers.size,
	);
	const onAbort = (): void => {
		input.destroy();
	};

	options.signal?.addEventListener('abort', onAbort, {once: true});
	try {
		await streamEntries(stream, handler, progress, options);
	} catch (error) {
		stream.destroy();
		await handler.abort();
		if (options.signal?.aborted) {
			throw new LayerlensError('Reading the image was cancelled', {cause: error});
		}

		throw describeArchiveFailure(error, options.reference, handler.current);
	} finally {
		options.signal?.removeEventListener('abort', onAbort);
	}

	progress.report(true);
	return assembleContents(contents, options);
}

/** The tar's entries through the parser, up to the end-of-archive marker and a bounded tail after it. */
async function streamEntries(
	stream: ArchiveStream,
	handler: ArchiveEntryHandler,
	progress: ArchiveProgress,
	options: ReadArchiveOptions,
): Promise<void> {
	const parser = new TarParser(handler);
	let afterEnd = 0;
	for await (const chunk of stream) {
		options.signal?.throwIfAborted();
		progress.bytesRead += chunk.length;
		progress.report(false);
		if (parser.ended) {
			// Go's reader stops at the end-of-archive marker; so does this one, after a bounded tail.
			afterEnd += chunk.length;
			if (afterEnd > tailBytes) break;
			continue;
		}

		const waiting = parser.push(chunk);
		progress.noteChunk(chunk.length);
		if (waiting !== undefined) {
			await waiting;
		}
	}

	stream.destroy();
	parser.finish();
	if (parser.entries === 0) {
		throw notAnArchive(options.reference, 'a tar that holds no files');
	}
}

/** The image put together from what the pass gathered, links followed as Docker follows them. */
async function assembleContents(
	contents: ArchiveContents,
	options: ReadArchiveOptions,
): Promise<AssembledImage> {
	const {documents, layers, links, oversized, warnings} = contents;
	const resolveLink = (name: string): string => {
		let current = cleanName(name);
		for (let hop = 0; hop < 16 && !layers.has(current) && !documents.has(current); hop++) {
			const target = links.get(current);
			if (target === undefined) {
				break;
			}

			current = target;
		}

		return current;
	};

	const source = options.source ?? (documents.has('manifest.json') ? 'docker-archive' : 'oci-archive');
	const assembled = await assembleImage(
		async (name) => {
			const resolved = resolveLink(name);
			const size = oversized.get(resolved);
			if (size !== undefined && !documents.has(resolved)) {
				throw documentTooLarge(resolved, options.reference, size);
			}

			return documents.get(resolved);
		},
		async (name) => layers.get(resolveLink(name)),
		{
			reference: options.reference,
			source,
			warnings,
			...(options.platform ? {platform: options.platform} : {}),
		},
	);
	return {...assembled, layerNames: assembled.layerNames.map(resolveLink)};
}
