export type NumberColumn = Int32Array | Uint32Array | Uint16Array | Uint8Array | Float64Array;

/**
A column of the same type with room for `capacity` values: the first values copied over, the rest
`fill` (0 unless given). How the entry columns and the stacked tree grow while they are filled and
give their spare room back once they are complete.
*/
export function resized<T extends NumberColumn>(column: T, capacity: number, fill = 0): T {
	const next = new (column.constructor as new (length: number) => T)(capacity);
	if (fill !== 0) next.fill(fill);
	next.set(column.subarray(0, Math.min(column.length, capacity)));
	return next;
}
