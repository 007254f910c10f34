/**
Tar headers written byte by byte, for archives no tar writer would produce: a typeflag that disagrees
with the name, a size on a directory, PAX and GNU records in odd orders, base-256 numbers.
*/

export type RawHeader = {
	name: string;
	/** One character; default `0`. `\0` is the old regular-file type. */
	typeflag?: string;
	/** The size field; default the data's length. */
	size?: number;
	/** Written into the size field as is (12 bytes), instead of `size` in octal. */
	sizeField?: Buffer;
	linkname?: string;
	mode?: number;
	/** `ustar` (POSIX, default), `gnu` (`ustar  \0`) or `v7` (no magic). */
	format?: 'ustar' | 'gnu' | 'v7';
	/** The 155 bytes at 345: the USTAR prefix, or GNU atime/ctime and more. */
	prefix?: string;
	/** Last changes to the block before the checksum is written (offset → bytes). */
	patch?: Array<[number, Buffer]>;
};

const octal = (value: number, width: number): string => `${value.toString(8).padStart(width - 1, '0')}\0`;

/** One 512-byte header with a valid checksum. */
export function headerBlock(header: RawHeader, dataLength = 0): Buffer {
	const block = Buffer.alloc(512);
	block.write(header.name, 0, 100, 'utf8');
	block.write(octal(header.mode ?? 0o644, 8), 100, 'latin1');
	block.write(octal(0, 8), 108, 'latin1');
	block.write(octal(0, 8), 116, 'latin1');
	if (header.sizeField === undefined) {
		block.write(octal(header.size ?? dataLength, 12), 124, 'latin1');
	} else {
		header.sizeField.copy(block, 124, 0, 12);
	}

	block.write(octal(1_704_067_200, 12), 136, 'latin1');
	block.write(header.typeflag ?? '0', 156, 1, 'latin1');
	if (header.linkname !== undefined) block.write(header.linkname, 157, 100, 'utf8');
	const format = header.format ?? 'ustar';
	if (format === 'ustar') {
		block.write('ustar\x0000', 257, 'latin1');
	} else if (format === 'gnu') {
		block.write('ustar  \0', 257, 'latin1');
	}

	if (format !== 'v7') {
		block.write('root', 265, 'latin1');
		block.write('root', 297, 'latin1');
	}

	if (header.prefix !== undefined) block.write(header.prefix, 345, 155, 'latin1');
	for (const [offset, bytes] of header.patch ?? []) bytes.copy(block, offset);
	block.fill(0x20, 148, 156);
	let sum = 0;
	for (const byte of block) sum += byte;
	block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
	return block;
}

function pad(data: Buffer): Buffer {
	return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

/** A header and its data, padded to whole blocks. */
export function entry(header: RawHeader, data: Buffer | string = Buffer.alloc(0)): Buffer {
	const bytes = typeof data === 'string' ? Buffer.from(data) : data;
	return Buffer.concat([headerBlock(header, bytes.length), pad(bytes)]);
}

/** `len key=value\n` records with the right lengths. */
export function paxRecords(records: Array<[string, string]>): Buffer {
	return Buffer.concat(
		records.map(([key, value]) => {
			const body = ` ${key}=${value}\n`;
			let length = Buffer.byteLength(body) + 1;
			while (String(length).length + Buffer.byteLength(body) !== length) length++;
			return Buffer.from(`${length}${body}`);
		}),
	);
}

/** A PAX header (`x`, or `g` for a global one) carrying `records`. */
export function pax(records: Array<[string, string]>, typeflag: 'x' | 'g' = 'x'): Buffer {
	return entry({name: 'PaxHeader/entry', typeflag}, paxRecords(records));
}

/** A GNU long name (`L`) or long link (`K`) entry. */
export function gnuLong(value: string, typeflag: 'L' | 'K' = 'L'): Buffer {
	return entry({name: '././@LongLink', typeflag, format: 'gnu'}, Buffer.from(`${value}\0`));
}

/** The two zero blocks that end an archive. */
export const endOfArchive = (): Buffer => Buffer.alloc(1024);

/** Entries followed by the end marker. */
export function tarOf(parts: Buffer[]): Buffer {
	return Buffer.concat([...parts, endOfArchive()]);
}
