import {createHash} from 'node:crypto';
import {readImageDocuments} from '../../assemble-image.js';
import type {DocumentReader} from '../../formats/manifest-selection.js';
import type {PlatformSpec} from '../../formats/platform.js';
import type {ImagePreview} from '../../types.js';

export type DocumentPreviewOptions = {
	reference: string;
	platform?: PlatformSpec;
	/** Bytes the read will take for the layer stored under `name` (its tar entry, its blob), when known. */
	storedBytes?: (name: string, descriptorBytes: number | undefined) => number | undefined;
};

/**
The preview of an image from its manifest and config alone (an archive's headers, a layout's index.json, a
registry's manifest): the layer list, the history and each layer's stored size, before any layer is read.
*/
export async function previewFromDocuments(
	read: DocumentReader,
	options: DocumentPreviewOptions,
): Promise<ImagePreview> {
	const {layout, configBytes, config} = await readImageDocuments(read, {
		reference: options.reference,
		source: 'docker-archive',
		warnings: [],
		...(options.platform ? {platform: options.platform} : {}),
	});
	return {
		id: `sha256:${createHash('sha256').update(configBytes).digest('hex')}`,
		os: config.os,
		architecture: config.architecture,
		...(config.created === undefined ? {} : {created: config.created}),
		repoTags: layout.repoTags,
		config: config.config,
		// Paired with the layers as the analysis pairs them.
		...(config.history.length > 0 ? {history: config.history} : {}),
		layers: layout.layers.map(({name, descriptor}, index) => {
			const expectedBytes = options.storedBytes?.(name, descriptor.sizeBytes) ?? descriptor.sizeBytes;
			return {
				diffId: config.diffIds[index] ?? '',
				...(descriptor.digest === undefined ? {} : {digest: descriptor.digest}),
				...(expectedBytes === undefined ? {} : {expectedBytes}),
			};
		}),
	};
}
