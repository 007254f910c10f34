/**
The module a Go binary was built from, read from the build info the Go linker embeds (what `go version -m`
prints): a 32-byte header starting `\xff Go buildinf:` at a 16-byte-aligned offset of the data segment, then,
since Go 1.18 (flag bit 2), the Go version and the module info as varint-length-prefixed strings. The
module info is lines of tab-separated fields: `path`, `mod PATH VERSION SUM`, `dep …`, `build …`.
Older binaries hold pointers instead of strings there; they are not read (no guess).
Bounded: the scan keeps 15 bytes across chunks, and at most `maxBuildInfoBytes` after the header.
*/

import type {GoModule} from '../../engine/index.js';

export type {GoModule};

const magic = Buffer.from('\xff Go buildinf:', 'latin1');
const headerBytes = 32;
/** The version string and module info of a binary with hundreds of dependencies fit well inside this. */
export const maxBuildInfoBytes = 256 * 1024;
const flagInlineStrings = 2;
const sentinelBytes = 16;

export class GoBuildInfoScanner {
	private position = 0;
	/** The last bytes of the previous chunk, so a magic split across two chunks is found. */
	private tail = Buffer.alloc(0);
	/** Bytes from the magic on, once it is found. */
	private found: Buffer[] | undefined;
	private foundBytes = 0;

	push(chunk: Buffer): void {
		if (this.found !== undefined) {
			if (this.foundBytes < maxBuildInfoBytes) {
				const part = chunk.subarray(0, maxBuildInfoBytes - this.foundBytes);
				this.found.push(Buffer.from(part));
				this.foundBytes += part.length;
			}

			this.position += chunk.length;
			return;
		}

		const window = this.tail.length === 0 ? chunk : Buffer.concat([this.tail, chunk]);
		const windowStart = this.position - this.tail.length;
		let from = 0;
		for (;;) {
			const at = window.indexOf(magic, from);
			if (at === -1) break;
			if ((windowStart + at) % 16 === 0) {
				const part = window.subarray(at, at + maxBuildInfoBytes);
				this.found = [Buffer.from(part)];
				this.foundBytes = part.length;
				break;
			}

			from = at + 1;
		}

		this.position += chunk.length;
		if (this.found === undefined)
			this.tail = Buffer.from(window.subarray(Math.max(0, window.length - (magic.length - 1))));
		else this.tail = Buffer.alloc(0);
	}

	finish(): GoModule | undefined {
		return this.found === undefined ? undefined : parseGoBuildInfo(Buffer.concat(this.found));
	}
}

/** A varint-prefixed string at `at`: its text and where it ends, or undefined when it runs past the bytes. */
function readString(bytes: Buffer, at: number): {text: Buffer; end: number} | undefined {
	let length = 0;
	let shift = 0;
	let position = at;
	for (;;) {
		if (position >= bytes.length || shift > 28) return undefined;
		const byte = bytes[position++]!;
		length += (byte & 0x7f) * 2 ** shift;
		if ((byte & 0x80) === 0) break;
		shift += 7;
	}

	if (position + length > bytes.length) return undefined;
	return {text: bytes.subarray(position, position + length), end: position + length};
}

/** Build info from its header on (see the module comment); undefined for a pre-1.18 or damaged one. */
export function parseGoBuildInfo(bytes: Buffer): GoModule | undefined {
	if (bytes.length < headerBytes || !bytes.subarray(0, magic.length).equals(magic)) return undefined;
	if ((bytes[magic.length + 1]! & flagInlineStrings) === 0) return undefined;
	const version = readString(bytes, headerBytes);
	if (version === undefined) return undefined;
	const info = readString(bytes, version.end);
	if (info === undefined) return undefined;
	const text = (
		info.text.length >= 2 * sentinelBytes
			? info.text.subarray(sentinelBytes, info.text.length - sentinelBytes)
			: info.text
	).toString('utf8');
	let path: string | undefined;
	for (const line of text.split('\n')) {
		const fields = line.split('\t');
		if (fields[0] === 'mod' && fields[1] && fields[2]) return {path: fields[1], version: fields[2]};
		if (fields[0] === 'path' && fields[1]) path ??= fields[1];
	}

	const goVersion = version.text.toString('utf8');
	return path === undefined || !/^go\d/.test(goVersion) ? undefined : {path, version: goVersion};
}
