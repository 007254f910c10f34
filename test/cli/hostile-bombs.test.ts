/**
Issue 17, hangs and memory bombs: index cycles, a zstd frame declaring a huge window, 300k PAX records,
a layer unpacking into a wide and deep tree, non-layer files piling up before the manifest, a config
too large to be one, and an OCI layout without index.json. Each ends in one named `layerlens:` line and
exit 2, never "unexpected error", a hang or a V8 abort; the CLI runs as a child process with a timeout,
and its peak RSS is checked where the issue measured memory.
*/
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, describe, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {ZstdFrameGuard, ZstdWindowError} from '../../source/image/formats/zstd-frame-guard.js';
import {isLayerlensError} from '../../source/shared/errors.js';
import {
	buildImageArchive,
	listArchive,
	packArchive,
	readArchiveBuffer,
	writeOciLayoutDirectory,
} from '../helpers/fixture-writer.js';
import {
	paxRecordsLayer,
	rawLayerImage,
	swapLayerBlob,
	wideDeepArchive,
	zstdWindowBlob,
} from '../helpers/hostile-inputs.js';
import {type CliResult, type RunCliOptions, runCli, userErrorProblems} from '../helpers/run-cli.js';
import {entry, tarOf} from '../helpers/tar-blocks.js';

const scratch = mkdtempSync(join(tmpdir(), 'layerlens-bombs-'));
after(() => rmSync(scratch, {recursive: true, force: true}));
const rssProbe = fileURLToPath(new URL('../helpers/rss-probe.mjs', import.meta.url));

/** The CLI as a child process, with its peak RSS in MiB (from the probe loaded into it). */
async function runCliMeasured(
	args: string[],
	options: RunCliOptions = {},
): Promise<{result: CliResult; rssMb: number}> {
	const rssFile = join(scratch, `rss-${Math.random().toString(36).slice(2)}`);
	const result = await runCli(args, {
		timeoutMs: 120_000,
		...options,
		env: {NODE_OPTIONS: `--import ${rssProbe}`, LAYERLENS_RSS_FILE: rssFile, ...options.env},
	});
	let rssMb = Number.NaN;
	try {
		rssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
	} catch {}

	return {result, rssMb};
}

async function rejectsWith(archive: Buffer, pattern: RegExp): Promise<void> {
	await assert.rejects(readArchiveBuffer(archive), (error: unknown) => {
		assert.ok(isLayerlensError(error), `not a LayerlensError: ${String((error as Error)?.stack ?? error)}`);
		assert.ok(!error.line.includes('\n'));
		assert.match(error.line, pattern);
		return true;
	});
}

function writeArchive(name: string, bytes: Buffer): string {
	const path = join(scratch, name);
	writeFileSync(path, bytes);
	return path;
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const digestOf = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const indexType = 'application/vnd.oci.image.index.v1+json';

/** An OCI archive whose index.json leads into `blobs` (name → content), with no layers at all. */
async function indexArchive(index: unknown, blobs: Record<string, Buffer>): Promise<Buffer> {
	return packArchive([
		{name: 'oci-layout', type: 'file', content: json({imageLayoutVersion: '1.0.0'})},
		{name: 'index.json', type: 'file', content: json(index)},
		...Object.entries(blobs).map(([hex, content]) => ({
			name: `blobs/sha256/${hex}`,
			type: 'file' as const,
			content,
		})),
	]);
}

const hexA = 'a'.repeat(64);
const hexB = 'b'.repeat(64);
const pointTo = (hex: string, times = 1) => ({
	schemaVersion: 2,
	mediaType: indexType,
	manifests: Array.from({length: times}, () => ({mediaType: indexType, digest: `sha256:${hex}`, size: 1})),
});

describe('index cycles and nesting', () => {
	test('a blob index listing itself (100 times) is a cycle: one named error', async () => {
		await rejectsWith(
			await indexArchive(pointTo(hexA), {[hexA]: json(pointTo(hexA, 100))}),
			/refers back to .*\(a cycle\)/,
		);
	});

	test('a longer cycle A → B → A', async () => {
		await rejectsWith(
			await indexArchive(pointTo(hexA), {[hexA]: json(pointTo(hexB)), [hexB]: json(pointTo(hexA))}),
			/blobs\/sha256\/a+ → blobs\/sha256\/b+ → blobs\/sha256\/a+ \(a cycle\)/,
		);
	});

	test('a fan-out of one nested index (100 × 100 × …) is walked once', async () => {
		const leaf = json({schemaVersion: 2, mediaType: indexType, manifests: []});
		const hexLeaf = digestOf(leaf).slice(7);
		const middle = json(pointTo(hexLeaf, 100));
		const hexMiddle = digestOf(middle).slice(7);
		await rejectsWith(
			await indexArchive(pointTo(hexMiddle, 100), {[hexMiddle]: middle, [hexLeaf]: leaf}),
			/names no image manifest that the archive contains/,
		);
	});

	test('indexes nested deeper than 4: one named error', async () => {
		const blobs: Record<string, Buffer> = {};
		let next = json({schemaVersion: 2, mediaType: indexType, manifests: []});
		for (let level = 0; level < 6; level++) {
			const hex = digestOf(next).slice(7);
			blobs[hex] = next;
			next = json(pointTo(hex));
		}

		await rejectsWith(
			await indexArchive(JSON.parse(next.toString()), blobs),
			/nests indexes more than 4 deep/,
		);
	});

	test('CLI: a self-referencing index in an archive and in an OCI directory ends in one line, exit 2', async () => {
		const archive = writeArchive(
			'cycle.tar',
			await indexArchive(pointTo(hexA), {[hexA]: json(pointTo(hexA, 100))}),
		);
		const directory = join(scratch, 'cycle-layout');
		mkdirSync(join(directory, 'blobs', 'sha256'), {recursive: true});
		writeFileSync(join(directory, 'oci-layout'), json({imageLayoutVersion: '1.0.0'}));
		writeFileSync(join(directory, 'index.json'), json(pointTo(hexA)));
		writeFileSync(join(directory, 'blobs', 'sha256', hexA), json(pointTo(hexA, 100)));
		for (const target of [archive, directory]) {
			const result = await runCli([target, '--json'], {timeoutMs: 60_000});
			assert.deepEqual(userErrorProblems(result, /\(a cycle\)/), []);
		}
	});
});

describe('zstd windows', () => {
	const layerTar = tarOf([entry({name: 'hello.txt'}, 'hello')]);
	const zstdArchive = async (blob: Buffer) =>
		swapLayerBlob(
			await buildImageArchive(rawLayerImage(Buffer.alloc(1024)), {format: 'oci', compression: 'none'}),
			blob,
		);

	test('a frame with a 1 MiB window reads (the guard lets real frames through)', async () => {
		const image = await readArchiveBuffer(await zstdArchive(zstdWindowBlob(20, layerTar)));
		assert.equal(image.layers[0]!.compression, 'zstd');
		assert.deepEqual(
			image.layers[0]!.entries.toEntries().map((item) => item.path),
			['hello.txt'],
		);
	});

	test('a frame declaring a 1.9 GB window is refused before it is allocated', async () => {
		await rejectsWith(
			await zstdArchive(zstdWindowBlob(30, layerTar, 7)),
			/zstd stream declaring a 2013265920-byte window, above the \d+-byte limit/,
		);
	});

	test('a huge window in a second frame is refused too', async () => {
		await rejectsWith(
			await zstdArchive(
				Buffer.concat([
					zstdWindowBlob(20, layerTar.subarray(0, 512)),
					zstdWindowBlob(30, layerTar.subarray(512), 7),
				]),
			),
			/zstd stream declaring a 2013265920-byte window/,
		);
	});

	test('the guard walks skippable frames, RLE blocks and checksums to reach every frame header, byte by byte', () => {
		const skippable = Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
		// Descriptor 0x04: a checksum follows the last block; an RLE block (type 1) of 100 bytes has one byte of body.
		const rleBlock = Buffer.alloc(3);
		rleBlock.writeUIntLE(1 | (1 << 1) | (100 << 3), 0, 3);
		const checksummed = Buffer.concat([
			Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x04, (20 - 10) << 3]),
			rleBlock,
			Buffer.from([0x61]),
			Buffer.from([9, 9, 9, 9]),
		]);
		const stream = Buffer.concat([skippable, checksummed, zstdWindowBlob(30, Buffer.from('x'), 7)]);
		const guard = new ZstdFrameGuard(64 * 1024 * 1024);
		assert.throws(
			() => {
				for (const byte of stream) guard.check(Uint8Array.of(byte));
			},
			(error: unknown) => error instanceof ZstdWindowError && error.windowBytes === 2_013_265_920,
		);
		const fine = new ZstdFrameGuard(64 * 1024 * 1024);
		fine.check(Buffer.concat([skippable, checksummed, zstdWindowBlob(20, Buffer.from('x'))]));
	});

	test('CLI: the huge window ends in one line, exit 2, in bounded memory', async () => {
		const archive = writeArchive('zstd-window.tar', await zstdArchive(zstdWindowBlob(30, layerTar, 7)));
		const {result, rssMb} = await runCliMeasured([archive, '--json']);
		assert.deepEqual(userErrorProblems(result, /zstd stream declaring/), []);
		assert.ok(rssMb < 400, `peak RSS ${rssMb.toFixed(0)} MiB`);
	});
});

describe('memory bombs', () => {
	test('300k PAX records: refused as too large (Go refuses PAX headers above 1 MiB), bounded memory', async () => {
		const archive = writeArchive(
			'pax-300k.tar',
			await buildImageArchive(rawLayerImage(paxRecordsLayer(300_000))),
		);
		const {result, rssMb} = await runCliMeasured([archive, '--json']);
		assert.deepEqual(userErrorProblems(result, /extended header of \d+ bytes .* too large/), []);
		assert.ok(rssMb < 400, `peak RSS ${rssMb.toFixed(0)} MiB`);
	});

	test('a gzip layer unpacking into a wide and deep tree stops at the memory budget with one line', {
		timeout: 200_000,
	}, async () => {
		const archive = writeArchive('wide-deep.tar', await wideDeepArchive(5000, 1000));
		const {result, rssMb} = await runCliMeasured([archive, '--json'], {
			env: {LAYERLENS_MAX_HEAP_MB: '200'},
			timeoutMs: 180_000,
		});
		assert.deepEqual(userErrorProblems(result, /needs more memory than the .* budget/), []);
		// The budget is the heap's; the process around it stays well under what the bomb needs (> 2 GB).
		assert.ok(rssMb < 700, `peak RSS ${rssMb.toFixed(0)} MiB`);
	});

	test('non-layer files before the manifest are never buffered beyond 64 MiB', {
		timeout: 120_000,
	}, async () => {
		const files = await listArchive(await buildImageArchive(rawLayerImage(tarOf([entry({name: 'x'}, 'x')]))));
		const junk = Array.from({length: 6}, (_, index) => ({
			name: `junk-${index}.json`,
			type: 'file' as const,
			content: Buffer.alloc(15 * 1024 * 1024, 0x20),
		}));
		const archive = writeArchive('junk.tar', await packArchive([...junk, ...files]));
		const {result, rssMb} = await runCliMeasured([archive, '--json']);
		assert.deepEqual(
			userErrorProblems(result, /more than 67108864 bytes of files that are neither layers/),
			[],
		);
		assert.ok(rssMb < 400, `peak RSS ${rssMb.toFixed(0)} MiB`);
	});
});

describe('named errors', () => {
	test('a config too large to be one is "too large", not "missing" (archive and OCI directory)', async () => {
		const spec = rawLayerImage(tarOf([entry({name: 'x'}, 'x')]));
		const files = await listArchive(await buildImageArchive(spec));
		const manifest = JSON.parse(
			files.find((file) => file.name === 'manifest.json')!.content.toString(),
		) as Array<{
			Config: string;
		}>;
		const configName = manifest[0]!.Config;
		const huge = Buffer.alloc(17 * 1024 * 1024, 0x20);
		const archive = writeArchive(
			'big-config.tar',
			await packArchive(files.map((file) => (file.name === configName ? {...file, content: huge} : file))),
		);
		const directory = join(scratch, 'big-config-layout');
		await writeOciLayoutDirectory(spec, directory);
		const index = JSON.parse(readFileSync(join(directory, 'index.json'), 'utf8')) as {
			manifests: Array<{digest: string}>;
		};
		const manifestPath = join(directory, 'blobs', 'sha256', index.manifests[0]!.digest.slice(7));
		const ociManifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {config: {digest: string}};
		writeFileSync(join(directory, 'blobs', 'sha256', ociManifest.config.digest.slice(7)), huge);
		for (const target of [archive, directory]) {
			const result = await runCli([target, '--json'], {timeoutMs: 60_000});
			assert.deepEqual(
				userErrorProblems(
					result,
					/is 17825792 bytes, more than the 16777216 a manifest, index or image config may have/,
				),
				[],
			);
		}
	});

	test('a directory with oci-layout but no index.json', async () => {
		const directory = join(scratch, 'no-index');
		mkdirSync(directory);
		writeFileSync(join(directory, 'oci-layout'), json({imageLayoutVersion: '1.0.0'}));
		const result = await runCli([directory, '--json'], {timeoutMs: 60_000});
		assert.deepEqual(
			userErrorProblems(result, /incomplete OCI image layout: it has oci-layout but no index\.json/),
			[],
		);
	});
});
