/**
Forged analysis-cache files for the tamper tests: an edit made and the seal recomputed, as someone who can
write the cache directory (and read the source) could. Without LAYERLENS_CACHE_SECRET nothing tells such a
file from an honest one but its shape; with the secret it is a miss.
*/
import {readFileSync, writeFileSync} from 'node:fs';
import {cacheSeal, cacheSealBytes} from '../../source/cache/cache-files.js';

type StoredReportDocument = {
	key: string;
	seal?: string;
	report: Record<string, unknown> & {image: Record<string, unknown>};
};

/** The stored report as plain JSON (its seal included). */
export function readStoredReport(path: string): StoredReportDocument {
	return JSON.parse(readFileSync(path, 'utf8')) as StoredReportDocument;
}

/** Edit the stored report's plain JSON (anything, reshaped or not) and write it back sealed again. */
export function resealReport(
	path: string,
	edit: (report: StoredReportDocument['report']) => void,
	env: NodeJS.ProcessEnv = {},
): void {
	const {seal: _seal, ...stored} = readStoredReport(path);
	edit(stored.report);
	// Sealed here, not through the encoder, so that whatever the edit left (extra keys included) is written.
	const content = Buffer.from(JSON.stringify(stored).slice(0, -1), 'utf8');
	const seal = cacheSeal(content, stored.key, env).toString('hex');
	writeFileSync(path, Buffer.concat([content, Buffer.from(`,"seal":"${seal}"}`, 'latin1')]));
}

const magic = 'LLCACHE\n';

/** The image key a `.bin` names in its header. */
export function binKey(bytes: Buffer): string {
	const length = bytes.readUInt32LE(magic.length);
	const header = JSON.parse(bytes.toString('utf8', magic.length + 4, magic.length + 4 + length)) as {
		key: string;
	};
	return header.key;
}

/** A `.bin` whose content (seal excluded) `edit` changed, sealed again for the key it names. */
export function resealBin(
	bytes: Buffer,
	edit: (content: Buffer) => Buffer,
	env: NodeJS.ProcessEnv = {},
): Buffer {
	const key = binKey(bytes);
	const content = edit(Buffer.from(bytes.subarray(0, bytes.length - cacheSealBytes)));
	return Buffer.concat([content, cacheSeal(content, key, env)]);
}

/** A `.bin` whose JSON header `edit` rewrote (its length fixed, the columns moved to stay 8-byte aligned), sealed again. */
export function resealBinHeader(
	bytes: Buffer,
	edit: (header: Record<string, unknown>) => void,
	env: NodeJS.ProcessEnv = {},
): Buffer {
	return resealBin(
		bytes,
		(content) => {
			const start = magic.length + 4;
			const length = content.readUInt32LE(magic.length);
			const header = JSON.parse(content.toString('utf8', start, start + length)) as Record<string, unknown>;
			edit(header);
			const oldBodyStart = start + length + ((8 - ((start + length) % 8)) % 8);
			let text = Buffer.from(JSON.stringify(header), 'utf8');
			// Pad the header with spaces (still JSON) so the body starts where it did, or at the next 8 bytes.
			const target = start + text.length + ((8 - ((start + text.length) % 8)) % 8);
			text = Buffer.concat([text, Buffer.alloc(target - start - text.length, ' ')]);
			const prefix = Buffer.alloc(start);
			prefix.write(magic, 0, 'latin1');
			prefix.writeUInt32LE(text.length, magic.length);
			return Buffer.concat([prefix, text, content.subarray(oldBodyStart)]);
		},
		env,
	);
}
