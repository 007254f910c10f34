import {LayerlensError} from '../../../shared/errors.js';
import {assembleImage, type LayerDescriptor} from '../../assemble-image.js';
import {
	asArray,
	asRecord,
	asString,
	maxJsonDocumentBytes,
	parseJsonDocument,
} from '../../formats/json-document.js';
import {
	blobPath,
	checkedDigest,
	choosePlatformChild,
	selectManifest,
} from '../../formats/manifest-selection.js';
import type {PlatformSpec} from '../../formats/platform.js';
import {readFileFromLayer} from '../../formats/read-layer-file.js';
import type {ImagePreview, ImageSource, LoadProgress, ParsedLayer, RawImage} from '../../types.js';
import {previewFromDocuments} from '../archive/document-preview.js';
import {type FetchedManifest, RegistryClient, type RegistryClientOptions} from './client.js';
import type {RegistryMirror} from './mirrors.js';
import {formatRegistryReference, parseRegistryReference, type RegistryReference} from './reference.js';
import {type LayerReads, type LayerToRead, readRegistryLayers} from './registry-layers.js';

export type RegistrySourceOptions = RegistryClientOptions & {
	platform?: PlatformSpec;
	maxLayerBytes?: number;
	/** Layers downloaded and parsed at once (default: one per core, at least two). */
	concurrency?: number;
	/** Gzip layers from this many stored bytes are inflated on a thread of their own (default 1 MiB). */
	decoderThreadFromBytes?: number;
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

/** The registry (or the Docker Hub mirror) the image is read from. */
function registryClient(reference: RegistryReference, options: RegistrySourceOptions): RegistryClient {
	const {mirror} = options;
	if (mirror === undefined) return new RegistryClient(reference, options);
	return new RegistryClient(
		{...reference, registry: mirror.host},
		{
			...options,
			insecureHosts: [...(options.insecureHosts ?? []), ...(mirror.plainHttp ? [mirror.host] : [])],
		},
	);
}

/** What `load` found, kept for `readFile` and the cache. */
type LoadedState = {layerDigests: string[]; layerBounds: Map<string, number>};

/**
An image read straight from a registry: the manifest (an index resolved to one platform as for archives),
the config, then every layer streamed from the registry into its own layer parser, a few at once, each
checked against its digest. Nothing is written to disk; the layers come back in manifest order.
*/
export function createRegistrySource(text: string, options: RegistrySourceOptions = {}): ImageSource {
	const reference = parseRegistryReference(text);
	const client = registryClient(reference, options);
	let resolvedDigest: Promise<string> | undefined;
	let state: LoadedState = {layerDigests: [], layerBounds: new Map()};
	// Fetched once, by the load: the preview shows the layer list from them while the blobs stream. The preview
	// never fetches on its own, so an image answered from the cache costs one HEAD, as before (a manifest GET
	// counts as a pull on Docker Hub).
	let documents: Promise<RegistryDocuments> | undefined;
	// Handed on wrapped: resolving with the promise itself would adopt its rejection, unhandled when no preview asks.
	let handOn: (fetched: {documents: Promise<RegistryDocuments>}) => void = () => undefined;
	const fetchedByLoad = new Promise<{documents: Promise<RegistryDocuments>}>((resolve) => {
		handOn = resolve;
	});
	const fetchDocuments = (signal?: AbortSignal): Promise<RegistryDocuments> => {
		documents ??= manifestDigest().then((digest) =>
			fetchRegistryDocuments({client, reference, options, signal}, digest),
		);
		handOn({documents});
		return documents;
	};

	/** The manifest digest the tag points at now (asked once per run), or the digest given. */
	const manifestDigest = (): Promise<string> => {
		resolvedDigest ??=
			reference.digest === undefined
				? client.resolveDigest(reference.tag ?? 'latest')
				: Promise.resolve(reference.digest);
		return resolvedDigest;
	};

	return {
		kind: 'registry',
		description: options.mirror
			? `registry ${reference.registry} through the mirror ${options.mirror.url}`
			: `registry ${reference.registry}`,
		async load({onProgress, signal}) {
			const context = {client, reference, text, options, onProgress, signal};
			const loaded = await loadRegistryImage(context, await fetchDocuments(signal));
			state = loaded.state;
			return loaded.image;
		},
		preview: async () =>
			previewOfDocuments(await (await fetchedByLoad).documents, formatRegistryReference(reference)),
		readFile: (layerIndex, path, limit) => {
			const digest = state.layerDigests[layerIndex];
			if (digest === undefined) {
				throw new LayerlensError(`layer ${layerIndex + 1} is not part of the loaded image`, {
					hint: 'Load the image first',
				});
			}

			// After a cache restore the sizes are not known: the blob is bounded by the largest a layer may be.
			const size = state.layerBounds.get(digest);
			const bound = size === undefined ? {atMost: options.maxLayerBytes ?? maxRegistryBlobBytes} : {size};
			return readFileFromLayer(client.blob(digest, `layer ${layerIndex + 1}`, bound), path, limit);
		},
		// The manifest digest names the content: a second open costs one HEAD, and a moved tag gets a new key.
		async cacheKey() {
			const platform = options.platform === undefined ? '' : JSON.stringify(options.platform);
			return `registry\n${reference.registry}/${reference.repository}\n${await manifestDigest()}\n${platform}`;
		},
		cacheState: () => state.layerDigests,
		restoreCacheState(layerDigests) {
			state = {...state, layerDigests};
		},
	};
}

type LoadContext = {
	client: RegistryClient;
	reference: RegistryReference;
	/** The reference as the user gave it. */
	text: string;
	options: RegistrySourceOptions;
	onProgress?: ((progress: LoadProgress) => void) | undefined;
	signal?: AbortSignal | undefined;
};

/** What is fetched before any layer: the manifest chosen for the platform, its config, the layers it lists. */
type RegistryDocuments = {
	top: FetchedManifest;
	chosen: Awaited<ReturnType<typeof chooseManifest>>;
	configDigest: string;
	configBytes: Buffer;
	descriptors: Array<Record<string, unknown>>;
	layers: LayerToRead[];
};

/** The manifest (an index resolved to the platform) and the config; every layer's digest and size checked. */
async function fetchRegistryDocuments(
	context: Pick<LoadContext, 'client' | 'reference' | 'options' | 'signal'>,
	digest: string,
): Promise<RegistryDocuments> {
	const {client, reference, options} = context;
	const full = formatRegistryReference(reference);
	const top = await client.getManifest(digest);
	context.signal?.throwIfAborted();
	const chosen = await chooseManifest(client, top, full, options.platform);
	const config = asRecord(chosen.document.config);
	if (config.digest === undefined) {
		throw new LayerlensError(`the manifest ${chosen.digest} of ${full} names no config`, {
			hint: 'The image in the registry is damaged; push it again',
		});
	}

	const descriptors = asArray(chosen.document.layers).map((item) => asRecord(item));
	// Every digest and size is checked before the first blob is asked for.
	const layers = checkedLayers(descriptors, full, options.maxLayerBytes ?? maxRegistryBlobBytes);
	const configDigest = checkedDigest(config.digest, 'the config descriptor', full);
	const configBytes = await client.blobBytes(
		configDigest,
		'the config',
		maxJsonDocumentBytes,
		blobSize(config, 'the config', full, maxJsonDocumentBytes),
	);
	return {top, chosen, configDigest, configBytes, descriptors, layers};
}

/** The documents as the layout reader expects them: a synthetic index.json naming the chosen manifest, the config. */
function documentMap({chosen, configDigest, configBytes}: RegistryDocuments): Map<string, Buffer> {
	return new Map<string, Buffer>([
		['index.json', syntheticIndex(chosen.digest, chosen.bytes)],
		[blobPath(chosen.digest), chosen.bytes],
		[blobPath(configDigest), configBytes],
	]);
}

/** The preview from the fetched manifest and config: the layer list, each layer's blob size, before any blob. */
async function previewOfDocuments(documents: RegistryDocuments, full: string): Promise<ImagePreview> {
	const map = documentMap(documents);
	return previewFromDocuments(async (name) => map.get(name), {reference: full});
}

/** The manifest chosen for the platform, then its config and layers, put together as an archive's would be. */
async function loadRegistryImage(
	context: LoadContext,
	fetched: RegistryDocuments,
): Promise<{image: RawImage; state: LoadedState}> {
	const {client, reference, options} = context;
	const {top, chosen, descriptors, layers} = fetched;
	const progress = progressReporter(context.onProgress, descriptors);
	const reads = readRegistryLayers(layers, {
		client,
		maxLayerBytes: options.maxLayerBytes,
		concurrency: options.concurrency,
		decoderThreadFromBytes: options.decoderThreadFromBytes,
		onBytes: progress.bytes,
		onLayerDone: progress.layerDone,
		signal: context.signal,
	});
	const documents = documentMap(fetched);
	try {
		const assembled = await assembleFromReads(
			context,
			documents,
			layers,
			reads,
			chosen.digest === top.digest,
		);
		const tagged =
			reference.tag === undefined ? [] : [`${reference.registry}/${reference.repository}:${reference.tag}`];
		return {
			image: {...assembled.image, repoTags: tagged},
			state: {
				layerDigests: assembled.layerNames.map((name) => name.replace(/^blobs\/([^/]+)\//, '$1:')),
				layerBounds: new Map(layers.map((layer) => [layer.digest, layer.size])),
			},
		};
	} finally {
		await reads.close();
	}
}

/** The image put together from the documents and the layers as they finish, in manifest order. */
async function assembleFromReads(
	context: LoadContext,
	documents: Map<string, Buffer>,
	layers: readonly LayerToRead[],
	reads: LayerReads,
	isTopManifest: boolean,
): ReturnType<typeof assembleImage> {
	const warnings: string[] = [];
	const {platform} = context.options;
	return assembleImage(
		async (name) => documents.get(name),
		async (_name, descriptor: LayerDescriptor) => {
			let layer: ParsedLayer | undefined;
			try {
				layer = await reads.parsed.get(descriptor.digest ?? '');
			} catch (error) {
				throw reads.firstFailure() ?? error;
			}

			const position = layers.findIndex((item) => item.digest === descriptor.digest);
			warnings.push(...(reads.warnings[position] ?? []).splice(0));
			return layer;
		},
		{
			reference: context.text,
			source: 'registry',
			warnings,
			// The platform was chosen from the index; a single manifest is checked against it here.
			...(platform && isTopManifest ? {platform} : {}),
		},
	);
}

/** An OCI index naming only the chosen manifest: what the layout reader expects at the top. */
function syntheticIndex(digest: string, manifest: Buffer): Buffer {
	return Buffer.from(
		JSON.stringify({
			schemaVersion: 2,
			mediaType: 'application/vnd.oci.image.index.v1+json',
			manifests: [{mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: manifest.length}],
		}),
	);
}

/** Bytes read of the layers' total and layers done, at most every `progressIntervalMs` but for each layer's end. */
function progressReporter(
	onProgress: ((progress: LoadProgress) => void) | undefined,
	descriptors: ReadonlyArray<Record<string, unknown>>,
): {
	bytes: (count: number, layer?: LayerToRead) => void;
	layerDone: (layer?: LayerToRead, parsed?: ParsedLayer) => void;
} {
	const bytesTotal = descriptors.reduce(
		(sum, descriptor) => sum + (typeof descriptor.size === 'number' ? descriptor.size : 0),
		0,
	);
	let bytesRead = 0;
	let lastProgress = 0;
	// Layers in flight (several at once), by position: the lowest is the one the layer list marks as reading.
	const inFlight = new Map<number, {layer: LayerToRead; bytes: number}>();
	const layersRead: NonNullable<LoadProgress['layersRead']> = [];
	const report = (force: boolean): void => {
		const now = Date.now();
		if (onProgress === undefined || (!force && now - lastProgress < progressIntervalMs)) return;
		lastProgress = now;
		const progress: LoadProgress = {
			bytesRead,
			layersDone: layersRead.length,
			layersTotal: descriptors.length,
			layersRead: [...layersRead],
		};
		const first = [...inFlight.entries()].sort(([a], [b]) => a - b)[0]?.[1];
		if (first !== undefined) {
			progress.reading = {
				name: blobPath(first.layer.digest),
				sizeBytes: first.layer.size,
				bytesRead: first.bytes,
			};
		}

		if (bytesTotal > 0) progress.bytesTotal = bytesTotal;
		onProgress(progress);
	};

	return {
		bytes(count, layer) {
			bytesRead += count;
			const started = layer !== undefined && !inFlight.has(layer.position);
			if (layer !== undefined) {
				const entry = inFlight.get(layer.position) ?? {layer, bytes: 0};
				entry.bytes += count;
				inFlight.set(layer.position, entry);
			}

			// A layer's first bytes are always reported: a blob that then stalls still shows as the one reading.
			report(started);
		},
		layerDone(layer, parsed) {
			if (layer !== undefined) inFlight.delete(layer.position);
			layersRead.push({
				name: layer === undefined ? '' : blobPath(layer.digest),
				diffId: parsed?.diffId ?? '',
				entries: parsed?.entries.count ?? 0,
				...(parsed === undefined ? {} : {layer: parsed}),
			});
			report(true);
		},
	};
}

/** Each layer's digest and size, checked; a layer of unknown size is refused. */
function checkedLayers(
	descriptors: ReadonlyArray<Record<string, unknown>>,
	full: string,
	maxBlobBytes: number,
): LayerToRead[] {
	return descriptors.map((descriptor, position) => {
		const what = `layer ${position + 1}`;
		const digest = checkedDigest(descriptor.digest, `the descriptor of ${what}`, full);
		const size = blobSize(descriptor, what, full, maxBlobBytes);
		if (size === undefined) {
			throw new LayerlensError(`the descriptor of ${what} in ${full} names no size`, {
				hint: 'Refused: a layer of unknown size could be sent without end',
			});
		}

		return {digest, size, position};
	});
}

type ChosenManifest = {digest: string; document: Record<string, unknown>; bytes: Buffer};

/**
The image manifest for the platform: the index's own platform fields choose the child, so that only that
child is fetched; an index whose children name no platform is resolved by reading their configs.
*/
async function chooseManifest(
	client: RegistryClient,
	top: FetchedManifest,
	full: string,
	platform: PlatformSpec | undefined,
): Promise<ChosenManifest> {
	// Manifests read by digest while choosing a platform, so the synthetic layout can name them.
	const manifests = new Map<string, FetchedManifest>([[top.digest, top]]);
	let current = top;
	let currentDocument = asRecord(parseJsonDocument(top.bytes, 'the manifest', full));
	for (let depth = 0; isIndex(current, currentDocument); depth++) {
		if (depth >= maxIndexDepth) {
			throw new LayerlensError(`the image index of ${full} nests indexes more than ${maxIndexDepth} deep`, {
				hint: 'The image in the registry is damaged or crafted',
			});
		}

		const child = choosePlatformChild(currentDocument, full, platform);
		if (child === undefined) break;
		current = await client.getManifest(child.digest);
		manifests.set(child.digest, current);
		currentDocument = asRecord(parseJsonDocument(current.bytes, child.digest, full));
	}

	if (!isIndex(current, currentDocument)) {
		return {digest: current.digest, document: currentDocument, bytes: current.bytes};
	}

	const choice = await chooseWithoutPlatforms(client, currentDocument, manifests, full, platform);
	return {...choice, bytes: manifests.get(choice.digest)?.bytes ?? top.bytes};
}

/** Some child of the index names no platform: its config has to be read to tell, so the number is bounded. */
async function chooseWithoutPlatforms(
	client: RegistryClient,
	index: Record<string, unknown>,
	manifests: Map<string, FetchedManifest>,
	full: string,
	platform: PlatformSpec | undefined,
): Promise<{digest: string; document: Record<string, unknown>}> {
	const children = childDigests(index);
	if (children.length > maxChildrenWithoutPlatform) {
		throw new LayerlensError(
			`the image index of ${full} names ${children.length} manifests without saying their platforms`,
			{hint: `Refused: more than ${maxChildrenWithoutPlatform} would each have to be fetched`},
		);
	}

	// The digests indexes name are manifests (fetched from /manifests/); anything else is a blob.
	const manifestDigests = new Set(children);
	for (const known of manifests.values()) {
		for (const child of childDigests(asRecord(parseJsonDocument(known.bytes, known.digest, full)))) {
			manifestDigests.add(child);
		}
	}

	const fetchManifest = async (digest: string): Promise<Buffer> => {
		const known = manifests.get(digest) ?? (await client.getManifest(digest));
		manifests.set(digest, known);
		for (const child of childDigests(asRecord(parseJsonDocument(known.bytes, digest, full)))) {
			manifestDigests.add(child);
		}

		return known.bytes;
	};

	const choice = await selectManifest(
		index,
		async (name) => {
			const digest = name.replace(/^blobs\/([^/]+)\//, '$1:');
			// An index names manifests; a descriptor without a platform makes the chooser read a config blob.
			return manifestDigests.has(digest)
				? fetchManifest(digest)
				: client.blobBytes(digest, 'the config', maxJsonDocumentBytes);
		},
		full,
		platform,
	);
	return {digest: choice.name.replace(/^blobs\/([^/]+)\//, '$1:'), document: choice.manifest};
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
