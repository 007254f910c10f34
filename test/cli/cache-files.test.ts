/**
The analysis cache trusts nothing but the user's own regular files in a directory only the user can write
(issue 17): a symlink to /dev/zero, a FIFO, another user's file and a world-writable directory are misses,
never a hang and never served. Plus the size cap (LRU), --clear-cache and the XDG location. The CLI runs as
a child process against a real cache directory.
*/
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {
	chmodSync,
	chownSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	rmSync,
	statSync,
	symlinkSync,
	unlinkSync,
	utimesSync,
	writeFileSync,
} from 'node:fs';
import {tmpdir} from 'node:os';
import {basename, join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import {
	cacheFileName,
	cacheMaxBytes,
	clearCacheDirectory,
	defaultCacheMaxBytes,
	evictCacheFiles,
	readCacheFile,
} from '../../source/cache/cache-files.js';
import {imageCacheDirectory} from '../../source/cache/image-cache.js';
import type {JsonReport} from '../../source/report/json.js';
import {resealReport} from '../helpers/cache-forgery.js';
import {type ImageSpec, writeImageArchive} from '../helpers/fixture-writer.js';
import {describeRun, runCli} from '../helpers/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'layerlens-cache-files-'));
after(() => rmSync(scratch, {recursive: true, force: true}));
const archive = join(scratch, 'image.tar');
const isRoot = process.getuid?.() === 0;

const spec: ImageSpec = {
	layers: [
		{
			createdBy: 'ADD base',
			files: [
				{path: 'etc/os-release', content: 'ID=debian\n'},
				{path: 'bin/tool', size: 3000},
			],
		},
	],
};

before(async () => {
	await writeImageArchive(spec, archive);
});

/** A fresh XDG cache home with the archive analysed once into it; returns the layerlens directory and its files. */
async function primedCache(
	name: string,
): Promise<{home: string; directory: string; bin: string; report: string}> {
	const home = join(scratch, name);
	mkdirSync(home);
	const result = await runCli([archive, '--json'], {env: {XDG_CACHE_HOME: home}});
	assert.equal(result.code, 0, describeRun(result));
	const directory = join(home, 'layerlens');
	const files = readdirSync(directory);
	const bin = files.find((file) => file.endsWith('.bin'));
	const report = files.find((file) => file.endsWith('.report.json'));
	assert.ok(bin && report, `cache files written: ${files.join(', ')}`);
	return {home, directory, bin: join(directory, bin), report: join(directory, report)};
}

async function runJson(home: string): Promise<JsonReport> {
	const result = await runCli([archive, '--json'], {env: {XDG_CACHE_HOME: home}, timeoutMs: 60_000});
	assert.equal(result.timedOut, false, 'the run must not hang on the cache');
	assert.equal(result.code, 0, describeRun(result));
	return JSON.parse(result.stdout) as JsonReport;
}

/** Rewrites the cached report, sealed again, so that serving it would show: finalSizeBytes 4242. */
function tamper(reportPath: string): void {
	resealReport(reportPath, (report) => {
		report.image.finalSizeBytes = 4242;
	});
}

describe('what the cache refuses to read', {concurrency: 1}, () => {
	test('the cache directory is created 0700 under $XDG_CACHE_HOME/layerlens', async () => {
		const {home, directory} = await primedCache('xdg');
		assert.equal(directory, imageCacheDirectory({XDG_CACHE_HOME: home}));
		assert.equal(statSync(directory).mode & 0o777, 0o700);
	});

	test('a resealed report of the user’s own is served (the check below is real)', async () => {
		const {home, report} = await primedCache('own');
		tamper(report);
		assert.equal((await runJson(home)).image.finalSizeBytes, 4242);
	});

	test('entries that are symlinks to /dev/zero are misses, not an endless read', async () => {
		const {home, bin, report} = await primedCache('zero');
		for (const path of [bin, report]) {
			unlinkSync(path);
			symlinkSync('/dev/zero', path);
		}

		assert.equal((await readCacheFile(join(home, 'layerlens'), basename(bin), 1e12)) ?? 'miss', 'miss');
		const fresh = await runJson(home);
		assert.equal(fresh.layers.length, 1);
	});

	test('entries that are FIFOs are misses, not a hang', async () => {
		const {home, bin, report} = await primedCache('fifo');
		for (const path of [bin, report]) {
			unlinkSync(path);
			execFileSync('mkfifo', [path]);
		}

		assert.equal((await readCacheFile(join(home, 'layerlens'), basename(bin), 1e12)) ?? 'miss', 'miss');

		const fresh = await runJson(home);
		assert.equal(fresh.layers.length, 1);
	});

	test('another user’s entry is a miss, never served', {
		skip: isRoot ? false : 'needs root to chown',
	}, async () => {
		const {home, bin, report} = await primedCache('other-user');
		tamper(report);
		chownSync(report, 65_534, 65_534);
		chownSync(bin, 65_534, 65_534);
		const served = await runJson(home);
		assert.notEqual(served.image.finalSizeBytes, 4242);
	});

	test('a cache directory others can write is not trusted', async () => {
		const {home, directory, report} = await primedCache('world-writable');
		tamper(report);
		chmodSync(directory, 0o777);
		try {
			assert.notEqual((await runJson(home)).image.finalSizeBytes, 4242);
		} finally {
			chmodSync(directory, 0o700);
		}
	});

	test('a file larger than the bound is not read', async () => {
		const directory = join(scratch, 'bound');
		mkdirSync(directory, {mode: 0o700});
		const name = 'v2-0123456789abcdef0123456789abcdef01234567.bin';
		writeFileSync(join(directory, name), Buffer.alloc(1000));
		assert.equal((await readCacheFile(directory, name, 999)) ?? 'miss', 'miss');
		assert.equal((await readCacheFile(directory, name, 1000))?.length, 1000);
	});
});

describe('size cap, eviction and --clear-cache', {concurrency: 1}, () => {
	test('the cap: default 2 GB, LAYERLENS_CACHE_MAX_BYTES read by the size parser', () => {
		assert.equal(defaultCacheMaxBytes, 2e9);
		assert.equal(cacheMaxBytes({}), 2e9);
		assert.equal(cacheMaxBytes({LAYERLENS_CACHE_MAX_BYTES: '500MB'}), 500e6);
		assert.equal(cacheMaxBytes({LAYERLENS_CACHE_MAX_BYTES: '1GiB'}), 1024 ** 3);
	});

	test('eviction removes the least recently used files first, and only cache files', async () => {
		const directory = join(scratch, 'lru');
		mkdirSync(directory, {mode: 0o700});
		const names = ['a', 'b', 'c'].map((letter) => `v2-${letter.repeat(40)}.bin`);
		names.forEach((name, index) => {
			writeFileSync(join(directory, name), Buffer.alloc(100));
			utimesSync(join(directory, name), 1000 + index, 1000 + index);
		});
		writeFileSync(join(directory, 'notes.txt'), Buffer.alloc(500));
		assert.ok(names.every((name) => cacheFileName.test(name)));
		// Reading b makes it the most recently used.
		await readCacheFile(directory, names[1]!, 1e6);
		const removed = await evictCacheFiles(directory, 150);
		assert.deepEqual(removed, [names[0], names[2]]);
		assert.deepEqual(readdirSync(directory).sort(), [names[1], 'notes.txt'].sort());
	});

	test('a run keeps the cache under LAYERLENS_CACHE_MAX_BYTES', async () => {
		const home = join(scratch, 'capped');
		mkdirSync(home);
		const result = await runCli([archive, '--json'], {
			env: {XDG_CACHE_HOME: home, LAYERLENS_CACHE_MAX_BYTES: '1'},
		});
		assert.equal(result.code, 0, describeRun(result));
		const left = readdirSync(join(home, 'layerlens')).filter((name) => cacheFileName.test(name));
		assert.deepEqual(left, []);
	});

	test('layerlens --clear-cache removes the cache files, says how many, and leaves other files', async () => {
		const {home, directory} = await primedCache('clear');
		writeFileSync(join(directory, 'keep.txt'), 'not ours');
		const result = await runCli(['--clear-cache'], {env: {XDG_CACHE_HOME: home}});
		assert.equal(result.code, 0, describeRun(result));
		assert.match(result.stdout, /^Removed 2 cache files \(.+\) from .*layerlens\n$/);
		assert.deepEqual(readdirSync(directory), ['keep.txt']);
		assert.deepEqual(await clearCacheDirectory(directory), {files: 0, bytes: 0});
	});
});
