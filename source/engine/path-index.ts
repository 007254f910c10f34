/**
FNV-1a (32 bits) of `path`'s UTF-16 code units. Computed once per entry by the tar parser and kept in
the entry columns, so the layer's duplicate check and the stacked tree's path lookup never hash a path
again. `seed` continues a hash: `pathHash(b, pathHash(a))` is the hash of `a + b`.
*/
export function pathHash(path: string, seed = fnvOffset, start = 0, end = path.length): number {
	let hash = seed;
	for (let index = start; index < end; index++) {
		hash = Math.imul(hash ^ path.charCodeAt(index), fnvPrime);
	}

	return hash >>> 0;
}

export const fnvOffset = 0x81_1c_9d_c5;
const fnvPrime = 0x01_00_01_93;

const minimumCapacity = 1024;

/**
An open-addressing hash table from a path (with its precomputed hash) to a small integer id, over the
caller's own `paths` and `hashes` columns: one Int32Array, no Map of strings, no object per path. A
million paths cost 8 MB here where a Map of them cost ~60 MB and most of the time of a stacking.
*/
export class PathIndex {
	private slots: Int32Array;
	private mask: number;
	private size = 0;

	constructor(expected = 0) {
		let capacity = minimumCapacity;
		while (capacity < expected * 2) capacity *= 2;
		this.slots = new Int32Array(capacity).fill(-1);
		this.mask = capacity - 1;
	}

	/** The id whose path equals `path`, or -1. */
	find(path: string, hash: number, paths: readonly string[], hashes: Uint32Array): number {
		const {slots, mask} = this;
		for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
			const id = slots[slot]!;
			if (id === -1) return -1;
			if (hashes[id] === hash && paths[id] === path) return id;
		}
	}

	/** The id whose path equals `path.slice(0, end)` (hash `hash`), or -1, without slicing. */
	findPrefix(path: string, end: number, hash: number, paths: readonly string[], hashes: Uint32Array): number {
		const {slots, mask} = this;
		for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
			const id = slots[slot]!;
			if (id === -1) return -1;
			if (hashes[id] === hash) {
				const candidate = paths[id]!;
				if (candidate.length === end && path.startsWith(candidate)) return id;
			}
		}
	}

	/** Adds an id the caller knows is not in the table yet. */
	insert(id: number, hash: number, hashes: Uint32Array): void {
		if ((this.size + 1) * 2 > this.slots.length) this.grow(hashes);
		this.place(id, hash);
		this.size++;
	}

	private place(id: number, hash: number): void {
		const {slots, mask} = this;
		let slot = hash & mask;
		while (slots[slot] !== -1) slot = (slot + 1) & mask;
		slots[slot] = id;
	}

	private grow(hashes: Uint32Array): void {
		const old = this.slots;
		this.slots = new Int32Array(old.length * 2).fill(-1);
		this.mask = this.slots.length - 1;
		for (const id of old) {
			if (id !== -1) this.place(id, hashes[id]!);
		}
	}
}
