import {createReadStream, existsSync, fstatSync} from 'node:fs';
import {realpath, stat} from 'node:fs/promises';
import {join} from 'node:path';
import process from 'node:process';
import {Transform} from 'node:stream';
import {LayerlensError} from '../../shared/errors.js';
import {openNonBlocking, pipeStream} from '../../shared/read-local-file.js';
import type {PlatformSpec} from '../formats/platform.js';
import {readFileFromArchive, readFileFromLayer} from '../formats/read-layer-file.js';
import type {ImageSource} from '../types.js';
import {previewArchiveFile} from './archive/archive-preview.js';
import {ArchiveStream} from './archive/archive-stream.js';
import {readImageArchive} from './archive/read-archive.js';
import {isStdinArgument} from './archive/stdin-argument.js';
import {createDaemonSource, daemonRegistryMirrors, isImageNotFound} from './daemon/daemon-source.js';
import {previewOciDirectory} from './oci/oci-directory-preview.js';
import {openLayoutBlob, readOciDirectory} from './oci/read-oci-directory.js';
import {
	createDaemonOrRegistrySource,
	createRegistryChoiceSource,
	type RegistryCandidate,
} from './registry/daemon-or-registry.js';
import {mirrorsFromDaemon, type PullPolicy, type RegistryMirror} from './registry/mirrors.js';
import {
	dockerHubRegistry,
	formatRegistryReference,
	hasRegistryHost,
	parseRegistryReference,
} from './registry/reference.js';
import {createRegistrySource, type RegistrySourceOptions} from './registry/registry-source.js';

export type SourceChoice =
	| 'docker'
	| 'podman'
	| 'docker-archive'
	| 'oci-archive'
	| 'oci'
	| 'oci-dir'
	| 'registry';

export type ResolveSourceOptions = {
	/** Force a kind instead of detecting it; `oci` means a layout directory or tar, whichever the path is. */
	source?: SourceChoice;
	platform?: PlatformSpec;
	maxLayerBytes?: number;
	/** Credentials from the flags, `--insecure-registry` hosts: for a reference read from a registry. */
	registry?: RegistrySourceOptions;
	/** `--registry-mirror`: Docker Hub mirrors tried before the daemon's own and the Hub. */
	mirrors?: RegistryMirror[];
	/** `--pull`: when a reference is read from its registry rather than the daemon (default `missing`). */
	pull?: PullPolicy;
	/** Where the one line saying which registry an image is read from goes. */
	announce?: (line: string) => void;
};

function isLayoutDirectory(path: string): boolean {
	return existsSync(join(path, 'index.json')) || existsSync(join(path, 'oci-layout'));
}

/** The file's identity for the analysis cache: a rewritten or replaced file gets another key. */
async function fileIdentity(path: string, options: ResolveSourceOptions): Promise<string> {
	const info = await stat(path);
	const platform = options.platform === undefined ? '' : JSON.stringify(options.platform);
	return [await realpath(path), info.size, info.mtimeMs, info.ino, info.dev, platform].join('\n');
}

function layerNameFor(names: string[], layerIndex: number): string {
	const name = names[layerIndex];
	if (name === undefined) {
		throw new LayerlensError(`layer ${layerIndex + 1} is not part of the loaded image`, {
			hint: 'Load the image first',
		});
	}

	return name;
}

/** An OCI layout directory: index.json and blobs read from disk. */
export function createOciDirectorySource(directory: string, options: ResolveSourceOptions = {}): ImageSource {
	let layerNames: string[] = [];
	return {
		kind: 'oci-dir',
		description: `OCI layout ${directory}`,
		preview: () => previewOciDirectory(directory, options.platform),
		async load({onProgress, signal}) {
			const result = await readOciDirectory(directory, {
				...(signal ? {signal} : {}),
				...(options.platform ? {platform: options.platform} : {}),
				...(options.maxLayerBytes === undefined ? {} : {maxLayerBytes: options.maxLayerBytes}),
				...(onProgress ? {onProgress} : {}),
			});
			layerNames = result.layerNames;
			return result.image;
		},
		readFile: (layerIndex, path, limit) =>
			readFileFromLayer(openLayoutBlob(directory, layerNameFor(layerNames, layerIndex)), path, limit),
		// index.json is rewritten whenever the layout gains or loses an image; blobs are content-addressed.
		cacheKey: async () => `oci-dir\n${await fileIdentity(join(directory, 'index.json'), options)}`,
		cacheState: () => layerNames,
		restoreCacheState: (state) => {
			layerNames = state;
		},
		layerEntryNames: () => layerNames,
	};
}

/** A `docker save` / `podman save` archive or an OCI layout tar; which one is decided by its content. */
export function createArchiveSource(path: string, options: ResolveSourceOptions = {}): ImageSource {
	let layerNames: string[] = [];
	let kind: ImageSource['kind'] = options.source === 'oci-archive' ? 'oci-archive' : 'docker-archive';
	const source: ImageSource = {
		kind,
		description: path,
		// The headers of a file on disk are read by seeking; a pipe is read once, by the load.
		preview: () => previewArchiveFile(path, options.platform).catch(() => undefined),
		async load({onProgress, signal}) {
			// Opened without blocking: a FIFO with no writer yet (`mkfifo`, a slow `<(docker save x)`) is then
			// waited for on the event loop, where a signal still ends the process.
			const fd = openNonBlocking(path);
			const info = fstatSync(fd);
			const input =
				info.isFIFO() || info.isSocket()
					? pipeStream(fd)
					: createReadStream(path, {fd, highWaterMark: 1024 * 1024});
			const result = await readImageArchive(input, {
				reference: path,
				// A pipe has no size and cannot be read twice.
				...(info.isFile() ? {archiveFile: path, bytesTotal: info.size} : {}),
				...(options.platform ? {platform: options.platform} : {}),
				...(options.maxLayerBytes === undefined ? {} : {maxLayerBytes: options.maxLayerBytes}),
				...(onProgress ? {onProgress} : {}),
				...(signal ? {signal} : {}),
			});
			layerNames = result.layerNames;
			kind = result.image.source;
			source.kind = kind;
			return result.image;
		},
		readFile: async (layerIndex, filePath, limit) => {
			if (!(await stat(path)).isFile()) {
				throw new LayerlensError('cannot read a file again from a pipe', {
					hint: 'Save the archive to a file (`docker save -o image.tar IMAGE`) and open that',
				});
			}

			// The archive may be compressed (`docker save x | gzip`): read through the same decoder as the load.
			return readFileFromArchive(
				new ArchiveStream(createReadStream(path), path),
				layerNameFor(layerNames, layerIndex),
				filePath,
				limit,
			);
		},
		// A pipe has no identity: what comes through it next time may be another image.
		cacheKey: async () =>
			(await stat(path)).isFile() ? `archive\n${await fileIdentity(path, options)}` : undefined,
		cacheState: () => [kind, ...layerNames],
		layerEntryNames: () => layerNames,
		restoreCacheState: ([cachedKind, ...names]) => {
			if (cachedKind === 'docker-archive' || cachedKind === 'oci-archive') {
				kind = cachedKind;
				source.kind = kind;
			}

			layerNames = names;
		},
	};
	return source;
}

export {isStdinArgument} from './archive/stdin-argument.js';

/**
A `docker save` / `podman save` / OCI archive piped in (`docker save app | layerlens`), read in one streaming
pass as it arrives. Nothing is cached (a pipe has no identity) and files cannot be read again from it.
*/
export function createStdinSource(options: ResolveSourceOptions = {}): ImageSource {
	let kind: ImageSource['kind'] = 'docker-archive';
	const source: ImageSource = {
		kind,
		description: 'standard input',
		async load({onProgress, signal}) {
			const info = fstatSync(0);
			let bytes = 0;
			const counted = process.stdin.pipe(
				new Transform({
					transform(chunk: Buffer, _encoding, callback) {
						bytes += chunk.length;
						callback(null, chunk);
					},
					flush(callback) {
						callback(
							bytes === 0
								? new LayerlensError('nothing on standard input', {
										hint: 'Pipe in an image archive (`docker save IMAGE | layerlens -`), name an image, or run layerlens --demo',
									})
								: null,
						);
					},
				}),
			);
			let result: Awaited<ReturnType<typeof readImageArchive>>;
			try {
				result = await readImageArchive(counted, {
					reference: 'stdin',
					// `layerlens - < image.tar`: the size is known; a pipe's is not.
					...(info.isFile() && info.size > 0 ? {bytesTotal: info.size} : {}),
					...(options.platform ? {platform: options.platform} : {}),
					...(options.maxLayerBytes === undefined ? {} : {maxLayerBytes: options.maxLayerBytes}),
					...(onProgress ? {onProgress} : {}),
					...(signal ? {signal} : {}),
				});
			} finally {
				// The reader stops at the end-of-archive marker: whatever still comes (`cat /dev/zero |`) is not read,
				// and an open stdin would keep the process alive.
				process.stdin.unpipe(counted);
				process.stdin.destroy();
			}

			kind = result.image.source;
			source.kind = kind;
			return result.image;
		},
		readFile: async () => {
			throw new LayerlensError('cannot read a file again from standard input', {
				hint: 'Save the archive to a file (`docker save -o image.tar IMAGE`) and open that',
			});
		},
	};
	return source;
}

/**
What is at `path`: `file` for a regular file, and also for a pipe (`<(docker save app)`), which is read once
as it streams; undefined when nothing is there.
*/
async function pathKind(path: string): Promise<'file' | 'directory' | 'other' | undefined> {
	try {
		const info = await stat(path);
		if (info.isDirectory()) return 'directory';
		return info.isFile() || info.isFIFO() ? 'file' : 'other';
	} catch {
		return undefined;
	}
}

/**
An argument that can only be a path: it starts with `/`, `./`, `../` or `~`, or ends like an archive. Image
references may contain `/` (`library/node`), so a slash in the middle alone does not make a path.
*/
export function looksLikePath(argument: string): boolean {
	return /^(\/|\.{1,2}\/|~)/.test(argument) || /\.(tar|tar\.gz|tgz|oci)$/i.test(argument);
}

/**
Turn the command-line argument into a source: an existing directory with index.json/oci-layout is an OCI
layout, an existing file an archive (flavour decided by content), anything else an image in the daemon.
*/
export async function resolveImageSource(
	argument: string,
	options: ResolveSourceOptions = {},
): Promise<ImageSource> {
	const forced = options.source;
	if (isStdinArgument(argument) && forced !== 'docker' && forced !== 'podman') {
		return createStdinSource(options);
	}

	if (forced === 'docker' || forced === 'podman') {
		return createDaemonSource(argument, {engine: forced, ...options});
	}

	const registryOptions: RegistrySourceOptions = {
		...options.registry,
		...(options.platform ? {platform: options.platform} : {}),
		...(options.maxLayerBytes === undefined ? {} : {maxLayerBytes: options.maxLayerBytes}),
	};
	const registry = (): ImageSource => createRegistrySource(argument, registryOptions);
	if (forced === 'registry') {
		return registry();
	}

	const kind = await pathKind(argument);
	if (kind === 'directory') {
		if (!isLayoutDirectory(argument)) {
			throw new LayerlensError(`${argument} is a directory but not an OCI image layout (no index.json)`, {
				hint: 'Give an OCI layout directory, an archive from `docker save`, or an image name',
			});
		}

		if (!existsSync(join(argument, 'index.json'))) {
			throw new LayerlensError(
				`${argument} is an incomplete OCI image layout: it has oci-layout but no index.json`,
				{
					hint: 'Copy the layout again (e.g. `skopeo copy ... oci:DIR`), or give a `docker save` archive or an image name',
				},
			);
		}

		return createOciDirectorySource(argument, options);
	}

	if (kind === 'file') {
		return createArchiveSource(argument, options);
	}

	if (kind === 'other') {
		throw new LayerlensError(`${argument} is not a regular file, a pipe or a directory`, {
			hint: 'Give a `docker save` archive, an OCI image layout (directory or tar) or an image name',
		});
	}

	if (forced !== undefined || looksLikePath(argument)) {
		throw new LayerlensError(`no such file: ${argument}`);
	}

	const daemon = createDaemonSource(argument, {engine: 'docker', ...options});
	const pull = options.pull ?? 'missing';
	// An image ID names no registry; `--pull=never` keeps every reference in the daemon.
	if (pull === 'never' || /^(sha256:)?[0-9a-f]{64}$/.test(argument)) return daemon;
	const choice = {
		candidates: () => registryCandidates(argument, registryOptions, options),
		announce: options.announce ?? (() => undefined),
		reason:
			pull === 'always'
				? `--pull=always asks for the registry's copy of ${argument}`
				: `${argument} is not in the docker daemon`,
	};
	if (pull === 'always') return createRegistryChoiceSource(registry(), choice);
	return createDaemonOrRegistrySource(
		daemon,
		choice,
		hasRegistryHost(argument) ? 'any-failure' : 'not-found',
		isImageNotFound,
	);
}

/**
The ways to read `argument` from a registry, in order: for a Docker Hub name, each mirror (`--registry-mirror`
first, then the daemon's `registry-mirrors`), then the registry itself, as the docker daemon tries them.
*/
async function registryCandidates(
	argument: string,
	registryOptions: RegistrySourceOptions,
	options: ResolveSourceOptions,
): Promise<RegistryCandidate[]> {
	const reference = parseRegistryReference(argument);
	const full = formatRegistryReference(reference);
	const direct = {
		source: createRegistrySource(argument, registryOptions),
		where: `${full} from the registry`,
	};
	if (reference.registry !== dockerHubRegistry) return [direct];
	const mirrors = [...(options.mirrors ?? []), ...mirrorsFromDaemon(await daemonRegistryMirrors(options))];
	const distinct = mirrors.filter(
		(mirror, index) => mirrors.findIndex((other) => other.host === mirror.host) === index,
	);
	return [
		...distinct.map((mirror) => ({
			source: createRegistrySource(argument, {...registryOptions, mirror}),
			where: `${full} through the mirror ${mirror.url}`,
		})),
		direct,
	];
}
