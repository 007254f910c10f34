import type {PlatformSpec} from '../../formats/platform.js';
import type {ImagePreview} from '../../types.js';
import {previewFromDocuments} from './document-preview.js';
import {resolveScanned, scanArchiveHeaders, scannedDocumentReader} from './header-scan.js';

/**
The preview of an archive file from its tar headers (read by seeking) and the manifest and config they point at:
the layer list before the first layer is read. Each layer's expected bytes are its tar entry's size, what the
read reports while it streams that entry. Undefined for a pipe, a compressed archive or one the scan cannot
read: the read names the layers then, and says what is wrong.
*/
export async function previewArchiveFile(
	path: string,
	platform?: PlatformSpec,
): Promise<ImagePreview | undefined> {
	const scan = scanArchiveHeaders(path);
	if (scan === undefined) return undefined;
	try {
		return await previewFromDocuments(scannedDocumentReader(path, scan), {
			reference: path,
			...(platform ? {platform} : {}),
			storedBytes: (name) => scan.entries.get(resolveScanned(scan, name))?.size,
		});
	} catch {
		return undefined;
	}
}
