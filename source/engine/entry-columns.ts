import type {EntryType, ExecInfo, TarEntry} from './entry.js';
import {pathHash} from './path-index.js';
import {resized} from './typed-columns.js';

/** Every entry type, in a fixed order: a type is stored as its index here (the analysis cache stores it too). */
export const entryTypeCodes: readonly EntryType[] = [
	'file',
	'dir',
	'symlink',
	'hardlink',
	'char',
	'block',
	'fifo',
	'whiteout',
	'opaque',
];

export const fileCode = 0;
export const dirCode = 1;
export const symlinkCode = 2;
export const hardlinkCode = 3;
export const whiteoutCode = 7;
export const opaqueCode = 8;

const codeOf = new Map<EntryType, number>(entryTypeCodes.map((type, code) => [type, code]));

/** Flag bits per entry. */
const hasHash = 1;

const hexDigits = 16;
const hexOfByte = Array.from({length: 256}, (_, byte) => byte.toString(16).padStart(2, '0'));

/** The 16 hex digits of a content hash kept as two 32-bit halves. */
export function hashHex(high: number, low: number): string {
	return (
		hexOfByte[high >>> 24]! +
		hexOfByte[(high >>> 16) & 0xff]! +
		hexOfByte[(high >>> 8) & 0xff]! +
		hexOfByte[high & 0xff]! +
		hexOfByte[low >>> 24]! +
		hexOfByte[(low >>> 16) & 0xff]! +
		hexOfByte[(low >>> 8) & 0xff]! +
		hexOfByte[low & 0xff]!
	);
}

/** Same, as a reason: the rows a layer can hold before its columns grow again. */
const initialCapacity = 256;

/**
One layer's tar entries, column by column: a typed array per numeric field, the paths as one array of
strings, the few link targets and exec facts sparse. No object per entry: a million entries cost their
paths and ~40 bytes each, where objects cost ~250, and the garbage collector has a handful of arrays to
scan instead of a million objects. The tar parser fills it directly; the stacking, the waste, dive's
figures and the explorer read it by row; the analysis cache stores these columns as they are.

The content hash (xxHash64) is kept as two 32-bit halves; `hash(row)` gives the 16 hex digits the
reports print.
*/
export class EntryColumns {
	count = 0;
	paths: string[] = [];
	types: Uint8Array;
	flags: Uint8Array;
	modes: Uint16Array;
	sizes: Float64Array;
	uids: Float64Array;
	gids: Float64Array;
	mtimes: Float64Array;
	hashHigh: Uint32Array;
	hashLow: Uint32Array;
	/** `pathHash` of each path: the layer's duplicate check and the stacked tree's lookups reuse it. */
	pathHashes: Uint32Array;
	/** Symlink and hard-link targets, by row. */
	links = new Map<number, string>();
	/** ELF and `#!` facts (a few thousand rows at most), by row. */
	execs = new Map<number, ExecInfo>();

	constructor(capacity = initialCapacity) {
		this.types = new Uint8Array(capacity);
		this.flags = new Uint8Array(capacity);
		this.modes = new Uint16Array(capacity);
		this.sizes = new Float64Array(capacity);
		this.uids = new Float64Array(capacity);
		this.gids = new Float64Array(capacity);
		this.mtimes = new Float64Array(capacity);
		this.hashHigh = new Uint32Array(capacity);
		this.hashLow = new Uint32Array(capacity);
		this.pathHashes = new Uint32Array(capacity);
	}

	/** Columns built from entry objects (tests, the demo): the same rows the parser would write. */
	static fromEntries(entries: readonly TarEntry[]): EntryColumns {
		const columns = new EntryColumns(Math.max(entries.length, 1));
		for (const entry of entries) {
			columns.set(columns.append(), entry);
		}

		return columns;
	}

	/** A new row at the end, all fields zero; returns its index. */
	append(): number {
		if (this.count === this.types.length) {
			this.grow(this.count * 2);
		}

		this.paths.push('');
		return this.count++;
	}

	/**
	Writes every field of `entry` into `row` (a path seen twice in one tar: the later header wins).
	`pathHashOfEntry`: `pathHash(entry.path)`, when the caller has it already.
	*/
	set(row: number, entry: TarEntry, pathHashOfEntry = pathHash(entry.path)): void {
		this.paths[row] = entry.path;
		this.pathHashes[row] = pathHashOfEntry;
		this.types[row] = codeOf.get(entry.type)!;
		this.modes[row] = entry.mode;
		this.sizes[row] = entry.size;
		this.uids[row] = entry.uid;
		this.gids[row] = entry.gid;
		this.mtimes[row] = entry.mtime;
		this.flags[row] = 0;
		// Most layers have no links or exec facts for most rows: no map lookup for those.
		if (entry.linkTarget !== undefined) {
			this.links.set(row, entry.linkTarget);
		} else if (this.links.size > 0) {
			this.links.delete(row);
		}

		if (entry.exec !== undefined) {
			this.execs.set(row, entry.exec);
		} else if (this.execs.size > 0) {
			this.execs.delete(row);
		}

		if (entry.hash !== undefined) this.setHash(row, entry.hash);
	}

	/** `hash`: 16 hex digits. */
	setHash(row: number, hash: string): void {
		if (hash.length !== hexDigits) {
			throw new Error(`content hash '${hash}' is not ${hexDigits} hex digits`);
		}

		this.hashHigh[row] = Number.parseInt(hash.slice(0, 8), 16);
		this.hashLow[row] = Number.parseInt(hash.slice(8), 16);
		this.flags[row]! |= hasHash;
	}

	/** `bits`: the xxHash64 value as the hasher returns it. */
	setHashBits(row: number, bits: bigint): void {
		this.hashHigh[row] = Number(bits >> 32n);
		this.hashLow[row] = Number(bits & 0xff_ff_ff_ffn);
		this.flags[row]! |= hasHash;
	}

	/** Gives the unused capacity back once the layer is complete. */
	trim(): void {
		if (this.types.length > this.count) this.grow(this.count);
	}

	type(row: number): EntryType {
		return entryTypeCodes[this.types[row]!]!;
	}

	hasHash(row: number): boolean {
		return (this.flags[row]! & hasHash) !== 0;
	}

	hash(row: number): string | undefined {
		if ((this.flags[row]! & hasHash) === 0) return undefined;
		return hashHex(this.hashHigh[row]!, this.hashLow[row]!);
	}

	/** Both rows have a content hash and it is the same. */
	sameHash(row: number, other: EntryColumns, otherRow: number): boolean {
		return (
			(this.flags[row]! & hasHash) !== 0 &&
			(other.flags[otherRow]! & hasHash) !== 0 &&
			this.hashHigh[row] === other.hashHigh[otherRow] &&
			this.hashLow[row] === other.hashLow[otherRow]
		);
	}

	linkTarget(row: number): string | undefined {
		return this.links.get(row);
	}

	exec(row: number): ExecInfo | undefined {
		return this.execs.get(row);
	}

	/** One row as an object: for tests, debugging and the few cold paths that want one. */
	entry(row: number): TarEntry {
		const entry: TarEntry = {
			path: this.paths[row]!,
			type: this.type(row),
			size: this.sizes[row]!,
			mode: this.modes[row]!,
			uid: this.uids[row]!,
			gid: this.gids[row]!,
			mtime: this.mtimes[row]!,
		};
		const linkTarget = this.links.get(row);
		if (linkTarget !== undefined) entry.linkTarget = linkTarget;
		const hash = this.hash(row);
		if (hash !== undefined) entry.hash = hash;
		const exec = this.execs.get(row);
		if (exec !== undefined) entry.exec = exec;
		return entry;
	}

	/** Every row as an object (tests). */
	toEntries(): TarEntry[] {
		const entries: TarEntry[] = [];
		for (let row = 0; row < this.count; row++) entries.push(this.entry(row));
		return entries;
	}

	private grow(capacity: number): void {
		this.types = resized(this.types, capacity);
		this.flags = resized(this.flags, capacity);
		this.modes = resized(this.modes, capacity);
		this.sizes = resized(this.sizes, capacity);
		this.uids = resized(this.uids, capacity);
		this.gids = resized(this.gids, capacity);
		this.mtimes = resized(this.mtimes, capacity);
		this.hashHigh = resized(this.hashHigh, capacity);
		this.hashLow = resized(this.hashLow, capacity);
		this.pathHashes = resized(this.pathHashes, capacity);
	}
}
