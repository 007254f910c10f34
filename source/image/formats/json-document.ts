import {LayerlensError} from '../../shared/errors.js';

/** The largest JSON document (manifest, index, config) kept in memory while streaming an archive. */
export const maxJsonDocumentBytes = 16 * 1024 * 1024;

/**
All the non-layer files of one archive kept in memory together: the manifests, index and configs of
even a many-platform image are a few MiB; a crafted archive held 2.3 GB of them before its manifest.
*/
export const maxDocumentTotalBytes = 64 * 1024 * 1024;

/** A manifest, index or config asked for that the archive or layout holds, but too large to be one. */
export function documentTooLarge(name: string, where: string, sizeBytes: number): LayerlensError {
	return new LayerlensError(
		`${name} in ${where} is ${sizeBytes} bytes, more than the ${maxJsonDocumentBytes} a manifest, index or image config may have`,
		{hint: 'The archive is damaged or crafted; export the image again'},
	);
}

export function parseJsonDocument(bytes: Buffer, name: string, where: string): unknown {
	try {
		return JSON.parse(bytes.toString('utf8')) as unknown;
	} catch (error) {
		throw new LayerlensError(`${name} in ${where} is not valid JSON: ${(error as Error).message}`, {
			hint: 'The archive is damaged; export the image again',
			cause: error,
		});
	}
}

export const asRecord = (value: unknown): Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value)
		? (value as Record<string, unknown>)
		: {};

export const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export const asString = (value: unknown): string | undefined =>
	typeof value === 'string' ? value : undefined;
