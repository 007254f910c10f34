import {createHash} from 'node:crypto';
import {availableParallelism} from 'node:os';
import {LayerlensError} from '../../../shared/errors.js';
import {defaultLayerLimit} from '../../formats/archive-entries.js';
import {sniffBytes, sniffCompression} from '../../formats/compression.js';
import {GzipDecoderPool} from '../../formats/gzip-decoder-pool.js';
import {LayerParser} from '../../formats/layer-parser.js';
import type {ParsedLayer} from '../../types.js';
import type {RegistryClient} from './client.js';

/** A layer of the chosen manifest: its digest, its checked size, and where it sits. */
export type LayerToRead = {digest: string; size: number; position: number};

export type LayerReadOptions = {
	client: RegistryClient;
	maxLayerBytes?: number | undefined;
	/** Layers downloaded and parsed at once; each gzip layer in flight has its own decompression thread. */
	concurrency?: number | undefined;
	/** Gzip blobs from this many stored bytes are inflated on a thread of their own; smaller ones here. */
	decoderThreadFromBytes?: number | undefined;
	/** Stored bytes as they arrive, and the layer they are of, for progress. */
	onBytes: (bytes: number, layer?: LayerToRead) => void;
	onLayerDone: (layer?: LayerToRead, parsed?: ParsedLayer) => void;
	signal?: AbortSignal | undefined;
};

/** Below this, a blob costs less to inflate on the main thread than to hand to a thread. */
const defaultDecoderThreadFromBytes = 1024 * 1024;

/** The layers being read: by digest, in the order asked; `warnings` per position; `close` ends them all. */
export type LayerReads = {
	parsed: Map<string, Promise<ParsedLayer>>;
	warnings: string[][];
	/** The first failure of any layer: the one the user sees, whichever layer is awaited first. */
	firstFailure: () => unknown;
	/** Decompression threads alive now: at most `concurrency`, none after `close`. */
	threadCount: () => number;
	close: () => Promise<void>;
};

/** Runs at most `limit` tasks at once, in the order they were queued. */
function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
	let running = 0;
	const waiting: Array<() => void> = [];
	return async (task) => {
		if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
		running++;
		try {
			return await task();
		} finally {
			running--;
			waiting.shift()?.();
		}
	};
}

/** The layers in flight by default: one per core (at least two, so a download overlaps a parse). */
export function defaultLayerConcurrency(): number {
	return Math.max(2, availableParallelism());
}

/**
Every layer streamed from the registry into its own parser, a bounded number at once, each checked against
its digest; gzip layers are inflated on decompression threads, so layers inflate in parallel while the
main thread parses tar headers. The first failure stops the others.
*/
export function readRegistryLayers(layers: readonly LayerToRead[], options: LayerReadOptions): LayerReads {
	const concurrency = Math.max(1, options.concurrency ?? defaultLayerConcurrency());
	const run = limiter(concurrency);
	const pool = new GzipDecoderPool(concurrency);
	const controller = new AbortController();
	const warnings = layers.map((): string[] => []);
	const parsed = new Map<string, Promise<ParsedLayer>>();
	let firstFailure: unknown;
	const context: BlobContext = {
		...options,
		pool,
		decoderThreadFromBytes: options.decoderThreadFromBytes ?? defaultDecoderThreadFromBytes,
		cancelled: () => controller.signal.aborted || options.signal?.aborted === true,
	};
	for (const layer of layers) {
		if (parsed.has(layer.digest)) continue;
		const promise = run(async () => {
			if (context.cancelled()) throw new LayerlensError('Reading the image was cancelled');
			const result = await readLayerBlob(context, layer, warnings[layer.position]!);
			options.onLayerDone(layer, result);
			return result;
		});
		promise.catch((error: unknown) => {
			firstFailure ??= error;
			controller.abort();
		});
		parsed.set(layer.digest, promise);
	}

	return {
		parsed,
		warnings,
		firstFailure: () => firstFailure,
		threadCount: () => pool.workerCount,
		async close() {
			controller.abort();
			await Promise.allSettled(parsed.values());
			await pool.close();
		},
	};
}

type BlobContext = LayerReadOptions & {
	pool: GzipDecoderPool;
	decoderThreadFromBytes: number;
	cancelled: () => boolean;
};

/** The stored bytes of one blob, unhashed: whoever decodes them hashes them too. */
type StoredChunks = AsyncIterator<Buffer>;

async function nextChunk(context: BlobContext, chunks: StoredChunks): Promise<Buffer | undefined> {
	const next = await chunks.next();
	if (next.done) return undefined;
	if (context.cancelled()) throw new LayerlensError('Reading the image was cancelled');
	context.onBytes(next.value.length);
	return next.value;
}

/** One layer blob: its first bytes tell the compression, which decides where it is inflated. */
async function readLayerBlob(
	outer: BlobContext,
	layer: LayerToRead,
	warnings: string[],
): Promise<ParsedLayer> {
	const what = `layer ${layer.position + 1}`;
	// Each chunk's bytes are counted as this layer's, for the layer list's "reading" mark.
	const context: BlobContext = {...outer, onBytes: (bytes) => outer.onBytes(bytes, layer)};
	const parser = new LayerParser({
		label: `${what} (${layer.digest})`,
		warnings,
		maxBytes: context.maxLayerBytes ?? defaultLayerLimit(layer.size),
	});
	const chunks = context.client.blob(layer.digest, what, {size: layer.size}, false)[Symbol.asyncIterator]();
	try {
		const head: Buffer[] = [];
		let headBytes = 0;
		while (headBytes < sniffBytes) {
			const chunk = await nextChunk(context, chunks);
			if (chunk === undefined) break;
			head.push(chunk);
			headBytes += chunk.length;
		}

		const first = Buffer.concat(head);
		const onThread = layer.size >= context.decoderThreadFromBytes && sniffCompression(first) === 'gzip';
		return await (onThread ? inflateOnThread : decodeHere)(context, layer, parser, first, chunks);
	} finally {
		await chunks.return?.(undefined);
	}
}

const algorithmOf = (digest: string): string => (digest.startsWith('sha512:') ? 'sha512' : 'sha256');

/**
Plain and zstd blobs, and small gzip ones, on this thread. A parse failure is only believed once the
blob's digest checks out: altered bytes usually break the stream first, and "digest mismatch" is then the
true cause to report.
*/
async function decodeHere(
	context: BlobContext,
	layer: LayerToRead,
	parser: LayerParser,
	first: Buffer,
	chunks: StoredChunks,
): Promise<ParsedLayer> {
	const hash = createHash(algorithmOf(layer.digest));
	let parseFailure: unknown;
	for (let chunk: Buffer | undefined = first; chunk !== undefined; chunk = await nextChunk(context, chunks)) {
		hash.update(chunk);
		if (parseFailure !== undefined) continue;
		try {
			const waiting = parser.write(chunk);
			if (waiting !== undefined) await waiting;
		} catch (error) {
			parseFailure = error;
		}
	}

	context.client.checkBlobDigest(layer.digest, `layer ${layer.position + 1}`, hash.digest('hex'));
	if (parseFailure !== undefined) throw parseFailure;
	return parser.end();
}

/** A gzip blob inflated and hashed on a decompression thread; its tar bytes come back here to be parsed. */
async function inflateOnThread(
	context: BlobContext,
	layer: LayerToRead,
	parser: LayerParser,
	first: Buffer,
	chunks: StoredChunks,
): Promise<ParsedLayer> {
	const job = await context.pool.start(algorithmOf(layer.digest), (tar) => parser.writeTar(tar));
	try {
		for (
			let chunk: Buffer | undefined = first;
			chunk !== undefined;
			chunk = await nextChunk(context, chunks)
		) {
			await job.write(chunk);
		}

		const result = await job.end();
		context.client.checkBlobDigest(layer.digest, `layer ${layer.position + 1}`, result.storedDigest);
		if (job.sinkError !== undefined) throw job.sinkError;
		if (result.decodeError !== undefined || result.diffId === undefined) {
			throw parser.describeFailure(result.decodeError ?? new Error('the decompression stopped'));
		}

		return parser.endDecoded('gzip', result.storedBytes, result.diffId);
	} finally {
		// A blob abandoned part-way (a failure, a cancel) takes its thread with it; a finished one is reused.
		job.fail(new Error('the layer read was abandoned'));
	}
}
