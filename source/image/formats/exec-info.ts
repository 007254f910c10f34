import type {ExecInfo} from '../types.js';
import {GoBuildInfoScanner} from './go-build-info.js';

/**
Reads what a regular file needs to run (see `ExecInfo`) from its content as it streams past, in one
pass and in bounded memory: the layer is never read twice, and a file's bytes are never all kept.

ELF. The ELF header and program headers come first; PT_INTERP and PT_DYNAMIC are then read as they pass.
The names of DT_NEEDED, DT_RUNPATH/DT_RPATH and DT_SONAME are offsets into the dynamic string table
(DT_STRTAB), which is only known once PT_DYNAMIC has been read, and which usually lies BEFORE it in the
file (GNU ld, lld, mold and gold put `.dynstr` in the first read-only segment; Go's internal linker in
its read-only data segment after `.text`; PT_DYNAMIC itself sits in the writable segment, tens of MB
later in a big binary). So while waiting for PT_DYNAMIC the reader keeps the bytes of the one segment
that holds `.dynstr` in the output of those linkers: the first read-only, non-executable PT_LOAD
segment, or, when there is none (gold, older GNU ld, GNU ld on AArch64), the first read-only executable
one; at most `dynamicStringWindowBytes` of it, and only up to PT_DYNAMIC.
A string table that lies after PT_DYNAMIC (patchelf appends one to a library it edits) is read as it
passes. A name outside what was kept makes the result `incomplete` rather than a guess.

Scripts: the kernel's `#!` rule (fs/binfmt_script.c) on the first `scriptLineBytes` bytes.

Hostile input never throws here and never makes the reader allocate from a size the file declares:
every buffer is bounded by one of the constants below.
*/

/** Bytes of the `.dynstr`-holding segment kept while waiting for PT_DYNAMIC; /usr/bin/node's `.dynstr` ends at 7.6 MB. */
export const dynamicStringWindowBytes = 16 * 1024 * 1024;
/** The ELF header and the program headers must lie within this many bytes from the start. */
const maxHeadBytes = 64 * 1024;
/** PATH_MAX: the kernel refuses a longer PT_INTERP. */
const maxInterpreterBytes = 4096;
/** A real dynamic section is a few hundred bytes (4096 entries of a 64-bit file). */
const maxDynamicBytes = 64 * 1024;
/** Kept bytes are copied into blocks of this size (fewer, larger copies than one per chunk). */
const keptBlockBytes = 1024 * 1024;
/** Longest name read from the dynamic string table (a library name, a search path list). */
const maxStringBytes = 4096;
/** DT_NEEDED entries read (real files have tens); more make the result incomplete. Bounds the string buffers to 4 MiB. */
const maxNeeded = 1024;
/** BINPRM_BUF_SIZE: how much of a script the kernel reads to find its interpreter. */
export const scriptLineBytes = 256;

const ptLoad = 1;
const ptDynamic = 2;
const ptInterp = 3;
const pfExecute = 1;
const pfWrite = 2;
const dtNull = 0;
const dtNeeded = 1;
const dtStrtab = 5;
const dtStrsz = 10;
const dtSoname = 14;
const dtRpath = 15;
const dtRunpath = 29;

/** Streams one file's content; `finish` says what it found. */
export type ExecReader = {
	push(chunk: Buffer): void;
	finish(): ExecInfo | undefined;
};

/**
A reader for a file whose first content byte is `firstByte`, or undefined when the file cannot be ELF
or a script (nearly every file: one comparison). ELF files are read whatever their mode; `#!` files
only with an execute bit, as the kernel only runs those.
*/
export function startExecReader(
	firstByte: number,
	executable: boolean,
	size: number,
): ExecReader | undefined {
	if (firstByte === 0x7f) {
		return size >= 52 ? new ElfReader(size) : undefined;
	}

	if (firstByte === 0x23 && executable) {
		return size >= 3 ? new ScriptReader(size) : undefined;
	}

	return undefined;
}

/** The whole reader over given chunks: for tests and for callers that already hold the bytes. */
export function readExecInfo(chunks: readonly Buffer[], executable: boolean): ExecInfo | undefined {
	const size = chunks.reduce((total, chunk) => total + chunk.length, 0);
	const first = chunks.find((chunk) => chunk.length > 0);
	const reader = first === undefined ? undefined : startExecReader(first[0]!, executable, size);
	if (reader === undefined) {
		return undefined;
	}

	for (const chunk of chunks) {
		if (chunk.length > 0) reader.push(chunk);
	}

	return reader.finish();
}

class ScriptReader implements ExecReader {
	/** Zero-filled: a file shorter than the buffer reads as NUL-padded, as the kernel's buffer does. */
	private readonly line = Buffer.alloc(scriptLineBytes);
	private length = 0;

	constructor(private readonly size: number) {}

	push(chunk: Buffer): void {
		if (this.length < scriptLineBytes) {
			this.length += chunk.copy(
				this.line,
				this.length,
				0,
				Math.min(chunk.length, scriptLineBytes - this.length),
			);
		}
	}

	finish(): ExecInfo | undefined {
		return this.length < Math.min(this.size, scriptLineBytes) ? undefined : parseShebang(this.line);
	}
}

const isBlank = (byte: number): boolean => byte === 0x20 || byte === 0x09;

/**
The kernel's `load_script` on its `BINPRM_BUF_SIZE` buffer: the interpreter runs to the first space, tab
or NUL; everything after it up to the newline, trimmed of spaces and tabs, is ONE argument. Without a
newline in the buffer, the interpreter must end before the buffer does (else ENOEXEC) and the argument
is cut at the buffer's end. A NUL ends either string.
*/
export function parseShebang(buffer: Buffer): ExecInfo | undefined {
	if (buffer.length < 3 || buffer[0] !== 0x23 || buffer[1] !== 0x21) {
		return undefined;
	}

	const last = buffer.length - 1;
	let end = -1;
	// strnchr: the newline counts only before the first NUL.
	for (let index = 0; index <= last && buffer[index] !== 0; index++) {
		if (buffer[index] === 0x0a) {
			end = index;
			break;
		}
	}

	if (end === -1) {
		let start = 2;
		while (start <= last && isBlank(buffer[start]!)) start++;
		if (start > last) return undefined;
		let terminator = start;
		while (terminator <= last && !isBlank(buffer[terminator]!) && buffer[terminator] !== 0) terminator++;
		if (terminator > last) return undefined;
		end = last;
	}

	while (end > 2 && isBlank(buffer[end - 1]!)) end--;
	let name = 2;
	while (name < end && isBlank(buffer[name]!)) name++;
	if (name >= end) {
		return undefined;
	}

	let separator = name;
	while (separator < end && !isBlank(buffer[separator]!) && buffer[separator] !== 0) separator++;
	const interpreter = buffer.toString('utf8', name, separator);
	if (interpreter.length === 0) {
		return undefined;
	}

	let argument: string | undefined;
	if (separator < end && buffer[separator] !== 0) {
		let start = separator;
		while (start < end && isBlank(buffer[start]!)) start++;
		if (start < end) {
			const nul = buffer.indexOf(0, start);
			argument = buffer.toString('utf8', start, nul === -1 || nul > end ? end : nul);
		}
	}

	return argument === undefined || argument.length === 0
		? {kind: 'script', interpreter}
		: {kind: 'script', interpreter, argument};
}

type Range = {start: number; end: number};

/** Bytes [start, end) of the file, gathered from what was kept and what streams past. */
class Span {
	readonly bytes: Buffer;
	/** How many bytes from `start` are filled (contiguously). */
	filled = 0;
	/** Bytes before the stream position that were not kept: this span can never fill. */
	lost = false;
	/** A C-string span met its NUL. */
	private ended = false;

	constructor(
		readonly start: number,
		readonly end: number,
		/** A C string: done at its first NUL, and nothing without one. */
		readonly stopsAtNul: boolean,
		readonly onDone: (span: Span) => void,
	) {
		this.bytes = Buffer.alloc(end - start);
	}

	get done(): boolean {
		return this.lost || this.ended || this.start + this.filled >= this.end;
	}

	/** The C string up to its NUL; undefined without one (cut, lost, or past what the file holds). */
	text(): string | undefined {
		const nul = this.bytes.subarray(0, this.filled).indexOf(0);
		return nul === -1 ? undefined : this.bytes.toString('utf8', 0, nul);
	}

	/** Copies what of the file bytes [at, at + piece.length) continues what is filled. */
	take(piece: Buffer, at: number): void {
		const from = this.start + this.filled;
		if (this.done || from < at || from >= at + piece.length) {
			return;
		}

		const to = Math.min(this.end, at + piece.length);
		const before = this.filled;
		this.filled += piece.copy(this.bytes, this.filled, from - at, to - at);
		if (this.stopsAtNul && this.bytes.subarray(before, this.filled).includes(0)) {
			this.ended = true;
		}
	}
}

type Header = {
	bits: 32 | 64;
	little: boolean;
	machine: number;
	type: 'exec' | 'dyn' | 'other';
};

type Segment = {type: number; flags: number; offset: number; vaddr: number; filesz: number};

class ElfReader implements ExecReader {
	/** Bytes of the file consumed so far. */
	private position = 0;
	private phase: 'ident' | 'headers' | 'body' | 'done' | 'invalid' = 'ident';
	/** The first bytes, up to the end of the program headers. */
	private head: Buffer;
	private headNeed: number;
	private header: Header | undefined;
	private segments: Segment[] = [];
	/** Bytes kept for a look back once the dynamic section says where its strings are, in file order; `length` of each filled. */
	private kept: {start: number; bytes: Buffer; length: number}[] = [];
	private keptBytes = 0;
	/** The file range worth keeping: the segment that can hold `.dynstr`, up to PT_DYNAMIC. */
	private keep: Range | undefined;
	private readonly spans: Span[] = [];
	private interpreter: string | undefined;
	private needed: (string | undefined)[] = [];
	private runpath: string | undefined;
	private soname: string | undefined;
	private incomplete = false;
	/** The dynamic section's span, while it is awaited: the one point after which more is learnt. */
	private dynamic: Span | undefined;
	/** Go's build info lies far past the headers, in the data segment: scanned for on every byte. */
	private readonly goBuildInfo = new GoBuildInfoScanner();

	constructor(private readonly size: number) {
		this.headNeed = Math.min(size, 64);
		this.head = Buffer.alloc(this.headNeed);
	}

	push(chunk: Buffer): void {
		if (this.phase !== 'invalid') this.goBuildInfo.push(chunk);
		let offset = 0;
		while (offset < chunk.length && this.phase !== 'done' && this.phase !== 'invalid') {
			const boundary = this.boundary();
			const take =
				boundary > this.position
					? Math.min(chunk.length - offset, boundary - this.position)
					: chunk.length - offset;
			this.consume(chunk.subarray(offset, offset + take));
			offset += take;
			this.settle();
		}
	}

	finish(): ExecInfo | undefined {
		if (this.phase === 'ident' || this.phase === 'invalid') {
			return undefined;
		}

		if (this.phase === 'headers') {
			this.incomplete = true;
		}

		for (const span of this.spans) {
			if (!span.done || span.text() === undefined) this.incomplete = true;
		}

		if (this.dynamic !== undefined) {
			this.incomplete = true;
		}

		return this.result();
	}

	/** Where the next piece must end so that what is learnt there applies to the bytes after it. */
	private boundary(): number {
		if (this.phase === 'ident' || this.phase === 'headers') return this.headNeed;
		return this.dynamic === undefined ? Number.POSITIVE_INFINITY : this.dynamic.end;
	}

	private consume(piece: Buffer): void {
		const at = this.position;
		this.position += piece.length;
		if (this.phase === 'ident' || this.phase === 'headers') {
			piece.copy(this.head, at);
			return;
		}

		const keep = this.keep;
		if (keep !== undefined && keep.start < this.position && at < keep.end) {
			this.keepBytes(piece, at, keep);
		}

		for (const span of this.spans) {
			span.take(piece, at);
		}
	}

	private settle(): void {
		if (this.phase === 'ident' && this.position >= this.headNeed) {
			this.readIdent();
		}

		if (this.phase === 'headers' && this.position >= this.headNeed) {
			this.readProgramHeaders();
		}

		if (this.phase !== 'body') {
			return;
		}

		// Callbacks may add spans (the dynamic section's strings): loop until nothing changes.
		for (let index = 0; index < this.spans.length; ) {
			const span = this.spans[index]!;
			if (span.done) {
				this.spans.splice(index, 1);
				span.onDone(span);
			} else {
				index++;
			}
		}

		if (this.spans.length === 0 && this.dynamic === undefined) {
			this.phase = 'done';
			this.kept = [];
			this.keep = undefined;
		}
	}

	private readIdent(): void {
		const head = this.head;
		if (head.length < 52 || head[0] !== 0x7f || head[1] !== 0x45 || head[2] !== 0x4c || head[3] !== 0x46) {
			this.phase = 'invalid';
			return;
		}

		const elfClass = head[4];
		const data = head[5];
		if ((elfClass !== 1 && elfClass !== 2) || (data !== 1 && data !== 2)) {
			this.phase = 'invalid';
			return;
		}

		const bits = elfClass === 1 ? 32 : 64;
		if (bits === 64 && head.length < 64) {
			this.phase = 'invalid';
			return;
		}

		const little = data === 1;
		const u16 = (at: number): number => (little ? head.readUInt16LE(at) : head.readUInt16BE(at));
		const elfType = u16(16);
		this.header = {
			bits,
			little,
			machine: u16(18),
			type: elfType === 2 ? 'exec' : elfType === 3 ? 'dyn' : 'other',
		};
		const phoff = bits === 32 ? this.word(head, 28, 4) : this.word(head, 32, 8);
		const entrySize = u16(bits === 32 ? 42 : 54);
		const count = u16(bits === 32 ? 44 : 56);
		this.phase = 'headers';
		if (count === 0) {
			this.startBody();
			return;
		}

		const end = phoff + entrySize * count;
		// PN_XNUM (the count is in section 0, at the end of the file), entries too small, or out of reach.
		if (count === 0xffff || entrySize < (bits === 32 ? 32 : 56) || end > Math.min(this.size, maxHeadBytes)) {
			this.incomplete = true;
			this.startBody();
			return;
		}

		this.phoff = phoff;
		this.phentsize = entrySize;
		this.phnum = count;
		if (end > this.headNeed) {
			const head = Buffer.alloc(end);
			this.head.copy(head);
			this.head = head;
			this.headNeed = end;
		}
	}

	private phoff = 0;
	private phentsize = 0;
	private phnum = 0;

	private readProgramHeaders(): void {
		const {bits} = this.header!;
		const head = this.head;
		for (let index = 0; index < this.phnum; index++) {
			const at = this.phoff + index * this.phentsize;
			const type = this.word(head, at, 4);
			const segment: Segment =
				bits === 32
					? {
							type,
							offset: this.word(head, at + 4, 4),
							vaddr: this.word(head, at + 8, 4),
							filesz: this.word(head, at + 16, 4),
							flags: this.word(head, at + 24, 4),
						}
					: {
							type,
							flags: this.word(head, at + 4, 4),
							offset: this.word(head, at + 8, 8),
							vaddr: this.word(head, at + 16, 8),
							filesz: this.word(head, at + 32, 8),
						};
			if (type === ptLoad || type === ptDynamic || type === ptInterp) {
				this.segments.push(segment);
			}
		}

		this.startBody();
		const interp = this.segments.find((segment) => segment.type === ptInterp);
		if (interp !== undefined) {
			this.addSpan(interp.offset, Math.min(interp.filesz, maxInterpreterBytes), true, (span) => {
				const text = span.text();
				if (text === undefined) this.incomplete = true;
				else if (text.length > 0) this.interpreter = text;
			});
		}

		const dynamic = this.segments.find((segment) => segment.type === ptDynamic);
		if (dynamic === undefined || dynamic.filesz === 0) {
			return;
		}

		this.keep = this.stringCandidate(dynamic.offset);
		const length = Math.min(dynamic.filesz, maxDynamicBytes);
		this.dynamic = this.addSpan(dynamic.offset, length, false, (span) => {
			this.dynamic = undefined;
			if (span.lost || span.filled < length) {
				this.incomplete = true;
				return;
			}

			// Its bytes may hold strings too (hostile layouts): let a look back find them.
			this.kept.push({start: span.start, bytes: span.bytes, length: span.bytes.length});
			this.readDynamic(span.bytes, dynamic.filesz > length);
		});
	}

	/** The first read-only non-executable PT_LOAD segment, else the first read-only one; cut at `limit`. */
	private stringCandidate(limit: number): Range | undefined {
		const loads = this.segments
			.filter((segment) => segment.type === ptLoad && (segment.flags & pfWrite) === 0 && segment.filesz > 0)
			.sort((a, b) => a.offset - b.offset);
		const segment = loads.find((load) => (load.flags & pfExecute) === 0) ?? loads[0];
		if (segment === undefined) {
			return undefined;
		}

		const range = {start: segment.offset, end: Math.min(segment.offset + segment.filesz, limit)};
		return range.start < range.end && range.end > this.position ? range : undefined;
	}

	/** Copies the part of [at, at + piece.length) inside `keep` into the kept blocks, within the budget. */
	private keepBytes(piece: Buffer, at: number, keep: Range): void {
		let from = Math.max(keep.start, at);
		const to = Math.min(keep.end, at + piece.length, from + dynamicStringWindowBytes - this.keptBytes);
		while (from < to) {
			let block = this.kept.at(-1);
			if (block === undefined || block.start + block.length !== from || block.length === block.bytes.length) {
				const size = Math.min(keptBlockBytes, keep.end - from, dynamicStringWindowBytes - this.keptBytes);
				block = {start: from, bytes: Buffer.allocUnsafe(size), length: 0};
				this.kept.push(block);
			}

			const copied = piece.copy(
				block.bytes,
				block.length,
				from - at,
				Math.min(to, from + block.bytes.length - block.length) - at,
			);
			block.length += copied;
			this.keptBytes += copied;
			from += copied;
		}
	}

	private startBody(): void {
		this.phase = 'body';
		this.kept.push({start: 0, bytes: this.head, length: this.head.length});
	}

	/** A span of the file; what already streamed past comes from the kept bytes. */
	private addSpan(start: number, length: number, stopsAtNul: boolean, onDone: (span: Span) => void): Span {
		const end = Math.min(start + length, this.size);
		const span = new Span(start, Math.max(start, end), stopsAtNul, onDone);
		if (start < this.position) {
			for (const part of this.kept) {
				span.take(part.bytes.subarray(0, part.length), part.start);
			}

			if (span.start + span.filled < Math.min(this.position, span.end) && !span.done) {
				span.lost = true;
			}
		}

		this.spans.push(span);
		return span;
	}

	private readDynamic(bytes: Buffer, cut: boolean): void {
		const {bits} = this.header!;
		const entrySize = bits === 32 ? 8 : 16;
		const width = bits === 32 ? 4 : 8;
		const neededOffsets: number[] = [];
		let strtab: number | undefined;
		let strsz: number | undefined;
		let runpath: number | undefined;
		let rpath: number | undefined;
		let soname: number | undefined;
		let ended = false;
		for (let at = 0; at + entrySize <= bytes.length; at += entrySize) {
			const tag = this.word(bytes, at, width);
			const value = this.word(bytes, at + width, width);
			if (tag === dtNull) {
				ended = true;
				break;
			}

			// Later entries of a tag win, as in glibc's l_info; DT_NEEDED all count, in order.
			if (tag === dtNeeded) {
				if (neededOffsets.length < maxNeeded) neededOffsets.push(value);
				else this.incomplete = true;
			} else if (tag === dtStrtab) strtab = value;
			else if (tag === dtStrsz) strsz = value;
			else if (tag === dtRunpath) runpath = value;
			else if (tag === dtRpath) rpath = value;
			else if (tag === dtSoname) soname = value;
		}

		if (!ended && cut) {
			this.incomplete = true;
		}

		const wanted =
			neededOffsets.length > 0 || runpath !== undefined || rpath !== undefined || soname !== undefined;
		if (!wanted) {
			return;
		}

		const table = strtab === undefined ? undefined : this.fileOffsetOf(strtab);
		if (table === undefined) {
			this.incomplete = true;
			return;
		}

		const readString = (offset: number, use: (text: string) => void): void => {
			if (strsz !== undefined && offset >= strsz) {
				this.incomplete = true;
				return;
			}

			const length = Math.min(maxStringBytes, strsz === undefined ? maxStringBytes : strsz - offset);
			this.addSpan(table + offset, length, true, (span) => {
				const text = span.text();
				if (text === undefined) this.incomplete = true;
				else use(text);
			});
		};

		this.needed = new Array(neededOffsets.length);
		for (const [index, offset] of neededOffsets.entries()) {
			readString(offset, (text) => {
				this.needed[index] = text;
			});
		}

		const search = runpath ?? rpath;
		if (search !== undefined) {
			readString(search, (text) => {
				this.runpath = text;
			});
		}

		if (soname !== undefined) {
			readString(soname, (text) => {
				this.soname = text;
			});
		}
	}

	/** A virtual address to its file offset, through the PT_LOAD segment that maps it from the file. */
	private fileOffsetOf(address: number): number | undefined {
		for (const segment of this.segments) {
			if (segment.type === ptLoad && address >= segment.vaddr && address < segment.vaddr + segment.filesz) {
				return segment.offset + (address - segment.vaddr);
			}
		}

		return undefined;
	}

	/** An unsigned field of 4 or 8 bytes; 8-byte values past 2^53 lose precision, and are out of any file anyway. */
	private word(bytes: Buffer, at: number, width: 4 | 8): number {
		const little = this.header?.little ?? bytes[5] === 1;
		if (width === 4) {
			return little ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at);
		}

		const low = little ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at + 4);
		const high = little ? bytes.readUInt32LE(at + 4) : bytes.readUInt32BE(at);
		return high * 0x1_0000_0000 + low;
	}

	private result(): ExecInfo {
		const {bits, machine, type} = this.header!;
		const needed: string[] = [];
		for (const name of this.needed) {
			if (name === undefined) this.incomplete = true;
			else needed.push(name);
		}

		const info: ExecInfo = {
			kind: 'elf',
			bits,
			machine,
			type,
			needed,
			runpath: this.runpath === undefined || this.runpath === '' ? [] : this.runpath.split(':'),
		};
		if (this.interpreter !== undefined) info.interpreter = this.interpreter;
		if (this.soname !== undefined) info.soname = this.soname;
		if (this.incomplete) info.incomplete = true;
		const goModule = this.goBuildInfo.finish();
		if (goModule !== undefined) info.goModule = goModule;
		return info;
	}
}
