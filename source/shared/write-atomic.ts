import {randomBytes} from 'node:crypto';
import {type Stats, unlinkSync} from 'node:fs';
import {type FileHandle, open, rename, stat, unlink} from 'node:fs/promises';
import {basename, dirname, join} from 'node:path';
import {LayerlensError} from './errors.js';

function describeWriteError(path: string, error: NodeJS.ErrnoException): LayerlensError {
	const hints: Record<string, string> = {
		ENOENT: 'Create the directory first or choose another path',
		EACCES: 'Choose a path you can write to',
		EPERM: 'Choose a path you can write to',
		EROFS: 'The file system is read-only; choose another path',
		ENOSPC: 'The disk is full; free some space or choose another path',
		EISDIR: 'That path is a directory; give a file name',
		ENOTDIR: 'A parent of that path is not a directory',
	};
	return new LayerlensError(`Cannot write ${path}: ${error.code ?? error.message}`, {
		hint: hints[error.code ?? ''] ?? 'Choose another path',
		cause: error,
	});
}

/**
Temporary files not yet renamed into place. A signal ends the process without unwinding the awaits that
would unlink them, so its handler calls `removeTemporaryFiles` to leave nothing behind.
*/
const liveTemporaries = new Set<string>();

/** Remove every temporary file still in flight, synchronously: safe to call from a signal handler or at exit. */
export function removeTemporaryFiles(): void {
	for (const path of liveTemporaries) {
		try {
			unlinkSync(path);
		} catch {}
	}

	liveTemporaries.clear();
}

/**
A FIFO, a terminal, /dev/null or /dev/stdout: renaming a file over it would swap the node away, so it is
written in place. Regular files and paths that do not exist yet go through a temporary file and a rename.
*/
async function isSpecialFile(path: string): Promise<boolean> {
	let info: Stats;
	try {
		info = await stat(path);
	} catch {
		return false;
	}

	if (info.isDirectory()) {
		// Found before anything is staged: a rename onto it would fail only after earlier files were placed.
		throw describeWriteError(path, Object.assign(new Error('is a directory'), {code: 'EISDIR'}));
	}

	return !info.isFile();
}

async function writeInPlace(path: string, content: string | Uint8Array): Promise<void> {
	let handle: FileHandle | undefined;
	try {
		handle = await open(path, 'w');
		await handle.writeFile(content);
	} catch (error) {
		throw describeWriteError(path, error as NodeJS.ErrnoException);
	} finally {
		await handle?.close().catch(() => undefined);
	}
}

/** The content written and synced to a temporary file beside `path`; returns the temporary path. */
async function writeTemporary(path: string, content: string | Uint8Array): Promise<string> {
	const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
	let handle: FileHandle | undefined;
	try {
		handle = await open(temporary, 'wx', 0o644);
	} catch (error) {
		throw describeWriteError(path, error as NodeJS.ErrnoException);
	}

	liveTemporaries.add(temporary);
	try {
		await handle.writeFile(content);
		await handle.sync();
		await handle.close();
		return temporary;
	} catch (error) {
		await handle.close().catch(() => undefined);
		await discard(temporary);
		throw describeWriteError(path, error as NodeJS.ErrnoException);
	}
}

async function discard(temporary: string): Promise<void> {
	await unlink(temporary).catch(() => undefined);
	liveTemporaries.delete(temporary);
}

/**
Write `content` to `path` through a temporary file in the same directory and a rename, so a reader
never sees a partial file and a failed write (full disk, permissions) leaves any old file intact.
Special files (a FIFO, a character device) are written directly.
*/
export async function writeFileAtomic(
	path: string,
	content: string | Uint8Array,
	options: WriteOptions = {},
): Promise<void> {
	await writeFilesTogether([{path, content}], options);
}

export type WriteOptions = {
	/**
	Rename over whatever is at the path, special files included. For files layerlens owns (the cache), where a
	FIFO or device in their place is tampering to be replaced, never a destination the user chose to write into.
	*/
	replaceSpecialFiles?: boolean;
};

/**
Write several files all or nothing: every regular file goes to a temporary file first and only when all
of them (and the special files, written in place) succeeded are they renamed into place, so a report
that cannot be written leaves none of the others behind.
*/
export async function writeFilesTogether(
	files: ReadonlyArray<{path: string; content: string | Uint8Array}>,
	options: WriteOptions = {},
): Promise<void> {
	const special: Array<{path: string; content: string | Uint8Array}> = [];
	const staged: Array<{path: string; temporary: string}> = [];
	try {
		for (const file of files) {
			if (!options.replaceSpecialFiles && (await isSpecialFile(file.path))) {
				special.push(file);
			} else {
				staged.push({path: file.path, temporary: await writeTemporary(file.path, file.content)});
			}
		}

		for (const file of special) {
			await writeInPlace(file.path, file.content);
		}

		for (const {path, temporary} of staged) {
			try {
				await rename(temporary, path);
			} catch (error) {
				throw describeWriteError(path, error as NodeJS.ErrnoException);
			}

			liveTemporaries.delete(temporary);
		}
	} finally {
		for (const {temporary} of staged) {
			if (liveTemporaries.has(temporary)) await discard(temporary);
		}
	}
}
