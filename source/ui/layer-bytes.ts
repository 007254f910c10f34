import {layerHeaderBytes} from '../analysis/dive-efficiency.js';
import type {EntryColumns} from '../engine/index.js';
import type {ReadPicture} from '../image/read-progress.js';

const bytesOf = new WeakMap<EntryColumns, number>();

/** A read layer's size as the explorer shows it (the analysis' own sum, dive's layer size), summed once per layer. */
export function readLayerBytes(entries: EntryColumns): number {
	let bytes = bytesOf.get(entries);
	if (bytes === undefined) {
		bytes = layerHeaderBytes({entries});
		bytesOf.set(entries, bytes);
	}

	return bytes;
}

/**
The size a layer row shows: once the layer is read, its files' bytes, the figure the explorer will show; until
then the source's own figure (a tar's or a blob's length, which can differ), marked as such.
*/
export type ShownBytes = {bytes: number | undefined; read: boolean};

export function shownLayerBytes(expected: number | undefined, read: EntryColumns | undefined): ShownBytes {
	return read === undefined ? {bytes: expected, read: false} : {bytes: readLayerBytes(read), read: true};
}

/** The entries of each layer a picture has read, by diff ID (one layer can be listed twice). */
export function readLayersById(
	picture: ReadPicture,
	into = new Map<string, EntryColumns>(),
): Map<string, EntryColumns> {
	for (const layer of picture.layers ?? []) {
		if (layer !== undefined) into.set(layer.diffId, layer.entries);
	}

	return into;
}
