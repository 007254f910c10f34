import {readRegularFile} from '../../../shared/read-local-file.js';
import {documentTooLarge, maxJsonDocumentBytes} from '../../formats/json-document.js';
import type {PlatformSpec} from '../../formats/platform.js';
import type {ImagePreview} from '../../types.js';
import {previewFromDocuments} from '../archive/document-preview.js';
import {layoutPath} from './read-oci-directory.js';

/** An OCI layout directory's preview: index.json, the manifest and the config, read from disk before any blob. */
export async function previewOciDirectory(
	directory: string,
	platform?: PlatformSpec,
): Promise<ImagePreview | undefined> {
	try {
		return await previewFromDocuments(
			async (name) => {
				const path = layoutPath(directory, name);
				return path === undefined
					? undefined
					: readRegularFile(path, maxJsonDocumentBytes, (size) => documentTooLarge(name, directory, size));
			},
			{reference: directory, ...(platform ? {platform} : {})},
		);
	} catch {
		return undefined;
	}
}
