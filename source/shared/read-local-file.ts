/**
Reads the user's own small files (Dockerfiles, `.layerlens.yml`, `.dive-ci`, baselines, registry login
files, CA bundles, an OCI layout's JSON documents) with a size limit, and opens any path without blocking.

- A regular file's size is checked with fstat before a byte is read: a 3 GB `./Dockerfile` is refused with
  one line instead of growing the process by its size.
- Anything else (`/dev/urandom`, `<(cat Dockerfile)`) is read up to the limit and one byte more, then refused.
- Every open is O_NONBLOCK: a blocking open() of a FIFO nobody writes to holds a libuv thread that
  process.exit() waits for (or the main thread, for a sync read), so neither SIGINT nor SIGTERM would end
  the process. A FIFO is then read as a pipe on the event loop, which waits for a writer without blocking.
*/
import {closeSync, constants, fstatSync, openSync, read, readSync} from 'node:fs';
import {open} from 'node:fs/promises';
import {Socket} from 'node:net';
import type {Readable} from 'node:stream';
import {promisify} from 'node:util';
import {LayerlensError} from './errors.js';
import {formatBytes} from './format-bytes.js';

const readAsync = promisify(read);

/** A Dockerfile of 4 MB is already far beyond any real one. */
export const dockerfileLimitBytes = 4_000_000;
/** `.layerlens.yml` and `.dive-ci` hold a few thresholds and globs. */
export const configLimitBytes = 1_000_000;
/** A baseline holds a rule id and a path group per accepted finding. */
export const baselineLimitBytes = 64_000_000;
/** Docker's config.json and Podman's auth.json: a few entries per registry logged in to. */
export const credentialsLimitBytes = 4_000_000;
/** A PEM bundle of CA certificates (the system's is about 200 KB). */
export const certificateBundleLimitBytes = 16_000_000;

/** Opens `path` for reading without waiting for a FIFO's writer. */
export function openNonBlocking(path: string): number {
	return openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
}

/** A FIFO or socket descriptor as a stream read on the event loop (takes ownership of `fd`). */
export function pipeStream(fd: number): Readable {
	return new Socket({fd, readable: true, writable: false});
}

/** `what` inside a sentence: `Config file` → `config file`; `Dockerfile` and `CA bundle` keep their case. */
function inSentence(what: string): string {
	return what === 'Dockerfile' || /^[A-Z]{2}/.test(what)
		? what
		: `${what.charAt(0).toLowerCase()}${what.slice(1)}`;
}

function tooLarge(what: string, path: string, size: string, limit: number): LayerlensError {
	return new LayerlensError(`${what} ${path} is too large: ${size} (limit ${formatBytes(limit)})`, {
		hint: `Give the ${inSentence(what)} itself, not another file`,
	});
}

/** Up to `limit + 1` bytes of a pipe: one byte more than the limit is enough to refuse it. */
async function readPipe(fd: number, limit: number): Promise<Buffer> {
	const stream = pipeStream(fd);
	const chunks: Buffer[] = [];
	let bytes = 0;
	try {
		for await (const chunk of stream) {
			chunks.push(chunk as Buffer);
			bytes += (chunk as Buffer).length;
			if (bytes > limit) break;
		}
	} finally {
		stream.destroy();
	}

	return Buffer.concat(chunks);
}

/** Reads from `fd` until its end or `limit + 1` bytes (a device such as /dev/urandom never ends). */
async function readDescriptor(fd: number, limit: number): Promise<Buffer> {
	const buffer = Buffer.alloc(Math.min(limit + 1, 1024 * 1024));
	const chunks: Buffer[] = [];
	let bytes = 0;
	while (bytes <= limit) {
		const {bytesRead} = await readAsync(fd, buffer, 0, Math.min(buffer.length, limit + 1 - bytes), null);
		if (bytesRead === 0) break;
		chunks.push(Buffer.from(buffer.subarray(0, bytesRead)));
		bytes += bytesRead;
	}

	return Buffer.concat(chunks);
}

/**
The bytes of the file at `path`, at most `limit` of them. Too large: a LayerlensError naming `what`
(`Dockerfile`, `Config file`, ...) and both sizes. Any other failure (missing, a directory, a terminal
with nothing to read) is thrown as the system error, for the caller to name.
*/
export async function readLocalFile(path: string, what: string, limit: number): Promise<Buffer> {
	let fd: number | undefined = openNonBlocking(path);
	try {
		const info = fstatSync(fd);
		if (info.isDirectory()) {
			throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), {
				code: 'EISDIR',
			});
		}

		let bytes: Buffer;
		if (info.isFile()) {
			if (info.size > limit) throw tooLarge(what, path, formatBytes(info.size), limit);
			bytes = await readDescriptor(fd, limit);
		} else if (info.isFIFO() || info.isSocket()) {
			const owned = fd;
			fd = undefined;
			bytes = await readPipe(owned, limit);
		} else {
			bytes = await readDescriptor(fd, limit);
		}

		if (bytes.length > limit) throw tooLarge(what, path, `more than ${formatBytes(limit)}`, limit);
		return bytes;
	} finally {
		if (fd !== undefined) closeSync(fd);
	}
}

/**
The bytes of `path` when it is a regular file within `limit`, read on the main thread; undefined when it is
anything else (a FIFO would block it, and a sync read cannot be interrupted) or cannot be opened.
*/
export function readRegularFileSync(path: string, what: string, limit: number): Buffer | undefined {
	let fd: number;
	try {
		fd = openNonBlocking(path);
	} catch {
		return undefined;
	}

	try {
		const info = fstatSync(fd);
		if (!info.isFile()) return undefined;
		if (info.size > limit) throw tooLarge(what, path, formatBytes(info.size), limit);
		const buffer = Buffer.alloc(info.size);
		let bytes = 0;
		while (bytes < buffer.length) {
			const read = readSync(fd, buffer, bytes, buffer.length - bytes, null);
			if (read === 0) break;
			bytes += read;
		}

		return buffer.subarray(0, bytes);
	} finally {
		closeSync(fd);
	}
}

/**
The bytes of `path` when it is a regular file, read through one descriptor: its size checked with fstat
(above `limit`, `tooLarge(size)` is thrown) and no more than that size read, so a file replaced or grown
after a check elsewhere is never read whole. Undefined when it cannot be opened or is anything else.
*/
export async function readRegularFile(
	path: string,
	limit: number,
	tooLarge: (sizeBytes: number) => Error,
): Promise<Buffer | undefined> {
	let handle: Awaited<ReturnType<typeof open>>;
	try {
		handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
	} catch {
		return undefined;
	}

	try {
		const info = await handle.stat();
		if (!info.isFile()) return undefined;
		if (info.size > limit) throw tooLarge(info.size);
		const buffer = Buffer.alloc(info.size);
		let bytes = 0;
		while (bytes < buffer.length) {
			const {bytesRead} = await handle.read(buffer, bytes, buffer.length - bytes, bytes);
			if (bytesRead === 0) break;
			bytes += bytesRead;
		}

		return buffer.subarray(0, bytes);
	} finally {
		await handle.close().catch(() => undefined);
	}
}
