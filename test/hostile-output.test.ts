/** Writing reports where they cannot go: one line, exit 2, and never a partial or clobbered file. */
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import {isLayerlensError} from '../source/errors.js';
import {writeFileAtomic} from '../source/write-atomic.js';
import {runCli, userErrorProblems} from './helpers/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'layerlens-output-'));
after(() => rmSync(scratch, {recursive: true, force: true}));

test('--output into a missing directory: one line, exit 2, nothing written', async () => {
	const path = join(scratch, 'no', 'such', 'dir', 'report.json');
	const result = await runCli(['--demo', '--output', path], {env: {CI: undefined}});
	assert.deepEqual(
		userErrorProblems(
			result,
			/Cannot write .*report\.json: .*\/no\/such\/dir is not an existing directory\. Create the directory first or choose another path/,
		),
		[],
	);
});

test('--output into a path that cannot hold files (/proc): one line, exit 2', async () => {
	const result = await runCli(['--demo', '--output', '/proc/layerlens-report.json'], {env: {CI: undefined}});
	assert.deepEqual(userErrorProblems(result, /Cannot write \/proc\/layerlens-report\.json: E[A-Z]+\. /), []);
});

test('a full disk leaves the old file intact and no temporary file behind', async (t) => {
	const mountPoint = join(scratch, 'full');
	mkdirSync(mountPoint);
	try {
		execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint], {stdio: 'ignore'});
	} catch {
		t.skip('cannot mount a small tmpfs here (needs root)');
		return;
	}

	try {
		const path = join(mountPoint, 'report.json');
		writeFileSync(path, 'old report\n');
		await assert.rejects(writeFileAtomic(path, Buffer.alloc(1024 * 1024, 0x61)), (error: unknown) => {
			assert.ok(isLayerlensError(error));
			assert.match(error.line, /Cannot write .*report\.json: ENOSPC\. The disk is full/);
			return true;
		});
		assert.equal(readFileSync(path, 'utf8'), 'old report\n');
		assert.deepEqual(readdirSync(mountPoint), ['report.json']);
	} finally {
		execFileSync('umount', [mountPoint], {stdio: 'ignore'});
	}
});
