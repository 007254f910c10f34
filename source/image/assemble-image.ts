import {createHash} from 'node:crypto';
import {LayerlensError} from '../shared/errors.js';
import {parseImageConfig} from './formats/image-config.js';
import {asArray, asRecord, asString, parseJsonDocument} from './formats/json-document.js';
import {blobPath, type DocumentReader, selectManifest} from './formats/manifest-selection.js';
import type {PlatformSpec} from './formats/platform.js';
import type {ImageSourceKind, ParsedLayer, RawImage} from './types.js';

export type LayerDescriptor = {digest?: string; mediaType?: string; sizeBytes?: number};

/** Finds (or parses) the layer stored under an archive path; undefined when the archive lacks it. */
export type LayerReader = (name: string, descriptor: LayerDescriptor) => Promise<ParsedLayer | undefined>;

export type AssembleOptions = {
	reference: string;
	source: ImageSourceKind;
	platform?: PlatformSpec;
	/** Warnings gathered while reading (hostile names); the image's own are appended. */
	warnings: string[];
};

/** The image plus, per layer, the archive path it came from (to re-read a file later). */
export type AssembledImage = {image: RawImage; layerNames: string[]};

type ImageLayout = {
	configName: string;
	layers: Array<{name: string; descriptor: LayerDescriptor}>;
	repoTags: string[];
};

async function layoutFromIndex(
	index: Buffer,
	read: DocumentReader,
	options: AssembleOptions,
): Promise<ImageLayout> {
	const choice = await selectManifest(
		asRecord(parseJsonDocument(index, 'index.json', options.reference)),
		read,
		options.reference,
		options.platform,
	);
	const configDigest = asString(asRecord(choice.manifest.config).digest);
	if (configDigest === undefined) {
		throw new LayerlensError(`manifest ${choice.name} in ${options.reference} names no config`, {
			hint: 'The archive is damaged; export the image again',
		});
	}

	const layers = asArray(choice.manifest.layers).map((item) => {
		const descriptor = asRecord(item);
		const digest = asString(descriptor.digest) ?? '';
		const size = descriptor.size;
		return {
			name: blobPath(digest),
			descriptor: {
				digest,
				...(asString(descriptor.mediaType) ? {mediaType: asString(descriptor.mediaType)} : {}),
				...(typeof size === 'number' ? {sizeBytes: size} : {}),
			},
		};
	});
	return {
		configName: blobPath(configDigest),
		layers,
		repoTags: choice.tag?.includes(':') ? [choice.tag] : [],
	};
}

function layoutFromManifest(manifest: Buffer, options: AssembleOptions): ImageLayout {
	const entries = asArray(parseJsonDocument(manifest, 'manifest.json', options.reference));
	const first = asRecord(entries[0]);
	const configName = asString(first.Config);
	if (configName === undefined) {
		throw new LayerlensError(`manifest.json in ${options.reference} names no image config`, {
			hint: 'The archive is damaged; export the image again',
		});
	}

	if (entries.length > 1) {
		options.warnings.push(`the archive holds ${entries.length} images; showing the first (${configName})`);
	}

	return {
		configName,
		layers: asArray(first.Layers).map((layer) => ({name: String(layer), descriptor: {}})),
		repoTags: asArray(first.RepoTags).filter((tag): tag is string => typeof tag === 'string'),
	};
}

/** The layout from index.json (tags from a manifest.json beside it when it names none), else from manifest.json. */
async function readLayout(read: DocumentReader, options: AssembleOptions): Promise<ImageLayout> {
	const index = await read('index.json');
	const manifest = await read('manifest.json');
	if (index !== undefined) {
		// Preferred even when a legacy manifest.json sits beside it: it names digests and platforms.
		const layout = await layoutFromIndex(index, read, options);
		if (manifest !== undefined && layout.repoTags.length === 0) {
			const tags = asArray(
				asRecord(asArray(parseJsonDocument(manifest, 'manifest.json', options.reference))[0]).RepoTags,
			);
			layout.repoTags = tags.filter((tag): tag is string => typeof tag === 'string');
		}

		return layout;
	}

	if (manifest !== undefined) return layoutFromManifest(manifest, options);
	throw new LayerlensError(`${options.reference} has no manifest.json or index.json`, {
		hint: 'Give a `docker save` archive, an OCI image layout (directory or tar) or an image name',
	});
}

/** The config document's bytes: the image ID is their digest. */
async function readConfigBytes(
	read: DocumentReader,
	layout: ImageLayout,
	options: AssembleOptions,
): Promise<Buffer> {
	const configBytes = await read(layout.configName);
	if (configBytes === undefined) {
		throw new LayerlensError(`the image config ${layout.configName} is missing from ${options.reference}`, {
			hint: 'The archive is incomplete; export the image again',
		});
	}

	return configBytes;
}

/** The manifest (index.json, else manifest.json) and the config it names, read and parsed: what a preview needs too. */
export type ImageDocuments = {
	layout: ImageLayout;
	configBytes: Buffer;
	config: ReturnType<typeof parseImageConfig>;
};

export async function readImageDocuments(
	read: DocumentReader,
	options: AssembleOptions,
): Promise<ImageDocuments> {
	const layout = await readLayout(read, options);
	const configBytes = await readConfigBytes(read, layout, options);
	const config = parseImageConfig(parseJsonDocument(configBytes, layout.configName, options.reference));
	return {layout, configBytes, config};
}

/** A parsed layer with what its descriptor says, warning when its diff ID is not the one the config declares. */
function describedLayer(
	parsed: ParsedLayer,
	descriptor: LayerDescriptor,
	position: number,
	declared: string | undefined,
	warnings: string[],
): ParsedLayer {
	const layer: ParsedLayer = {...parsed};
	if (descriptor.digest !== undefined) layer.digest = descriptor.digest;
	if (descriptor.mediaType !== undefined) layer.mediaType = descriptor.mediaType;
	if (descriptor.sizeBytes !== undefined) layer.compressedSizeBytes = descriptor.sizeBytes;
	if (declared !== undefined && declared !== layer.diffId) {
		layer.declaredDiffId = declared;
		warnings.push(
			`layer ${position + 1}: computed diff ID ${layer.diffId} differs from the config's ${declared}`,
		);
	}

	return layer;
}

/** Every layer the layout lists, in order; a listed layer that is missing is an error. */
async function readLayers(
	layout: ImageLayout,
	readLayerAt: LayerReader,
	diffIds: readonly string[],
	options: AssembleOptions,
): Promise<ParsedLayer[]> {
	const layers: ParsedLayer[] = [];
	for (const [position, {name, descriptor}] of layout.layers.entries()) {
		const parsed = await readLayerAt(name, descriptor);
		if (parsed === undefined) {
			throw new LayerlensError(
				`layer ${position + 1} (${name}) is listed but missing from ${options.reference}`,
				{
					hint: 'The archive is incomplete; export the image again',
				},
			);
		}

		layers.push(describedLayer(parsed, descriptor, position, diffIds[position], options.warnings));
	}

	if (diffIds.length !== layers.length) {
		options.warnings.push(
			`the config declares ${diffIds.length} layers but the manifest lists ${layers.length}`,
		);
	}

	return layers;
}

/**
Put a read archive together: pick the manifest (index.json, else manifest.json), read the config, and
line the parsed layers up in manifest order, checking each computed diff ID against the declared one.
*/
export async function assembleImage(
	read: DocumentReader,
	readLayerAt: LayerReader,
	options: AssembleOptions,
): Promise<AssembledImage> {
	const {layout, configBytes, config} = await readImageDocuments(read, options);
	if (layout.layers.length === 0) {
		throw new LayerlensError(`the image in ${options.reference} has no layers`, {
			hint: 'There is nothing to analyse; check that this is the image you meant',
		});
	}

	const layers = await readLayers(layout, readLayerAt, config.diffIds, options);
	const image: RawImage = {
		reference: options.reference,
		id: `sha256:${createHash('sha256').update(configBytes).digest('hex')}`,
		source: options.source,
		os: config.os,
		architecture: config.architecture,
		repoTags: layout.repoTags,
		config: config.config,
		history: config.history,
		diffIds: config.diffIds,
		layers,
		warnings: options.warnings,
	};
	if (config.variant !== undefined) image.variant = config.variant;
	if (config.created !== undefined) image.created = config.created;
	return {image, layerNames: layout.layers.map((layer) => layer.name)};
}
