import {createReadStream, existsSync} from 'node:fs';
import {realpath, stat} from 'node:fs/promises';
import {join} from 'node:path';
import {LayerlensError} from '../errors.js';
import {createDaemonSource} from './daemon-source.js';
import type {PlatformSpec} from './platform.js';
import {readImageArchive} from './read-archive.js';
import {readFileFromArchive, readFileFromLayer} from './read-layer-file.js';
import {openLayoutBlob, readOciDirectory} from './read-oci-directory.js';
import {createDaemonOrRegistrySource} from './registry/daemon-or-registry.js';
import {hasRegistryHost} from './registry/reference.js';
import {createRegistrySource, type RegistrySourceOptions} from './registry/registry-source.js';
import type {ImageSource} from './types.js';

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
		async load({onProgress}) {
			const result = await readOciDirectory(directory, {
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
	};
}

/** A `docker save` / `podman save` archive or an OCI layout tar; which one is decided by its content. */
export function createArchiveSource(path: string, options: ResolveSourceOptions = {}): ImageSource {
	let layerNames: string[] = [];
	let kind: ImageSource['kind'] = options.source === 'oci-archive' ? 'oci-archive' : 'docker-archive';
	const source: ImageSource = {
		kind,
		description: path,
		async load({onProgress, signal}) {
			const info = await stat(path);
			const result = await readImageArchive(createReadStream(path, {highWaterMark: 1024 * 1024}), {
				reference: path,
				bytesTotal: info.size,
				// A pipe or a device cannot be read twice.
				...(info.isFile() ? {archiveFile: path} : {}),
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
		readFile: (layerIndex, filePath, limit) =>
			readFileFromArchive(createReadStream(path), layerNameFor(layerNames, layerIndex), filePath, limit),
		cacheKey: async () => `archive\n${await fileIdentity(path, options)}`,
		cacheState: () => [kind, ...layerNames],
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

async function pathKind(path: string): Promise<'file' | 'directory' | undefined> {
	try {
		const info = await stat(path);
		if (info.isDirectory()) return 'directory';
		return info.isFile() ? 'file' : undefined;
	} catch {
		return undefined;
	}
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
	if (forced === 'docker' || forced === 'podman') {
		return createDaemonSource(argument, {engine: forced, ...options});
	}

	const registry = (): ImageSource =>
		createRegistrySource(argument, {
			...options.registry,
			...(options.platform ? {platform: options.platform} : {}),
			...(options.maxLayerBytes === undefined ? {} : {maxLayerBytes: options.maxLayerBytes}),
		});
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

		return createOciDirectorySource(argument, options);
	}

	if (kind === 'file') {
		return createArchiveSource(argument, options);
	}

	if (forced !== undefined) {
		throw new LayerlensError(`${argument} does not exist`, {
			hint: `--source ${forced} reads a path; check the path`,
		});
	}

	const daemon = createDaemonSource(argument, {engine: 'docker', ...options});
	return hasRegistryHost(argument) ? createDaemonOrRegistrySource(daemon, registry) : daemon;
}
