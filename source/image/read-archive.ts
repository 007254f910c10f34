import type {Readable} from 'node:stream';
import {LayerlensError} from '../errors.js';
import {ArchiveEntryHandler, cleanName} from './archive-entries.js';
import {type AssembledImage, assembleImage} from './assemble-image.js';
import {documentTooLarge} from './json-document.js';
import type {PlatformSpec} from './platform.js';
import {TarParser, TarTruncatedError} from './tar-parser.js';
import type {ImageSourceKind, LoadProgress, ParsedLayer} from './types.js';

export type ReadArchiveOptions = {
	/** How messages name the archive (a path or an image reference). */
	reference: string;
	/** Recorded as `RawImage.source`; default decided by content (`docker-archive` when it has manifest.json). */
	source?: ImageSourceKind;
	platform?: PlatformSpec;
	/** Limit on each layer's uncompressed bytes; default 4× its stored size and at least 64 MiB over it. */
	maxLayerBytes?: number;
	/** The regular file `input` reads from its first byte, when it is one. */
	archiveFile?: string;
	/** Total archive bytes, when known, for progress. */
	bytesTotal?: number;
	onProgress?: (progress: LoadProgress) => void;
	signal?: AbortSignal;
};

export {defaultLayerLimit} from './archive-entries.js';

const progressIntervalMs = 100;

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
	const report = (force: boolean): void => {
		const now = Date.now();
		if (options.onProgress === undefined || (!force && now - lastProgress < progressIntervalMs)) {
			return;
		}

		lastProgress = now;
		options.onProgress({
			bytesRead,
			layersDone: layers.size,
			...(options.bytesTotal === undefined ? {} : {bytesTotal: options.bytesTotal}),
		});
	};

	const onAbort = (): void => {
		input.destroy();
	};

	options.signal?.addEventListener('abort', onAbort, {once: true});
	const handler = new ArchiveEntryHandler({
		warnings,
		layers,
		documents,
		oversized,
		links,
		...(options.maxLayerBytes === undefined ? {} : {maxLayerBytes: options.maxLayerBytes}),
		...(options.archiveFile === undefined ? {} : {archiveFile: options.archiveFile}),
		onLayer: () => report(true),
	});
	const parser = new TarParser(handler);
	try {
		for await (const data of input) {
			const chunk = data as Buffer;
			options.signal?.throwIfAborted();
			bytesRead += chunk.length;
			report(false);
			const waiting = parser.push(chunk);
			if (waiting !== undefined) {
				await waiting;
			}
		}

		parser.finish();
	} catch (error) {
		input.destroy();
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
