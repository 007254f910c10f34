/**
Writes small but well-formed ELF files with a dynamic section, in every class and byte order and in the
layouts the streaming reader must handle: the string table before the dynamic section (every linker),
after it (what patchelf does to a library), or where the reader does not keep bytes. `readelf` reads
them like any other file, so the tests can check the writer as well as the reader.
*/

export type ElfLayout =
	/** `.dynstr` in the first read-only segment, PT_DYNAMIC in a writable one after it. */
	| 'strings-first'
	/** PT_DYNAMIC first, `.dynstr` in a read-only segment appended at the end. */
	| 'strings-last'
	/** `.dynstr` in an executable segment while a read-only one exists: not where the reader looks. */
	| 'strings-in-code';

export type ElfImageOptions = {
	bits: 32 | 64;
	little: boolean;
	/** e_type: 2 executable, 3 shared object. */
	type?: number;
	machine?: number;
	interpreter?: string;
	needed?: string[];
	runpath?: string;
	rpath?: string;
	soname?: string;
	layout?: ElfLayout;
	/** Zero bytes between the string table and the dynamic section (inside the string table's segment). */
	gapBytes?: number;
};

const ptLoad = 1;
const ptDynamic = 2;
const ptInterp = 3;
const pfX = 1;
const pfW = 2;
const pfR = 4;
/** Virtual address of file offset 0; the writable segment gets a different delta so mapping is tested. */
const base = 0x40_0000;
const writableDelta = 0x20_0000;

type Segment = {type: number; flags: number; offset: number; vaddr: number; size: number};

export function elfImage(options: ElfImageOptions): Buffer {
	const {bits, little} = options;
	const layout = options.layout ?? 'strings-first';
	const headerSize = bits === 32 ? 52 : 64;
	const phentsize = bits === 32 ? 32 : 56;
	const word = bits === 32 ? 4 : 8;

	// The string table: NUL first, then every name once.
	const names = [...(options.needed ?? []), options.runpath, options.rpath, options.soname].filter(
		(name): name is string => name !== undefined,
	);
	const strings: number[] = [0];
	const offsetOf = new Map<string, number>();
	for (const name of names) {
		if (!offsetOf.has(name)) {
			offsetOf.set(name, strings.length);
			strings.push(...Buffer.from(name, 'utf8'), 0);
		}
	}

	const dynstr = Buffer.from(strings);
	const entries: [number, number][] = [];
	for (const name of options.needed ?? []) entries.push([1, offsetOf.get(name)!]);
	if (options.soname !== undefined) entries.push([14, offsetOf.get(options.soname)!]);
	if (options.rpath !== undefined) entries.push([15, offsetOf.get(options.rpath)!]);
	if (options.runpath !== undefined) entries.push([29, offsetOf.get(options.runpath)!]);
	const strtabIndex = entries.length;
	entries.push([5, 0], [10, dynstr.length], [0, 0]);
	const dynamicSize = entries.length * 2 * word;
	const interp =
		options.interpreter === undefined ? undefined : Buffer.from(`${options.interpreter}\0`, 'utf8');

	const segmentCount = 3 + (interp === undefined ? 0 : 1) + 1;
	let offset = headerSize + segmentCount * phentsize;
	const interpOffset = offset;
	offset += interp?.length ?? 0;
	const align = (value: number): number => Math.ceil(value / 16) * 16;
	const gap = options.gapBytes ?? 0;
	let dynstrOffset: number;
	let dynamicOffset: number;
	const segments: Segment[] = [];
	if (layout === 'strings-last') {
		dynamicOffset = align(offset + gap);
		dynstrOffset = align(dynamicOffset + dynamicSize);
		segments.push(
			{type: ptLoad, flags: pfR, offset: 0, vaddr: base, size: offset},
			{
				type: ptLoad,
				flags: pfR | pfW,
				offset: dynamicOffset,
				vaddr: base + writableDelta + dynamicOffset,
				size: dynamicSize,
			},
			{type: ptLoad, flags: pfR, offset: dynstrOffset, vaddr: base + dynstrOffset, size: dynstr.length},
		);
	} else if (layout === 'strings-in-code') {
		dynstrOffset = align(offset);
		dynamicOffset = align(dynstrOffset + dynstr.length + gap);
		segments.push(
			{type: ptLoad, flags: pfR, offset: 0, vaddr: base, size: offset},
			{
				type: ptLoad,
				flags: pfR | pfX,
				offset: dynstrOffset,
				vaddr: base + dynstrOffset,
				size: dynstr.length + gap,
			},
			{
				type: ptLoad,
				flags: pfR | pfW,
				offset: dynamicOffset,
				vaddr: base + writableDelta + dynamicOffset,
				size: dynamicSize,
			},
		);
	} else {
		dynstrOffset = align(offset);
		dynamicOffset = align(dynstrOffset + dynstr.length + gap);
		segments.push(
			{type: ptLoad, flags: pfR, offset: 0, vaddr: base, size: dynstrOffset + dynstr.length + gap},
			{type: ptLoad, flags: pfR | pfX, offset: dynamicOffset, vaddr: base + dynamicOffset, size: 0},
			{
				type: ptLoad,
				flags: pfR | pfW,
				offset: dynamicOffset,
				vaddr: base + writableDelta + dynamicOffset,
				size: dynamicSize,
			},
		);
	}

	const dynamicVaddr = segments.find(
		(segment) => segment.offset === dynamicOffset && (segment.flags & pfW) !== 0,
	)!.vaddr;
	const home = segments.find(
		(segment) => dynstrOffset >= segment.offset && dynstrOffset < segment.offset + segment.size,
	)!;
	entries[strtabIndex]![1] = home.vaddr + (dynstrOffset - home.offset);
	if (interp !== undefined) {
		segments.unshift({
			type: ptInterp,
			flags: pfR,
			offset: interpOffset,
			vaddr: base + interpOffset,
			size: interp.length,
		});
	}

	segments.push({
		type: ptDynamic,
		flags: pfR | pfW,
		offset: dynamicOffset,
		vaddr: dynamicVaddr,
		size: dynamicSize,
	});
	const fileSize = Math.max(dynamicOffset + dynamicSize, dynstrOffset + dynstr.length);
	const file = Buffer.alloc(fileSize);
	const put = (at: number, value: number, width: number): void => {
		if (width === 2) {
			little ? file.writeUInt16LE(value, at) : file.writeUInt16BE(value, at);
		} else if (width === 4) {
			little ? file.writeUInt32LE(value, at) : file.writeUInt32BE(value, at);
		} else {
			little ? file.writeBigUInt64LE(BigInt(value), at) : file.writeBigUInt64BE(BigInt(value), at);
		}
	};

	file.set([0x7f, 0x45, 0x4c, 0x46, bits === 32 ? 1 : 2, little ? 1 : 2, 1]);
	put(16, options.type ?? 3, 2);
	put(18, options.machine ?? (bits === 32 ? 3 : 62), 2);
	put(20, 1, 4);
	put(bits === 32 ? 28 : 32, headerSize, word);
	put(bits === 32 ? 40 : 52, headerSize, 2);
	put(bits === 32 ? 42 : 54, phentsize, 2);
	put(bits === 32 ? 44 : 56, segments.length, 2);
	for (const [index, segment] of segments.entries()) {
		const at = headerSize + index * phentsize;
		if (bits === 32) {
			put(at, segment.type, 4);
			put(at + 4, segment.offset, 4);
			put(at + 8, segment.vaddr, 4);
			put(at + 12, segment.vaddr, 4);
			put(at + 16, segment.size, 4);
			put(at + 20, segment.size, 4);
			put(at + 24, segment.flags, 4);
			put(at + 28, 1, 4);
		} else {
			put(at, segment.type, 4);
			put(at + 4, segment.flags, 4);
			put(at + 8, segment.offset, 8);
			put(at + 16, segment.vaddr, 8);
			put(at + 24, segment.vaddr, 8);
			put(at + 32, segment.size, 8);
			put(at + 40, segment.size, 8);
			put(at + 48, 1, 8);
		}
	}

	interp?.copy(file, interpOffset);
	dynstr.copy(file, dynstrOffset);
	for (const [index, [tag, value]] of entries.entries()) {
		put(dynamicOffset + index * 2 * word, tag, word);
		put(dynamicOffset + index * 2 * word + word, value, word);
	}

	return file;
}
