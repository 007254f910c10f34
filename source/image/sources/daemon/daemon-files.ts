/**
Single files of an image in a docker or podman daemon, without exporting the image for each one.

- The final version of a file (the one a container would see) comes through the container archive API of a
  container that is created and never started: no process of the image runs, and the container is removed
  as soon as the file has been read.
- A version hidden by a later layer exists only in its layer: the image is exported once and the layers
  passed on the way to that one are spooled to temporary files, so later reads from them need no export.
*/
import {once} from 'node:events';
import {createReadStream, createWriteStream, mkdtempSync, rmSync, type WriteStream} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import process from 'node:process';
import type {Readable} from 'node:stream';
import type Docker from 'dockerode';
import {LayerlensError} from '../../../shared/errors.js';
import {cleanName} from '../../formats/archive-entries.js';
import {readFileFromLayer} from '../../formats/read-layer-file.js';
import {type TarHandler, type TarHeader, TarParser} from '../../formats/tar-parser.js';

/** Set on every container layerlens creates, so one left behind by a killed run can be told apart. */
export const fileReadLabel = 'org.layerlens.file-read';

/** Takes the first entry of a container archive: the file asked for, up to `limit` bytes. */
class FirstEntryGrabber implements TarHandler {
	first: TarHeader | undefined;
	private readonly chunks: Buffer[] = [];
	private kept = 0;
	private inFirst = false;

	constructor(private readonly limit: number) {}

	get content(): Buffer {
		return Buffer.concat(this.chunks);
	}

	get isComplete(): boolean {
		return this.first !== undefined && this.kept >= Math.min(this.limit, this.first.size);
	}

	header(header: TarHeader): void {
		this.inFirst = this.first === undefined;
		this.first ??= header;
	}

	data(chunk: Buffer): void {
		if (!this.inFirst || this.kept >= this.limit) return;
		const part = chunk.subarray(0, this.limit - this.kept);
		this.chunks.push(Buffer.from(part));
		this.kept += part.length;
	}

	end(): void {
		this.inFirst = false;
	}
}

export type ContainerFileOptions = {
	/** A client whose requests are bounded in time (create, remove). */
	docker: Docker;
	/** A client without a request timeout, for the archive stream (an extract may be large). */
	streamingDocker: Docker;
	imageId: string;
	/** Normalised path inside the image (`etc/os-release`). */
	path: string;
	limit: number;
	/** The size the analysis found for the final version: a different answer means another file. */
	expectedSize: number;
	signal: AbortSignal;
	/** Wraps the archive stream so a daemon that stops sending is an error, not a hang. */
	guard: (stream: Readable) => Readable;
};

/**
Up to `limit` bytes of the final version of `path`, read through a created, never started container that
is removed before this returns (also when the read fails or is cancelled).
*/
export async function readFinalFileThroughContainer(options: ContainerFileOptions): Promise<Buffer> {
	const {docker, imageId, path, limit, signal} = options;
	signal.throwIfAborted();
	const container = await docker.createContainer({
		Image: imageId,
		// Never started; the entrypoint only satisfies create for images that name no command.
		Entrypoint: ['/layerlens-never-started'],
		Cmd: [],
		NetworkDisabled: true,
		Labels: {[fileReadLabel]: 'created to read one file; never started'},
		HostConfig: {NetworkMode: 'none'},
	});
	try {
		signal.throwIfAborted();
		const archive = options.guard(
			(await options.streamingDocker
				.getContainer(container.id)
				.getArchive({path: `/${path}`, abortSignal: signal})
				.catch((error: {statusCode?: number}) => {
					if (error.statusCode !== 404) throw error;
					throw new LayerlensError(`/${path} is not in the container's filesystem`, {
						hint: 'The daemon holds another image under this ID than the one analysed; run layerlens again',
					});
				})) as unknown as Readable,
		);
		const grabber = new FirstEntryGrabber(limit);
		const parser = new TarParser(grabber);
		try {
			for await (const chunk of archive) {
				await parser.push(chunk as Buffer);
				if (grabber.first !== undefined) {
					const {typeflag, size} = grabber.first;
					if (typeflag !== '0' && typeflag !== '7') {
						throw new LayerlensError(`/${path} in the container is not a regular file`, {
							hint: 'The daemon holds another image under this ID than the one analysed; run layerlens again',
						});
					}

					if (size !== options.expectedSize) {
						throw new LayerlensError(
							`/${path} in the container has ${size} bytes, the analysed image ${options.expectedSize}`,
							{
								hint: 'The daemon holds another image under this ID than the one analysed; run layerlens again',
							},
						);
					}
				}

				if (grabber.isComplete) break;
			}
		} finally {
			archive.destroy();
		}

		if (!grabber.isComplete) {
			throw new LayerlensError(`the daemon sent no complete copy of /${path}`, {
				hint: 'Check the daemon (`docker info`) and try again',
			});
		}

		return grabber.content;
	} finally {
		await container.remove({force: true, v: true}).catch(() => undefined);
	}
}

/** Copies the bytes of the layer entries it is told about into files of the spool directory. */
class LayerSpooler implements TarHandler {
	private file: WriteStream | undefined;
	private current: string | undefined;
	readonly written = new Map<string, string>();

	constructor(
		private readonly directory: string,
		private readonly names: ReadonlyMap<string, number>,
		private readonly onBytes: (bytes: number) => void,
	) {}

	header(header: TarHeader): void {
		const name = cleanName(header.name);
		const index = this.names.get(name);
		const isLayer =
			index !== undefined && !this.written.has(name) && (header.typeflag === '0' || header.typeflag === '7');
		this.current = isLayer ? name : undefined;
		this.file = isLayer ? createWriteStream(join(this.directory, `layer-${index}`)) : undefined;
	}

	async data(chunk: Buffer): Promise<void> {
		this.onBytes(chunk.length);
		if (this.file !== undefined && !this.file.write(chunk)) await once(this.file, 'drain');
	}

	async end(): Promise<void> {
		const {file, current} = this;
		this.file = undefined;
		this.current = undefined;
		if (file === undefined || current === undefined) return;
		await new Promise<void>((resolve, reject) => {
			file.once('error', reject);
			file.end(resolve);
		});
		this.written.set(current, file.path as string);
	}

	abandon(): void {
		this.file?.destroy();
	}
}

export type ExportProgress = (bytesRead: number) => void;

/**
Layer blobs of one image spooled from its export: the first read of a layer exports the image once and keeps
every layer passed on the way; later reads of those layers come from disk. The directory is removed by
`dispose` and, whatever happens, when the process exits.
*/
export class LayerSpool {
	private directory: string | undefined;
	private readonly spooled = new Map<string, string>();
	private running: Promise<void> | undefined;
	private readonly removeOnExit = () => this.removeDirectory();

	constructor(private readonly exportImage: (signal: AbortSignal) => Promise<Readable>) {}

	/** Up to `limit` bytes of the regular file `path` in the layer entry `layerName` (one of `layerNames`). */
	async readFile(
		layerNames: readonly string[],
		layerName: string,
		path: string,
		limit: number,
		signal: AbortSignal,
		onProgress?: ExportProgress,
	): Promise<Buffer> {
		while (!this.spooled.has(layerName)) {
			if (this.running === undefined) {
				this.running = this.spoolUpTo(layerNames, layerName, signal, onProgress).finally(() => {
					this.running = undefined;
				});
				await this.running;
				if (!this.spooled.has(layerName)) {
					throw new LayerlensError(`layer ${layerName} is no longer in the daemon's export`, {
						hint: 'The image changed since it was loaded; run layerlens again',
					});
				}
			} else {
				// Another read is exporting now: what it spools may be this layer too.
				await this.running.catch(() => undefined);
			}
		}

		return readFileFromLayer(createReadStream(this.spooled.get(layerName)!), path, limit);
	}

	private async spoolUpTo(
		layerNames: readonly string[],
		wanted: string,
		signal: AbortSignal,
		onProgress?: ExportProgress,
	): Promise<void> {
		if (this.directory === undefined) {
			this.directory = mkdtempSync(join(tmpdir(), 'layerlens-layers-'));
			process.on('exit', this.removeOnExit);
		}

		const names = new Map(layerNames.map((name, index) => [name, index] as const));
		let bytesRead = 0;
		const spooler = new LayerSpooler(this.directory, names, (bytes) => {
			bytesRead += bytes;
		});
		const parser = new TarParser(spooler);
		const archive = await this.exportImage(signal);
		let lastReport = 0;
		try {
			for await (const chunk of archive) {
				signal.throwIfAborted();
				await parser.push(chunk as Buffer);
				for (const [name, file] of spooler.written) this.spooled.set(name, file);
				if (onProgress && Date.now() - lastReport > 200) {
					lastReport = Date.now();
					onProgress(bytesRead);
				}

				if (this.spooled.has(wanted)) break;
			}
		} finally {
			spooler.abandon();
			archive.destroy();
		}
	}

	private removeDirectory(): void {
		if (this.directory === undefined) return;
		rmSync(this.directory, {recursive: true, force: true});
		this.directory = undefined;
		this.spooled.clear();
	}

	/** Removes the spooled layers (after the last read). */
	dispose(): void {
		this.removeDirectory();
		process.off('exit', this.removeOnExit);
	}
}
