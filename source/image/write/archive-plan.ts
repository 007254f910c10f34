import {
	type Descriptor,
	imageConfigJson,
	type JsonBlob,
	jsonBlob,
	legacyLayerIds,
	mediaTypes,
	ociIndexJson,
	ociManifestJson,
	type Platform,
	specPlatform,
} from './image-documents.js';
import type {ImageSpec} from './image-spec.js';
import {type BlobCompression, type PreparedLayer, prepareLayer} from './layer-blob.js';

export type ArchiveFormat =
	/** Classic `docker save`: `manifest.json`, `<config>.json`, `<id>/layer.tar`, `repositories`. */
	| 'docker-archive'
	/** Docker 25+ (containerd image store) `docker save`: an OCI layout plus a legacy `manifest.json`. */
	| 'containerd'
	/** A plain OCI image layout. */
	| 'oci';

export type ArchiveOptions = {
	/** Default `docker-archive`. */
	format?: ArchiveFormat;
	/** Layer blobs of `containerd`/`oci` (default `gzip`); `docker-archive` layers are always plain tars. */
	compression?: BlobCompression;
	/** `docker-archive`: write a later identical layer as a symlink to the earlier `<id>/layer.tar`, as docker does. */
	linkDuplicateLayers?: boolean;
	/** `containerd`/`oci` tar: write the layer blobs before the manifests and index, as a daemon stream can. */
	layersFirst?: boolean;
	/** `containerd`/`oci`: an index with one manifest per platform (same layers), in this order. */
	platforms?: Platform[];
};

/** One thing to write into the archive or layout directory, in order. */
export type ArchiveItem =
	| {kind: 'dir'; name: string}
	| {kind: 'json'; name: string; bytes: Buffer}
	| {kind: 'layer'; name: string; layer: PreparedLayer}
	| {kind: 'symlink'; name: string; target: string};

const jsonItem = (name: string, blob: JsonBlob): ArchiveItem => ({kind: 'json', name, bytes: blob.bytes});
const blobName = (digest: string): string => `blobs/sha256/${digest.slice('sha256:'.length)}`;

async function prepareAll(spec: ImageSpec, compression: BlobCompression): Promise<PreparedLayer[]> {
	const layers: PreparedLayer[] = [];
	for (const layer of spec.layers) {
		layers.push(await prepareLayer(layer, compression));
	}

	return layers;
}

function dockerArchivePlan(spec: ImageSpec, layers: PreparedLayer[], options: ArchiveOptions): ArchiveItem[] {
	const config = jsonBlob(imageConfigJson(spec, layers, specPlatform(spec)));
	const ids = legacyLayerIds(layers);
	const items: ArchiveItem[] = [];
	const firstIdOfDiff = new Map<string, string>();
	layers.forEach((layer, index) => {
		const id = ids[index]!;
		items.push({kind: 'dir', name: `${id}/`});
		items.push({kind: 'json', name: `${id}/VERSION`, bytes: Buffer.from('1.0')});
		const parent = index > 0 ? {parent: ids[index - 1]} : {};
		items.push(
			jsonItem(`${id}/json`, jsonBlob({id, ...parent, created: spec.created ?? '2024-01-01T00:00:00Z'})),
		);
		const earlier = firstIdOfDiff.get(layer.diffId);
		if (options.linkDuplicateLayers && earlier !== undefined) {
			items.push({kind: 'symlink', name: `${id}/layer.tar`, target: `../${earlier}/layer.tar`});
		} else {
			items.push({kind: 'layer', name: `${id}/layer.tar`, layer});
			firstIdOfDiff.set(layer.diffId, id);
		}
	});
	items.push(jsonItem(`${config.hex}.json`, config));
	const repoTags = spec.repoTags ?? [];
	items.push(
		jsonItem(
			'manifest.json',
			jsonBlob([
				{Config: `${config.hex}.json`, RepoTags: repoTags, Layers: ids.map((id) => `${id}/layer.tar`)},
			]),
		),
	);
	if (repoTags.length > 0) {
		const repositories: Record<string, Record<string, string>> = {};
		for (const tag of repoTags) {
			const colon = tag.lastIndexOf(':');
			const name = colon > tag.lastIndexOf('/') ? tag.slice(0, colon) : tag;
			const version = colon > tag.lastIndexOf('/') ? tag.slice(colon + 1) : 'latest';
			repositories[name] = {...repositories[name], [version]: ids.at(-1) ?? ''};
		}

		items.push(jsonItem('repositories', jsonBlob(repositories)));
	}

	return items;
}

function ociPlan(spec: ImageSpec, layers: PreparedLayer[], options: ArchiveOptions): ArchiveItem[] {
	const format = options.format ?? 'docker-archive';
	const platforms = options.platforms ?? [specPlatform(spec)];
	const metadata: ArchiveItem[] = [];
	const manifests: Descriptor[] = [];
	const legacy: unknown[] = [];
	for (const platform of platforms) {
		const config = jsonBlob(imageConfigJson(spec, layers, platform));
		const manifest = jsonBlob(ociManifestJson(config, layers));
		metadata.push(jsonItem(blobName(config.digest), config), jsonItem(blobName(manifest.digest), manifest));
		const descriptor: Descriptor = {
			mediaType: mediaTypes.manifest,
			digest: manifest.digest,
			size: manifest.bytes.length,
		};
		if (options.platforms !== undefined) {
			descriptor.platform = platform;
		}

		manifests.push(descriptor);
		legacy.push({
			Config: blobName(config.digest),
			RepoTags: spec.repoTags ?? [],
			Layers: layers.map((layer) => blobName(layer.digest)),
		});
	}

	let topLevel = manifests;
	if (format === 'containerd') {
		// Docker 25+ nests: index.json names an image index, which names the platform manifests.
		const nested = jsonBlob(ociIndexJson(manifests));
		metadata.push(jsonItem(blobName(nested.digest), nested));
		const name = spec.repoTags?.[0];
		topLevel = [
			{
				mediaType: mediaTypes.index,
				digest: nested.digest,
				size: nested.bytes.length,
				...(name === undefined ? {} : {annotations: {'io.containerd.image.name': name}}),
			},
		];
	}

	metadata.push(jsonItem('index.json', jsonBlob(ociIndexJson(topLevel))));
	if (format === 'containerd') {
		metadata.push(jsonItem('manifest.json', jsonBlob(legacy.slice(0, 1))));
	}

	metadata.push({kind: 'json', name: 'oci-layout', bytes: Buffer.from('{"imageLayoutVersion":"1.0.0"}')});

	const blobs: ArchiveItem[] = [];
	const written = new Set<string>();
	for (const layer of layers) {
		if (!written.has(layer.digest)) {
			written.add(layer.digest);
			blobs.push({kind: 'layer', name: blobName(layer.digest), layer});
		}
	}

	return options.layersFirst ? [...blobs, ...metadata] : [...metadata.reverse(), ...blobs];
}

/** Measure every layer, then list what the archive holds, in the order it is written. */
export async function planArchive(spec: ImageSpec, options: ArchiveOptions = {}): Promise<ArchiveItem[]> {
	const format = options.format ?? 'docker-archive';
	const compression = format === 'docker-archive' ? 'none' : (options.compression ?? 'gzip');
	const layers = await prepareAll(spec, compression);
	return format === 'docker-archive'
		? dockerArchivePlan(spec, layers, options)
		: ociPlan(spec, layers, options);
}
