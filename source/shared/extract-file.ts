import {randomBytes} from 'node:crypto';
import {constants} from 'node:fs';
import {type FileHandle, link, lstat, mkdir, open, realpath, unlink} from 'node:fs/promises';
import {isAbsolute, join, relative, resolve, sep} from 'node:path';
import {LayerlensError} from './errors.js';

/**
Where the file would land, or a LayerlensError when the in-image path would escape the target
directory (`..`, absolute paths, empty names).
*/
export function extractionTarget(directory: string, imagePath: string): {root: string; segments: string[]} {
	const segments = imagePath.split('/').filter((segment) => segment !== '' && segment !== '.');
	if (segments.length === 0 || segments.some((segment) => segment === '..' || segment.includes('\0'))) {
		throw new LayerlensError(
			`Refusing to extract ${JSON.stringify(imagePath)}: it points outside the target directory`,
			{
				hint: 'Pick a file inside the image',
			},
		);
	}

	const root = resolve(directory);
	const target = resolve(root, ...segments);
	const inside = relative(root, target);
	if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
		throw new LayerlensError(
			`Refusing to extract ${JSON.stringify(imagePath)}: it points outside the target directory`,
			{
				hint: 'Pick a file inside the image',
			},
		);
	}

	return {root, segments};
}

/**
Write `content` as `directory/<imagePath>`. Never leaves the directory, never follows a symlink on
the way (each existing component is checked with lstat, and the final open uses O_NOFOLLOW), never
replaces an existing file, and never leaves a partial file behind: it writes a temporary file and
links it into place (link fails if the name exists, which is the O_EXCL guarantee made atomic).
Returns the absolute path written.
*/
export async function extractFile(
	directory: string,
	imagePath: string,
	content: Uint8Array,
): Promise<string> {
	const {root, segments} = extractionTarget(directory, imagePath);
	let rootReal: string;
	try {
		rootReal = await realpath(root);
	} catch (error) {
		throw new LayerlensError(
			`Cannot extract into ${root}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
			{
				hint: 'Create the directory first or choose another one',
				cause: error,
			},
		);
	}

	// The chosen directory itself may be a symlink (e.g. /tmp on macOS); below it nothing may be.
	let current = rootReal;
	for (const segment of segments.slice(0, -1)) {
		current = join(current, segment);
		const stat = await lstat(current).catch((error: NodeJS.ErrnoException) => {
			if (error.code === 'ENOENT') return undefined;
			throw error;
		});
		if (stat === undefined) {
			await mkdir(current, {mode: 0o755}).catch((error: NodeJS.ErrnoException) => {
				if (error.code !== 'EEXIST') throw error;
			});
			const created = await lstat(current);
			if (!created.isDirectory()) {
				throw refuse(imagePath, current);
			}
		} else if (!stat.isDirectory() || stat.isSymbolicLink()) {
			throw refuse(imagePath, current);
		}
	}

	const target = join(current, segments.at(-1)!);
	const existing = await lstat(target).catch(() => undefined);
	if (existing) {
		throw new LayerlensError(`Not extracting: ${target} already exists (EEXIST)`, {
			hint: 'Choose another directory or remove the file',
		});
	}

	const temporary = join(current, `.layerlens-${randomBytes(6).toString('hex')}.tmp`);
	let handle: FileHandle | undefined;
	try {
		handle = await open(
			temporary,
			constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
			0o644,
		);
		await handle.writeFile(content);
		await handle.sync();
		await handle.close();
		handle = undefined;
		// link() refuses an existing name and does not follow a symlink planted at `target` meanwhile.
		await link(temporary, target);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new LayerlensError(
			code === 'EEXIST'
				? `Not extracting: ${target} already exists (EEXIST)`
				: `Cannot extract to ${target}: ${code ?? (error as Error).message}`,
			{hint: 'Choose another directory', cause: error},
		);
	} finally {
		await handle?.close().catch(() => undefined);
		await unlink(temporary).catch(() => undefined);
	}

	return target;
}

function refuse(imagePath: string, where: string): LayerlensError {
	return new LayerlensError(
		`Refusing to extract ${JSON.stringify(imagePath)}: ${where} is not a plain directory`,
		{
			hint: 'Symlinks are never followed; choose another directory',
		},
	);
}
