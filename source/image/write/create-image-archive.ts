import {createWriteStream} from 'node:fs';
import {mkdir, symlink, writeFile} from 'node:fs/promises';
import {dirname, join} from 'node:path';
import {Readable} from 'node:stream';
import {pipeline} from 'node:stream/promises';
import tar from 'tar-stream';
import {type ArchiveItem, type ArchiveOptions, planArchive} from './archive-plan.js';
import type {ImageSpec} from './image-spec.js';
import {defaultMtimeSeconds} from './layer-tar.js';

const mtime = new Date(defaultMtimeSeconds * 1000);

type TarHeader = Partial<tar.Header> & {name: string};

function addEntry(pack: tar.Pack, header: TarHeader, content?: Buffer): Promise<void> {
	return new Promise((resolve, reject) => {
		const done = (error?: Error | null) => (error ? reject(error) : resolve());
		if (content === undefined) {
			pack.entry(header, done).end(undefined);
		} else {
			pack.entry(header, content, done);
		}
	});
}

/** Copy a layer blob into its tar entry, at the pace the archive is read. */
function addStreamEntry(pack: tar.Pack, header: TarHeader, source: Readable): Promise<void> {
	return new Promise((resolve, reject) => {
		const sink = pack.entry(header, (error?: Error | null) => (error ? reject(error) : resolve()));
		source.on('error', (error) => {
			sink.destroy(error);
			reject(error);
		});
		source.on('data', (chunk: Buffer) => {
			if (!sink.write(chunk)) {
				source.pause();
				sink.once('drain', () => source.resume());
			}
		});
		source.on('end', () => sink.end(undefined));
	});
}

async function writeItems(pack: tar.Pack, items: ArchiveItem[]): Promise<void> {
	for (const item of items) {
		switch (item.kind) {
			case 'dir': {
				await addEntry(pack, {name: item.name, type: 'directory', mode: 0o755, mtime});
				break;
			}

			case 'json': {
				await addEntry(pack, {name: item.name, type: 'file', mode: 0o644, mtime}, item.bytes);
				break;
			}

			case 'symlink': {
				await addEntry(pack, {name: item.name, type: 'symlink', mode: 0o777, mtime, linkname: item.target});
				break;
			}

			case 'layer': {
				const header = {
					name: item.name,
					type: 'file' as const,
					mode: 0o644,
					mtime,
					size: item.layer.sizeBytes,
				};
				await addStreamEntry(pack, header, item.layer.open());
				break;
			}
		}
	}
}

/**
A streamed, deterministic image archive (`docker save` classic or containerd flavour, or an OCI layout
tar). Layers are generated twice (measured, then written) unless small, so memory stays flat for any size.
*/
export function createImageArchiveStream(spec: ImageSpec, options: ArchiveOptions = {}): Readable {
	const pack = tar.pack();
	const run = async (): Promise<void> => {
		await writeItems(pack, await planArchive(spec, options));
		pack.finalize();
	};

	run().catch((error: unknown) => pack.destroy(error as Error));
	return Readable.from(pack, {objectMode: false});
}

export async function writeImageArchive(
	spec: ImageSpec,
	path: string,
	options: ArchiveOptions = {},
): Promise<void> {
	await pipeline(createImageArchiveStream(spec, options), createWriteStream(path));
}

export async function buildImageArchive(spec: ImageSpec, options: ArchiveOptions = {}): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of createImageArchiveStream(spec, options) as AsyncIterable<Buffer>) {
		chunks.push(chunk);
	}

	return Buffer.concat(chunks);
}

/** The same content as an OCI layout directory (format `oci` unless `containerd` is asked for). */
export async function writeOciLayoutDirectory(
	spec: ImageSpec,
	directory: string,
	options: ArchiveOptions = {},
): Promise<void> {
	const format = options.format === 'containerd' ? 'containerd' : 'oci';
	const items = await planArchive(spec, {...options, format});
	for (const item of items) {
		const target = join(directory, item.name);
		if (item.kind === 'dir') {
			await mkdir(target, {recursive: true});
			continue;
		}

		await mkdir(dirname(target), {recursive: true});
		if (item.kind === 'json') {
			await writeFile(target, item.bytes);
		} else if (item.kind === 'symlink') {
			await symlink(item.target, target);
		} else {
			await pipeline(item.layer.open(), createWriteStream(target));
		}
	}
}
