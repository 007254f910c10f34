import {Worker} from 'node:worker_threads';

/**
The diff ID of an uncompressed layer that sits in a file (a classic `docker save` archive, an OCI
layout) is the SHA-256 of a byte range of that file: a worker reads and hashes the range itself while
the main thread parses the same bytes, so the main thread neither hashes nor copies them (copying every
byte into the shared ring of diff-hasher.ts cost a third of a second per gigabyte).
*/

export type FileRange = {path: string; offset: number; length: number};

/** Plain CommonJS so it runs the same under tsx, from dist, and as an eval worker. */
const workerSource = `
const {parentPort} = require('node:worker_threads');
const {closeSync, openSync, readSync} = require('node:fs');
const {createHash} = require('node:crypto');
const buffer = Buffer.allocUnsafe(1024 * 1024);
parentPort.on('message', ({id, path, offset, length}) => {
	let fd;
	try {
		fd = openSync(path, 'r');
		const hash = createHash('sha256');
		let done = 0;
		while (done < length) {
			const read = readSync(fd, buffer, 0, Math.min(buffer.length, length - done), offset + done);
			if (read === 0) throw new Error('the file ended before the layer did');
			hash.update(buffer.subarray(0, read));
			done += read;
		}
		parentPort.postMessage({id, digest: hash.digest('hex')});
	} catch (error) {
		parentPort.postMessage({id, error: error instanceof Error ? error.message : String(error)});
	} finally {
		if (fd !== undefined) closeSync(fd);
	}
});
`;

type Pending = {resolve: (digest: string) => void; reject: (error: Error) => void};

let worker: Worker | undefined;
const pending = new Map<number, Pending>();
let nextId = 0;

function failAll(error: Error): void {
	worker = undefined;
	for (const waiting of pending.values()) waiting.reject(error);
	pending.clear();
}

function hashWorker(): Worker {
	if (worker !== undefined) {
		return worker;
	}

	const started = new Worker(workerSource, {eval: true});
	started.on('message', (message: {id: number; digest?: string; error?: string}) => {
		const waiting = pending.get(message.id);
		pending.delete(message.id);
		if (message.digest === undefined) {
			waiting?.reject(new Error(message.error ?? 'hashing failed'));
		} else {
			waiting?.resolve(message.digest);
		}

		// Only an outstanding digest may keep the process alive.
		if (pending.size === 0) started.unref();
	});
	started.on('error', failAll);
	started.on('exit', (code) => failAll(new Error(`hash worker exited with code ${code}`)));
	worker = started;
	return started;
}

/** Hex SHA-256 of `length` bytes of `path` from `offset`, hashed on a worker thread; jobs run in order. */
export function hashFileRange(range: FileRange): Promise<string> {
	const id = nextId++;
	const target = hashWorker();
	const digest = new Promise<string>((resolve, reject) => {
		pending.set(id, {resolve, reject});
	});
	target.ref();
	target.postMessage({id, ...range});
	return digest;
}
