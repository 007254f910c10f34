import {LayerlensError} from '../../../shared/errors.js';
import {assembleImage, type LayerDescriptor} from '../../assemble-image.js';
import {defaultLayerLimit} from '../../formats/archive-entries.js';
import {
	asArray,
	asRecord,
	asString,
	maxJsonDocumentBytes,
	parseJsonDocument,
} from '../../formats/json-document.js';
import {LayerParser} from '../../formats/layer-parser.js';
import {
	blobPath,
	checkedDigest,
	choosePlatformChild,
	selectManifest,
} from '../../formats/manifest-selection.js';
import type {PlatformSpec} from '../../formats/platform.js';
import {readFileFromLayer} from '../../formats/read-layer-file.js';
import type {ImageSource, LoadProgress, ParsedLayer} from '../../types.js';
import {type FetchedManifest, RegistryClient, type RegistryClientOptions} from './client.js';
import type {RegistryMirror} from './mirrors.js';
import {formatRegistryReference, parseRegistryReference} from './reference.js';

export type RegistrySourceOptions = RegistryClientOptions & {
	platform?: PlatformSpec;
	maxLayerBytes?: number;
	/** Layers downloaded and parsed at once (default 3). */
	concurrency?: number;
	/** A Docker Hub reference is fetched from this pull-through mirror instead (same repository names). */
	mirror?: RegistryMirror;
};

const indexTypes = new Set([
	'application/vnd.oci.image.index.v1+json',
	'application/vnd.docker.distribution.manifest.list.v2+json',
]);
const progressIntervalMs = 100;
/** Nesting of indexes followed to reach an image manifest, as for archives. */
const maxIndexDepth = 4;
/** Children read one by one when an index does not say their platforms: beyond this, refused. */
const maxChildrenWithoutPlatform = 64;
/**
The largest layer blob read from a registry when no --max-layer-bytes is given: well above any real
layer, far below a size that would make the per-request deadline meaningless.
*/
export const maxRegistryBlobBytes = 64 * 1024 ** 3;

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
	const {mirror} = options;
	const client = mirror
		? new RegistryClient(
				{...reference, registry: mirror.host},
				{
					...options,
					insecureHosts: [...(options.insecureHosts ?? []), ...(mirror.plainHttp ? [mirror.host] : [])],
				},
			)
		: new RegistryClient(reference, options);
	const full = formatRegistryReference(reference);
	let resolvedDigest: Promise<string> | undefined;
	let layerDigests: string[] = [];
	let layerBounds = new Map<string, number>();

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
		description: mirror
			? `registry ${reference.registry} through the mirror ${mirror.url}`
			: `registry ${reference.registry}`,
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
			let current = top;
			let currentDocument = topDocument;
			// The index's own platform fields choose the child, so that only that child is fetched.
			for (let depth = 0; isIndex(current, currentDocument); depth++) {
				if (depth >= maxIndexDepth) {
					throw new LayerlensError(
						`the image index of ${full} nests indexes more than ${maxIndexDepth} deep`,
						{
							hint: 'The image in the registry is damaged or crafted',
						},
					);
				}

				const child = choosePlatformChild(currentDocument, full, options.platform);
				if (child === undefined) break;
				current = await client.getManifest(child.digest);
				manifests.set(child.digest, current);
				currentDocument = asRecord(parseJsonDocument(current.bytes, child.digest, full));
			}

			if (isIndex(current, currentDocument)) {
				// Some child names no platform: its config has to be read to tell, so the number is bounded.
				const children = childDigests(currentDocument);
				if (children.length > maxChildrenWithoutPlatform) {
					throw new LayerlensError(
						`the image index of ${full} names ${children.length} manifests without saying their platforms`,
						{hint: `Refused: more than ${maxChildrenWithoutPlatform} would each have to be fetched`},
					);
				}

				for (const digest of children) manifestDigests.add(digest);
				const choice = await selectManifest(
					currentDocument,
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
			} else {
				chosenDigest = current.digest;
				chosenDocument = currentDocument;
			}

			const config = asRecord(chosenDocument.config);
			if (config.digest === undefined) {
				throw new LayerlensError(`the manifest ${chosenDigest} of ${full} names no config`, {
					hint: 'The image in the registry is damaged; push it again',
				});
			}

			const descriptors = asArray(chosenDocument.layers).map((item) => asRecord(item));
			// Every digest and size is checked before the first blob is asked for.
			const maxBlobBytes = options.maxLayerBytes ?? maxRegistryBlobBytes;
			const layerSizes = new Map<string, number>();
			for (const [position, descriptor] of descriptors.entries()) {
				const what = `layer ${position + 1}`;
				const digest = checkedDigest(descriptor.digest, `the descriptor of ${what}`, full);
				const size = blobSize(descriptor, what, full, maxBlobBytes);
				if (size === undefined) {
					throw new LayerlensError(`the descriptor of ${what} in ${full} names no size`, {
						hint: 'Refused: a layer of unknown size could be sent without end',
					});
				}

				layerSizes.set(digest, size);
			}

			const configDigest = checkedDigest(config.digest, 'the config descriptor', full);
			const configBytes = await client.blobBytes(
				configDigest,
				'the config',
				maxJsonDocumentBytes,
				blobSize(config, 'the config', full, maxJsonDocumentBytes),
			);
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
			const parseLayer = (digest: string, position: number, size: number): Promise<ParsedLayer> =>
				run(async () => {
					controller.signal.throwIfAborted();
					const what = `layer ${position + 1}`;
					const parser = new LayerParser({
						label: `${what} (${digest})`,
						warnings: layerWarnings[position]!,
						maxBytes: options.maxLayerBytes ?? defaultLayerLimit(size),
					});
					// A parse failure is only believed once the blob's digest checks out: altered bytes usually break
					// the gzip stream first, and "digest mismatch" is then the true cause to report.
					let parseFailure: unknown;
					for await (const chunk of client.blob(digest, what, {size})) {
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
				const digest = descriptor.digest as string;
				if (parsed.has(digest)) continue;
				const promise = parseLayer(digest, position, layerSizes.get(digest)!);
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
				layerBounds = new Map(layerSizes);
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

			// After a cache restore the sizes are not known: the blob is bounded by the largest a layer may be.
			const size = layerBounds.get(digest);
			return readFileFromLayer(
				client.blob(
					digest,
					`layer ${layerIndex + 1}`,
					size === undefined ? {atMost: options.maxLayerBytes ?? maxRegistryBlobBytes} : {size},
				),
				path,
				limit,
			);
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

/** A descriptor's size when it names one: a whole number no larger than `limit`, else one error line. */
function blobSize(
	descriptor: Record<string, unknown>,
	what: string,
	where: string,
	limit: number,
): number | undefined {
	const size = descriptor.size;
	if (size === undefined) return undefined;
	if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
		throw new LayerlensError(`the descriptor of ${what} in ${where} names a size that is not a byte count`, {
			hint: 'The image in the registry is damaged or crafted',
		});
	}

	if (size > limit) {
		throw new LayerlensError(`${what} of ${where} is ${size} bytes, more than the ${limit} allowed`, {
			hint: 'Refused before downloading; if the image is genuine, raise the limit with --max-layer-bytes',
		});
	}

	return size;
}

function childDigests(index: Record<string, unknown>): string[] {
	return asArray(index.manifests)
		.map((item) => asString(asRecord(item).digest))
		.filter((digest): digest is string => digest !== undefined);
}
