import {
	EntryColumns,
	PathTree,
	type StoredColumnName,
	type StoredEntries,
	StoredEntriesError,
	StoredTreeError,
	storedEntryColumns,
} from '../engine/index.js';
import type {ParsedLayer} from '../image/types.js';
import {cacheSealBytes} from './cache-files.js';
import type {LayerHeader, TreeHeader} from './image-cache-header.js';

/**
The image cache file's bodies: each layer's entry columns and the stacked tree's columns as bytes, padded to
8 so every typed column can be read back in place, and the checks that turn bad bytes into a
CorruptCacheError (see image-cache.ts for the file's layout).
*/

/** What joins the paths and link targets of a text column. */
export const separator = '\0';
const checksumBytes = cacheSealBytes;

/** The tree's body: its node and version columns, every layer's touched nodes end to end, the versionless paths. */
export function encodeTree(tree: PathTree): {header: TreeHeader; body: Uint8Array[]} {
	const stored = tree.toStored();
	for (const path of stored.versionlessPaths) {
		if (path.includes(separator)) throw new UncacheableError(`path ${path} cannot be encoded`);
	}

	const layerNodes = new Int32Array(stored.layerNodes.reduce((sum, list) => sum + list.length, 0));
	let at = 0;
	for (const list of stored.layerNodes) {
		layerNodes.set(list, at);
		at += list.length;
	}

	const body = [
		bytesOf(stored.parents),
		bytesOf(stored.firstChild),
		bytesOf(stored.lastChild),
		bytesOf(stored.nextSibling),
		bytesOf(stored.lastVersion),
		bytesOf(stored.versionNode),
		bytesOf(stored.versionLayer),
		bytesOf(stored.versionRow),
		bytesOf(stored.hiddenBy),
		bytesOf(stored.previousVersion),
		bytesOf(layerNodes),
		bytesOf(stored.versionKind),
		bytesOf(stored.hideCause),
		Buffer.from(stored.versionlessPaths.join(separator), 'utf8'),
	];
	return {
		header: {
			nodeCount: stored.nodeCount,
			versionCount: stored.versionCount,
			layerNodeCounts: stored.layerNodes.map((list) => list.length),
			removals: stored.removals,
			columns: body.map((column) => column.byteLength),
		},
		body,
	};
}

export function decodeTree(
	bytes: Buffer,
	start: number,
	header: TreeHeader,
	layers: ParsedLayer[],
): PathTree {
	const lengths = header.columns;
	if (
		lengths.length !== 14 ||
		header.layerNodeCounts.length !== layers.length ||
		header.removals.some(([, removedIn]) => removedIn.some((layer) => layer >= layers.length))
	) {
		throw new CorruptCacheError('bad tree header');
	}

	const {offsets, end} = columnOffsets(start, lengths);
	if (end > bytes.length - checksumBytes) {
		throw new CorruptCacheError('tree runs past the end');
	}

	const int32 = (index: number): Int32Array =>
		column(bytes, offsets[index]!, lengths[index]!, (buffer, n) => new Int32Array(buffer, 0, n), 4);
	const uint8 = (index: number): Uint8Array =>
		column(bytes, offsets[index]!, lengths[index]!, (buffer, n) => new Uint8Array(buffer, 0, n), 1);
	const allLayerNodes = int32(10);
	const layerNodes: Int32Array[] = [];
	let at = 0;
	for (const count of header.layerNodeCounts) {
		if (!Number.isInteger(count) || count < 0 || at + count > allLayerNodes.length) {
			throw new CorruptCacheError('bad layer node counts');
		}

		layerNodes.push(allLayerNodes.slice(at, at + count));
		at += count;
	}

	const text = bytes.toString('utf8', offsets[13]!, offsets[13]! + lengths[13]!);
	try {
		return PathTree.fromStored(
			layers.map((layer) => layer.entries),
			{
				nodeCount: header.nodeCount,
				versionCount: header.versionCount,
				parents: int32(0),
				firstChild: int32(1),
				lastChild: int32(2),
				nextSibling: int32(3),
				lastVersion: int32(4),
				versionNode: int32(5),
				versionLayer: int32(6),
				versionRow: int32(7),
				hiddenBy: int32(8),
				previousVersion: int32(9),
				layerNodes,
				versionKind: uint8(11),
				hideCause: uint8(12),
				removals: header.removals,
				versionlessPaths: text.split(separator),
			},
		);
	} catch (error) {
		if (error instanceof StoredTreeError) throw new CorruptCacheError(error.message);
		throw error;
	}
}

export class UncacheableError extends Error {}

const bytesOf = (column: ArrayBufferView): Uint8Array =>
	new Uint8Array(column.buffer, column.byteOffset, column.byteLength);

/**
One layer's body: its stored numeric columns in the spec's order (see entryColumnSpec), the rows that have a
link target, then the paths and the link targets (NUL-joined).
*/
export function encodeLayer(stored: StoredEntries): Uint8Array[] {
	for (const path of stored.paths) {
		if (path.includes(separator)) throw new UncacheableError(`entry ${path} cannot be encoded`);
	}

	for (const target of stored.links) {
		if (target.includes(separator)) throw new UncacheableError(`a link target cannot be encoded`);
	}

	return [
		...storedEntryColumns.map(({name}) => bytesOf(stored.columns[name])),
		bytesOf(stored.linkRows),
		Buffer.from(stored.paths.join(separator), 'utf8'),
		Buffer.from(stored.links.join(separator), 'utf8'),
	];
}

/** Pads to 8 bytes so the Float64 columns can be viewed in place when decoding. */
export function padding(length: number): number {
	return (8 - (length % 8)) % 8;
}

export class CorruptCacheError extends Error {}

/** Where each column of a body starts (each padded to 8 bytes), and where the body ends. */
export function columnOffsets(start: number, lengths: readonly number[]): {offsets: number[]; end: number} {
	const offsets: number[] = [];
	let offset = start;
	for (const length of lengths) {
		if (!Number.isInteger(length) || length < 0) throw new CorruptCacheError('bad column length');
		offsets.push(offset);
		offset += length + padding(offset + length);
	}

	return {offsets, end: offset};
}

/** A column's bytes, copied out (the file's buffer is let go once decoded), checked against the file's end. */
function column<T>(
	bytes: Buffer,
	offset: number,
	length: number,
	make: (buffer: ArrayBuffer, count: number) => T,
	width: number,
): T {
	if (length % width !== 0 || offset + length > bytes.length - checksumBytes) {
		throw new CorruptCacheError('column out of bounds');
	}

	const copy = new Uint8Array(length);
	copy.set(bytes.subarray(offset, offset + length));
	return make(copy.buffer, length / width);
}

function splitText(bytes: Buffer, offset: number, length: number, expected: number): string[] {
	if (expected === 0) {
		return [];
	}

	const parts = bytes.toString('utf8', offset, offset + length).split(separator);
	if (parts.length !== expected) {
		throw new CorruptCacheError('text column has the wrong count');
	}

	return parts;
}

/** A typed array over a column's bytes, for any array type of the spec. */
type ColumnView = new (
	buffer: ArrayBuffer,
	offset: number,
	length: number,
) => StoredEntries['columns'][StoredColumnName];

export function decodeLayer(
	bytes: Buffer,
	start: number,
	layer: LayerHeader,
): {entries: EntryColumns; end: number} {
	const {count, exec} = layer;
	const lengths = layer.columns;
	const numeric = storedEntryColumns.length;
	if (lengths.length !== numeric + 3) {
		throw new CorruptCacheError('bad layer header');
	}

	const {offsets, end} = columnOffsets(start, lengths);
	if (end > bytes.length - checksumBytes) {
		throw new CorruptCacheError('layer runs past the end');
	}

	const columns: Partial<Record<StoredColumnName, StoredEntries['columns'][StoredColumnName]>> = {};
	storedEntryColumns.forEach(({name, array}, index) => {
		const view = array as unknown as ColumnView;
		columns[name] = column(
			bytes,
			offsets[index]!,
			lengths[index]!,
			(buffer, n) => new view(buffer, 0, n),
			array.BYTES_PER_ELEMENT,
		);
	});
	const linkRows = column(
		bytes,
		offsets[numeric]!,
		lengths[numeric]!,
		(buffer, n) => new Int32Array(buffer, 0, n),
		4,
	);
	try {
		const entries = EntryColumns.fromStored({
			count,
			columns: columns as StoredEntries['columns'],
			linkRows,
			paths: splitText(bytes, offsets[numeric + 1]!, lengths[numeric + 1]!, count),
			links: splitText(bytes, offsets[numeric + 2]!, lengths[numeric + 2]!, linkRows.length),
			execs: exec,
		});
		return {entries, end};
	} catch (error) {
		if (error instanceof StoredEntriesError) throw new CorruptCacheError(error.message);
		throw error;
	}
}
