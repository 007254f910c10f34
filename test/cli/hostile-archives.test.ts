/**
Damaged and hostile archives. Each case either reads (with a warning where something was odd) or fails
with one LayerlensError line; hostile names never reach the terminal raw.
*/
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, describe, test} from 'node:test';
import {gzipSync} from 'node:zlib';
import {analyzeImage} from '../../source/analysis/analyze-image.js';
import {isLayerlensError} from '../../source/shared/errors.js';
import {
	buildImageArchive,
	type ImageSpec,
	listArchive,
	packArchive,
	rawTar,
	readArchiveBuffer,
} from '../helpers/fixture-writer.js';
import {runCli, userErrorProblems} from '../helpers/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'layerlens-hostile-'));
after(() => rmSync(scratch, {recursive: true, force: true}));

const simple: ImageSpec = {
	layers: [
		{
			createdBy: 'ADD rootfs /',
			files: [
				{path: 'etc/os-release', content: 'ID=test\n'},
				{path: 'bin/app', size: 3000},
			],
		},
		{createdBy: 'COPY x /x', files: [{path: 'x', content: 'hello'}]},
	],
	repoTags: ['hostile:1'],
};

async function rejectsWith(archive: Buffer, pattern: RegExp, options: {maxLayerBytes?: number} = {}) {
	await assert.rejects(readArchiveBuffer(archive, options), (error: unknown) => {
		assert.ok(isLayerlensError(error), `not a LayerlensError: ${String((error as Error)?.stack ?? error)}`);
		assert.ok(!error.line.includes('\n'), `more than one line: ${JSON.stringify(error.line)}`);
		assert.match(error.line, pattern);
		return true;
	});
}

/** Replace (or drop, with undefined) entries by name. */
async function edit(archive: Buffer, change: (name: string, content: Buffer) => Buffer | undefined | null) {
	const files = await listArchive(archive);
	const kept = [];
	for (const file of files) {
		const next = file.type === 'file' ? change(file.name, file.content) : file.content;
		if (next === null) continue;
		kept.push({...file, content: next ?? file.content});
	}

	return packArchive(kept);
}

const classicLayerName = (name: string): boolean => name.endsWith('/layer.tar');

describe('damaged archives', () => {
	test('a file that is not a tar', async () => {
		await rejectsWith(
			Buffer.from('this is a text file, not an image\n'.repeat(40)),
			/^test\.tar is not an image archive: a text file\. Give a `docker save` archive/,
		);
	});

	test('an empty file', async () => {
		await rejectsWith(Buffer.alloc(0), /test\.tar/);
	});

	test('truncated in the outer tar, at every 512-byte block boundary and mid-block', async () => {
		const archive = await buildImageArchive(simple);
		for (let length = 100; length < archive.length - 1024; length += 700) {
			await assert.rejects(readArchiveBuffer(archive.subarray(0, length)), (error: unknown) => {
				assert.ok(isLayerlensError(error), `cut at ${length}: ${String(error)}`);
				assert.match(
					error.line,
					// Cut inside the first header, nothing says it was a tar: "not an image archive".
					/truncated|not a tar|not an image archive|missing|no manifest|not valid JSON/,
					`cut at ${length}`,
				);
				return true;
			});
		}
	});

	test('truncated inside a layer tar', async () => {
		const archive = await buildImageArchive(simple);
		const cut = await edit(archive, (name, content) =>
			classicLayerName(name) && content.length > 2048 ? content.subarray(0, 1500) : undefined,
		);
		await rejectsWith(cut, /layer 1 .*(truncated|corrupt|unexpected end)/i);
	});

	test('truncated inside a gzip stream', async () => {
		const archive = await buildImageArchive(simple, {format: 'oci', compression: 'gzip'});
		const cut = await edit(archive, (name, content) =>
			name.startsWith('blobs/') && content[0] === 0x1f && content[1] === 0x8b
				? content.subarray(0, content.length >> 1)
				: undefined,
		);
		await rejectsWith(cut, /layer \d .*(truncated|unexpected end|corrupt)/i);
	});

	test('manifest.json missing', async () => {
		const archive = await edit(await buildImageArchive(simple), (name) =>
			name === 'manifest.json' ? null : undefined,
		);
		await rejectsWith(archive, /test\.tar has no manifest\.json or index\.json/);
	});

	test('manifest.json is not JSON', async () => {
		const archive = await edit(await buildImageArchive(simple), (name) =>
			name === 'manifest.json' ? Buffer.from('[{"Config": ') : undefined,
		);
		await rejectsWith(archive, /manifest\.json in test\.tar is not valid JSON/);
	});

	test('the config is missing', async () => {
		const archive = await edit(await buildImageArchive(simple), (name) =>
			/^[0-9a-f]{64}\.json$/.test(name) ? null : undefined,
		);
		await rejectsWith(archive, /the image config [0-9a-f]{64}\.json is missing from test\.tar/);
	});

	test('the config is not JSON', async () => {
		const archive = await edit(await buildImageArchive(simple), (name) =>
			/^[0-9a-f]{64}\.json$/.test(name) ? Buffer.from('{"rootfs": nope}') : undefined,
		);
		await rejectsWith(archive, /[0-9a-f]{64}\.json in test\.tar is not valid JSON/);
	});

	test('a manifest naming a layer blob that is absent', async () => {
		const archive = await edit(await buildImageArchive(simple), (name, content) =>
			classicLayerName(name) && content.length < 4096 ? null : undefined,
		);
		await rejectsWith(archive, /layer 2 \(.*layer\.tar\) is listed but missing from test\.tar/);
	});

	test('diff IDs that do not match the layer contents: a warning, the analysis goes on', async () => {
		const archive = await edit(await buildImageArchive(simple), (name, content) =>
			classicLayerName(name) && content.length < 4096 ? rawTarSync : undefined,
		);
		const image = await readArchiveBuffer(archive);
		assert.equal(image.layers.length, 2);
		assert.ok(
			image.warnings.some((warning) => /layer 2.*diff ?id|does not match/i.test(warning)),
			`warnings: ${JSON.stringify(image.warnings)}`,
		);
		const analysis = analyzeImage(image);
		assert.equal(analysis.image.layerCount, 2);
	});

	test('an image with zero layers is one clear line', async () => {
		await rejectsWith(await buildImageArchive({layers: []}), /^the image in test\.tar has no layers/);
	});

	test('a layer that is not a tar', async () => {
		const archive = await edit(await buildImageArchive(simple), (name, content) =>
			classicLayerName(name) && content.length < 4096
				? Buffer.from('plain text, not a tar'.repeat(30))
				: undefined,
		);
		await rejectsWith(archive, /layer 2 .* is not a tar archive|layer 2 .*corrupt/);
	});

	test('a layer in an unknown compression (bzip2)', async () => {
		const archive = await edit(await buildImageArchive(simple), (name, content) =>
			classicLayerName(name) && content.length < 4096
				? Buffer.concat([Buffer.from('BZh91AY&SY'), content])
				: undefined,
		);
		await rejectsWith(archive, /layer 2 .*(not gzip, zstd or tar|not a tar|unknown compression)/);
	});

	test('a PAX header declaring a huge size is not believed: success or a LayerlensError, no huge allocation', async () => {
		const layer = Buffer.from(rawTarSync);
		// A pax extended header ('x') whose record says the next file is 1 PB.
		const record = 'size=1000000000000000\n';
		const line = `${record.length + 3 + String(record.length).length} ${record}`;
		const pax = headerBlock('PaxHeaders/x', 'x', line.length);
		const body = Buffer.alloc(512);
		body.write(line);
		const hostile = Buffer.concat([pax, body, layer]);
		const archive = await edit(await buildImageArchive(simple), (name, content) =>
			classicLayerName(name) && content.length < 4096 ? hostile : undefined,
		);
		const before = process.memoryUsage().rss;
		// The lying size may be ignored or refused; either way it must not be believed and allocated.
		await readArchiveBuffer(archive).catch((error: unknown) => {
			assert.ok(isLayerlensError(error), String(error));
		});
		assert.ok(process.memoryUsage().rss - before < 200 * 2 ** 20, 'no huge allocation');
	});
});

describe('bounds', () => {
	const bombArchive = async (unpackedBytes: number): Promise<Buffer> => {
		const inner = Buffer.concat([
			headerBlock('zeros', '0', unpackedBytes),
			Buffer.alloc(unpackedBytes),
			Buffer.alloc(1024),
		]);
		const bomb = gzipSync(inner, {level: 1});
		return edit(await buildImageArchive(simple), (name, content) =>
			classicLayerName(name) && content.length < 4096 ? bomb : undefined,
		);
	};

	test('a gzip bomb stops at the layer limit with one line', {timeout: 20_000}, async () => {
		// The race keeps the event loop alive so a hang fails this test alone, not the whole file.
		let timer: NodeJS.Timeout | undefined;
		const hang = new Promise<never>((_resolve, reject) => {
			timer = setTimeout(() => reject(new Error('no answer within 5 s: hang')), 5000);
		});
		const archive = await bombArchive(8 * 2 ** 20);
		await Promise.race([
			rejectsWith(
				archive,
				/layer 2 .*unpacks to more than 1000000 bytes, which looks like a decompression bomb\. If the image is genuine, raise the limit with --max-layer-bytes/,
				{maxLayerBytes: 1_000_000},
			),
			hang,
		]).finally(() => clearTimeout(timer));
	});

	test('--max-layer-bytes raises the limit for a genuine highly compressible layer', async () => {
		const image = await readArchiveBuffer(await bombArchive(8 * 2 ** 20), {maxLayerBytes: 16 * 2 ** 20});
		assert.equal(image.layers[1]!.entries.entry(0).size, 8 * 2 ** 20);
	});

	// Speed is the benchmark's business: the test's timeout only catches a hang or quadratic blow-up.
	test('10,000 layers are read and analysed', {timeout: 300_000}, async () => {
		const many: ImageSpec = {
			layers: Array.from({length: 10_000}, (_, index) => ({
				createdBy: `RUN step ${index}`,
				files: [{path: `f${index % 50}`, content: String(index)}],
			})),
		};
		const archive = await buildImageArchive(many, {format: 'oci', compression: 'none'});
		const image = await readArchiveBuffer(archive);
		const analysis = analyzeImage(image);
		assert.equal(analysis.image.layerCount, 10_000);
	});
});

describe('hostile entries inside a layer', () => {
	const hostile: ImageSpec = {
		layers: [
			{
				createdBy: 'RUN hostile',
				files: [
					{path: 'ok.txt', content: 'ok'},
					{path: 'escape', rawName: '../../etc/passwd', content: 'root'},
					{path: 'absolute', rawName: '/abs/file', content: 'abs'},
					{path: 'control', rawName: 'evil\u001b[2Jname\u009b31m\u0007.txt', content: 'ctl'},
					{path: 'loop-a', type: 'symlink', linkTarget: 'loop-b'},
					{path: 'loop-b', type: 'symlink', linkTarget: 'loop-a'},
					{path: 'hard', type: 'hardlink', linkTarget: 'missing/target'},
					{path: 'never/existed', type: 'whiteout'},
					{path: 'dup.txt', content: 'one'},
					{path: 'dup.txt', content: 'four'},
				],
			},
		],
	};

	test('in-process: `..` is skipped with a warning, the rest is read and analysed', async () => {
		const image = await readArchiveBuffer(await buildImageArchive(hostile));
		const paths = image.layers[0]!.entries.toEntries().map((entry) => entry.path);
		assert.ok(!paths.some((path) => path.split('/').includes('..')), JSON.stringify(paths));
		assert.ok(paths.includes('abs/file'), 'an absolute name is read relative to the root');
		assert.ok(
			image.warnings.some((warning) => warning.includes('points outside the image root')),
			JSON.stringify(image.warnings),
		);
		const analysis = analyzeImage(image);
		// ok 2 + abs 3 + control 3 + dup (the later copy) 4; links, the whiteout and the dropped `..` add nothing.
		assert.equal(analysis.image.finalSizeBytes, 12);
	});

	test('CLI plain summary and JSON never carry a raw control character', async () => {
		const path = join(scratch, 'hostile.tar');
		writeFileSync(
			path,
			await buildImageArchive({
				layers: [
					{
						createdBy: 'RUN hostile',
						files: [
							{path: 'x', rawName: '../\u001b[2Jevil\u009b31m\u0007', content: 'x'},
							{path: 'node_modules/\u001b[31mred/.cache/big', size: 200_000},
						],
					},
					{createdBy: 'RUN rm', files: [{path: 'node_modules/\u001b[31mred/.cache/big', type: 'whiteout'}]},
				],
			}),
		);
		const summary = await runCli([path], {env: {CI: undefined}});
		assert.equal(summary.code, 0, summary.stderr);
		assert.match(summary.stdout, /skipped entry '\.\.\/\\x1b\[2Jevil\\x9b31m\\x07'/);
		const json = await runCli(['--json', path], {env: {CI: undefined}});
		assert.equal(json.code, 0, json.stderr);
		for (const [what, text] of [
			['summary', summary.stdout + summary.stderr],
			['json', json.stdout + json.stderr],
		] as const) {
			const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.exec(text);
			assert.equal(raw, null, `${what} carries U+${raw?.[0].charCodeAt(0).toString(16)}`);
		}

		assert.ok(JSON.parse(json.stdout), 'still valid JSON');
		assert.match(json.stdout, /node_modules\/\\u001b\[31mred\/\.cache\/big/);
	});

	test('CLI on a file that is not an image: one line, exit 2', async () => {
		const path = join(scratch, 'notes.txt');
		writeFileSync(path, 'hello\n'.repeat(200));
		const result = await runCli([path], {env: {CI: undefined}});
		assert.deepEqual(
			userErrorProblems(
				result,
				/notes\.txt is not an image archive: a text file\. Give a `docker save` archive/,
			),
			[],
		);
	});

	test('CLI on a truncated archive: one line, exit 2, and no report file left behind', async () => {
		const path = join(scratch, 'cut.tar');
		const archive = await buildImageArchive(simple);
		writeFileSync(path, archive.subarray(0, archive.length >> 1));
		const output = join(scratch, 'report.json');
		const result = await runCli([path, '--output', output], {env: {CI: undefined}});
		assert.deepEqual(userErrorProblems(result, /truncated|missing/), []);
		const {existsSync, readdirSync} = await import('node:fs');
		assert.equal(existsSync(output), false);
		assert.deepEqual(
			readdirSync(scratch).filter((name) => name.includes('report')),
			[],
		);
	});
});

/** A raw ustar header block with a valid checksum. */
function headerBlock(name: string, type: string, size: number): Buffer {
	const block = Buffer.alloc(512);
	block.write(name, 0);
	block.write('0000644\0', 100);
	block.write('0000000\0', 108);
	block.write('0000000\0', 116);
	block.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
	block.write('00000000000\0', 136);
	block.write(type, 156);
	block.write('ustar\u000000', 257);
	block.fill(0x20, 148, 156);
	let sum = 0;
	for (const byte of block) sum += byte;
	block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
	return block;
}

const rawTarSync: Buffer = await rawTar([{name: 'other.txt', content: 'not the original layer'}]);
