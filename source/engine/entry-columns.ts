import type {EntryType, ExecInfo, TarEntry} from './entry.js';
import {pathHash} from './path-index.js';
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
	// The numeric columns, allocated and grown from `entryColumnSpec`.
	types!: Uint8Array;
	flags!: Uint8Array;
	modes!: Uint16Array;
	sizes!: Float64Array;
	uids!: Float64Array;
	gids!: Float64Array;
	mtimes!: Float64Array;
	hashHigh!: Uint32Array;
	hashLow!: Uint32Array;
	/** `pathHash` of each path: the layer's duplicate check and the stacked tree's lookups reuse it. */
	pathHashes!: Uint32Array;
	/** Symlink and hard-link targets, by row. */
	links = new Map<number, string>();
	/** ELF and `#!` facts (a few thousand rows at most), by row. */
	execs = new Map<number, ExecInfo>();

	constructor(capacity = initialCapacity) {
		const columns = this.#columns();
		for (const {name, array} of entryColumnSpec) columns[name] = new array(capacity);
	}

	/** The numeric columns by name, for the loops over the spec. */
	#columns(): Record<EntryColumnName, NumberColumn> {
		return this as unknown as Record<EntryColumnName, NumberColumn>;
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

	/** The columns for the analysis cache (views of the layer's own arrays: encode them before anything changes). */
	toStored(): StoredEntries {
		const {count} = this;
		const own = this.#columns();
		const columns: Partial<Record<StoredColumnName, NumberColumn>> = {};
		for (const {name} of storedEntryColumns) columns[name] = own[name].subarray(0, count);
		const linkRows = Int32Array.from([...this.links.keys()].sort((a, b) => a - b));
		return {
			count,
			columns: columns as StoredEntries['columns'],
			linkRows,
			links: Array.from(linkRows, (row) => this.links.get(row)!),
			paths: this.paths.slice(0, count),
			execs: [...this.execs].sort((a, b) => a[0] - b[0]),
		};
	}

	/**
	A layer back from the analysis cache, its columns taken as they are. Every value is checked against the
	spec, every path and row against what a tar read could give; anything else is a StoredEntriesError.
	*/
	static fromStored(stored: StoredEntries): EntryColumns {
		const {count} = stored;
		const fail = (what: string): never => {
			throw new StoredEntriesError(`stored entries: ${what}`);
		};

		const entries = new EntryColumns(0);
		const columns = entries.#columns();
		for (const {name, valid} of storedEntryColumns) {
			const values = stored.columns[name];
			if (values.length !== count) fail('a column of the wrong count');
			for (let row = 0; row < count; row++) if (!valid(values[row]!)) fail(`bad ${name}: ${values[row]}`);
			columns[name] = values;
		}

		if (stored.paths.length !== count) fail('paths of the wrong count');
		for (const path of stored.paths) if (!isNormalPath(path)) fail('a bad path');
		entries.count = count;
		entries.paths = stored.paths;
		entries.pathHashes = new Uint32Array(count);
		for (let row = 0; row < count; row++) entries.pathHashes[row] = pathHash(stored.paths[row]!);
		const {linkRows, links} = stored;
		if (links.length !== linkRows.length) fail('links of the wrong count');
		for (let position = 0; position < linkRows.length; position++) {
			const row = linkRows[position]!;
			if (row < 0 || row >= count || (position > 0 && row <= linkRows[position - 1]!)) fail('a bad link row');
			entries.links.set(row, links[position]!);
		}

		for (const [row, exec] of stored.execs) {
			if (!Number.isInteger(row) || row < 0 || row >= count) fail('a bad exec entry');
			entries.execs.set(row, exec);
		}

		return entries;
	}

	private grow(capacity: number): void {
		const columns = this.#columns();
		for (const {name} of entryColumnSpec) columns[name] = resized(columns[name], capacity);
	}
}
