/**
Layers as a read hands them on, for the tests of what is built while an image is read (the stacked fill, the
report modes' stack, the diff's fill-in): parsed layers with made-up diff IDs, the preview a source would give
of them, and the read's progress once some of them are read.
*/
import type {ImagePreview, LoadProgress, ParsedLayer, TarEntry} from '../../source/image/types.js';
import {layer as parsedLayer} from './raw-image-builder.js';

export const hex = (digit: string) => digit.repeat(64);

/** `sha256:000…` for layer 0, `sha256:111…` for layer 1, …: one digit, so at most ten distinct layers. */
export const diffIdOf = (index: number) => `sha256:${hex(String(index))}`;

/** Each list of entries as a parsed layer, the i-th with `diffIdOf(i)`. */
export function parsedLayers(entries: readonly TarEntry[][]): ParsedLayer[] {
	return entries.map((layerEntries, index) => ({...parsedLayer(layerEntries), diffId: diffIdOf(index)}));
}

/** The preview a source gives of `layers`: each at its tar size, the image ID made of `idDigit`. */
export function previewOf(layers: readonly ParsedLayer[], idDigit = '9'): ImagePreview {
	return {
		id: `sha256:${hex(idDigit)}`,
		os: 'linux',
		architecture: 'amd64',
		repoTags: [],
		config: {env: [], exposedPorts: [], labels: {}, volumes: []},
		layers: layers.map((item) => ({diffId: item.diffId, expectedBytes: item.tarSizeBytes})),
	};
}

/** The layer's entry in an OCI layout: `blobs/sha256/<hex>`, named by its digest. */
const blobName = (layer: ParsedLayer) => `blobs/sha256/${layer.diffId.replace(/^sha256:/, '')}`;

/** The read's progress once the layers at `read` are read (in that order) and the one at `reading` is being read. */
export function progressOf(layers: readonly ParsedLayer[], read: number[], reading?: number): LoadProgress {
	return {
		bytesRead: 0,
		layersDone: read.length,
		layersRead: read.map((index) => ({
			name: blobName(layers[index]!),
			diffId: layers[index]!.diffId,
			entries: layers[index]!.entries.count,
			layer: layers[index]!,
		})),
		...(reading === undefined
			? {}
			: {reading: {name: blobName(layers[reading]!), sizeBytes: 1000, bytesRead: 10}}),
	};
}
