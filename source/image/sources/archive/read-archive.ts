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

/**
Read a `docker save` archive (classic or containerd flavour) or an OCI layout tar in one streaming pass:
layers are parsed as they pass by, small JSON documents are kept, and the image is put together at the end.
*/
export async function readImageArchive(
	input: Readable,
	options: ReadArchiveOptions,
): Promise<AssembledImage> {
	const warnings: string[] = [];
	const documents = new Map<string, Buffer>();
	const oversized = new Map<string, number>();
	const layers = new Map<string, ParsedLayer>();
	const links = new Map<string, string>();
	let bytesRead = 0;
	let lastProgress = 0;
	const layersRead: NonNullable<LoadProgress['layersRead']> = [];
	// Where in the stream the layer being read began: its bytes read so far, for "which layer, how far".
	let layerStart: {name: string; at: number} | undefined;
	const reading = (): LoadProgress['reading'] => {
		const current = handler.currentLayer;
		if (current === undefined) return undefined;
		if (layerStart?.name !== current.name) layerStart = {name: current.name, at: bytesRead};
		const read = Math.min(current.sizeBytes, Math.max(0, bytesRead - layerStart.at));
		return {name: current.name, sizeBytes: current.sizeBytes, bytesRead: read};
	};
	const report = (force: boolean): void => {
		const now = Date.now();
		if (options.onProgress === undefined || (!force && now - lastProgress < progressIntervalMs)) {
			return;
		}

		lastProgress = now;
		const current = reading();
		options.onProgress({
			bytesRead,
			layersDone: layers.size,
			...(options.bytesTotal === undefined ? {} : {bytesTotal: options.bytesTotal}),
			...(current === undefined ? {} : {reading: current}),
			layersRead: [...layersRead],
		});
	};

	const onAbort = (): void => {
		input.destroy();
	};

	options.signal?.addEventListener('abort', onAbort, {once: true});
	const stream = new ArchiveStream(input, options.reference);
	const handler = new ArchiveEntryHandler({
		warnings,
		layers,
		documents,
		oversized,
		links,
		...(options.maxLayerBytes === undefined ? {} : {maxLayerBytes: options.maxLayerBytes}),
		// Entry offsets are in the decompressed tar, not in the file, when the archive is compressed.
		...(options.archiveFile === undefined
			? {}
			: {archiveFile: () => (stream.compression === 'none' ? options.archiveFile : undefined)}),
		onLayer: (name, layer) => {
			layersRead.push({name, diffId: layer.diffId, entries: layer.entries.count});
			report(true);
		},
	});
	const parser = new TarParser(handler);
	try {
		let afterEnd = 0;
		for await (const chunk of stream) {
			options.signal?.throwIfAborted();
			bytesRead += chunk.length;
			report(false);
			if (parser.ended) {
				// Go's reader stops at the end-of-archive marker; so does this one, after a bounded tail.
				afterEnd += chunk.length;
				if (afterEnd > tailBytes) break;
				continue;
			}

			const waiting = parser.push(chunk);
			// A layer whose header was in this chunk began within it, not at the next progress report.
			if (handler.currentLayer !== undefined && layerStart?.name !== handler.currentLayer.name) {
				layerStart = {name: handler.currentLayer.name, at: bytesRead - chunk.length};
			}

			if (waiting !== undefined) {
				await waiting;
			}
		}

		stream.destroy();
		parser.finish();
		if (parser.entries === 0) {
			throw notAnArchive(options.reference, 'a tar that holds no files');
		}
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

	report(true);
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
