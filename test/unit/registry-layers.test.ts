import assert from 'node:assert/strict';
import {createHash, randomBytes} from 'node:crypto';
import {test} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {gzipSync} from 'node:zlib';
import {GzipDecoderPool} from '../../source/image/formats/gzip-decoder-pool.js';
import {RegistryClient} from '../../source/image/sources/registry/client.js';
import {type LayerToRead, readRegistryLayers} from '../../source/image/sources/registry/registry-layers.js';
import type {ParsedLayer} from '../../source/image/types.js';
import {isLayerlensError} from '../../source/shared/errors.js';
import type {FileSpec} from '../helpers/fixture-writer.js';
import {collect, createLayerTarStream} from '../helpers/fixture-writer.js';

/** A registry client whose blobs are served from memory in small chunks, the first blob slowest. */
class MemoryClient extends RegistryClient {
	constructor(
		private readonly blobs: Map<string, Buffer>,
		private readonly delayOf: (digest: string) => number = () => 0,
	) {
		super({registry: 'registry.test', repository: 'app', explicitRegistry: true});
	}

	override async *blob(digest: string): AsyncGenerator<Buffer> {
		const bytes = this.blobs.get(digest)!;
		for (let at = 0; at < bytes.length; at += 16 * 1024) {
			const delay = this.delayOf(digest);
			if (delay > 0) await sleep(delay);
			yield bytes.subarray(at, at + 16 * 1024);
		}
	}
}

const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function gzipLayer(files: FileSpec[]): Promise<{tar: Buffer; blob: Buffer}> {
	const tar = await collect(createLayerTarStream({files}));
	return {tar, blob: gzipSync(tar)};
}

/** Three gzip layers: a large first one (random content, several MB of tar) and two small ones. */
async function sampleLayers(): Promise<Array<{tar: Buffer; blob: Buffer}>> {
	const big: FileSpec[] = [{path: 'data', type: 'dir'}];
	for (let index = 0; index < 40; index++) {
		big.push({path: `data/file-${index}.bin`, content: randomBytes(100_000 + index)});
	}

	return [
		await gzipLayer(big),
		await gzipLayer([
			{path: 'etc', type: 'dir'},
			{path: 'etc/hostname', content: 'layer two\n'},
		]),
		await gzipLayer([{path: 'app.js', content: 'console.log(3)\n'.repeat(2000)}]),
	];
}

function layersOf(blobs: Buffer[]): LayerToRead[] {
	return blobs.map((blob, position) => ({digest: sha256(blob), size: blob.length, position}));
}

const summary = (layer: ParsedLayer) => ({
	diffId: layer.diffId,
	compression: layer.compression,
	compressedSizeBytes: layer.compressedSizeBytes,
	tarSizeBytes: layer.tarSizeBytes,
	entries: layer.entries.toEntries(),
	captured: layer.captured,
});

async function readAll(client: RegistryClient, layers: LayerToRead[], decoderThreadFromBytes: number) {
	const done: number[] = [];
	const reads = readRegistryLayers(layers, {
		client,
		decoderThreadFromBytes,
		concurrency: 3,
		onBytes: () => undefined,
		onLayerDone: () => done.push(done.length),
	});
	try {
		const parsed = [];
		for (const layer of layers) parsed.push(await reads.parsed.get(layer.digest)!);
		return {parsed, threadsWhileOpen: reads.threadCount(), reads};
	} finally {
		await reads.close();
	}
}

test('layers inflated on threads give the same layers, in manifest order, as inflated on the main thread', async () => {
	const samples = await sampleLayers();
	const blobs = new Map(samples.map(({blob}) => [sha256(blob), blob]));
	const layers = layersOf(samples.map(({blob}) => blob));
	// The first (largest) layer is served slowest, so the later ones finish first.
	const client = new MemoryClient(blobs, (digest) => (digest === layers[0]!.digest ? 2 : 0));
	const threaded = await readAll(client, layers, 0);
	const inline = await readAll(client, layers, Number.POSITIVE_INFINITY);
	assert.deepEqual(threaded.parsed.map(summary), inline.parsed.map(summary));
	assert.deepEqual(
		threaded.parsed.map((layer) => layer.diffId),
		samples.map(({tar}) => sha256(tar)),
	);
	assert.deepEqual(
		[...threaded.reads.parsed.keys()],
		layers.map((layer) => layer.digest),
	);
	assert.ok(threaded.threadsWhileOpen >= 1 && threaded.threadsWhileOpen <= 3, `${threaded.threadsWhileOpen}`);
	assert.equal(inline.threadsWhileOpen, 0);
	assert.equal(threaded.reads.threadCount(), 0, 'every thread ends with the read');
});

test('a corrupt gzip blob fails the read with one line naming the layer, and leaves no thread behind', async () => {
	const samples = await sampleLayers();
	const good = samples.map(({blob}) => blob);
	// Layer 2: a gzip header, then bytes that are no deflate stream; its digest is that of these bytes.
	const corrupt = Buffer.concat([good[1]!.subarray(0, 10), Buffer.alloc(4096, 0xff)]);
	const blobs = [good[0]!, corrupt, good[2]!];
	const client = new MemoryClient(new Map(blobs.map((blob) => [sha256(blob), blob])));
	const reads = readRegistryLayers(layersOf(blobs), {
		client,
		decoderThreadFromBytes: 0,
		onBytes: () => undefined,
		onLayerDone: () => undefined,
	});
	const failure = await reads.parsed.get(sha256(corrupt))!.then(
		() => undefined,
		(error: unknown) => error,
	);
	await reads.close();
	assert.ok(isLayerlensError(failure), String(failure));
	assert.match(failure.message, /^layer 2 \(sha256:[0-9a-f]{64}\) is corrupt: /);
	assert.doesNotMatch(failure.message, /\n/);
	assert.equal(reads.threadCount(), 0);
});

test('bytes that do not match the digest fail as a digest mismatch, not as the corrupt stream they make', async () => {
	const samples = await sampleLayers();
	const blob = samples[2]!.blob;
	const altered = Buffer.from(blob);
	altered[altered.length >> 1]! ^= 0xff;
	const digest = sha256(blob);
	const client = new MemoryClient(new Map([[digest, altered]]));
	const reads = readRegistryLayers([{digest, size: blob.length, position: 0}], {
		client,
		decoderThreadFromBytes: 0,
		onBytes: () => undefined,
		onLayerDone: () => undefined,
	});
	await assert.rejects(reads.parsed.get(digest)!, (error: Error) =>
		/^digest mismatch in layer 1 of registry\.test\/app: /.test(error.message),
	);
	await reads.close();
	assert.equal(reads.threadCount(), 0);
});

test('the pool runs at most its size of jobs at once and reuses its threads', async () => {
	const pool = new GzipDecoderPool(2);
	const tar = randomBytes(3 * 1024 * 1024);
	const blob = gzipSync(tar);
	const outputs: Buffer[][] = [[], [], []];
	const first = await pool.start('sha256', (chunk) => outputs[0]!.push(Buffer.from(chunk)));
	const second = await pool.start('sha256', (chunk) => outputs[1]!.push(Buffer.from(chunk)));
	let thirdStarted = false;
	const third = pool
		.start('sha256', (chunk) => outputs[2]!.push(Buffer.from(chunk)))
		.then((job) => {
			thirdStarted = true;
			return job;
		});
	await sleep(50);
	assert.equal(thirdStarted, false, 'a third job waits for a free thread');
	assert.equal(pool.workerCount, 2);
	for (const job of [first, second]) await job.write(blob);
	const results = await Promise.all([first.end(), second.end()]);
	const last = await third;
	await last.write(blob);
	results.push(await last.end());
	assert.equal(pool.workerCount, 2, 'the third job ran on a thread that was reused');
	for (const [index, result] of results.entries()) {
		assert.equal(`sha256:${result.storedDigest}`, sha256(blob));
		assert.equal(`sha256:${result.diffId}`, sha256(tar));
		assert.equal(result.storedBytes, blob.length);
		assert.ok(Buffer.concat(outputs[index]!).equals(tar), `job ${index + 1} got the tar bytes in order`);
	}

	await pool.close();
	assert.equal(pool.workerCount, 0);
});

test('a layer that unpacks past its limit on a thread stops there with the decompression-bomb line', async () => {
	const zeros = await gzipLayer([{path: 'zeros', content: Buffer.alloc(20 * 1024 * 1024)}]);
	const digest = sha256(zeros.blob);
	const reads = readRegistryLayers([{digest, size: zeros.blob.length, position: 0}], {
		client: new MemoryClient(new Map([[digest, zeros.blob]])),
		decoderThreadFromBytes: 0,
		maxLayerBytes: 1024 * 1024,
		onBytes: () => undefined,
		onLayerDone: () => undefined,
	});
	await assert.rejects(reads.parsed.get(digest)!, (error: Error) =>
		/^layer 1 \(sha256:[0-9a-f]{64}\) unpacks to more than 1048576 bytes/.test(error.message),
	);
	await reads.close();
	assert.equal(reads.threadCount(), 0);
});
