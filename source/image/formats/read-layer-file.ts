import {LayerlensError} from '../../shared/errors.js';
import {cleanName} from './archive-entries.js';
import {normaliseEntryName} from './entry-name.js';
import {LayerParser} from './layer-parser.js';
import {type TarHandler, type TarHeader, TarParser} from './tar-parser.js';

/** Keeps up to `limit` bytes of the last regular file named `path` (the copy the reader keeps). */
class FileGrabber implements TarHandler {
	found: Buffer | undefined;
	private chunks: Buffer[] | undefined;
	private kept = 0;

	constructor(
		private readonly path: string,
		private readonly limit: number,
	) {}

	header(header: TarHeader): void {
		const name = normaliseEntryName(header.name);
		const matches =
			name.kind === 'path' && name.path === this.path && (header.typeflag === '0' || header.typeflag === '7');
		this.chunks = matches ? [] : undefined;
		this.kept = 0;
	}

	data(chunk: Buffer): void {
		if (this.chunks !== undefined && this.kept < this.limit) {
			const part = chunk.subarray(0, this.limit - this.kept);
			this.chunks.push(Buffer.from(part));
			this.kept += part.length;
		}
	}

	end(): void {
		if (this.chunks !== undefined) {
			this.found = Buffer.concat(this.chunks);
			this.chunks = undefined;
		}
	}
}

function notFound(path: string): LayerlensError {
	return new LayerlensError(`file '${path}' is not a regular file in that layer`, {
		hint: 'Pick a file shown in the layer',
	});
}

/** A grabber for `path` as the reader names entries; a path that can never be an entry is simply not found. */
function grabberFor(path: string, limit: number): FileGrabber {
	const wanted = normaliseEntryName(path);
	if (wanted.kind !== 'path') {
		throw notFound(path);
	}

	return new FileGrabber(wanted.path, limit);
}

/**
Up to `limit` bytes of the regular file at `path` in one layer blob. The whole layer is read (a later copy
in the same layer wins, as in the reader); contents other than the match are discarded.
*/
export async function readFileFromLayer(
	stored: AsyncIterable<Buffer> | Iterable<Buffer>,
	path: string,
	limit: number,
): Promise<Buffer> {
	const grabber = grabberFor(path, limit);
	const parser = new LayerParser({label: 'layer', tarHandler: grabber});
	for await (const chunk of stored) {
		await parser.write(chunk);
	}

	await parser.end();
	if (grabber.found === undefined) {
		throw notFound(path);
	}

	return grabber.found;
}

/** Forwards the bytes of one archive entry (a layer blob) to a layer parser. */
class LayerEntryForwarder implements TarHandler {
	parser: LayerParser | undefined;
	done = false;

	constructor(
		private readonly layerName: string,
		private readonly grabber: FileGrabber,
	) {}

	header(header: TarHeader): void {
		const isLayer =
			!this.done &&
			cleanName(header.name) === this.layerName &&
			(header.typeflag === '0' || header.typeflag === '7');
		this.parser = isLayer ? new LayerParser({label: this.layerName, tarHandler: this.grabber}) : undefined;
	}

	data(chunk: Buffer): void | Promise<void> {
		return this.parser?.write(chunk);
	}

	async end(): Promise<void> {
		if (this.parser !== undefined) {
			await this.parser.end();
			this.parser = undefined;
			this.done = true;
		}
	}
}

/** Re-read an archive up to the layer entry `layerName` and return up to `limit` bytes of `path` from it. */
export async function readFileFromArchive(
	input: AsyncIterable<Buffer> & {destroy(): void},
	layerName: string,
	path: string,
	limit: number,
): Promise<Buffer> {
	const grabber = grabberFor(path, limit);
	const forwarder = new LayerEntryForwarder(layerName, grabber);
	const parser = new TarParser(forwarder);
	try {
		for await (const chunk of input) {
			await parser.push(chunk);
			if (forwarder.done) {
				break;
			}
		}
	} finally {
		input.destroy();
	}

	if (!forwarder.done) {
		throw new LayerlensError(`layer ${layerName} is no longer in the archive`, {
			hint: 'The file changed since it was loaded; run layerlens again',
		});
	}

	if (grabber.found === undefined) {
		throw notFound(path);
	}

	return grabber.found;
}
