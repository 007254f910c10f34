import {PassThrough, type Readable} from 'node:stream';

/*
Docker (20.10, overlay2) writes an export's end-of-archive marker, then removes the temporary directory it built
the export in, and only then ends the HTTP answer: about half a second (0.64 s measured on a 1 GB image) in
which nothing arrives and the reader waits for an end that carries no byte. The archive reader stops at the
marker anyway (as Go's reader does), so the export is handed on as ending there, and the analysis runs while
the daemon cleans up. The rest of the answer is still read, quietly, so the daemon sees its answer taken.
*/

const blockSize = 512;

/**
Walks a tar's outer blocks (headers, data, padding) as the bytes pass, to the end-of-archive marker. Gives up
(undefined) at anything it does not read exactly as the archive reader would: a header whose checksum does
not hold, a PAX or GNU extension, a base-256 size. The stream then simply runs to its own end.
*/
export class ArchiveEndFinder {
	/** Bytes of a header block gathered so far. */
	private readonly block = Buffer.alloc(blockSize);
	private blockFill = 0;
	/** Data and padding of the current entry still to pass. */
	private skip = 0;
	private zeroBlocks = 0;
	private gaveUp = false;

	/**
	The offset in `chunk` just after the end-of-archive marker (two zero blocks), when the marker ends in it;
	undefined while it has not, and for good once the walk gave up.
	*/
	push(chunk: Buffer): number | undefined {
		let position = 0;
		while (position < chunk.length && !this.gaveUp) {
			if (this.skip > 0) {
				const take = Math.min(this.skip, chunk.length - position);
				this.skip -= take;
				position += take;
				continue;
			}

			const take = Math.min(blockSize - this.blockFill, chunk.length - position);
			chunk.copy(this.block, this.blockFill, position, position + take);
			this.blockFill += take;
			position += take;
			if (this.blockFill < blockSize) break;
			this.blockFill = 0;
			if (this.readBlock()) return position;
		}

		return undefined;
	}

	/** One whole header-position block; true when it is the marker's second zero block. */
	private readBlock(): boolean {
		const {block} = this;
		if (block.every((byte) => byte === 0)) {
			this.zeroBlocks++;
			return this.zeroBlocks === 2;
		}

		const size = this.zeroBlocks === 0 ? headerDataBytes(block) : undefined;
		if (size === undefined) {
			this.gaveUp = true;
			return false;
		}

		this.skip = Math.ceil(size / blockSize) * blockSize;
		return false;
	}
}

/** Bytes of data after a plain USTAR / GNU / V7 header, or undefined for anything else (left to the reader). */
function headerDataBytes(block: Buffer): number | undefined {
	if (!checksumHolds(block)) return undefined;
	const type = String.fromCharCode(block[156]!);
	// Links, devices, FIFOs and directories carry no data whatever their size field says.
	if ('123456'.includes(type)) return 0;
	if (type !== '0' && type !== '\0') return undefined;
	// The old `\0` type with a name ending in `/` is a directory (Go's reader), with no data.
	const name = block.toString('latin1', 0, 100).split('\0')[0]!;
	if (type === '\0' && name.endsWith('/')) return 0;
	return octal(block, 124, 12);
}

/**
An octal field as Go's reader takes it (spaces and NULs trimmed at both ends), or undefined for anything this walk
does not take exactly so: base-256 (a high first bit) or any other character.
*/
function octal(block: Buffer, start: number, length: number): number | undefined {
	if ((block[start]! & 0x80) !== 0) return undefined;
	const text = block.toString('latin1', start, start + length).replace(/^[ \0]+|[ \0]+$/g, '');
	return /^[0-7]*$/.test(text) ? (text === '' ? 0 : Number.parseInt(text, 8)) : undefined;
}

/** The unsigned or signed sum of the block with the checksum field as spaces, as Go's reader accepts. */
function checksumHolds(block: Buffer): boolean {
	const stored = octal(block, 148, 8);
	if (stored === undefined) return false;
	let unsigned = 0;
	let signed = 0;
	for (let index = 0; index < blockSize; index++) {
		const byte = index >= 148 && index < 156 ? 0x20 : block[index]!;
		unsigned += byte;
		signed += byte > 127 ? byte - 256 : byte;
	}

	return stored === unsigned || stored === signed;
}

/**
`input` (an export's HTTP answer) passed on up to the end of its tar's end-of-archive marker, where the output
ends; what follows is read and dropped, and the connection no longer holds the process. An error before the
marker is the output's; after it, none is (the archive is complete).
*/
export function endAtArchiveEnd(input: Readable): Readable {
	const output = new PassThrough({highWaterMark: 1024 * 1024});
	const finder = new ArchiveEndFinder();
	let ended = false;
	// The daemon's HTTP answer comes in chunks of ~20 kB, three times as many as a file read gives: they are
	// passed on joined (what one turn of the event loop brings, up to `joinedBytes`), so the stages after this
	// one (the idle clock, the archive and tar readers, the hashing thread) handle a third of the pieces.
	let pending: Buffer[] = [];
	let pendingBytes = 0;
	let scheduled: NodeJS.Immediate | undefined;
	const joined = (): Buffer => {
		const bytes = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
		pending = [];
		pendingBytes = 0;
		return bytes;
	};
	const flush = (): void => {
		if (scheduled !== undefined) clearImmediate(scheduled);
		scheduled = undefined;
		if (ended || pendingBytes === 0) return;
		if (!output.write(joined())) {
			input.pause();
			output.once('drain', () => input.resume());
		}
	};
	const onData = (chunk: Buffer): void => {
		if (ended) return;
		const end = finder.push(chunk);
		if (end !== undefined) {
			if (scheduled !== undefined) clearImmediate(scheduled);
			pending.push(chunk.subarray(0, end));
			pendingBytes += end;
			ended = true;
			output.end(joined());
			// The daemon's cleanup is no reason to keep the process: the socket may close with it.
			(input as Readable & {socket?: {unref?: () => void}}).socket?.unref?.();
			return;
		}

		pending.push(chunk);
		pendingBytes += chunk.length;
		if (pendingBytes >= joinedBytes) flush();
		else scheduled ??= setImmediate(flush);
	};

	input.on('data', onData);
	input.on('end', () => {
		if (ended) return;
		flush();
		output.end();
	});
	input.on('error', (error) => {
		if (scheduled !== undefined) clearImmediate(scheduled);
		if (!ended) output.destroy(error);
	});
	output.on('close', () => {
		if (scheduled !== undefined) clearImmediate(scheduled);
		// The reader stopped before the marker (an error, an abort): the export is not wanted any more.
		if (!ended) input.destroy();
	});
	return output;
}

/** The most the answer's chunks are joined into before they are passed on. */
const joinedBytes = 1024 * 1024;
