/** What the image tests need from the archive writer, plus small helpers to read what it wrote. */
import {existsSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {Readable} from 'node:stream';
import {type ReadArchiveOptions, readImageArchive} from '../../source/image/sources/archive/read-archive.js';
import type {RawImage} from '../../source/image/types.js';

export type {ArchiveFormat, ArchiveOptions} from '../../source/image/write/archive-plan.js';
export {
	buildImageArchive,
	createImageArchiveStream,
	writeImageArchive,
	writeOciLayoutDirectory,
} from '../../source/image/write/create-image-archive.js';
export type {FileSpec, ImageSpec, LayerSpec} from '../../source/image/write/image-spec.js';
export {createLayerTarStream} from '../../source/image/write/layer-tar.js';

/** dive's own test archives, read in place from `shared/` beside the clone (they are not copied into the project). */
export const diveFixtures = new URL('../../../shared/fixtures/dive/', import.meta.url).pathname;

/**
The skip reason of a test that reads dive's archive `name` (or any of them), or false when it is there. One
wording for a missing folder, so that `npm test`'s closing line counts all these tests under one reason.
*/
export function diveFixtureSkip(name?: string): string | false {
	if (!existsSync(diveFixtures)) {
		return `dive's own test archives not found in ${diveFixtures} (shared/ beside the clone; a clone from GitHub has none)`;
	}

	return name === undefined || existsSync(join(diveFixtures, name))
		? false
		: `dive's test archive ${join(diveFixtures, name)} not found`;
}

/** Read an in-memory archive through the real streaming reader. */
export async function readArchiveBuffer(
	archive: Buffer,
	options: Partial<ReadArchiveOptions> = {},
): Promise<RawImage> {
	const {image} = await readImageArchive(Readable.from([archive]), {reference: 'test.tar', ...options});
	return image;
}

/** A temporary directory removed after `run`, for the on-disk layout tests. */
export async function withTemporaryDirectory<T>(run: (directory: string) => Promise<T>): Promise<T> {
	const directory = await mkdtemp(join(tmpdir(), 'layerlens-test-'));
	try {
		return await run(directory);
	} finally {
		await rm(directory, {recursive: true, force: true});
	}
}

/** All bytes of a stream. */
export async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) {
		chunks.push(chunk);
	}

	return Buffer.concat(chunks);
}

export type ArchiveFile = {
	name: string;
	type: 'file' | 'directory' | 'symlink';
	content: Buffer;
	linkname?: string;
};

/** Every entry of a (small) archive with its content, to edit and pack again in tests of damaged input. */
export async function listArchive(archive: Buffer): Promise<ArchiveFile[]> {
	const tar = (await import('tar-stream')).default;
	const extract = tar.extract();
	const files: ArchiveFile[] = [];
	const done = (async () => {
		for await (const entry of extract) {
			const content = await collect(entry as AsyncIterable<Buffer>);
			const type =
				entry.header.type === 'directory' || entry.header.type === 'symlink' ? entry.header.type : 'file';
			files.push({
				name: entry.header.name,
				type,
				content,
				...(entry.header.linkname ? {linkname: entry.header.linkname} : {}),
			});
		}
	})();
	extract.end(archive);
	await done;
	return files;
}

export async function packArchive(files: ArchiveFile[]): Promise<Buffer> {
	const tar = (await import('tar-stream')).default;
	const pack = tar.pack();
	for (const file of files) {
		const header = {
			name: file.name,
			type: file.type,
			mtime: new Date(0),
			...(file.linkname ? {linkname: file.linkname} : {}),
		};
		if (file.type === 'file') {
			pack.entry(header, file.content);
		} else {
			pack.entry(header).end(undefined);
		}
	}

	pack.finalize();
	return collect(pack as unknown as AsyncIterable<Buffer>);
}

/** A raw tar made of header-only entries with exact names (for hostile names the writer would not produce). */
export async function rawTar(
	entries: Array<{
		name: string;
		type?: 'file' | 'directory' | 'symlink' | 'link';
		content?: string;
		linkname?: string;
	}>,
): Promise<Buffer> {
	const tar = (await import('tar-stream')).default;
	const pack = tar.pack();
	for (const entry of entries) {
		const header = {
			name: entry.name,
			type: entry.type ?? 'file',
			mtime: new Date(0),
			...(entry.linkname ? {linkname: entry.linkname} : {}),
		};
		if (entry.content === undefined) {
			pack.entry(header).end(undefined);
		} else {
			pack.entry(header, entry.content);
		}
	}

	pack.finalize();
	return collect(pack as unknown as AsyncIterable<Buffer>);
}
