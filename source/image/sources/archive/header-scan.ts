import {closeSync, constants, fstatSync, openSync, readSync, statSync} from 'node:fs';
import {posix} from 'node:path';
import {cleanName} from '../../formats/archive-entries.js';
import {maxJsonDocumentBytes} from '../../formats/json-document.js';
import type {DocumentReader} from '../../formats/manifest-selection.js';
import {type TarHeader, TarParser} from '../../formats/tar-parser.js';

/** One entry of the archive: where its data is in the file and how long it is. */
export type ScannedEntry = {dataOffset: number; size: number};

export type HeaderScan = {
	entries: Map<string, ScannedEntry>;
	/** Symlinks and hard links, as the read resolves them (old `docker save` links identical layers). */
	links: Map<string, string>;
};

const blockSize = 512;
/** An image archive holds a handful of entries per layer; past this the scan gives up (the read still runs). */
const maxEntries = 100_000;
/** Stand-in bytes handed to the parser for data that is skipped, never read from the file. */
const skipBytes = Buffer.alloc(1024 * 1024);

/**
The tar headers of an uncompressed archive file, read by seeking over every entry's data: a 1 GB archive's
headers take milliseconds. Read synchronously on purpose: the scan is done before the layers' read starts,
instead of waiting for a turn of the event loop between the read's chunks for each header. The same parser as the read judges them (PAX, GNU long names), so the entries are
the read's. Undefined when the file is no plain tar, is cut short, or has too many entries: the preview is a
head start, and the read itself says what is wrong with the archive.
*/
export function scanArchiveHeaders(path: string): HeaderScan | undefined {
	let fd: number | undefined;
	try {
		// A FIFO is never opened here (opening one blocks until a writer comes): only a regular file is scanned.
		if (!statSync(path).isFile()) return undefined;
		fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
		const info = fstatSync(fd);
		return info.isFile() ? scanOpenFile(fd, info.size) : undefined;
	} catch {
		return undefined;
	} finally {
		if (fd !== undefined) closeSync(fd);
	}
}

function scanOpenFile(fd: number, fileSize: number): HeaderScan | undefined {
	const scan: HeaderScan = {entries: new Map(), links: new Map()};
	let header: TarHeader | undefined;
	const parser = new TarParser({
		header: (next) => {
			header = next;
		},
		data: () => undefined,
		end: () => undefined,
	});
	const block = Buffer.alloc(blockSize);
	let position = 0;
	while (!parser.ended) {
		if (position + blockSize > fileSize || parser.entries > maxEntries) return undefined;
		if (readSync(fd, block, 0, blockSize, position) < blockSize) return undefined;
		position += blockSize;
		header = undefined;
		parser.push(block);
		if (header === undefined) continue;
		const entry: TarHeader = header;
		recordEntry(scan, entry);
		// Data and padding are skipped by seeking; the parser is handed stand-in bytes to stay in step.
		const skipped = parser.entryBytesLeft;
		if (skipped === 0) continue;
		if (position + skipped > fileSize) return undefined;
		for (let left = skipped; left > 0; left -= skipBytes.length) {
			parser.push(skipBytes.subarray(0, Math.min(left, skipBytes.length)));
		}

		position += skipped;
	}

	return scan;
}

function recordEntry(scan: HeaderScan, header: TarHeader): void {
	const name = cleanName(header.name);
	if (header.typeflag === '2' || header.typeflag === '1') {
		const target =
			header.typeflag === '2' ? posix.join(posix.dirname(name), header.linkname) : header.linkname;
		scan.links.set(name, cleanName(target));
		return;
	}

	if (header.typeflag === '0' || header.typeflag === '7') {
		scan.entries.set(name, {dataOffset: header.dataOffset, size: header.size});
	}
}

/** An entry's name after following links, as the read resolves it. */
export function resolveScanned(scan: HeaderScan, name: string): string {
	let current = cleanName(name);
	for (let hop = 0; hop < 16 && !scan.entries.has(current); hop++) {
		const target = scan.links.get(current);
		if (target === undefined) break;
		current = target;
	}

	return current;
}

/** Reads the documents the scan found straight from the file (only those small enough to be documents). */
export function scannedDocumentReader(path: string, scan: HeaderScan): DocumentReader {
	return async (name) => {
		const entry = scan.entries.get(resolveScanned(scan, name));
		if (entry === undefined || entry.size > maxJsonDocumentBytes) return undefined;
		const fd = openSync(path, 'r');
		try {
			const bytes = Buffer.alloc(entry.size);
			return readSync(fd, bytes, 0, entry.size, entry.dataOffset) === entry.size ? bytes : undefined;
		} finally {
			closeSync(fd);
		}
	};
}
