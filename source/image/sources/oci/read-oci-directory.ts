import {createReadStream} from 'node:fs';
import {stat} from 'node:fs/promises';
import {join, resolve, sep} from 'node:path';
import {readRegularFile} from '../../../shared/read-local-file.js';
import {type AssembledImage, assembleImage} from '../../assemble-image.js';
import {documentTooLarge, maxJsonDocumentBytes} from '../../formats/json-document.js';
import type {PlatformSpec} from '../../formats/platform.js';
import {readLayer} from '../../formats/read-layer.js';
import type {LoadProgress, ParsedLayer} from '../../types.js';
import {defaultLayerLimit} from '../archive/read-archive.js';

export type ReadOciDirectoryOptions = {
	reference?: string;
	platform?: PlatformSpec;
	maxLayerBytes?: number;
	onProgress?: (progress: LoadProgress) => void;
	/** Stops before the next blob once aborted (the user quit while loading). */
	signal?: AbortSignal;
};

/** A path inside the layout; names from the index never leave the directory. */
export function layoutPath(directory: string, name: string): string | undefined {
	const root = resolve(directory);
	const path = resolve(root, name);
	return path.startsWith(root + sep) ? path : undefined;
}

async function fileSize(path: string): Promise<number | undefined> {
	try {
		const info = await stat(path);
		return info.isFile() ? info.size : undefined;
	} catch {
		return undefined;
	}
}

/** Read an OCI image layout directory: index.json and blobs straight from disk, each layer streamed once. */
export async function readOciDirectory(
	directory: string,
	options: ReadOciDirectoryOptions = {},
): Promise<AssembledImage> {
	const reference = options.reference ?? directory;
	const warnings: string[] = [];
	let bytesRead = 0;
	let layersDone = 0;
	const parsed = new Map<string, ParsedLayer>();
	return assembleImage(
		async (name) => {
			const path = layoutPath(directory, name);
			// Size checked on the descriptor read: a document swapped for a bigger file or a FIFO after a stat is not read.
			return path === undefined
				? undefined
				: readRegularFile(path, maxJsonDocumentBytes, (size) => documentTooLarge(name, reference, size));
		},
		async (name) => {
			const path = layoutPath(directory, name);
			const size = path === undefined ? undefined : await fileSize(path);
			if (size === undefined) {
				return undefined;
			}

			options.signal?.throwIfAborted();
			const earlier = parsed.get(name);
			if (earlier !== undefined) {
				// The same blob used twice (an identical layer): parse it once.
				return earlier;
			}

			const layer = await readLayer(createReadStream(path!, {highWaterMark: 1024 * 1024}), {
				label: `layer ${layersDone + 1} (${name})`,
				warnings,
				maxBytes: options.maxLayerBytes ?? defaultLayerLimit(size),
				storedFile: {path: path!, offset: 0, length: size},
			});
			parsed.set(name, layer);
			bytesRead += size;
			layersDone++;
			options.onProgress?.({bytesRead, layersDone});
			return layer;
		},
		{reference, source: 'oci-dir', warnings, ...(options.platform ? {platform: options.platform} : {})},
	);
}

export function openLayoutBlob(directory: string, name: string): ReturnType<typeof createReadStream> {
	return createReadStream(layoutPath(directory, name) ?? join(directory, 'missing'));
}
