/** Writing reports where they cannot go: one line, exit 2, and never a partial or clobbered file. */
import assert from 'node:assert/strict';
import {execFileSync, spawn, spawnSync} from 'node:child_process';
import {
	existsSync,
	linkSync,
	lstatSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	symlinkSync,
	writeFileSync,
} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import {jsonReportSchemaVersion} from '../../source/report/json.js';
import {isLayerlensError} from '../../source/shared/errors.js';
import {writeFileAtomic} from '../../source/shared/write-atomic.js';
import {writeImageArchive, writeOciLayoutDirectory} from '../helpers/fixture-writer.js';
import {cliCommand, describeRun, repositoryRoot, runCli, userErrorProblems} from '../helpers/run-cli.js';

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

const smallImage = {layers: [{createdBy: 'RUN x', files: [{path: 'app/a.txt', content: 'a'}]}]};

test('--output naming the input archive (by its path, ./path, a symlink or a hard link) is refused; the archive is intact', async () => {
	const directory = mkdtempSync(join(scratch, 'same-'));
	const archive = join(directory, 'image.tar');
	await writeImageArchive(smallImage, archive);
	const before = readFileSync(archive);
	symlinkSync('image.tar', join(directory, 'link.tar'));
	linkSync(archive, join(directory, 'hard.tar'));
	for (const output of ['image.tar', './image.tar', 'link.tar', 'hard.tar', archive]) {
		for (const flag of [`json=${output}`, `markdown=${output}`]) {
			const result = await runCli(['image.tar', '--output', flag], {cwd: directory});
			assert.deepEqual(
				userErrorProblems(
					result,
					/Refusing to write .*: it is the input image\.tar\. Choose another output path/,
				),
				[],
				flag,
			);
			assert.ok(readFileSync(archive).equals(before), `${flag} left the archive as it was`);
		}
	}

	// The CI mode's reports and the baseline writer check the same.
	const ci = await runCli(['image.tar', '--ci', '--output', 'sarif=hard.tar'], {cwd: directory});
	assert.deepEqual(userErrorProblems(ci, /Refusing to write hard\.tar: it is the input image\.tar/), []);
	const baseline = await runCli(['image.tar', '--write-baseline', 'link.tar'], {cwd: directory});
	assert.deepEqual(
		userErrorProblems(baseline, /Refusing to write link\.tar: it is the input image\.tar/),
		[],
	);
	assert.ok(readFileSync(archive).equals(before));
	assert.ok(lstatSync(join(directory, 'link.tar')).isSymbolicLink(), 'the symlink is still a symlink');
});

test('--output inside the OCI layout directory being read is refused', async () => {
	const layout = join(scratch, 'layout');
	await writeOciLayoutDirectory(smallImage, layout);
	const index = readFileSync(join(layout, 'index.json'));
	const result = await runCli([layout, '--output', `json=${join(layout, 'index.json')}`]);
	assert.deepEqual(userErrorProblems(result, /Refusing to write .*index\.json: it is inside the input /), []);
	assert.ok(readFileSync(join(layout, 'index.json')).equals(index));
});

test('--output naming a FIFO writes through it: the FIFO stays a FIFO and the reader gets the report', async () => {
	const fifo = join(scratch, 'report.fifo');
	execFileSync('mkfifo', [fifo]);
	// The reader: a child that copies the FIFO to a file (opening a FIFO for writing waits for one).
	const copy = join(scratch, 'fifo-copy.json');
	const reader = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', fifo, copy]);
	const done = new Promise((resolve) => reader.on('close', resolve));
	const result = await runCli(['--demo', '--output', `json=${fifo}`]);
	await done;
	assert.equal(result.code, 0, describeRun(result));
	assert.ok(lstatSync(fifo).isFIFO(), 'still a FIFO, not replaced by a regular file');
	assert.equal(
		(JSON.parse(readFileSync(copy, 'utf8')) as {schemaVersion: number}).schemaVersion,
		jsonReportSchemaVersion,
	);
	assert.deepEqual(
		readdirSync(scratch).filter((name) => name.endsWith('.tmp')),
		[],
	);
});

test('--output naming a character device (a null device made with mknod) keeps the device node', async (t) => {
	const device = join(scratch, 'null-device');
	if (spawnSync('mknod', [device, 'c', '1', '3']).status !== 0) {
		t.skip('mknod needs root');
		return;
	}

	for (const format of ['json', 'markdown', 'sarif']) {
		const result = await runCli(['--demo', '--output', `${format}=${device}`]);
		assert.equal(result.code, 0, describeRun(result));
		const info = lstatSync(device);
		assert.ok(info.isCharacterDevice(), `${format}: still a character device`);
		assert.equal(info.rdev, statSync('/dev/null').rdev);
	}
});

test('several --output where a later one cannot be written: exit 2 and none of them written', async () => {
	const directory = mkdtempSync(join(scratch, 'several-'));
	const result = await runCli([
		'--demo',
		'--output',
		`json=${join(directory, 'a.json')}`,
		'--output',
		`sarif=${join(directory, 'b.sarif')}`,
		'--output',
		'markdown=/proc/layerlens-report.md',
	]);
	assert.deepEqual(userErrorProblems(result, /Cannot write \/proc\/layerlens-report\.md: E[A-Z]+\. /), []);
	assert.deepEqual(readdirSync(directory), [], 'no report and no temporary file');
	// A later one a directory: the same.
	mkdirSync(join(directory, 'taken.md'));
	const second = await runCli([
		'--demo',
		'--output',
		`json=${join(directory, 'a.json')}`,
		'--output',
		`markdown=${join(directory, 'taken.md')}`,
	]);
	assert.equal(second.code, 2, describeRun(second));
	assert.deepEqual(readdirSync(directory), ['taken.md']);
	assert.deepEqual(readdirSync(join(directory, 'taken.md')), []);
});

/** The CLI with its stdout redirected by a shell (`>&-`, `> /dev/full`), run to its end. */
function runWithStdout(redirect: string, args: string[]) {
	const quoted = cliCommand(args)
		.map((part) => `'${part.replace(/'/g, `'\\''`)}'`)
		.join(' ');
	const env: NodeJS.ProcessEnv = {...process.env, XDG_CACHE_HOME: join(scratch, 'cache')};
	delete env.NODE_OPTIONS;
	delete env.NODE_TEST_CONTEXT;
	delete env.CI;
	const result = spawnSync('bash', ['-c', `exec ${quoted} ${redirect}`], {
		cwd: repositoryRoot,
		env,
		encoding: 'utf8',
		timeout: 60_000,
	});
	return {
		code: result.status ?? undefined,
		signal: result.signal ?? undefined,
		stdout: result.stdout,
		stderr: result.stderr,
		timedOut: result.error !== undefined,
		durationMs: 0,
	};
}

for (const [redirect, pattern] of [
	['>&-', /Cannot write to stdout: it is closed\. /],
	['> /dev/full', /Cannot write to stdout: the device is full \(ENOSPC\)\. /],
] as const) {
	for (const args of [
		['--demo', '--json'],
		['--demo'],
		['--demo', '--ci'],
		['--demo', '--format', 'markdown'],
	]) {
		test(`stdout ${redirect} with ${args.join(' ')}: one line, exit 2`, () => {
			const result = runWithStdout(redirect, args);
			assert.deepEqual(userErrorProblems(result, pattern), []);
		});
	}
}

test('stdout on /dev/null opened by the user is not a closed stdout', () => {
	const result = runWithStdout('> /dev/null', ['--demo', '--json']);
	assert.equal(result.code, 0, result.stderr);
	assert.equal(result.stderr, '');
});

const strace = spawnSync('strace', ['-V']).status === 0 ? undefined : 'strace is not installed';

/**
SIGINT, SIGTERM or SIGHUP while a report is being written. strace holds every fsync for seconds, so the
temporary file is there when the signal arrives, every time, on any machine speed.
*/
for (const [signal, code] of [
	['SIGINT', 130],
	['SIGTERM', 143],
	['SIGHUP', 129],
] as const) {
	test(`${signal} while the report is written: exit ${code}, no temporary file left`, {
		skip: strace,
	}, async () => {
		const directory = mkdtempSync(join(scratch, `signal-${signal}-`));
		const env: NodeJS.ProcessEnv = {...process.env, XDG_CACHE_HOME: join(directory, 'cache')};
		delete env.NODE_OPTIONS;
		delete env.NODE_TEST_CONTEXT;
		delete env.CI;
		const child = spawn(
			'strace',
			[
				'-f',
				'-qq',
				'-o',
				'/dev/null',
				'-e',
				'trace=fsync',
				'-e',
				'inject=fsync:delay_enter=3000000',
				...cliCommand(['--demo', '--output', `json=${join(directory, 'r.json')}`]),
			],
			{cwd: repositoryRoot, env, stdio: 'ignore'},
		);
		const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
		const deadline = Date.now() + 60_000;
		const temporaries = () => readdirSync(directory).filter((name) => name.endsWith('.tmp'));
		while (temporaries().length === 0 && Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 20));
		}

		assert.equal(temporaries().length, 1, 'the report is being written');
		const cli = spawnSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], {
			encoding: 'utf8',
		}).stdout.trim();
		process.kill(Number(cli), signal);
		assert.equal(await exited, code);
		assert.deepEqual(temporaries(), [], 'the temporary file was removed');
		assert.ok(!existsSync(join(directory, 'r.json')), 'and no report was put in place');
	});
}
