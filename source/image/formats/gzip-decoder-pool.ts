import {availableParallelism} from 'node:os';
import {Worker} from 'node:worker_threads';

/**
Gzip blobs decompressed on worker threads, one blob per worker at a time, so that several layers of an
image inflate at once (up to the core count) while the main thread only parses tar headers. Each worker
also hashes the stored bytes (the blob's digest) and the decompressed ones (the diff ID), which the main
thread would otherwise do too. Memory stays bounded both ways: the main thread has at most
`inputCreditBytes` of a blob on its way to a worker, and a worker stops inflating while `outputCreditBytes`
of tar bytes wait for the main thread.
*/

const inputCreditBytes = 4 * 1024 * 1024;
const outputCreditBytes = 8 * 1024 * 1024;
const outputChunkBytes = 256 * 1024;
/** Stored bytes sent to a worker in one message. */
const inputBatchBytes = 512 * 1024;
/** Tar bytes acknowledged in one message; well under the worker's credit, so it never waits on a partial batch. */
const ackBatchBytes = 1024 * 1024;

/** Plain CommonJS so it runs the same under tsx, from dist, and as an eval worker in the single executable. */
const workerSource = `
const {parentPort, workerData} = require('node:worker_threads');
const {createHash} = require('node:crypto');
const {createGunzip} = require('node:zlib');
const {outputCreditBytes, outputChunkBytes} = workerData;
let job;
function post(current, message, transfer) {
	message.id = current.id;
	parentPort.postMessage(message, transfer);
}
function finish(current) {
	if (job !== current || current.finished) return;
	current.finished = true;
	job = undefined;
	post(current, {
		type: 'done',
		storedDigest: current.stored.digest('hex'),
		storedBytes: current.storedBytes,
		diffId: current.decoding ? current.tar.digest('hex') : undefined,
	});
}
function stopDecoding(current) {
	if (!current.decoding) return;
	current.decoding = false;
	current.gunzip.removeAllListeners('data');
	current.gunzip.destroy();
	// Writes still inside the decompressor are released here: their callbacks no longer count.
	if (current.pendingInput > 0) post(current, {type: 'input-ack', bytes: current.pendingInput});
	current.pendingInput = 0;
}
function start(id, algorithm) {
	const current = {id, stored: createHash(algorithm), tar: createHash('sha256'), storedBytes: 0, outstanding: 0,
		decoding: true, pendingInput: 0, inputEnded: false, finished: false, gunzip: createGunzip({chunkSize: outputChunkBytes})};
	const gunzip = current.gunzip;
	gunzip.on('data', (data) => {
		current.tar.update(data);
		const copy = new Uint8Array(data);
		current.outstanding += copy.length;
		post(current, {type: 'output', buffer: copy.buffer}, [copy.buffer]);
		if (current.outstanding > outputCreditBytes) gunzip.pause();
	});
	gunzip.on('error', (error) => {
		if (!current.decoding) return;
		post(current, {type: 'decode-error', message: String(error && error.message), code: error && error.code});
		stopDecoding(current);
		if (current.inputEnded) finish(current);
	});
	gunzip.on('end', () => {
		if (current.inputEnded) finish(current);
	});
	return current;
}
parentPort.on('message', (message) => {
	if (message.type === 'start') {
		job = start(message.id, message.algorithm);
		return;
	}
	// Acknowledgements of a job that has finished may still arrive: they concern no one now.
	const current = job;
	if (current === undefined || current.id !== message.id) return;
	switch (message.type) {
		case 'input': {
			const bytes = new Uint8Array(message.buffer);
			current.stored.update(bytes);
			current.storedBytes += bytes.length;
			if (!current.decoding) {
				post(current, {type: 'input-ack', bytes: bytes.length});
				return;
			}
			current.pendingInput += bytes.length;
			current.gunzip.write(bytes, () => {
				if (!current.decoding) return;
				current.pendingInput -= bytes.length;
				post(current, {type: 'input-ack', bytes: bytes.length});
			});
			return;
		}
		case 'end':
			current.inputEnded = true;
			if (!current.decoding) finish(current);
			else current.gunzip.end();
			return;
		case 'ack':
			current.outstanding -= message.bytes;
			if (current.decoding && current.outstanding <= outputCreditBytes) current.gunzip.resume();
			return;
		case 'skip':
			stopDecoding(current);
			if (current.inputEnded) finish(current);
			return;
	}
});
`;

export type GzipDecodeResult = {
	/** Hex digest of the stored (compressed) bytes, with the algorithm the job was started with. */
	storedDigest: string;
	storedBytes: number;
	/** Hex SHA-256 of the decompressed bytes; undefined when decoding failed or was skipped. */
	diffId: string | undefined;
	/** The decompressor's error, when the stored bytes are no valid gzip (hashing went on regardless). */
	decodeError: Error | undefined;
};

/** What the main thread does with each chunk of tar bytes, synchronously, in order. */
export type TarSink = (tar: Buffer) => void;

type WorkerMessage = {id: number} & (
	| {type: 'output'; buffer: ArrayBuffer}
	| {type: 'input-ack'; bytes: number}
	| {type: 'decode-error'; message: string; code?: string}
	| {type: 'done'; storedDigest: string; storedBytes: number; diffId: string | undefined}
);

let lastJobId = 0;

/** One blob on one worker: feed it the stored bytes, receive tar bytes through the sink. */
export class GzipDecodeJob {
	private inFlight = 0;
	private batch: Uint8Array | undefined;
	private batchBytes = 0;
	/** Tar bytes parsed but not yet acknowledged to the worker (acknowledged in batches too). */
	private unacknowledged = 0;
	private creditWaiters: Array<() => void> = [];
	private decodeError: Error | undefined;
	private sinkFailed = false;
	private settle: {resolve: (result: GzipDecodeResult) => void; reject: (error: Error) => void} | undefined;
	private readonly result: Promise<GzipDecodeResult>;
	private failure: Error | undefined;
	/** Tells this job's messages from a finished one's on the same worker. */
	private readonly id = ++lastJobId;

	constructor(
		private readonly worker: Worker,
		algorithm: string,
		private readonly sink: TarSink,
		private readonly release: (job: GzipDecodeJob, healthy: boolean) => void,
	) {
		this.result = new Promise((resolve, reject) => {
			this.settle = {resolve, reject};
		});
		this.result.catch(() => undefined);
		worker.on('message', this.onMessage);
		worker.postMessage({type: 'start', id: this.id, algorithm});
	}

	/** Send stored bytes; resolves at once unless the worker has `inputCreditBytes` waiting already. */
	async write(chunk: Buffer): Promise<void> {
		if (this.failure !== undefined) throw this.failure;
		// Chunks are gathered into batches: a message costs far more than copying a network chunk.
		let position = 0;
		while (position < chunk.length) {
			this.batch ??= new Uint8Array(inputBatchBytes);
			const take = Math.min(inputBatchBytes - this.batchBytes, chunk.length - position);
			this.batch.set(chunk.subarray(position, position + take), this.batchBytes);
			this.batchBytes += take;
			position += take;
			if (this.batchBytes === inputBatchBytes) this.sendBatch();
		}

		while (this.inFlight > inputCreditBytes && this.failure === undefined) {
			await new Promise<void>((resolve) => this.creditWaiters.push(resolve));
		}

		if (this.failure !== undefined) throw this.failure;
	}

	/** The blob is complete: resolves once the worker has inflated and hashed all of it. */
	end(): Promise<GzipDecodeResult> {
		if (this.failure === undefined) {
			this.sendBatch();
			this.worker.postMessage({type: 'end', id: this.id});
		}

		return this.result;
	}

	private sendBatch(): void {
		const batch = this.batch;
		if (batch === undefined || this.batchBytes === 0) return;
		const buffer = (this.batchBytes === batch.length ? batch : batch.slice(0, this.batchBytes))
			.buffer as ArrayBuffer;
		this.inFlight += this.batchBytes;
		this.worker.postMessage({type: 'input', id: this.id, buffer}, [buffer]);
		this.batch = undefined;
		this.batchBytes = 0;
	}

	/**
	The main thread stopped parsing (its parse failed): the worker stops inflating and only hashes what is
	still sent, so the blob's digest can still be checked.
	*/
	skipDecoding(): void {
		this.sinkFailed = true;
		if (this.failure === undefined) this.worker.postMessage({type: 'skip', id: this.id});
	}

	/** The worker died or was stopped: every wait ends with `error`. */
	fail(error: Error): void {
		if (this.failure !== undefined) return;
		this.failure = error;
		this.worker.off('message', this.onMessage);
		for (const waiter of this.creditWaiters.splice(0)) waiter();
		this.settle?.reject(error);
		this.release(this, false);
	}

	private readonly onMessage = (message: WorkerMessage): void => {
		if (message.id !== this.id) return;
		switch (message.type) {
			case 'output': {
				const tar = Buffer.from(message.buffer);
				if (!this.sinkFailed) {
					try {
						this.sink(tar);
					} catch (error) {
						this.sinkError = error;
						this.skipDecoding();
					}
				}

				this.unacknowledged += tar.length;
				if (this.unacknowledged >= ackBatchBytes) {
					this.worker.postMessage({type: 'ack', id: this.id, bytes: this.unacknowledged});
					this.unacknowledged = 0;
				}

				return;
			}

			case 'input-ack': {
				this.inFlight -= message.bytes;
				if (this.inFlight <= inputCreditBytes) for (const waiter of this.creditWaiters.splice(0)) waiter();
				return;
			}

			case 'decode-error': {
				this.decodeError = Object.assign(
					new Error(message.message),
					message.code ? {code: message.code} : {},
				);
				return;
			}

			case 'done': {
				this.worker.off('message', this.onMessage);
				this.release(this, true);
				this.settle?.resolve({
					storedDigest: message.storedDigest,
					storedBytes: message.storedBytes,
					diffId: this.sinkFailed ? undefined : message.diffId,
					decodeError: this.decodeError,
				});
			}
		}
	};

	/** What the sink threw, if it did: the parse failure to report once the blob's digest checks out. */
	sinkError: unknown;
}

/**
Up to `size` workers (default: the core count), started on demand and reused blob after blob; `close`
ends them all. Jobs beyond the number of workers wait for one to be free, in the order they asked.
*/
export class GzipDecoderPool {
	private readonly idle: Worker[] = [];
	private readonly busy = new Map<Worker, GzipDecodeJob>();
	private readonly waiting: Array<() => void> = [];
	private closed = false;

	constructor(readonly size = Math.max(1, availableParallelism())) {}

	/** Workers alive now (idle or busy): none once the pool is closed. */
	get workerCount(): number {
		return this.idle.length + this.busy.size;
	}

	/** A job on a free worker (waits for one when all are busy). */
	async start(algorithm: string, sink: TarSink): Promise<GzipDecodeJob> {
		while (this.idle.length === 0 && this.busy.size >= this.size && !this.closed) {
			await new Promise<void>((resolve) => this.waiting.push(resolve));
		}

		if (this.closed) throw new Error('the decoder pool is closed');
		const worker = this.idle.pop() ?? this.spawn();
		const job = new GzipDecodeJob(worker, algorithm, sink, (finished, healthy) => {
			if (this.busy.get(worker) !== finished) return;
			this.busy.delete(worker);
			if (healthy && !this.closed) {
				this.idle.push(worker);
			} else {
				void worker.terminate();
			}

			this.waiting.shift()?.();
		});
		this.busy.set(worker, job);
		return job;
	}

	/** Ends every worker; jobs still running fail with `reason`. */
	async close(reason: Error = new Error('the decoder pool is closed')): Promise<void> {
		this.closed = true;
		for (const waiter of this.waiting.splice(0)) waiter();
		const workers = [...this.idle.splice(0), ...this.busy.keys()];
		for (const job of [...this.busy.values()]) job.fail(reason);
		this.busy.clear();
		await Promise.all(workers.map((worker) => worker.terminate()));
	}

	private spawn(): Worker {
		const worker = new Worker(workerSource, {eval: true, workerData: {outputCreditBytes, outputChunkBytes}});
		const died = (error: Error): void => {
			this.busy.get(worker)?.fail(error);
			const position = this.idle.indexOf(worker);
			if (position !== -1) this.idle.splice(position, 1);
		};

		worker.on('error', died);
		worker.on('exit', (code) => died(new Error(`a decompression thread exited with code ${code}`)));
		return worker;
	}
}
