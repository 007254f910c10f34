import type {EntryType, ExecInfo, TarEntry} from './entry.js';
import {type PathIndex, pathHash} from './path-index.js';
import {type NumberColumn, resized} from './typed-columns.js';

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

const isCount = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;

/**
Every numeric column of a layer's entries, in the order the analysis cache stores them: allocation,
growth, `toStored` and `fromStored` all go through this list, so a new field is one line here (and its
place in `set` and `entry`). `valid` is what a value read back from the cache must satisfy: one a tar
header could have given (whole non-negative sizes and ids, whole mtimes, permission bits only, known types
and flags), so NaN, -1e300 or 0.5 in a forged file stop there. A column with `stored: false` is
recomputed on the way back rather than trusted.
*/
export const entryColumnSpec = [
	{name: 'sizes', array: Float64Array, stored: true, valid: isCount},
	{name: 'uids', array: Float64Array, stored: true, valid: isCount},
	{name: 'gids', array: Float64Array, stored: true, valid: isCount},
	{name: 'mtimes', array: Float64Array, stored: true, valid: Number.isSafeInteger},
	{name: 'hashHigh', array: Uint32Array, stored: true, valid: () => true},
	{name: 'hashLow', array: Uint32Array, stored: true, valid: () => true},
	{name: 'modes', array: Uint16Array, stored: true, valid: (mode: number) => (mode & ~0o7777) === 0},
	{name: 'types', array: Uint8Array, stored: true, valid: (type: number) => type < entryTypeCodes.length},
	{name: 'flags', array: Uint8Array, stored: true, valid: (flags: number) => (flags & ~hasHash) === 0},
	// A lookup must never trust a hash it did not make.
	{name: 'pathHashes', array: Uint32Array, stored: false, valid: () => true},
] as const satisfies readonly {
	name: string;
	array: new (length: number) => NumberColumn;
	stored: boolean;
	valid: (value: number) => boolean;
}[];

type ColumnSpec = (typeof entryColumnSpec)[number];
export type EntryColumnName = ColumnSpec['name'];
export type StoredColumnName = Extract<ColumnSpec, {stored: true}>['name'];
type ColumnOf<Name extends EntryColumnName> = InstanceType<Extract<ColumnSpec, {name: Name}>['array']>;

/** The stored columns of the spec, in order: what the cache writes for each layer before its text columns. */
export const storedEntryColumns = entryColumnSpec.filter((column) => column.stored);

/**
A layer's entries as the analysis cache stores them: the stored numeric columns (views of the layer's own
arrays), the rows with a link target and those targets, the paths, and the few exec facts by row.
*/
export type StoredEntries = {
	count: number;
	columns: {[Name in StoredColumnName]: ColumnOf<Name>};
	linkRows: Int32Array;
	links: string[];
	paths: string[];
	execs: [number, ExecInfo][];
};

/** Stored entries that could not have come from a real read. */
export class StoredEntriesError extends Error {}

/** What the tar reader makes of a name: relative, no empty, `.` or `..` segment, no trailing slash. */
const isNormalPath = (path: string): boolean => !/^$|^\/|\/$|\/\/|(^|\/)\.\.?(\/|$)/.test(path);

/** One 64-bit slot and its two 32-bit words, for splitting a content hash; which word is high depends on the byte order. */
const hashSlot = new BigUint64Array(1);
const hashWords = new Uint32Array(hashSlot.buffer);
const highWord = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** The numeric columns of one layer by name, as the spec allocates them. */
type NumericColumns = {[Name in EntryColumnName]: ColumnOf<Name>};

/** How the engine's own hot loops reach a layer's arrays (see `columnsOf`); set once by the class below. */
let readColumns: (entries: EntryColumns) => Readonly<NumericColumns>;

/**
One layer's tar entries, column by column: a typed array per numeric field, the paths as one array of
strings, the few link targets and exec facts sparse. No object per entry: a million entries cost their
paths and ~40 bytes each, where objects cost ~250, and the garbage collector has a handful of arrays to
scan instead of a million objects. The tar parser fills it through `append`, `rowForPath` and `set`;
everything else reads it by row through the accessors below; the arrays themselves stay private (the
engine's stacking reads them through `columnsOf`), and the analysis cache stores them as they are.

The content hash (xxHash64) is kept as two 32-bit halves; `hash(row)` gives the 16 hex digits the
reports print.
*/
export class EntryColumns {
	#count = 0;
	#paths: string[] = [];
	/** The numeric columns, allocated and grown from `entryColumnSpec`. */
	#numbers: NumericColumns;
	/** Symlink and hard-link targets, by row. */
	readonly #links = new Map<number, string>();
	/** ELF and `#!` facts (a few thousand rows at most), by row. */
	readonly #execs = new Map<number, ExecInfo>();

	static {
		readColumns = (entries) => entries.#numbers;
	}

	constructor(capacity = initialCapacity) {
		const numbers: Partial<Record<EntryColumnName, NumberColumn>> = {};
		for (const {name, array} of entryColumnSpec) numbers[name] = new array(capacity);
		this.#numbers = numbers as NumericColumns;
	}

	/** How many rows the layer holds. */
	get count(): number {
		return this.#count;
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
		if (this.#count === this.#numbers.types.length) {
			this.#grow(this.#count * 2);
		}

		this.#paths.push('');
		return this.#count++;
	}

	/**
	The row of `path` (`hash` is its pathHash) among the rows `index` holds, or a new row at the end with
	that path, added to `index`: how the parser keeps one row per path ("the later header wins").
	*/
	rowForPath(path: string, hash: number, index: PathIndex): number {
		const found = index.find(path, hash, this.#paths, this.#numbers.pathHashes);
		if (found !== -1) return found;
		const created = this.append();
		this.#paths[created] = path;
		this.#numbers.pathHashes[created] = hash;
		index.insert(created, hash, this.#numbers.pathHashes);
		return created;
	}

	/**
	Writes every field of `entry` into `row` (a path seen twice in one tar: the later header wins).
	`pathHashOfEntry`: `pathHash(entry.path)`, when the caller has it already.
	*/
	set(row: number, entry: TarEntry, pathHashOfEntry = pathHash(entry.path)): void {
		const numbers = this.#numbers;
		this.#paths[row] = entry.path;
		numbers.pathHashes[row] = pathHashOfEntry;
		numbers.types[row] = codeOf.get(entry.type)!;
		numbers.modes[row] = entry.mode;
		numbers.sizes[row] = entry.size;
		numbers.uids[row] = entry.uid;
		numbers.gids[row] = entry.gid;
		numbers.mtimes[row] = entry.mtime;
		numbers.flags[row] = 0;
		// Most layers have no links or exec facts for most rows: no map lookup for those.
		if (entry.linkTarget !== undefined) {
			this.#links.set(row, entry.linkTarget);
		} else if (this.#links.size > 0) {
			this.#links.delete(row);
		}

		if (entry.exec !== undefined) {
			this.#execs.set(row, entry.exec);
		} else if (this.#execs.size > 0) {
			this.#execs.delete(row);
		}

		if (entry.hash !== undefined) this.setHash(row, entry.hash);
	}

	/** `hash`: 16 hex digits. */
	setHash(row: number, hash: string): void {
		if (hash.length !== hexDigits) {
			throw new Error(`content hash '${hash}' is not ${hexDigits} hex digits`);
		}

		this.#numbers.hashHigh[row] = Number.parseInt(hash.slice(0, 8), 16);
		this.#numbers.hashLow[row] = Number.parseInt(hash.slice(8), 16);
		this.#numbers.flags[row]! |= hasHash;
	}

	/** `bits`: the xxHash64 value as the hasher returns it. */
	setHashBits(row: number, bits: bigint): void {
		// Split through one 64-bit slot seen as two 32-bit words: shifting and masking a bigint makes two
		// more bigints per file.
		hashSlot[0] = bits;
		this.#numbers.hashHigh[row] = hashWords[highWord]!;
		this.#numbers.hashLow[row] = hashWords[1 - highWord]!;
		this.#numbers.flags[row]! |= hasHash;
	}

	/** Gives the unused capacity back once the layer is complete. */
	trim(): void {
		if (this.#numbers.types.length > this.#count) this.#grow(this.#count);
	}

	// ---- One field of one row ----

	path(row: number): string {
		return this.#paths[row]!;
	}

	/** `pathHash(path(row))`, computed once when the row was written. */
	pathHash(row: number): number {
		return this.#numbers.pathHashes[row]!;
	}

	type(row: number): EntryType {
		return entryTypeCodes[this.#numbers.types[row]!]!;
	}

	/** The entry type as its index in `entryTypeCodes` (`fileCode`, `dirCode`, ...). */
	typeCode(row: number): number {
		return this.#numbers.types[row]!;
	}

	size(row: number): number {
		return this.#numbers.sizes[row]!;
	}

	mode(row: number): number {
		return this.#numbers.modes[row]!;
	}

	uid(row: number): number {
		return this.#numbers.uids[row]!;
	}

	gid(row: number): number {
		return this.#numbers.gids[row]!;
	}

	mtime(row: number): number {
		return this.#numbers.mtimes[row]!;
	}

	hasHash(row: number): boolean {
		return (this.#numbers.flags[row]! & hasHash) !== 0;
	}

	hash(row: number): string | undefined {
		const numbers = this.#numbers;
		if ((numbers.flags[row]! & hasHash) === 0) return undefined;
		return hashHex(numbers.hashHigh[row]!, numbers.hashLow[row]!);
	}

	/** The content hash's high 32 bits (0 without a hash): a key for content without a string. */
	hashHigh(row: number): number {
		return this.#numbers.hashHigh[row]!;
	}

	/** The content hash's low 32 bits (0 without a hash). */
	hashLow(row: number): number {
		return this.#numbers.hashLow[row]!;
	}

	/** Both rows have a content hash and it is the same. */
	sameHash(row: number, other: EntryColumns, otherRow: number): boolean {
		const mine = this.#numbers;
		const theirs = other.#numbers;
		return (
			(mine.flags[row]! & hasHash) !== 0 &&
			(theirs.flags[otherRow]! & hasHash) !== 0 &&
			mine.hashHigh[row] === theirs.hashHigh[otherRow] &&
			mine.hashLow[row] === theirs.hashLow[otherRow]
		);
	}

	linkTarget(row: number): string | undefined {
		return this.#links.get(row);
	}

	exec(row: number): ExecInfo | undefined {
		return this.#execs.get(row);
	}

	/** One row as an object: for tests, debugging and the few cold paths that want one. */
	entry(row: number): TarEntry {
		const numbers = this.#numbers;
		const entry: TarEntry = {
			path: this.#paths[row]!,
			type: this.type(row),
			size: numbers.sizes[row]!,
			mode: numbers.modes[row]!,
			uid: numbers.uids[row]!,
			gid: numbers.gids[row]!,
			mtime: numbers.mtimes[row]!,
		};
		const linkTarget = this.#links.get(row);
		if (linkTarget !== undefined) entry.linkTarget = linkTarget;
		const hash = this.hash(row);
		if (hash !== undefined) entry.hash = hash;
		const exec = this.#execs.get(row);
		if (exec !== undefined) entry.exec = exec;
		return entry;
	}

	/** Every row as an object (tests). */
	toEntries(): TarEntry[] {
		const entries: TarEntry[] = [];
		for (let row = 0; row < this.#count; row++) entries.push(this.entry(row));
		return entries;
	}

	/** The columns for the analysis cache (views of the layer's own arrays: encode them before anything changes). */
	toStored(): StoredEntries {
		const count = this.#count;
		const columns: Partial<Record<StoredColumnName, NumberColumn>> = {};
		for (const {name} of storedEntryColumns) columns[name] = this.#numbers[name].subarray(0, count);
		const linkRows = Int32Array.from([...this.#links.keys()].sort((a, b) => a - b));
		return {
			count,
			columns: columns as StoredEntries['columns'],
			linkRows,
			links: Array.from(linkRows, (row) => this.#links.get(row)!),
			paths: this.#paths.slice(0, count),
			execs: [...this.#execs].sort((a, b) => a[0] - b[0]),
		};
	}

	/**
	A layer back from the analysis cache, its columns taken as they are. Every value is checked against the
	spec, every path and row against what a tar read could give; anything else is a StoredEntriesError.
	*/
	static fromStored(stored: StoredEntries): EntryColumns {
		const {count} = stored;
		const entries = new EntryColumns(0);
		const numbers = entries.#numbers as Record<EntryColumnName, NumberColumn>;
		for (const {name, valid} of storedEntryColumns) {
			const values = stored.columns[name];
			if (values.length !== count) failStored('a column of the wrong count');
			for (let row = 0; row < count; row++)
				if (!valid(values[row]!)) failStored(`bad ${name}: ${values[row]}`);
			numbers[name] = values;
		}

		if (stored.paths.length !== count) failStored('paths of the wrong count');
		for (const path of stored.paths) if (!isNormalPath(path)) failStored('a bad path');
		entries.#count = count;
		entries.#paths = stored.paths;
		const pathHashes = new Uint32Array(count);
		for (let row = 0; row < count; row++) pathHashes[row] = pathHash(stored.paths[row]!);
		numbers.pathHashes = pathHashes;
		const {linkRows, links} = stored;
		if (links.length !== linkRows.length) failStored('links of the wrong count');
		for (let position = 0; position < linkRows.length; position++) {
			const row = linkRows[position]!;
			if (row < 0 || row >= count || (position > 0 && row <= linkRows[position - 1]!)) {
				failStored('a bad link row');
			}

			entries.#links.set(row, links[position]!);
		}

		for (const [row, exec] of stored.execs) {
			if (!Number.isInteger(row) || row < 0 || row >= count) failStored('a bad exec entry');
			entries.#execs.set(row, exec);
		}

		return entries;
	}

	#grow(capacity: number): void {
		const numbers = this.#numbers as Record<EntryColumnName, NumberColumn>;
		for (const {name} of entryColumnSpec) numbers[name] = resized(numbers[name], capacity);
	}
}

function failStored(what: string): never {
	throw new StoredEntriesError(`stored entries: ${what}`);
}

/**
A layer's numeric arrays for the engine's own inner loops (the stacking): one property read per field
instead of a call; valid until the layer grows (the engine only reads complete layers). Not exported from the engine's index, so nothing outside
source/engine can reach a typed array of a layer.
*/
export function columnsOf(entries: EntryColumns): Readonly<NumericColumns> {
	return readColumns(entries);
}
