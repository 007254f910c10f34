import assert from 'node:assert/strict';
import {mkdtempSync, rmSync} from 'node:fs';
import {createServer, type ServerResponse} from 'node:http';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {PassThrough, Readable} from 'node:stream';
import test from 'node:test';
import {gzipSync} from 'node:zlib';
import {ArchiveEndFinder, endAtArchiveEnd} from '../../source/image/sources/daemon/archive-end.js';
import {socketGet} from '../../source/image/sources/daemon/socket-request.js';
import {headerBlock, type RawHeader} from '../helpers/tar-blocks.js';

const padded = (data: Buffer): Buffer =>
	Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
const entry = (header: RawHeader, data = Buffer.alloc(0)): Buffer =>
	Buffer.concat([headerBlock(header, data.length), padded(data)]);
const marker = Buffer.alloc(1024);

/** An export-like archive: directories, files (one holding 2 KiB of zeros), a link with a size field, the old `\0` types. */
function exportArchive(): Buffer {
	return Buffer.concat([
		entry({name: 'abc/', typeflag: '5'}),
		entry({name: 'abc/VERSION'}, Buffer.from('1.0')),
		entry({name: 'abc/layer.tar'}, Buffer.concat([Buffer.from('x'.repeat(700)), Buffer.alloc(2048)])),
		entry({name: 'abc/link', typeflag: '2', linkname: 'VERSION', size: 4096}),
		entry({name: 'old-dir/', typeflag: '\0', size: 4096}),
		entry({name: 'old-file', typeflag: '\0'}, Buffer.from('old')),
		entry({name: 'manifest.json'}, Buffer.from('[]')),
	]);
}

/** Where the finder says the marker ends, feeding `bytes` in chunks of `size`; undefined when it never does. */
function endOf(bytes: Buffer, size: number): number | undefined {
	const finder = new ArchiveEndFinder();
	for (let start = 0; start < bytes.length; start += size) {
		const end = finder.push(bytes.subarray(start, start + size));
		if (end !== undefined) return start + end;
	}

	return undefined;
}

test('the end-of-archive marker is found after the last entry, whatever the chunk sizes, not in a file of zeros', () => {
	const archive = Buffer.concat([exportArchive(), marker]);
	for (const size of [1, 7, 511, 512, 513, 4096, archive.length]) {
		assert.equal(
			endOf(Buffer.concat([archive, Buffer.from('tail')]), size),
			archive.length,
			`chunks of ${size}`,
		);
	}
});

test('the walk gives up on what it does not read as the archive reader does', () => {
	const body = exportArchive();
	const cases: Record<string, Buffer> = {
		gzip: gzipSync(Buffer.concat([body, marker])),
		'a PAX header': Buffer.concat([
			entry({name: 'PaxHeader', typeflag: 'x'}, Buffer.from('20 size=99999999999\n')),
			body,
			marker,
		]),
		'a GNU long name': Buffer.concat([
			entry({name: '././@LongLink', typeflag: 'L'}, Buffer.from('a'.repeat(200))),
			body,
			marker,
		]),
		'a bad checksum': Buffer.concat([
			body.subarray(0, 512).map((byte, index) => (index === 0 ? byte + 1 : byte)),
			body.subarray(512),
			marker,
		]),
		'a base-256 size': Buffer.concat([
			entry({name: 'big', sizeField: Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4])}),
			Buffer.alloc(512),
			body,
			marker,
		]),
		'a zero block followed by a header': Buffer.concat([body, Buffer.alloc(512), body, marker]),
		'a contiguous file (type 7)': Buffer.concat([
			entry({name: 'c', typeflag: '7'}, Buffer.alloc(600)),
			body,
			marker,
		]),
	};
	for (const [name, bytes] of Object.entries(cases)) {
		assert.equal(endOf(bytes, 1000), undefined, name);
	}
});

/** A daemon whose export answer sends `archive`, then holds the answer open until `finish` is called. */
async function holdingDaemon(archive: Buffer): Promise<{
	socketPath: string;
	finish: () => void;
	answered: Promise<'finished' | 'closed'>;
	close: () => Promise<void>;
}> {
	const directory = mkdtempSync(join(tmpdir(), 'layerlens-archive-end-'));
	const socketPath = join(directory, 'docker.sock');
	let held: ServerResponse | undefined;
	let answered!: (how: 'finished' | 'closed') => void;
	const answeredPromise = new Promise<'finished' | 'closed'>((resolve) => {
		answered = resolve;
	});
	const server = createServer((_request, response) => {
		held = response;
		response.on('finish', () => answered('finished'));
		response.on('close', () => answered('closed'));
		response.write(archive);
	});
	await new Promise<void>((resolve) => server.listen(socketPath, resolve));
	return {
		socketPath,
		finish: () => held?.end(),
		answered: answeredPromise,
		close: async () => {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
			rmSync(directory, {recursive: true, force: true});
		},
	};
}

async function readAll(stream: Readable): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

test('an export ends for the reader at its marker while the daemon still holds the answer, which is then read to its end', async () => {
	const archive = Buffer.concat([exportArchive(), marker]);
	const daemon = await holdingDaemon(archive);
	try {
		const response = await socketGet(daemon.socketPath, '/images/x/get', new AbortController().signal, true);
		const read = await readAll(endAtArchiveEnd(response));
		assert.deepEqual(read, archive);
		assert.equal(response.complete, false, 'the daemon had not ended its answer when the reader was done');
		daemon.finish();
		assert.equal(await daemon.answered, 'finished');
		await new Promise((resolve) => response.once('end', resolve));
	} finally {
		await daemon.close();
	}
});

test('an answer that breaks off before the marker is an error of the reader', async () => {
	const daemon = await holdingDaemon(exportArchive());
	try {
		const response = await socketGet(daemon.socketPath, '/images/x/get', new AbortController().signal, true);
		const reading = readAll(endAtArchiveEnd(response));
		// Let the bytes arrive, then the daemon drops the connection mid-archive.
		await new Promise((resolve) => setTimeout(resolve, 50));
		await daemon.close();
		await assert.rejects(reading);
	} finally {
		await daemon.close().catch(() => undefined);
	}
});

test('bytes that are no tar pass through unchanged to their own end', async () => {
	const bytes = gzipSync(Buffer.concat([exportArchive(), marker]));
	const read = await readAll(endAtArchiveEnd(Readable.from([bytes.subarray(0, 100), bytes.subarray(100)])));
	assert.deepEqual(read, bytes);
});

test('the answer’s small chunks are passed on joined, the bytes unchanged, and nothing waits for more to come', async () => {
	const layer = Buffer.alloc(3 * 1024 * 1024, 7);
	const archive = Buffer.concat([entry({name: 'abc/layer.tar'}, layer), exportArchive(), marker]);
	const pieces: Buffer[] = [];
	for (let start = 0; start < archive.length; start += 20_000)
		pieces.push(archive.subarray(start, start + 20_000));
	const input = new PassThrough();
	const output = endAtArchiveEnd(input);
	const received: Buffer[] = [];
	output.on('data', (chunk: Buffer) => received.push(chunk));
	const ended = new Promise((resolve) => output.once('end', resolve));

	// Ten pieces, then the input goes quiet: they are passed on without waiting for more.
	for (const piece of pieces.slice(0, 10)) input.write(piece);
	await new Promise((resolve) => setImmediate(resolve));
	await new Promise((resolve) => setImmediate(resolve));
	assert.equal(Buffer.concat(received).length, 200_000, 'a quiet input holds nothing back');
	assert.equal(received.length, 1, 'what one turn brought is passed on as one chunk');

	for (const piece of pieces.slice(10)) input.write(piece);
	await ended;
	assert.deepEqual(Buffer.concat(received), archive);
	assert.ok(received.length * 10 < pieces.length, `${received.length} chunks passed on for ${pieces.length}`);
});
