import {createHash} from 'node:crypto';
import {Worker} from 'node:worker_threads';

/**
The diff ID (SHA-256 of a whole uncompressed layer) computed on a second thread: it costs as much as
hashing every file, which the main thread already does besides parsing. Bytes go through a ring of
shared memory: one copy, no message per chunk, and when the worker falls behind the main thread waits
(Atomics.wait) instead of queueing the layer in memory. Layers under `inlineBytes` are hashed on the
main thread (the demo, test fixtures), and so is any layer while another one holds the worker.
*/

const slotBytes = 1024 * 1024;
const slotCount = 8;
const inlineBytes = 4 * 1024 * 1024;
/** A worker that frees no slot for this long is dead or wedged: fail the layer rather than hang. */
const stalledSeconds = 60;
/**
Control words: slots published, slots consumed, whether the worker / the main thread is asleep (a
futex wake costs a system call, so each side only wakes the other when it sleeps), then one length
per slot (-1 marks the end of a stream).
*/
const published = 0;
const consumed = 1;
const workerAsleep = 2;
const mainAsleep = 3;
const lengths = 4;

/** Plain CommonJS so it runs the same under tsx, from dist, and as an eval worker. */
const workerSource = `
const {parentPort, workerData} = require('node:worker_threads');
const {createHash} = require('node:crypto');
const {control, data, slotBytes, slotCount} = workerData;
let hash = createHash('sha256');
let done = 0;
for (;;) {
	while (Atomics.load(control, ${published}) === done) {
		Atomics.store(control, ${workerAsleep}, 1);
		if (Atomics.load(control, ${published}) === done) Atomics.wait(control, ${published}, done);
		Atomics.store(control, ${workerAsleep}, 0);
	}
	const slot = done % slotCount;
	const length = Atomics.load(control, ${lengths} + slot);
	if (length < 0) {
		parentPort.postMessage(hash.digest('hex'));
		hash = createHash('sha256');
	} else {
		hash.update(data.subarray(slot * slotBytes, slot * slotBytes + length));
	}
	done++;
	Atomics.store(control, ${consumed}, done);
	if (Atomics.load(control, ${mainAsleep}) === 1) Atomics.notify(control, ${consumed});
}
`;

type HashWorker = {
	worker: Worker;
	control: Int32Array;
	data: Uint8Array;
	/** Digests come back in the order streams ended. */
	waiting: Array<{resolve: (digest: string) => void; reject: (error: Error) => void}>;
	owner: DiffHasher | undefined;
	/** Slots published so far (the producer's copy of control[published]). */
	next: number;
};

let shared: HashWorker | undefined;
let broken = false;

function startWorker(): HashWorker | undefined {
	if (shared !== undefined || broken) {
		return shared;
	}

	const control = new Int32Array(new SharedArrayBuffer(4 * (lengths + slotCount)));
	const data = new Uint8Array(new SharedArrayBuffer(slotBytes * slotCount));
	let worker: Worker;
	try {
		worker = new Worker(workerSource, {eval: true, workerData: {control, data, slotBytes, slotCount}});
	} catch {
		broken = true;
		return undefined;
	}

	const state: HashWorker = {worker, control, data, waiting: [], owner: undefined, next: 0};
	worker.unref();
	worker.on('message', (digest: string) => {
		state.waiting.shift()?.resolve(digest);
		if (state.waiting.length === 0) {
			// Only an outstanding digest may keep the process alive.
			worker.unref();
		}
	});
	const fail = (error: Error): void => {
		broken = true;
		shared = undefined;
		for (const waiting of state.waiting) waiting.reject(error);
		state.waiting = [];
	};

	worker.on('error', fail);
	worker.on('exit', (code) => fail(new Error(`hash worker exited with code ${code}`)));
	shared = state;
	return state;
}

/** SHA-256 of a byte stream pushed chunk by chunk; `digest` resolves to the hex string. */
export class DiffHasher {
	private readonly local = createHash('sha256');
	/** Copies kept while the stream is still small enough to hash inline. */
	private held: Uint8Array[] = [];
	private heldBytes = 0;
	private remote: HashWorker | undefined;
	private inline = false;
	/** Bytes written into the current slot. */
	private fill = 0;

	update(chunk: Uint8Array): void {
		if (this.remote !== undefined) {
			this.write(this.remote, chunk);
			return;
		}

		if (this.inline) {
			this.local.update(chunk);
			return;
		}

		this.held.push(Uint8Array.prototype.slice.call(chunk));
		this.heldBytes += chunk.length;
		if (this.heldBytes < inlineBytes) {
			return;
		}

		const worker = startWorker();
		if (worker === undefined || worker.owner !== undefined) {
			this.inline = true;
			for (const part of this.held) this.local.update(part);
		} else {
			worker.owner = this;
			this.remote = worker;
			for (const part of this.held) this.write(worker, part);
		}

		this.held = [];
	}

	async digest(): Promise<string> {
		const worker = this.remote;
		if (worker === undefined) {
			for (const part of this.held) this.local.update(part);
			this.held = [];
			return this.local.digest('hex');
		}

		if (this.fill > 0) this.publish(worker, this.fill);
		this.publish(worker, -1);
		worker.owner = undefined;
		this.remote = undefined;
		return new Promise((resolve, reject) => {
			worker.waiting.push({resolve, reject});
			worker.worker.ref();
		});
	}

	/** The stream failed: end it on the worker (its digest is dropped) so the next layer can use the worker. */
	abandon(): void {
		if (this.remote !== undefined) {
			void this.digest().catch(() => undefined);
		}

		this.held = [];
	}

	private write(worker: HashWorker, chunk: Uint8Array): void {
		let position = 0;
		while (position < chunk.length) {
			const slot = worker.next % slotCount;
			if (this.fill === 0) this.waitForFreeSlot(worker);
			const take = Math.min(slotBytes - this.fill, chunk.length - position);
			worker.data.set(chunk.subarray(position, position + take), slot * slotBytes + this.fill);
			this.fill += take;
			position += take;
			if (this.fill === slotBytes) this.publish(worker, slotBytes);
		}
	}

	private waitForFreeSlot(worker: HashWorker): void {
		let idleSeconds = 0;
		let last = -1;
		for (;;) {
			const done = Atomics.load(worker.control, consumed);
			if (worker.next - done < slotCount) return;
			// The exit event of a dead worker cannot arrive while this loop blocks the event loop.
			idleSeconds = done === last ? idleSeconds + 1 : 0;
			last = done;
			if (idleSeconds > stalledSeconds) {
				throw new Error(`the hashing thread made no progress for ${stalledSeconds} s`);
			}

			// The worker is behind: block until it frees a slot (bounded memory beats queueing a layer).
			Atomics.store(worker.control, mainAsleep, 1);
			if (Atomics.load(worker.control, consumed) === done) Atomics.wait(worker.control, consumed, done, 1000);
			Atomics.store(worker.control, mainAsleep, 0);
		}
	}

	private publish(worker: HashWorker, length: number): void {
		if (length < 0) this.waitForFreeSlot(worker);
		Atomics.store(worker.control, lengths + (worker.next % slotCount), length);
		worker.next++;
		Atomics.store(worker.control, published, worker.next);
		if (Atomics.load(worker.control, workerAsleep) === 1) Atomics.notify(worker.control, published);
		this.fill = 0;
	}
}
