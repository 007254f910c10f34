import {createHmac, timingSafeEqual} from 'node:crypto';
import {constants} from 'node:fs';
import {lstat, mkdir, open, readdir, unlink} from 'node:fs/promises';
import {join} from 'node:path';
import process from 'node:process';
import {parseByteSize} from '../ci/parse-size.js';
import {toolVersion} from '../shared/version.js';

/**
The analysis cache's files on disk, trusted no further than the user's own regular files: a cache entry is
read only from a directory that is the user's and that nobody else can write, opened without following a
symlink and without blocking on a FIFO, and only when it is a regular file the user owns; at most its size
when opened is read. Anything else is a miss, never an error and never a hang.
*/

/** The names layerlens gives cache files (image entries and reports); nothing else in the directory is touched. */
export const cacheFileName = /^v\d+-[0-9a-f]{40}\.(bin|report\.json)$/;

/** Default size cap of the cache directory: the least recently used files go first beyond it. */
export const defaultCacheMaxBytes = 2e9;

/** The cap from LAYERLENS_CACHE_MAX_BYTES (any size the size parser reads: `500MB`, `2GiB`), else the default. */
export function cacheMaxBytes(env: NodeJS.ProcessEnv = process.env): number {
	const text = env.LAYERLENS_CACHE_MAX_BYTES;
	const parsed = text === undefined || text.trim() === '' ? undefined : parseByteSize(text);
	return parsed ?? defaultCacheMaxBytes;
}

/**
Every cache file ends in (or, for a report, closes with) a seal: HMAC-SHA256 of its content, keyed by the
key of the image it belongs to, the tool version and LAYERLENS_CACHE_SECRET when set. It is checked before
any field is read, so a damaged, cut-off or stale file, or another image's file under this image's name,
is a miss. Without the secret the seal is no proof against a forger, who can recompute it; a random key
kept in the cache directory would be none either, since whoever can write the directory (or restores it
as a CI cache) can read that key too. So a verdict (`--ci`) uses the cache only when the secret is set:
it lives outside the directory (a CI secret), and a file sealed without it is a miss.
*/
export const cacheSealBytes = 32;

/** The secret a verdict needs before it may use the cache (never printed). */
export function cacheSecret(env: NodeJS.ProcessEnv = process.env): string | undefined {
	const secret = env.LAYERLENS_CACHE_SECRET;
	return secret === undefined || secret === '' ? undefined : secret;
}

/** Whether a verdict (`--ci`) may use the cache: only files sealed with a secret kept outside it prove anything. */
export function verdictTrustsCache(env: NodeJS.ProcessEnv = process.env): boolean {
	return cacheSecret(env) !== undefined;
}

/** The seal of a cache file's content for the image key `fileKey`. */
export function cacheSeal(
	content: Uint8Array,
	fileKey: string,
	env: NodeJS.ProcessEnv = process.env,
): Buffer {
	const secret = cacheSecret(env);
	const key = `layerlens ${toolVersion}\0${fileKey}\0${secret === undefined ? '' : `secret\0${secret}`}`;
	return createHmac('sha256', key).update(content).digest();
}

/** True when `seal` is the seal of `content` under `fileKey` (compared in constant time). */
export function isSealed(
	content: Uint8Array,
	seal: Uint8Array,
	fileKey: string,
	env: NodeJS.ProcessEnv = process.env,
): boolean {
	return seal.length === cacheSealBytes && timingSafeEqual(cacheSeal(content, fileKey, env), seal);
}

const currentUid = (): number | undefined => process.getuid?.();

/** The directory is a real directory (not a symlink), the user's own, and writable by nobody else. */
export async function isTrustedCacheDirectory(directory: string): Promise<boolean> {
	try {
		const info = await lstat(directory);
		const uid = currentUid();
		return info.isDirectory() && (uid === undefined || info.uid === uid) && (info.mode & 0o022) === 0;
	} catch {
		return false;
	}
}

/** Create the cache directory (0700) when missing; true when it can be trusted with the user's entries. */
export async function prepareCacheDirectory(directory: string): Promise<boolean> {
	try {
		await mkdir(directory, {recursive: true, mode: 0o700});
	} catch {
		return false;
	}

	return isTrustedCacheDirectory(directory);
}

/**
The bytes of one cache file, or undefined for a miss: no such file, a symlink (O_NOFOLLOW), a FIFO or a
device (O_NONBLOCK keeps the open from waiting for a writer), another user's file, an untrusted directory,
or a file larger than `maxBytes`. Reads the size seen when it was opened and no more, and marks the file
as used (its mtime) for the least-recently-used eviction.
*/
export async function readCacheFile(
	directory: string,
	name: string,
	maxBytes: number,
): Promise<Buffer | undefined> {
	if (!(await isTrustedCacheDirectory(directory))) {
		return undefined;
	}

	let handle: Awaited<ReturnType<typeof open>>;
	try {
		handle = await open(
			join(directory, name),
			constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
		);
	} catch {
		return undefined;
	}

	try {
		const info = await handle.stat();
		const uid = currentUid();
		if (!info.isFile() || (uid !== undefined && info.uid !== uid) || info.size > maxBytes) {
			return undefined;
		}

		const bytes = Buffer.allocUnsafe(info.size);
		let filled = 0;
		while (filled < bytes.length) {
			const {bytesRead} = await handle.read(bytes, filled, bytes.length - filled, filled);
			if (bytesRead === 0) {
				// Shrunk since it was opened: a writer is replacing it, so it is not an entry to trust.
				return undefined;
			}

			filled += bytesRead;
		}

		const now = new Date();
		await handle.utimes(now, now).catch(() => undefined);
		return bytes;
	} catch {
		return undefined;
	} finally {
		await handle.close().catch(() => undefined);
	}
}

type CacheFile = {name: string; bytes: number; usedMs: number};

async function listCacheFiles(directory: string): Promise<CacheFile[]> {
	let names: string[];
	try {
		names = await readdir(directory);
	} catch {
		return [];
	}

	const files: CacheFile[] = [];
	for (const name of names.filter((candidate) => cacheFileName.test(candidate))) {
		try {
			const info = await lstat(join(directory, name));
			files.push({name, bytes: info.isFile() ? info.size : 0, usedMs: info.mtimeMs});
		} catch {
			// Removed by another run meanwhile.
		}
	}

	return files;
}

/**
Keep the cache directory within `maxBytes`: remove the least recently used files (oldest mtime; a read
touches it) until the rest fit. Returns the names removed. Failures leave files in place.
*/
export async function evictCacheFiles(directory: string, maxBytes: number): Promise<string[]> {
	const files = await listCacheFiles(directory);
	let total = files.reduce((sum, file) => sum + file.bytes, 0);
	const removed: string[] = [];
	for (const file of files.sort((a, b) => a.usedMs - b.usedMs || a.name.localeCompare(b.name))) {
		if (total <= maxBytes) break;
		try {
			await unlink(join(directory, file.name));
			total -= file.bytes;
			removed.push(file.name);
		} catch {
			// Another run removed it, or it is not ours to remove.
		}
	}

	return removed;
}

/** Remove every cache file layerlens wrote (by name), whatever its age: `layerlens --clear-cache`. */
export async function clearCacheDirectory(directory: string): Promise<{files: number; bytes: number}> {
	let files = 0;
	let bytes = 0;
	for (const file of await listCacheFiles(directory)) {
		try {
			await unlink(join(directory, file.name));
			files++;
			bytes += file.bytes;
		} catch {
			// Gone already.
		}
	}

	return {files, bytes};
}
