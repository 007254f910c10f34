import {randomBytes} from 'node:crypto';
import {type FileHandle, open, rename, unlink} from 'node:fs/promises';
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
Write `content` to `path` through a temporary file in the same directory and a rename, so a reader
never sees a partial file and a failed write (full disk, permissions) leaves any old file intact.
*/
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
	if (path === '/dev/stdout' || path === '/dev/null' || path === '/dev/stderr') {
		// Special files cannot be renamed over; write them directly.
		const handle = await open(path, 'w');
		try {
			await handle.writeFile(content);
		} finally {
			await handle.close();
		}

		return;
	}

	const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
	let handle: FileHandle | undefined;
	try {
		handle = await open(temporary, 'wx', 0o644);
	} catch (error) {
		throw describeWriteError(path, error as NodeJS.ErrnoException);
	}

	try {
		await handle.writeFile(content);
		await handle.sync();
		await handle.close();
		handle = undefined;
		await rename(temporary, path);
	} catch (error) {
		await handle?.close().catch(() => undefined);
		await unlink(temporary).catch(() => undefined);
		throw describeWriteError(path, error as NodeJS.ErrnoException);
	}
}
