/**
Reads the frame and block headers of a zstd stream as it passes, ahead of the decoder, to refuse a
frame whose declared window is too large before the decoder allocates it: fzstd allocates the whole
window when it reads a frame header, so a 30-byte frame declaring a 2 GB window grew the process to
2 GB (issue 17). Every frame of the stream is checked, not only the first (RFC 8878 §3.1.1).
*/

/** RFC 8878 recommends decoders accept windows up to 8 MiB; zstd's own default limit (without --long). */
export const recommendedWindowBytes = 8 * 1024 * 1024;

export class ZstdWindowError extends Error {
	constructor(readonly windowBytes: number) {
		super(`a zstd frame declares a ${windowBytes}-byte window`);
	}
}

type State =
	| {kind: 'frame'}
	| {kind: 'skip'; bytes: number; after: 'frame' | 'block' | 'checksum'}
	| {kind: 'block'}
	| {kind: 'done'};

const zstdMagic = 0xfd_2f_b5_28;

export class ZstdFrameGuard {
	private state: State = {kind: 'frame'};
	/** Header bytes gathered across chunks. */
	private head: number[] = [];
	private checksum = false;
	private lastBlock = false;

	constructor(private readonly limitBytes: number) {}

	/** Look at the next stored bytes; throws ZstdWindowError when a frame's window is above the limit. */
	check(chunk: Uint8Array): void {
		let position = 0;
		while (position < chunk.length && this.state.kind !== 'done') {
			const state = this.state;
			if (state.kind === 'skip') {
				const take = Math.min(state.bytes, chunk.length - position);
				position += take;
				state.bytes -= take;
				if (state.bytes === 0) this.afterSkip(state.after);
				continue;
			}

			this.head.push(chunk[position++]!);
			if (state.kind === 'frame') {
				this.readFrameHeader();
			} else {
				this.readBlockHeader();
			}
		}
	}

	private afterSkip(then: 'frame' | 'block' | 'checksum'): void {
		if (then === 'checksum') {
			this.state = {kind: 'frame'};
		} else if (then === 'block' && this.lastBlock) {
			this.state = this.checksum ? {kind: 'skip', bytes: 4, after: 'frame'} : {kind: 'frame'};
		} else {
			this.state = {kind: then};
		}
	}

	private readFrameHeader(): void {
		const head = this.head;
		if (head.length < 5) return;
		const magic = (head[0]! | (head[1]! << 8) | (head[2]! << 16) | (head[3]! << 24)) >>> 0;
		if (magic >>> 4 === 0x18_4d_2a_5) {
			// A skippable frame: a 4-byte length, then that many bytes.
			if (head.length < 8) return;
			const length = (head[4]! | (head[5]! << 8) | (head[6]! << 16) | (head[7]! << 24)) >>> 0;
			this.head = [];
			this.state = length === 0 ? {kind: 'frame'} : {kind: 'skip', bytes: length, after: 'frame'};
			return;
		}

		if (magic !== zstdMagic) {
			// Not zstd: the decoder says so; nothing left to guard.
			this.state = {kind: 'done'};
			return;
		}

		const descriptor = head[4]!;
		const singleSegment = (descriptor >> 5) & 1;
		const dictionaryBytes = [0, 1, 2, 4][descriptor & 3]!;
		const sizeFlag = descriptor >> 6;
		const sizeBytes = sizeFlag === 0 ? singleSegment : 1 << sizeFlag;
		const length = 5 + (singleSegment ? 0 : 1) + dictionaryBytes + sizeBytes;
		if (head.length < length) return;
		let window: number;
		if (singleSegment) {
			// The window is the content size.
			const start = 5 + dictionaryBytes;
			window = 0;
			for (let index = sizeBytes - 1; index >= 0; index--) window = window * 256 + head[start + index]!;
			if (sizeBytes === 2) window += 256;
		} else {
			const base = 2 ** (10 + (head[5]! >> 3));
			window = base + (base / 8) * (head[5]! & 7);
		}

		if (window > this.limitBytes) {
			throw new ZstdWindowError(window);
		}

		this.checksum = ((descriptor >> 2) & 1) === 1;
		this.lastBlock = false;
		this.head = [];
		this.state = {kind: 'block'};
	}

	private readBlockHeader(): void {
		const head = this.head;
		if (head.length < 3) return;
		const value = head[0]! | (head[1]! << 8) | (head[2]! << 16);
		this.head = [];
		this.lastBlock = (value & 1) === 1;
		const type = (value >> 1) & 3;
		const size = value >>> 3;
		if (type === 3) {
			// Reserved: the decoder fails on it.
			this.state = {kind: 'done'};
			return;
		}

		const body = type === 1 ? 1 : size;
		if (body > 0) {
			this.state = {kind: 'skip', bytes: body, after: 'block'};
		} else {
			this.afterSkip('block');
		}
	}
}
