/**
A cache is a hint, never an answer it cannot prove. Every kind of cache file (the entries and tree `.bin`,
the `.report.json`) damaged in every way we can think of (single-byte edits sampled across the whole file,
truncation, another image's file under this image's name, forged values with the seal recomputed, reshaped
report fields, deleted secret findings) is a miss: the run equals the uncached one and the file is written
again. And `--ci` on an image holding an SSH key fails (exit 1) with or without a tampered cache, and
`--write-baseline` writes the image's own findings whatever the cache holds.
*/
import assert from 'node:assert/strict';
import {mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {mkdtemp} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import process from 'node:process';
import {after, before, describe, test} from 'node:test';
import {decodeCachedImage, imageCacheKey} from '../../source/cache/image-cache.js';
import {decodeCachedReport, reportCacheKey} from '../../source/cache/report-cache.js';
import {type CliOptions, parseCliOptions} from '../../source/cli/options.js';
import {createArchiveSource} from '../../source/image/sources/open-source.js';
import type {ReportInput} from '../../source/report/report-input.js';
import {loadImage} from '../../source/run/load-image.js';
import {readStoredReport, resealBin, resealBinHeader, resealReport} from '../helpers/cache-forgery.js';
import {type ImageSpec, writeImageArchive} from '../helpers/fixture-writer.js';
import {describeRun, runCli} from '../helpers/run-cli.js';

const secretSpec: ImageSpec = {
	layers: [
		{
			createdBy: 'ADD base',
			files: [
				{path: 'etc/os-release', content: 'ID=debian\n'},
				{path: 'bin/start', content: '#!/bin/sh -e\nexec node app/main.js\n', mode: 0o755},
				{path: 'tmp/build.log', size: 9},
				{path: 'srv/data.bin', size: 200_000},
			],
		},
		{
			createdBy: 'COPY . /app',
			files: [
				{path: 'app/main.js', content: 'console.log(1)\n'},
				{path: 'root/.ssh/id_rsa', content: '-----BEGIN OPENSSH PRIVATE KEY-----\nx\n', mode: 0o600},
				{path: 'tmp/build.log', type: 'whiteout'},
			],
		},
	],
};

const otherSpec: ImageSpec = {
	layers: [{createdBy: 'ADD other', files: [{path: 'srv/other.txt', content: 'another image\n'}]}],
};

let scratch: string;
let archive: string;
let otherArchive: string;
let cacheHome: string;
let uncached: unknown;
let imageKey: string;
let reportKey: string;
const savedEnv = {home: process.env.XDG_CACHE_HOME, secret: process.env.LAYERLENS_CACHE_SECRET};

function optionsFor(image: string, cache = true): CliOptions {
	return parseCliOptions([image], {demo: false, json: false, output: [], ci: false, cache, debug: false});
}

/** The report as the outputs see it, through JSON (undefined fields dropped as any export drops them). */
const plain = (report: ReportInput): unknown => JSON.parse(JSON.stringify(report));

const cacheDirectory = (): string => join(cacheHome, 'layerlens');
const fileOf = (suffix: string): string => {
	const names = readdirSync(cacheDirectory()).filter((name) => name.endsWith(suffix));
	assert.equal(names.length, 1, `one ${suffix} in the cache`);
	return join(cacheDirectory(), names[0]!);
};

/** A fresh cache with the secret image analysed once; its two files' good bytes. */
async function primeCache(): Promise<{bin: string; report: string; goodBin: Buffer; goodReport: Buffer}> {
	rmSync(cacheDirectory(), {recursive: true, force: true});
	await loadImage(optionsFor(archive));
	const bin = fileOf('.bin');
	const report = fileOf('.report.json');
	return {bin, report, goodBin: readFileSync(bin), goodReport: readFileSync(report)};
}

/** Run the analysis over whatever the cache holds: it must equal the uncached one, and leave good files behind. */
async function assertMissRecovers(
	label: string,
	files: {bin: string; report: string; goodBin: Buffer; goodReport: Buffer},
): Promise<void> {
	const loaded = await loadImage(optionsFor(archive));
	assert.deepEqual(plain(loaded.report), uncached, `${label}: the result is the uncached one`);
	assert.deepEqual(readFileSync(files.bin), files.goodBin, `${label}: the .bin is written again`);
	assert.deepEqual(readFileSync(files.report), files.goodReport, `${label}: the report is written again`);
}

/** Deterministic sample of byte offsets: both ends densely, the rest evenly. */
function sampledOffsets(length: number, samples: number): number[] {
	const offsets = new Set<number>();
	for (let at = 0; at < 16 && at < length; at++) {
		offsets.add(at);
		offsets.add(length - 1 - at);
	}

	for (let index = 0; index < samples; index++) offsets.add(Math.floor((index * length) / samples));
	return [...offsets].sort((a, b) => a - b);
}

/** The decoder's own refusal, never a TypeError or RangeError from a field it used unchecked. */
const isCorrupt = (error: unknown): boolean =>
	(error as Error | undefined)?.constructor.name === 'CorruptCacheError';

/** XOR masks cycled over the samples: a low bit, a case bit, the top bit, every bit. */
const masks = [0x01, 0x20, 0x80, 0xff];

/** Where the first layer's sizes column starts in a `.bin` (after magic, header length, header, padding). */
function firstSizesOffset(bin: Buffer): number {
	const end = 8 + 4 + bin.readUInt32LE(8);
	return end + ((8 - (end % 8)) % 8);
}

before(async () => {
	delete process.env.LAYERLENS_CACHE_SECRET;
	scratch = await mkdtemp(join(tmpdir(), 'layerlens-cache-tamper-'));
	archive = join(scratch, 'image.tar');
	otherArchive = join(scratch, 'other.tar');
	cacheHome = join(scratch, 'cache');
	process.env.XDG_CACHE_HOME = cacheHome;
	await writeImageArchive(secretSpec, archive);
	await writeImageArchive(otherSpec, otherArchive);
	const fresh = await loadImage(optionsFor(archive, false));
	uncached = plain(fresh.report);
	assert.ok(
		fresh.report.findings.some((finding) => finding.ruleId === 'LL-SECRET-SSH-KEY'),
		'the fixture holds an SSH key finding',
	);
	imageKey = (await imageCacheKey(createArchiveSource(archive), {cache: true}))!;
	reportKey = reportCacheKey(imageKey);
});

after(() => {
	rmSync(scratch, {recursive: true, force: true});
	if (savedEnv.home === undefined) delete process.env.XDG_CACHE_HOME;
	else process.env.XDG_CACHE_HOME = savedEnv.home;
	if (savedEnv.secret !== undefined) process.env.LAYERLENS_CACHE_SECRET = savedEnv.secret;
});

describe('a damaged or forged cache file is a miss', {concurrency: 1}, () => {
	test('the honest files decode (the checks below are real)', async () => {
		const files = await primeCache();
		assert.ok(decodeCachedImage(files.goodBin, imageKey));
		assert.deepEqual(decodeCachedReport(files.goodReport, reportKey), readStoredReport(files.report).report);
		const cached = await loadImage(optionsFor(archive));
		assert.deepEqual(plain(cached.report), uncached);
	});

	for (const kind of ['.bin', '.report.json'] as const) {
		test(`${kind}: every sampled single-byte edit is refused`, async () => {
			const files = await primeCache();
			const good = kind === '.bin' ? files.goodBin : files.goodReport;
			const offsets = sampledOffsets(good.length, 256);
			for (const [index, offset] of offsets.entries()) {
				const edited = Buffer.from(good);
				edited[offset] = edited[offset]! ^ masks[index % masks.length]!;
				if (kind === '.bin') {
					assert.throws(() => decodeCachedImage(edited, imageKey), `byte ${offset}`);
				} else {
					assert.equal(decodeCachedReport(edited, reportKey), undefined, `byte ${offset}`);
				}
			}
		});

		test(`${kind}: sampled single-byte edits on disk give the uncached result and are rewritten`, async () => {
			const files = await primeCache();
			const path = kind === '.bin' ? files.bin : files.report;
			const good = kind === '.bin' ? files.goodBin : files.goodReport;
			for (const [index, offset] of sampledOffsets(good.length, 12).entries()) {
				const edited = Buffer.from(good);
				edited[offset] = edited[offset]! ^ masks[index % masks.length]!;
				writeFileSync(path, edited);
				if (kind === '.bin') rmSync(files.report);
				await assertMissRecovers(`${kind} byte ${offset}`, files);
			}
		});

		test(`${kind}: every truncation is refused and recovered from`, async () => {
			const files = await primeCache();
			const path = kind === '.bin' ? files.bin : files.report;
			const good = kind === '.bin' ? files.goodBin : files.goodReport;
			for (const length of [
				0,
				1,
				8,
				12,
				40,
				good.length >> 1,
				good.length - 33,
				good.length - 32,
				good.length - 1,
			]) {
				const cut = good.subarray(0, length);
				if (kind === '.bin') {
					assert.throws(() => decodeCachedImage(cut, imageKey), `length ${length}`);
				} else {
					assert.equal(decodeCachedReport(cut, reportKey), undefined, `length ${length}`);
				}

				writeFileSync(path, cut);
				await assertMissRecovers(`${kind} cut at ${length}`, files);
			}
		});
	}

	test('another image’s files copied under this image’s names are refused', async () => {
		rmSync(cacheDirectory(), {recursive: true, force: true});
		await loadImage(optionsFor(otherArchive));
		const otherBin = readFileSync(fileOf('.bin'));
		const otherReport = readFileSync(fileOf('.report.json'));
		const files = await primeCache();
		assert.throws(() => decodeCachedImage(otherBin, imageKey), /checksum/);
		assert.equal(decodeCachedReport(otherReport, reportKey), undefined);
		writeFileSync(files.bin, otherBin);
		writeFileSync(files.report, otherReport);
		await assertMissRecovers('another image’s files', files);
		// The other image's .bin with only this image's report kept: the tree is never taken from it.
		writeFileSync(files.bin, otherBin);
		const loaded = await loadImage(optionsFor(archive));
		assert.ok(loaded.tree.tree.find('root/.ssh/id_rsa') !== undefined, 'the tree is this image’s');
		assert.deepEqual(readFileSync(files.bin), files.goodBin);
	});

	test('.bin: forged column values with the seal recomputed are refused', async () => {
		const files = await primeCache();
		const sizes = firstSizesOffset(files.goodBin);
		for (const value of [Number.NaN, -1e300, -1, 0.5, Number.POSITIVE_INFINITY, 2 ** 60]) {
			const forged = resealBin(files.goodBin, (content) => {
				content.writeDoubleLE(value, sizes);
				return content;
			});
			assert.throws(() => decodeCachedImage(forged, imageKey), /bad size/, `size ${value}`);
			assert.throws(() => decodeCachedImage(forged, imageKey), isCorrupt, `size ${value}`);
			writeFileSync(files.bin, forged);
			rmSync(files.report);
			await assertMissRecovers(`size ${value}`, files);
		}
	});

	test('.bin: forged header fields with the seal recomputed are refused', async () => {
		const files = await primeCache();
		type Header = {
			key: string;
			toolVersion: string;
			image: {config: Record<string, unknown>; history: unknown[]; warnings: unknown};
			layers: Array<Record<string, unknown> & {exec: unknown[]; count: number; captured: unknown}>;
			sourceState: unknown;
			tree: {removals: unknown; nodeCount: number};
		};
		const forgeries: Array<[string, (header: Header) => void]> = [
			[
				'config env not a list',
				(header) => {
					header.image.config.env = 5;
				},
			],
			[
				'config labels not strings',
				(header) => {
					header.image.config.labels = {a: 1};
				},
			],
			[
				'config extra key',
				(header) => {
					header.image.config.sneaky = ['x'];
				},
			],
			[
				'history record of the wrong type',
				(header) => {
					header.image.history = [{emptyLayer: 'no'}];
				},
			],
			[
				'history not a list',
				(header) => {
					header.image.history = {} as never;
				},
			],
			[
				'warnings not strings',
				(header) => {
					header.image.warnings = [null];
				},
			],
			[
				'exec of an unknown kind',
				(header) => {
					header.layers[0]!.exec = [[0, {kind: 'pe'}]];
				},
			],
			[
				'exec elf with needed not a list',
				(header) => {
					header.layers[0]!.exec = [
						[0, {kind: 'elf', bits: 64, machine: 62, type: 'exec', needed: 'libc', runpath: []}],
					];
				},
			],
			[
				'exec row out of range',
				(header) => {
					header.layers[0]!.exec = [[999, {kind: 'script', interpreter: '/bin/sh'}]];
				},
			],
			[
				'exec row negative',
				(header) => {
					header.layers[0]!.exec = [[-1, {kind: 'script', interpreter: '/bin/sh'}]];
				},
			],
			[
				'layer count negative',
				(header) => {
					header.layers[0]!.count = -1;
				},
			],
			[
				'layer count too large',
				(header) => {
					header.layers[0]!.count += 1;
				},
			],
			[
				'tarSizeBytes NaN',
				(header) => {
					header.layers[0]!.tarSizeBytes = null;
				},
			],
			[
				'captured not a list',
				(header) => {
					header.layers[0]!.captured = 'x';
				},
			],
			[
				'a layer too many',
				(header) => {
					header.layers.push({...header.layers[0]!});
				},
			],
			[
				'source state not strings',
				(header) => {
					header.sourceState = [1];
				},
			],
			[
				'tree removal out of range',
				(header) => {
					header.tree.removals = [[1, [99]]];
				},
			],
			[
				'tree node count zero',
				(header) => {
					header.tree.nodeCount = 0;
				},
			],
			[
				'another image’s key',
				(header) => {
					header.key = `${header.key}x`;
				},
			],
			[
				'another tool version',
				(header) => {
					header.toolVersion = '0.0.0-other';
				},
			],
		];
		for (const [label, edit] of forgeries) {
			const forged = resealBinHeader(files.goodBin, (header) => edit(header as unknown as Header));
			assert.throws(() => decodeCachedImage(forged, imageKey), isCorrupt, label);

			writeFileSync(files.bin, forged);
			rmSync(files.report);
			await assertMissRecovers(label, files);
		}
	});

	test('.report.json: reshaped fields with the seal recomputed are refused', async () => {
		const files = await primeCache();
		type Report = Record<string, unknown> & {
			image: Record<string, unknown>;
			layers: Array<Record<string, unknown>>;
			findings: Array<Record<string, unknown>>;
			efficiency: Record<string, unknown>;
			waste: Record<string, unknown>;
			history: Array<Record<string, unknown>>;
			suggestion?: Record<string, unknown>;
		};
		const forgeries: Array<[string, (report: Report) => void]> = [
			[
				'finding paths not a list',
				(report) => {
					report.findings[0]!.paths = 'root/.ssh/id_rsa';
				},
			],
			[
				'finding bytes negative',
				(report) => {
					report.findings[0]!.bytes = -5;
				},
			],
			[
				'finding layer out of range',
				(report) => {
					report.findings[0]!.layerIndex = 99;
				},
			],
			[
				'finding category unknown',
				(report) => {
					report.findings[0]!.category = 'harmless';
				},
			],
			[
				'findings not a list',
				(report) => {
					report.findings = {} as never;
				},
			],
			[
				'image size negative',
				(report) => {
					report.image.sizeBytes = -1;
				},
			],
			[
				'image size fractional',
				(report) => {
					report.image.sizeBytes = 0.5;
				},
			],
			[
				'image layer count wrong',
				(report) => {
					report.image.layerCount = 7;
				},
			],
			[
				'image config missing',
				(report) => {
					delete report.image.config;
				},
			],
			[
				'layers an object',
				(report) => {
					report.layers = {} as never;
				},
			],
			[
				'layer index out of order',
				(report) => {
					report.layers[0]!.index = 1;
				},
			],
			[
				'layer size a string',
				(report) => {
					report.layers[0]!.sizeBytes = '12';
				},
			],
			[
				'efficiency score NaN (null in JSON)',
				(report) => {
					report.efficiency.score = null;
				},
			],
			[
				'waste items not a list',
				(report) => {
					report.waste.items = 3;
				},
			],
			[
				'history layer out of range',
				(report) => {
					report.history[0]!.layerIndex = 42;
				},
			],
			[
				'suggestion notes not strings',
				(report) => {
					report.suggestion!.notes = [1];
				},
			],
			[
				'an extra field',
				(report) => {
					report.extra = 1;
				},
			],
			[
				'warnings missing',
				(report) => {
					delete report.warnings;
				},
			],
		];
		for (const [label, edit] of forgeries) {
			writeFileSync(files.report, files.goodReport);
			resealReport(files.report, (report) => edit(report as unknown as Report));
			assert.equal(decodeCachedReport(readFileSync(files.report), reportKey), undefined, label);
			await assertMissRecovers(label, files);
		}
	});

	test('.report.json: secret findings deleted without the seal are a miss; resealed, only the explorer and reports may see it', async () => {
		const files = await primeCache();
		const withoutSecrets = (text: string): string => {
			const stored = JSON.parse(text) as {report: {findings: Array<{category: string}>}};
			stored.report.findings = stored.report.findings.filter((finding) => finding.category !== 'secret');
			// Keep the file's own seal member: the edit is someone's, not the cache's.
			return JSON.stringify(stored);
		};
		writeFileSync(files.report, withoutSecrets(files.goodReport.toString('utf8')));
		await assertMissRecovers('secret findings deleted', files);

		// Sealed again by a forger: without a secret nothing tells it from an honest file, so a run that is no
		// verdict may serve it (the CI tests below show a verdict never does).
		resealReport(files.report, (report) => {
			report.findings = (report.findings as Array<{category: string}>).filter(
				(finding) => finding.category !== 'secret',
			);
		});
		const served = await loadImage(optionsFor(archive));
		assert.equal(served.report.findings.filter((finding) => finding.category === 'secret').length, 0);
	});
});

describe('--ci gives the image’s own verdict whatever the cache holds', {concurrency: 1}, () => {
	let ciHome: string;
	const ci = async (env: Record<string, string | undefined> = {}) => {
		const result = await runCli([archive, '--ci'], {
			env: {XDG_CACHE_HOME: ciHome, LAYERLENS_CACHE_SECRET: undefined, ...env},
			cwd: scratch,
		});
		assert.equal(result.timedOut, false);
		return result;
	};

	const ciFile = (suffix: string): string => {
		const directory = join(ciHome, 'layerlens');
		const name = readdirSync(directory).find((candidate) => candidate.endsWith(suffix));
		assert.ok(name, `a ${suffix} in ${directory}`);
		return join(directory, name);
	};

	/** Analyse the image into a fresh cache (sealed with `secret` when given). */
	async function primeCiCache(name: string, secret?: string): Promise<void> {
		ciHome = join(scratch, name);
		mkdirSync(ciHome);
		const primed = await runCli([archive, '--json'], {
			env: {XDG_CACHE_HOME: ciHome, LAYERLENS_CACHE_SECRET: secret},
			cwd: scratch,
		});
		assert.equal(primed.code, 0, describeRun(primed));
	}

	const dropSecrets = (report: Record<string, unknown>): void => {
		report.findings = (report.findings as Array<{category: string}>).filter(
			(finding) => finding.category !== 'secret',
		);
	};

	test('without a cache: exit 1 on the SSH key', async () => {
		ciHome = join(scratch, 'ci-none');
		const result = await ci();
		assert.equal(result.code, 1, describeRun(result));
		assert.match(result.stdout, /LL-SECRET-SSH-KEY/);
	});

	test('with the secret findings deleted from the report, sealed again or not: exit 1, the cache left alone', async () => {
		await primeCiCache('ci-forged');
		const report = ciFile('.report.json');
		const stored = readFileSync(report, 'utf8');
		writeFileSync(report, stored.replace(/"category":"secret"/g, '"category":"waste"'));
		assert.equal((await ci()).code, 1);

		resealReport(report, dropSecrets);
		// The entries forged too: the SSH key's size column set to NaN, sealed again.
		const bin = ciFile('.bin');
		writeFileSync(
			bin,
			resealBin(readFileSync(bin), (content) => {
				content.writeDoubleLE(Number.NaN, firstSizesOffset(content));
				return content;
			}),
		);
		const forgedReport = readFileSync(report);
		const forgedBin = readFileSync(bin);
		const result = await ci();
		assert.equal(result.code, 1, describeRun(result));
		assert.match(result.stdout, /LL-SECRET-SSH-KEY/);
		// Without the secret a verdict neither reads nor writes the cache.
		assert.deepEqual(readFileSync(report), forgedReport);
		assert.deepEqual(readFileSync(bin), forgedBin);
		// The same forgery is what a plain run without the secret would serve (the check above is real).
		const served = await runCli([archive, '--json'], {env: {XDG_CACHE_HOME: ciHome}, cwd: scratch});
		assert.equal(
			(JSON.parse(served.stdout) as ReportInput).findings.filter((finding) => finding.category === 'secret')
				.length,
			0,
		);
	});

	test('with LAYERLENS_CACHE_SECRET: an honest hit is used and fails; a forgery sealed without the secret is a miss', async () => {
		await primeCiCache('ci-secret', 'ci-secret-value');
		const report = ciFile('.report.json');
		const honest = await ci({LAYERLENS_CACHE_SECRET: 'ci-secret-value'});
		assert.equal(honest.code, 1, describeRun(honest));
		assert.doesNotMatch(honest.stdout + honest.stderr, /ci-secret-value/, 'the secret is never printed');

		// A report sealed with the secret is trusted: dropping its secret findings passes (the hit is real).
		const inode = statSync(report).ino;
		resealReport(report, dropSecrets, {LAYERLENS_CACHE_SECRET: 'ci-secret-value'});
		const trusted = await ci({LAYERLENS_CACHE_SECRET: 'ci-secret-value'});
		assert.equal(trusted.code, 0, describeRun(trusted));

		// Sealed without the secret, as anyone who can write the directory could: a miss, recomputed, rewritten.
		resealReport(report, dropSecrets);
		const forged = await ci({LAYERLENS_CACHE_SECRET: 'ci-secret-value'});
		assert.equal(forged.code, 1, describeRun(forged));
		assert.notEqual(statSync(report).ino, inode, 'the forged report was replaced');
		const rewritten = readStoredReport(report).report.findings as Array<{category: string}>;
		assert.ok(rewritten.some((finding) => finding.category === 'secret'));
	});
});

describe('--write-baseline is written from the image, not from the cache', {concurrency: 1}, () => {
	/** The baseline `--write-baseline` writes with the cache at `home` (and the given environment). */
	async function writeBaseline(
		home: string,
		name: string,
		args: string[] = [],
		env: Record<string, string | undefined> = {},
	): Promise<{entries: Array<{ruleId: string; path: string}>}> {
		const path = join(scratch, name);
		const result = await runCli([archive, '--write-baseline', path, ...args], {
			env: {XDG_CACHE_HOME: home, LAYERLENS_CACHE_SECRET: undefined, ...env},
			cwd: scratch,
		});
		assert.equal(result.timedOut, false);
		assert.equal(result.code, 0, describeRun(result));
		return JSON.parse(readFileSync(path, 'utf8')) as {entries: Array<{ruleId: string; path: string}>};
	}

	/** A forger's report: the SSH key finding also on a path the image does not hold (to be accepted later). */
	const addForeignKey = (report: Record<string, unknown>): void => {
		const findings = report.findings as Array<{ruleId: string; groups: Array<{path: string}>}>;
		const key = findings.find((finding) => finding.ruleId === 'LL-SECRET-SSH-KEY');
		assert.ok(key, 'the stored report holds the SSH key finding');
		findings.push({
			...key,
			groups: key.groups.map((group) => ({...group, path: 'home/deploy/.ssh/id_ed25519'})),
		});
	};

	test('a forged, sealed-again report neither adds nor drops an entry, and is left alone', async () => {
		const home = join(scratch, 'baseline-forged');
		mkdirSync(home);
		const honest = await writeBaseline(home, 'honest.json', ['--no-cache']);
		assert.ok(honest.entries.some((entry) => entry.ruleId === 'LL-SECRET-SSH-KEY'));
		assert.ok(!honest.entries.some((entry) => entry.path === 'home/deploy/.ssh/id_ed25519'));

		const primed = await runCli([archive, '--json'], {env: {XDG_CACHE_HOME: home}, cwd: scratch});
		assert.equal(primed.code, 0, describeRun(primed));
		const directory = join(home, 'layerlens');
		const report = join(directory, readdirSync(directory).find((name) => name.endsWith('.report.json'))!);
		resealReport(report, addForeignKey);
		const forged = readFileSync(report);
		// The forgery is what a run that is no verdict serves (the check below is real).
		const served = await runCli([archive, '--json'], {env: {XDG_CACHE_HOME: home}, cwd: scratch});
		assert.match(served.stdout, /home\/deploy\/\.ssh\/id_ed25519/);

		assert.deepEqual(await writeBaseline(home, 'from-cache.json'), honest);
		assert.deepEqual(
			readFileSync(report),
			forged,
			'without the secret the cache is neither read nor written',
		);
	});

	test('with LAYERLENS_CACHE_SECRET a report sealed without it is a miss', async () => {
		const home = join(scratch, 'baseline-secret');
		mkdirSync(home);
		const env = {LAYERLENS_CACHE_SECRET: 'baseline-secret-value'};
		const honest = await writeBaseline(home, 'secret-honest.json', [], env);
		const directory = join(home, 'layerlens');
		const report = join(directory, readdirSync(directory).find((name) => name.endsWith('.report.json'))!);
		resealReport(report, addForeignKey);
		assert.deepEqual(await writeBaseline(home, 'secret-forged.json', [], env), honest);
	});
});
