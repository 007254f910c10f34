import {LayerlensError} from '../errors.js';

/** The largest JSON document (manifest, index, config) kept in memory while streaming an archive. */
export const maxJsonDocumentBytes = 16 * 1024 * 1024;

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
