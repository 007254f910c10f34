/**
A minimal synchronous tar parser: headers and content slices are handed out straight from the input
chunks (no copies, no stream per entry), which is what lets a 100k-file layer parse at disk speed.

Every header is read exactly as Go's archive/tar reads it (Go 1.19, the reader Docker 20.10 and
containerd use to unpack a layer): the parser must see the same entries Docker extracts, or a crafted
layer can hide files from the scan (issue 17: a `0` entry named `app/cache/` whose data was taken for
headers). The rules, from go/src/archive/tar/reader.go (`Reader.next`, `readHeader`,
`handleRegularFile`, `parsePAX`, `mergePAX`, `readOldGNUSparseMap`) and format.go:

- End: a zero block followed by a second zero block (or the end of input) ends the archive; a zero
  block followed by anything else is an invalid header (ErrHeader). Nothing after the end is read.
- Checksum: the octal field must parse and equal the unsigned or the signed byte sum of the block
  (the field itself counted as spaces); otherwise the header is invalid.
- Format, from the magic at 257: `ustar\0` is USTAR/PAX (STAR when bytes 508..511 are `tar\0`),
  `ustar ` with version ` \0` is GNU, anything else V7.
- Numbers: the first byte's high bit marks base-256 (big-endian two's complement, so negative values
  exist); otherwise octal after trimming spaces and NULs at both ends and cutting at the first NUL.
  Any other character in size, mode, uid, gid, mtime (and devmajor/devminor beyond V7, atime/ctime
  in STAR) makes the header invalid. A negative size is invalid.
- Names: cut at the first NUL. USTAR/PAX join a non-empty 155-byte prefix as `prefix/name`, STAR a
  131-byte one; GNU has no prefix, except (Go's workaround for its own pre-1.8 writer) when its
  atime/ctime fields do not parse and the prefix bytes are ASCII: then the prefix is joined.
- Data: every entry is followed by `size` bytes rounded up to 512, except the header-only types
  `1` `2` `3` `4` `5` `6`, whose size field is ignored (no data follows). Unknown typeflags (`7`,
  `D`, `V`, letters, bytes) are not header-only: their data is skipped by their size.
- The typeflag stays as written, with one exception: the old `\0` (TypeRegA) becomes `5` when the
  final name ends in `/` and `0` otherwise, and a `\0` turned directory then has no data. A `0`
  entry whose name ends in `/` is a regular FILE whose data follows (Docker creates `app/cache`).
- `x` (PAX) and `L`/`K` (GNU long name/link) headers apply to the next real header only; their data
  may not exceed 1 MiB (ErrFieldTooLong). A later `x` replaces an earlier one. PAX records are
  `len key=value\n` with `len` in decimal ≥ 5 covering the whole record; anything malformed, an
  empty key, a key with `=` or NUL, or a NUL in a path/linkpath/uname/gname value is an invalid
  header. Records with an empty value are ignored. `path`, `linkpath` are taken as they are;
  `size`, `uid`, `gid` must be decimal integers and `mtime`, `atime`, `ctime` decimal seconds with
  an optional fraction, else the header is invalid. A GNU long name/link, when not empty, wins over
  PAX `path`/`linkpath`; a PAX `size` replaces the header's size for the data that follows.
- `g` (PAX global) headers are read (same rules) and returned on their own in Go; Docker ignores
  them, and Go does NOT apply their records to later entries. Any pending `x`/`L`/`K` is dropped.
- `S` (old GNU sparse) must be GNU format; when byte 482 is set, 512-byte extension blocks follow
  the header (each continuing while its byte 504 is set), then `size` bytes of packed data.
- PAX GNU sparse (GNU.sparse.major/minor 0.0, 0.1, 1.0, or a GNU.sparse.map): the name becomes
  `GNU.sparse.name` when set. The data that follows is still `size` bytes.
*/

export type TarHeader = {
	name: string;
	/**
	The typeflag character as Go's reader returns it (`0`, `5`, `2`, ...): the old `\0` is `5` for a
	name ending in `/` and `0` otherwise; `0` with a trailing `/` stays a file.
	*/
	typeflag: string;
	size: number;
	mode: number;
	uid: number;
	gid: number;
	mtime: number;
	linkname: string;
	/** Where the entry's data starts, in bytes from the start of the input. */
	dataOffset: number;
};

/** Receives entries in order. `data`/`end` may return a promise; parsing waits for it. */
export type TarHandler = {
	header(header: TarHeader): void;
	data(chunk: Buffer): void | Promise<void>;
	end(): void | Promise<void>;
};

export class TarFormatError extends Error {}
export class TarTruncatedError extends Error {}

const blockSize = 512;
/** Go's maxSpecialFileSize: PAX and GNU long-name records above this are refused, not buffered. */
export const maxMetaBytes = 1024 * 1024;
const headerOnlyTypes = new Set(['1', '2', '3', '4', '5', '6']);

type Format = 'v7' | 'ustar' | 'star' | 'gnu';

function readString(block: Buffer, start: number, length: number): string {
	// Most link names and prefixes are empty.
	if (length === 0 || block[start] === 0) return '';
	const end = block.indexOf(0, start);
	return block.toString('utf8', start, end === -1 || end > start + length ? start + length : end);
}

function isAsciiField(block: Buffer, start: number, length: number): boolean {
	for (let index = start; index < start + length && block[index] !== 0; index++) {
		if (block[index]! >= 0x80) return false;
	}

	return true;
}

/** One header's numeric fields are parsed into this; `failed` is Go's parser.err. */
class NumberReader {
	failed = false;

	/** Go's parseNumeric: base-256 when the high bit is set, else strict octal. */
	read(block: Buffer, start: number, length: number): number {
		const first = block[start]!;
		if ((first & 0x80) !== 0) {
			const invert = (first & 0x40) === 0 ? 0 : 0xff;
			// Go fails when a byte would shift bits past 64 or the result needs the 64th; a double holds the
			// value approximately, which is fine for mode, ids and times (`size` is checked by the caller).
			let value = 0;
			for (let index = start; index < start + length; index++) {
				let byte = block[index]! ^ invert;
				if (index === start) byte &= 0x7f;
				if (value >= 2 ** 56) {
					this.failed = true;
					return 0;
				}

				value = value * 256 + byte;
			}

			if (value >= 2 ** 63) {
				this.failed = true;
				return 0;
			}

			return invert === 0 ? value : -value - 1;
		}

		return this.octal(block, start, length);
	}

	/** Go's parseOctal: trim spaces and NULs at both ends, cut at the first NUL, then only 0-7. */
	octal(block: Buffer, start: number, length: number): number {
		let from = start;
		let to = start + length;
		while (from < to && (block[from] === 0x20 || block[from] === 0)) from++;
		while (to > from && (block[to - 1] === 0x20 || block[to - 1] === 0)) to--;
		let value = 0;
		for (let index = from; index < to; index++) {
			const byte = block[index]!;
			if (byte === 0) break;
			if (byte < 0x30 || byte > 0x37) {
				this.failed = true;
				return 0;
			}

			value = value * 8 + (byte - 0x30);
		}

		return value;
	}
}

let wordsBuffer: ArrayBufferLike | undefined;
let words: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

/**
A whole input chunk's memory as 32-bit words, made once per chunk rather than once per header: a view
per header was most of the checksum's cost on a million-file image. Holds the last chunk until the next.
*/
function wordsOf(buffer: ArrayBufferLike): Uint32Array {
	if (buffer !== wordsBuffer) {
		wordsBuffer = buffer;
		words = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
	}

	return words;
}

/** The unsigned and the signed sum of the block with the checksum field counted as spaces (Go accepts either). */
function checksumMatches(block: Buffer, numbers: NumberReader): boolean {
	const expected = numbers.octal(block, 148, 8);
	if (numbers.failed) {
		return false;
	}

	let sum = 8 * 0x20;
	if (block.byteOffset % 4 === 0) {
		// Four bytes at a time, two 16-bit lanes (SWAR): this runs once per file, and a byte loop
		// over 512 bytes was a tenth of the read on a million-file image.
		const words = wordsOf(block.buffer);
		const first = block.byteOffset >>> 2;
		let lanes = 0;
		for (let index = first; index < first + blockSize / 4; index++) {
			const word = words[index]!;
			lanes += (word & 0x00_ff_00_ff) + ((word >>> 8) & 0x00_ff_00_ff);
		}

		// 128 words × 2 × 255 fits each 16-bit lane; the checksum field itself counts as spaces.
		sum += (lanes & 0xff_ff) + (lanes >>> 16);
		for (let index = 148; index < 156; index++) sum -= block[index]!;
	} else {
		for (let index = 0; index < 148; index++) sum += block[index]!;
		for (let index = 156; index < blockSize; index++) sum += block[index]!;
	}

	if (sum === expected) {
		return true;
	}

	let signed = 8 * 0x20;
	for (let index = 0; index < blockSize; index++) {
		if (index === 148) index = 156;
		const byte = block[index]!;
		signed += byte >= 0x80 ? byte - 256 : byte;
	}

	return signed === expected;
}

/** Whether a 512-byte block is a tar header Go would read (its checksum matches): tells a V7 tar from other bytes. */
export function isTarHeaderBlock(block: Buffer): boolean {
	return block.length >= blockSize && checksumMatches(block.subarray(0, blockSize), new NumberReader());
}

function isZeroBlock(block: Buffer): boolean {
	for (let index = 0; index < blockSize; index++) {
		if (block[index] !== 0) return false;
	}

	return true;
}

/** Whether the block holds `text` (ASCII) at `start`: compared byte by byte, no string made per header. */
function holdsAt(block: Buffer, start: number, text: string): boolean {
	for (let index = 0; index < text.length; index++) {
		if (block[start + index] !== text.charCodeAt(index)) return false;
	}

	return true;
}

function formatOf(block: Buffer): Format {
	if (holdsAt(block, 257, 'ustar\0')) {
		return holdsAt(block, 508, 'tar\0') ? 'star' : 'ustar';
	}

	return holdsAt(block, 257, 'ustar ') && block[263] === 0x20 && block[264] === 0 ? 'gnu' : 'v7';
}

const invalid = (offset: number, why: string): TarFormatError =>
	new TarFormatError(`invalid tar header at offset ${offset} (${why})`);

/** strconv.ParseInt(value, 10, 64) for the values a double holds exactly; undefined when Go would fail. */
function parseDecimal(value: string): number | undefined {
	if (!/^[+-]?\d{1,19}$/.test(value)) {
		return undefined;
	}

	const parsed = Number(value);
	return Number.isSafeInteger(parsed) ? parsed : undefined;
}

/** Go's parsePAXTime: decimal seconds, optionally `.` and digits. */
const isPaxTime = (value: string): boolean => /^[+-]?\d{1,19}(\.\d*)?$/.test(value);

const sparseMajor = 'GNU.sparse.major';
const sparseMinor = 'GNU.sparse.minor';

/**
Go's parsePAX: `len key=value\n` records, each checked; a malformed one makes the header invalid
(undefined here). GNU sparse 0.0 offset/numbytes pairs must alternate and hold no comma; they are
gathered into `GNU.sparse.map` as Go does.
*/
export function parsePaxRecords(bytes: Buffer): Map<string, string> | undefined {
	const records = new Map<string, string>();
	const sparse: string[] = [];
	let offset = 0;
	while (offset < bytes.length) {
		const space = bytes.indexOf(0x20, offset);
		if (space === -1) return undefined;
		const lengthText = bytes.toString('latin1', offset, space);
		const length = /^[+-]?\d{1,15}$/.test(lengthText) ? Number(lengthText) : Number.NaN;
		if (!(length >= 5) || offset + length > bytes.length || length <= lengthText.length + 1) {
			return undefined;
		}

		const end = offset + length;
		if (bytes[end - 1] !== 0x0a) return undefined;
		const equals = bytes.indexOf(0x3d, space + 1);
		if (equals === -1 || equals >= end - 1) return undefined;
		const key = bytes.toString('utf8', space + 1, equals);
		const value = bytes.toString('utf8', equals + 1, end - 1);
		const pathLike = key === 'path' || key === 'linkpath' || key === 'uname' || key === 'gname';
		if (key === '' || (pathLike ? value.includes('\0') : key.includes('\0'))) return undefined;
		if (key === 'GNU.sparse.offset' || key === 'GNU.sparse.numbytes') {
			const expected = sparse.length % 2 === 0 ? 'GNU.sparse.offset' : 'GNU.sparse.numbytes';
			if (key !== expected || value.includes(',')) return undefined;
			sparse.push(value);
		} else {
			records.set(key, value);
		}

		offset = end;
	}

	if (sparse.length > 0) {
		records.set('GNU.sparse.map', sparse.join(','));
	}

	return records;
}

/** Whether Go's readGNUSparsePAXHeaders takes the entry for a PAX GNU sparse file. */
function isPaxSparse(pax: Map<string, string>): boolean {
	const major = pax.get(sparseMajor) ?? '';
	const minor = pax.get(sparseMinor) ?? '';
	if (major === '0' && (minor === '0' || minor === '1')) return true;
	if (major === '1' && minor === '0') return true;
	if (major !== '' || minor !== '') return false;
	return (pax.get('GNU.sparse.map') ?? '') !== '';
}

/** `header`, `zero` (one zero block seen) and `sparse` (GNU sparse extension blocks) read whole blocks. */
type Phase = 'header' | 'zero' | 'sparse' | 'meta' | 'data' | 'padding' | 'done';

/** A GNU sparse header waiting for its extension blocks before it is handed out. */
type SparsePending = {header: TarHeader; dataBytes: number};

export class TarParser {
	private phase: Phase = 'header';
	private readonly pending = Buffer.alloc(blockSize);
	private pendingLength = 0;
	private remaining = 0;
	private padding = 0;
	private metaType = '';
	private meta: Buffer[] = [];
	private longName = '';
	private longLink = '';
	private pax: Map<string, string> | undefined;
	private sparse: SparsePending | undefined;
	/** Bytes consumed from the input so far. */
	private offset = 0;
	/** Entries handed to the handler so far. */
	entries = 0;

	constructor(private readonly handler: TarHandler) {}

	/** The end-of-archive marker was read: nothing after it is part of the archive. */
	get ended(): boolean {
		return this.phase === 'done';
	}

	/** Bytes of the current entry's data and padding still to come: what a reader that seeks may skip. */
	get entryBytesLeft(): number {
		if (this.phase === 'data') return this.remaining + this.padding;
		return this.phase === 'padding' ? this.padding : 0;
	}

	/** Feed the next chunk; returns a promise only when a handler did. */
	push(chunk: Buffer): void | Promise<void> {
		let position = 0;
		while (position < chunk.length) {
			switch (this.phase) {
				case 'header':
				case 'zero':
				case 'sparse': {
					const take = Math.min(blockSize - this.pendingLength, chunk.length - position);
					let block: Buffer;
					if (this.pendingLength === 0 && take === blockSize) {
						block = chunk.subarray(position, position + blockSize);
					} else {
						chunk.copy(this.pending, this.pendingLength, position, position + take);
						this.pendingLength += take;
						if (this.pendingLength < blockSize) {
							return;
						}

						block = this.pending;
					}

					position += take;
					this.offset += blockSize;
					this.pendingLength = 0;
					const waiting = this.readBlock(block);
					if (waiting !== undefined) {
						const rest = chunk.subarray(position);
						return waiting.then(() => this.push(rest));
					}

					break;
				}

				case 'meta': {
					const take = Math.min(this.remaining, chunk.length - position);
					this.meta.push(Buffer.from(chunk.subarray(position, position + take)));
					position += take;
					this.offset += take;
					this.remaining -= take;
					if (this.remaining === 0) {
						this.finishMeta();
					}

					break;
				}

				case 'data': {
					const take = Math.min(this.remaining, chunk.length - position);
					const slice = chunk.subarray(position, position + take);
					position += take;
					this.offset += take;
					this.remaining -= take;
					const waiting = this.handler.data(slice);
					if (waiting !== undefined) {
						const rest = chunk.subarray(position);
						return waiting.then(() => this.continueAfterData(rest));
					}

					const ended = this.endIfComplete();
					if (ended !== undefined) {
						const rest = chunk.subarray(position);
						return ended.then(() => this.push(rest));
					}

					break;
				}

				case 'padding': {
					const take = Math.min(this.padding, chunk.length - position);
					position += take;
					this.offset += take;
					this.padding -= take;
					if (this.padding === 0) {
						this.phase = 'header';
					}

					break;
				}

				case 'done': {
					return;
				}
			}
		}
	}

	/** Call at the end of input: throws when the input stopped inside an entry. */
	finish(): void {
		if (
			this.phase === 'data' ||
			this.phase === 'meta' ||
			this.phase === 'sparse' ||
			(this.phase === 'padding' && this.padding > 0)
		) {
			throw new TarTruncatedError(`unexpected end of data inside an entry (offset ${this.offset})`);
		}

		if ((this.phase === 'header' || this.phase === 'zero') && this.pendingLength > 0) {
			throw new TarTruncatedError(`unexpected end of data inside a header (offset ${this.offset})`);
		}
	}

	private continueAfterData(rest: Buffer): void | Promise<void> {
		const ended = this.endIfComplete();
		return ended === undefined ? this.push(rest) : ended.then(() => this.push(rest));
	}

	private endIfComplete(): Promise<void> | undefined {
		if (this.remaining > 0) {
			return undefined;
		}

		this.phase = this.padding > 0 ? 'padding' : 'header';
		const ended = this.handler.end();
		return ended === undefined ? undefined : ended;
	}

	private readBlock(block: Buffer): Promise<void> | undefined {
		const at = this.offset - blockSize;
		if (this.phase === 'sparse') {
			// An old GNU sparse extension block: 21 entries, then `isExtended` at 504.
			const pending = this.sparse!;
			if (block[504] !== 0) {
				return undefined;
			}

			this.sparse = undefined;
			pending.header.dataOffset = this.offset;
			return this.begin(pending.header, pending.dataBytes);
		}

		if (isZeroBlock(block)) {
			// Two zero blocks end the archive; Go's reader stops there, whatever follows.
			this.phase = this.phase === 'zero' ? 'done' : 'zero';
			return undefined;
		}

		if (this.phase === 'zero') {
			throw invalid(at, 'a zero block followed by a header');
		}

		return this.readHeader(block, at);
	}

	private readHeader(block: Buffer, at: number): Promise<void> | undefined {
		const fields = readHeaderFields(block, at);
		const {rawType, format} = fields;
		if (rawType === 'x' || rawType === 'g' || rawType === 'L' || rawType === 'K') {
			this.startMeta(rawType, fields.size, at);
			return undefined;
		}

		// A real entry: PAX records first, then GNU long names over them (Go's order).
		const pax = this.pax;
		if (pax !== undefined) applyPax(fields, pax, at);
		if (this.longName !== '') fields.name = this.longName;
		if (this.longLink !== '') fields.linkname = this.longLink;
		const {name, size} = fields;
		let typeflag = rawType;
		if (rawType === '\0') {
			// Only the old NUL type is a directory by its trailing slash; `0` + slash is a file.
			typeflag = name.endsWith('/') ? '5' : '0';
		}

		if (size < 0) {
			throw invalid(at, 'negative size');
		}

		let finalName = name;
		if (pax !== undefined && isPaxSparse(pax)) {
			const sparseName = pax.get('GNU.sparse.name') ?? '';
			if (sparseName !== '') finalName = sparseName;
		}

		this.pax = undefined;
		this.longName = '';
		this.longLink = '';
		const header: TarHeader = {
			name: finalName,
			typeflag,
			size,
			mode: fields.mode,
			uid: fields.uid,
			gid: fields.gid,
			mtime: fields.mtime,
			linkname: fields.linkname,
			dataOffset: this.offset,
		};
		const dataBytes = headerOnlyTypes.has(typeflag) ? 0 : size;
		if (typeflag === 'S') {
			if (format !== 'gnu') {
				throw invalid(at, 'a GNU sparse entry in a non-GNU header');
			}

			if (block[482] !== 0) {
				this.sparse = {header, dataBytes};
				this.phase = 'sparse';
				return undefined;
			}
		}

		return this.begin(header, dataBytes);
	}

	/** A PAX or GNU long-name header: its `size` bytes of records are read before the entry they describe. */
	private startMeta(rawType: string, size: number, at: number): void {
		if (size > maxMetaBytes) {
			throw new TarFormatError(
				`tar extended header of ${size} bytes at offset ${at} is too large (the limit is ${maxMetaBytes}, as in Docker)`,
			);
		}

		this.metaType = rawType;
		this.meta = [];
		this.remaining = size;
		this.padding = (blockSize - (size % blockSize)) % blockSize;
		this.phase = 'meta';
		if (size === 0) {
			this.finishMeta();
		}
	}

	/** Hand out a header and set up its data (none for header-only types). */
	private begin(header: TarHeader, dataBytes: number): Promise<void> | undefined {
		this.remaining = dataBytes;
		this.padding = (blockSize - (dataBytes % blockSize)) % blockSize;
		this.entries++;
		this.handler.header(header);
		if (dataBytes > 0) {
			this.phase = 'data';
			return undefined;
		}

		this.phase = this.padding > 0 ? 'padding' : 'header';
		return this.handler.end() ?? undefined;
	}

	private finishMeta(): void {
		const bytes = Buffer.concat(this.meta);
		this.meta = [];
		this.phase = this.padding > 0 ? 'padding' : 'header';
		const at = this.offset - bytes.length - blockSize;
		switch (this.metaType) {
			case 'x': {
				const records = parsePaxRecords(bytes);
				if (records === undefined) throw invalid(at, 'malformed PAX record');
				this.pax = records;
				break;
			}

			case 'g': {
				// Read and checked, then dropped with anything pending: Go hands it out alone and Docker ignores it.
				if (parsePaxRecords(bytes) === undefined) throw invalid(at, 'malformed PAX record');
				this.pax = undefined;
				this.longName = '';
				this.longLink = '';
				break;
			}

			case 'L': {
				this.longName = readString(bytes, 0, bytes.length);
				break;
			}

			case 'K': {
				this.longLink = readString(bytes, 0, bytes.length);
				break;
			}
		}
	}
}

/** One header block's fields as written, before PAX records and GNU long names apply to them. */
type HeaderFields = {
	format: ReturnType<typeof formatOf>;
	rawType: string;
	name: string;
	linkname: string;
	size: number;
	mode: number;
	uid: number;
	gid: number;
	mtime: number;
};

/** Reads and checks one 512-byte header block (checksum, numbers, size), as Go's archive/tar does. */
function readHeaderFields(block: Buffer, at: number): HeaderFields {
	const numbers = new NumberReader();
	if (!checksumMatches(block, numbers)) {
		throw new TarFormatError(`invalid tar header checksum at offset ${at}`);
	}

	const format = formatOf(block);
	const fields: HeaderFields = {
		format,
		rawType: String.fromCharCode(block[156]!),
		name: readString(block, 0, 100),
		linkname: readString(block, 157, 100),
		size: numbers.read(block, 124, 12),
		mode: numbers.read(block, 100, 8),
		uid: numbers.read(block, 108, 8),
		gid: numbers.read(block, 116, 8),
		mtime: numbers.read(block, 136, 12),
	};
	if (format !== 'v7') {
		numbers.read(block, 329, 8);
		numbers.read(block, 337, 8);
		const prefix = namePrefix(block, format, numbers);
		if (prefix !== '') {
			fields.name = `${prefix}/${fields.name}`;
		}
	}

	if (numbers.failed) {
		throw invalid(at, 'a numeric field is not a number');
	}

	if (fields.size < 0) {
		throw invalid(at, 'negative size');
	}

	if (fields.size > Number.MAX_SAFE_INTEGER) {
		// Go would try to read it and fail at the end of the input; a double cannot count that far.
		throw invalid(at, 'a size beyond any real data');
	}

	return fields;
}

/** The name prefix of a ustar, star or GNU header (its other numeric fields read through `numbers`, to be checked). */
function namePrefix(block: Buffer, format: ReturnType<typeof formatOf>, numbers: NumberReader): string {
	if (format === 'ustar') return readString(block, 345, 155);
	if (format === 'star') {
		const prefix = readString(block, 345, 131);
		numbers.read(block, 476, 12);
		numbers.read(block, 488, 12);
		return prefix;
	}

	// GNU: atime/ctime are parsed apart; when they do not parse, Go takes an ASCII prefix (pre-1.8 Go writers).
	const times = new NumberReader();
	if (block[345] !== 0) times.read(block, 345, 12);
	if (block[357] !== 0) times.read(block, 357, 12);
	return times.failed && isAsciiField(block, 345, 155) ? readString(block, 345, 155) : '';
}

/** PAX records over the header's fields (an empty value keeps the header's). */
function applyPax(fields: HeaderFields, pax: ReadonlyMap<string, string>, at: number): void {
	for (const [key, value] of pax) {
		if (value === '') continue;
		switch (key) {
			case 'path': {
				fields.name = value;
				break;
			}

			case 'linkpath': {
				fields.linkname = value;
				break;
			}

			case 'size':
			case 'uid':
			case 'gid': {
				const parsed = parseDecimal(value);
				if (parsed === undefined) throw invalid(at, `PAX ${key} is not a number`);
				fields[key] = parsed;
				break;
			}

			case 'mtime':
			case 'atime':
			case 'ctime': {
				if (!isPaxTime(value)) throw invalid(at, `PAX ${key} is not a time`);
				if (key === 'mtime') fields.mtime = Math.floor(Number(value));
				break;
			}
		}
	}
}
