import {LayerlensError} from '../../errors.js';
import {assembleImage, type LayerDescriptor} from '../assemble-image.js';
import {asArray, asRecord, asString, maxJsonDocumentBytes, parseJsonDocument} from '../json-document.js';
import {LayerParser} from '../layer-parser.js';
import {blobPath, selectManifest} from '../manifest-selection.js';
import type {PlatformSpec} from '../platform.js';
import {readFileFromLayer} from '../read-layer-file.js';
import type {ImageSource, LoadProgress, ParsedLayer} from '../types.js';
import {type FetchedManifest, RegistryClient, type RegistryClientOptions} from './client.js';
import {formatRegistryReference, parseRegistryReference} from './reference.js';

export type RegistrySourceOptions = RegistryClientOptions & {
	platform?: PlatformSpec;
	maxLayerBytes?: number;
	/** Layers downloaded and parsed at once (default 3). */
	concurrency?: number;
};

const indexTypes = new Set([
	'application/vnd.oci.image.index.v1+json',
	'application/vnd.docker.distribution.manifest.list.v2+json',
]);
const progressIntervalMs = 100;

/**
The decompression-bomb limit for a registry layer without --max-layer-bytes. Registry blobs are compressed
(an archive's usually are not, hence its 4×): text-heavy layers gzip 5-15× and zstd more, so 4× would refuse
real images, while a bomb inflates a thousandfold. 32× the blob and at least 1 GiB over it.
*/
export function registryLayerLimit(storedBytes: number): number {
	return Math.max(storedBytes * 32, storedBytes + 1024 ** 3);
}

function isIndex(manifest: FetchedManifest, document: Record<string, unknown>): boolean {
	const mediaType = asString(document.mediaType) ?? manifest.mediaType ?? '';
	return indexTypes.has(mediaType) || (Array.isArray(document.manifests) && document.layers === undefined);
}

/** Runs at most `limit` tasks at once, in the order they were queued. */
function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
	let running = 0;
	const waiting: Array<() => void> = [];
	return async (task) => {
		if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
		running++;
		try {
			return await task();
		} finally {
			running--;
			waiting.shift()?.();
		}
	};
}

/**
An image read straight from a registry: the manifest (an index resolved to one platform as for archives),
the config, then every layer streamed from the registry into its own layer parser, a few at once, each
checked against its digest. Nothing is written to disk; the layers come back in manifest order.
*/
export function createRegistrySource(text: string, options: RegistrySourceOptions = {}): ImageSource {
	const reference = parseRegistryReference(text);
	const client = new RegistryClient(reference, options);
	const full = formatRegistryReference(reference);
	let resolvedDigest: Promise<string> | undefined;
	let layerDigests: string[] = [];

	/** The manifest digest the tag points at now (asked once per run), or the digest given. */
	const manifestDigest = (): Promise<string> => {
		resolvedDigest ??=
			reference.digest === undefined
				? client.resolveDigest(reference.tag ?? 'latest')
				: Promise.resolve(reference.digest);
		return resolvedDigest;
	};

	const source: ImageSource = {
		kind: 'registry',
		description: `registry ${reference.registry}`,
		async load({onProgress, signal}) {
			const top = await client.getManifest(await manifestDigest());
			signal?.throwIfAborted();
			const topDocument = asRecord(parseJsonDocument(top.bytes, 'the manifest', full));
			// Manifests read by digest while choosing a platform, so the synthetic layout below can name them.
			const manifests = new Map<string, FetchedManifest>([[top.digest, top]]);
			// The digests indexes name are manifests (fetched from /manifests/); anything else is a blob.
			const manifestDigests = new Set(childDigests(topDocument));
			const fetchManifest = async (digest: string): Promise<Buffer> => {
				const known = manifests.get(digest) ?? (await client.getManifest(digest));
				manifests.set(digest, known);
				for (const child of childDigests(asRecord(parseJsonDocument(known.bytes, digest, full)))) {
					manifestDigests.add(child);
				}

				return known.bytes;
			};

			let chosenDigest = top.digest;
			let chosenDocument = topDocument;
			if (isIndex(top, topDocument)) {
				const choice = await selectManifest(
					topDocument,
					async (name) => {
						const digest = name.replace(/^blobs\/([^/]+)\//, '$1:');
						// An index names manifests; a descriptor without a platform makes the chooser read a config blob.
						return manifestDigests.has(digest)
							? fetchManifest(digest)
							: client.blobBytes(digest, 'the config', maxJsonDocumentBytes);
					},
					full,
					options.platform,
				);
				chosenDigest = choice.name.replace(/^blobs\/([^/]+)\//, '$1:');
				chosenDocument = choice.manifest;
			}

			const configDigest = asString(asRecord(chosenDocument.config).digest);
			if (configDigest === undefined) {
				throw new LayerlensError(`the manifest ${chosenDigest} of ${full} names no config`, {
					hint: 'The image in the registry is damaged; push it again',
				});
			}

			const configBytes = await client.blobBytes(configDigest, 'the config', maxJsonDocumentBytes);
			const descriptors = asArray(chosenDocument.layers).map((item) => asRecord(item));
			const bytesTotal = descriptors.reduce(
				(sum, descriptor) => sum + (typeof descriptor.size === 'number' ? descriptor.size : 0),
				0,
			);
			let bytesRead = 0;
			let layersDone = 0;
			let lastProgress = 0;
			const report = (force: boolean): void => {
				const now = Date.now();
				if (onProgress === undefined || (!force && now - lastProgress < progressIntervalMs)) return;
				lastProgress = now;
				const progress: LoadProgress = {bytesRead, layersDone, layersTotal: descriptors.length};
				if (bytesTotal > 0) progress.bytesTotal = bytesTotal;
				onProgress(progress);
			};

			// Each layer has its own warnings so that concurrent parses still report in manifest order.
			const layerWarnings = descriptors.map((): string[] => []);
			const run = limiter(Math.max(1, options.concurrency ?? 3));
			const parsed = new Map<string, Promise<ParsedLayer>>();
			const controller = new AbortController();
			let firstFailure: unknown;
			const parseLayer = (digest: string, position: number, size: number | undefined): Promise<ParsedLayer> =>
				run(async () => {
					controller.signal.throwIfAborted();
					const what = `layer ${position + 1}`;
					const parser = new LayerParser({
						label: `${what} (${digest})`,
						warnings: layerWarnings[position]!,
						maxBytes: options.maxLayerBytes ?? registryLayerLimit(size ?? 0),
					});
					// A parse failure is only believed once the blob's digest checks out: altered bytes usually break
					// the gzip stream first, and "digest mismatch" is then the true cause to report.
					let parseFailure: unknown;
					for await (const chunk of client.blob(digest, what, size)) {
						if (controller.signal.aborted || signal?.aborted) {
							throw new LayerlensError('Reading the image was cancelled');
						}

						bytesRead += chunk.length;
						report(false);
						if (parseFailure !== undefined) continue;
						try {
							const waiting = parser.write(chunk);
							if (waiting !== undefined) await waiting;
						} catch (error) {
							parseFailure = error;
						}
					}

					if (parseFailure !== undefined) throw parseFailure;
					const layer = await parser.end();
					layersDone++;
					report(true);
					return layer;
				});
			for (const [position, descriptor] of descriptors.entries()) {
				const digest = asString(descriptor.digest);
				if (digest === undefined || parsed.has(digest)) continue;
				const promise = parseLayer(
					digest,
					position,
					typeof descriptor.size === 'number' ? descriptor.size : undefined,
				);
				// The first failure stops the others and is what the user sees, whichever layer is awaited first.
				promise.catch((error: unknown) => {
					firstFailure ??= error;
					controller.abort();
				});
				parsed.set(digest, promise);
			}

			const warnings: string[] = [];
			const chosenBytes = manifests.get(chosenDigest)?.bytes ?? top.bytes;
			const index = Buffer.from(
				JSON.stringify({
					schemaVersion: 2,
					mediaType: 'application/vnd.oci.image.index.v1+json',
					manifests: [
						{
							mediaType: 'application/vnd.oci.image.manifest.v1+json',
							digest: chosenDigest,
							size: chosenBytes.length,
						},
					],
				}),
			);
			const documents = new Map<string, Buffer>([
				['index.json', index],
				[blobPath(chosenDigest), chosenBytes],
				[blobPath(configDigest), configBytes],
			]);
			try {
				const assembled = await assembleImage(
					async (name) => documents.get(name),
					async (_name, descriptor: LayerDescriptor) => {
						let layer: ParsedLayer | undefined;
						try {
							layer = await parsed.get(descriptor.digest ?? '');
						} catch (error) {
							throw firstFailure ?? error;
						}

						const position = descriptors.findIndex((item) => item.digest === descriptor.digest);
						warnings.push(...(layerWarnings[position] ?? []).splice(0));
						return layer;
					},
					{
						reference: text,
						source: 'registry',
						warnings,
						// The platform was chosen above from the index; a single manifest is checked against it here.
						...(options.platform && chosenDigest === top.digest ? {platform: options.platform} : {}),
					},
				);
				layerDigests = assembled.layerNames.map((name) => name.replace(/^blobs\/([^/]+)\//, '$1:'));
				const tagged =
					reference.tag === undefined
						? []
						: [`${reference.registry}/${reference.repository}:${reference.tag}`];
				return {...assembled.image, repoTags: tagged};
			} finally {
				controller.abort();
				await Promise.allSettled(parsed.values());
			}
		},
		readFile: (layerIndex, path, limit) => {
			const digest = layerDigests[layerIndex];
			if (digest === undefined) {
				throw new LayerlensError(`layer ${layerIndex + 1} is not part of the loaded image`, {
					hint: 'Load the image first',
				});
			}

			return readFileFromLayer(client.blob(digest, `layer ${layerIndex + 1}`), path, limit);
		},
		// The manifest digest names the content: a second open costs one HEAD, and a moved tag gets a new key.
		async cacheKey() {
			const platform = options.platform === undefined ? '' : JSON.stringify(options.platform);
			return `registry\n${reference.registry}/${reference.repository}\n${await manifestDigest()}\n${platform}`;
		},
		cacheState: () => layerDigests,
		restoreCacheState(state) {
			layerDigests = state;
		},
	};
	return source;
}

function childDigests(index: Record<string, unknown>): string[] {
	return asArray(index.manifests)
		.map((item) => asString(asRecord(item).digest))
		.filter((digest): digest is string => digest !== undefined);
}
