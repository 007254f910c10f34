/**
Reads of hostile input: endless zeros (from stdin, as a path, after a valid archive), FIFOs nobody writes
to (as the image, `--dockerfile`, `./.layerlens.yml`, `diff --ci --config`) that must still end on SIGINT/SIGTERM, oversized and
endless local files, a zstd layer starting with a skippable frame, a gzip layer unpacking into millions of
tree nodes, compressed `docker save` archives and files that are no archive at all. The CLI runs as a
child process; every hang is bounded by a generous kill timeout that the test asserts was not reached.
*/
import assert from 'node:assert/strict';
import {type ChildProcess, execFileSync, spawn} from 'node:child_process';
import {
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	readlinkSync,
	rmSync,
	symlinkSync,
	writeFileSync,
} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import {setTimeout as delay} from 'node:timers/promises';
import {fileURLToPath} from 'node:url';
import {gzipSync} from 'node:zlib';
import {findCredentials} from '../../source/image/sources/registry/credentials.js';
import {LayerlensError} from '../../source/shared/errors.js';
import {PathBudget} from '../../source/shared/memory-budget.js';
import {readRegularFile} from '../../source/shared/read-local-file.js';
import {buildImageArchive, type ImageSpec, readArchiveBuffer} from '../helpers/fixture-writer.js';
import {rawLayerImage, swapLayerBlob, wideDeepArchive, zstdWindowBlob} from '../helpers/hostile-inputs.js';
import {
	type CliResult,
	cliCommand,
	describeRun,
	type RunCliOptions,
	runCli,
	userErrorProblems,
} from '../helpers/run-cli.js';
import {entry, tarOf} from '../helpers/tar-blocks.js';

const scratch = mkdtempSync(join(tmpdir(), 'layerlens-reads-'));
after(() => rmSync(scratch, {recursive: true, force: true}));
const archive = join(scratch, 'image.tar');
const rssProbe = fileURLToPath(new URL('../helpers/rss-probe.mjs', import.meta.url));
const killAfterMs = 90_000;

const spec: ImageSpec = {
	layers: [
		{
			createdBy: 'ADD base',
			files: [
				{path: 'etc/os-release', content: 'ID=debian\n'},
				{path: 'bin/tool', size: 3000},
			],
		},
		{createdBy: 'RUN add', files: [{path: 'app/main.js', content: 'hello'}]},
	],
};
let plain: Buffer;

before(async () => {
	plain = await buildImageArchive(spec);
	writeFileSync(archive, plain);
});

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/** The CLI spawned as `file args`, its output gathered; killed (and marked timedOut) after killAfterMs. */
function spawnCli(
	args: readonly string[],
	options: {cwd?: string; env?: Record<string, string>; shell?: string} = {},
): {child: ChildProcess; done: Promise<CliResult>} {
	const env: NodeJS.ProcessEnv = {...process.env, NO_COLOR: '1', ...options.env};
	delete env.NODE_OPTIONS;
	delete env.NODE_TEST_CONTEXT;
	if (options.env?.CI === undefined) delete env.CI;
	const [file, ...rest] =
		options.shell === undefined
			? cliCommand(args)
			: ['bash', '-c', options.shell.replaceAll('$LAYERLENS', cliCommand(args).map(quote).join(' '))];
	const started = Date.now();
	const child = spawn(file!, rest, {cwd: options.cwd ?? scratch, env, stdio: ['pipe', 'pipe', 'pipe']});
	let stdout = '';
	let stderr = '';
	child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
		stdout += chunk;
	});
	child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
		stderr += chunk;
	});
	child.stdin!.on('error', () => undefined);
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		child.kill('SIGKILL');
	}, killAfterMs);
	const done = new Promise<CliResult>((resolve) => {
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			resolve({
				code: code ?? undefined,
				signal: signal ?? undefined,
				stdout,
				stderr,
				timedOut,
				durationMs: Date.now() - started,
			});
		});
	});
	return {child, done};
}

/** A shell line with `$LAYERLENS` for the CLI (real pipes and redirections), stdin closed. */
async function shell(script: string, cwd = scratch): Promise<CliResult> {
	const {child, done} = spawnCli([], {shell: script, cwd});
	child.stdin!.end();
	return done;
}

/** The CLI as a child process, with its peak RSS in MiB (from the probe loaded into it). */
async function runCliMeasured(
	args: string[],
	options: RunCliOptions = {},
): Promise<{result: CliResult; rssMb: number}> {
	const rssFile = join(scratch, `rss-${Math.random().toString(36).slice(2)}`);
	const result = await runCli(args, {
		timeoutMs: 180_000,
		...options,
		env: {NODE_OPTIONS: `--import ${rssProbe}`, LAYERLENS_RSS_FILE: rssFile, ...options.env},
	});
	let rssMb = Number.NaN;
	try {
		rssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
	} catch {}

	return {result, rssMb};
}

/** The report with the name the image was opened by taken out, so two ways of reading it compare equal. */
function withoutReference(result: CliResult, reference: string): string {
	assert.equal(result.code, 0, describeRun(result));
	return result.stdout.replaceAll(JSON.stringify(reference).slice(1, -1), '<image>');
}

describe('endless zeros', () => {
	const noFiles = /stdin is not an image archive: a tar that holds no files/;

	test('/dev/zero on stdin, redirected and piped, is no image archive: one line, exit 2', async () => {
		for (const script of ['$LAYERLENS - --json < /dev/zero', 'cat /dev/zero | $LAYERLENS - --json']) {
			const result = await shell(script);
			assert.deepEqual(userErrorProblems(result, noFiles), [], script);
		}
	});

	test('/dev/zero as the path is refused before a byte is read', async () => {
		const result = await runCli(['/dev/zero', '--json'], {timeoutMs: killAfterMs});
		assert.deepEqual(
			userErrorProblems(result, /\/dev\/zero is not a regular file, a pipe or a directory/),
			[],
		);
	});

	test('a valid archive followed by endless zeros is read up to its end-of-archive marker', async () => {
		const {child, done} = spawnCli(['-', '--json']);
		const zeros = Buffer.alloc(64 * 1024);
		let open = true;
		child.stdin!.on('close', () => {
			open = false;
		});
		child.on('exit', () => {
			open = false;
		});
		// A generating stream: zeros for as long as the CLI reads them.
		const feed = async () => {
			child.stdin!.write(plain);
			while (open && !child.stdin!.destroyed) {
				if (!child.stdin!.write(zeros)) {
					await new Promise((resolve) => {
						child.stdin!.once('drain', resolve);
						child.stdin!.once('close', resolve);
						child.once('exit', resolve);
					});
				}
			}
		};

		const [result] = await Promise.all([done, feed()]);
		assert.equal(result.timedOut, false, 'the CLI kept reading zeros');
		const expected = await runCli([archive, '--json'], {timeoutMs: killAfterMs});
		assert.equal(withoutReference(result, 'stdin'), withoutReference(expected, archive));
	});
});

describe('FIFOs nobody writes to end on a signal', () => {
	/** Whether process `pid` holds `path` open (then it is waiting on it, not before it). */
	function holdsOpen(pid: number, path: string): boolean {
		try {
			return readdirSync(`/proc/${pid}/fd`).some((fd) => {
				try {
					return readlinkSync(`/proc/${pid}/fd/${fd}`) === path;
				} catch {
					return false;
				}
			});
		} catch {
			return false;
		}
	}

	async function signalWhileWaiting(
		args: string[],
		fifo: string,
		signal: 'SIGINT' | 'SIGTERM',
		options: {cwd?: string; env?: Record<string, string>} = {},
	): Promise<void> {
		rmSync(fifo, {force: true});
		execFileSync('mkfifo', [fifo]);
		const {child, done} = spawnCli(args, options);
		child.stdin!.end();
		let exited = false;
		void done.then(() => {
			exited = true;
		});
		// Polled until the CLI has the FIFO open: a blocking open() never gets there, and times the test out.
		while (!exited && !holdsOpen(child.pid!, fifo)) await delay(50);
		child.kill(signal);
		const result = await done;
		assert.equal(result.timedOut, false, `${args.join(' ')}: still running after ${signal}`);
		assert.equal(result.code, signal === 'SIGINT' ? 130 : 143, describeRun(result));
	}

	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		test(`as the image, ${signal}`, async () => {
			const fifo = join(scratch, `image-${signal}.fifo`);
			await signalWhileWaiting([fifo, '--json'], fifo, signal);
		});

		test(`as --dockerfile, ${signal}`, async () => {
			const fifo = join(scratch, `Dockerfile-${signal}.fifo`);
			await signalWhileWaiting([archive, '--json', '--dockerfile', fifo], fifo, signal);
		});

		test(`as ./.layerlens.yml in CI mode, ${signal}`, async () => {
			const cwd = join(scratch, `ci-${signal}`);
			mkdirSync(cwd, {recursive: true});
			await signalWhileWaiting([archive], join(cwd, '.layerlens.yml'), signal, {cwd, env: {CI: 'true'}});
		});

		test(`as diff --ci --config, ${signal}`, async () => {
			const fifo = join(scratch, `diff-config-${signal}.fifo`);
			await signalWhileWaiting(['diff', archive, archive, '--ci', '--config', fifo], fifo, signal);
		});
	}

	test('a FIFO as the image is still read when its writer comes later', async () => {
		const fifo = join(scratch, 'late-writer.fifo');
		execFileSync('mkfifo', [fifo]);
		const result = await shell(
			`$LAYERLENS ${quote(fifo)} --json & sleep 0.2; cat ${quote(archive)} > ${quote(fifo)}; wait`,
		);
		const expected = await runCli([archive, '--json'], {timeoutMs: killAfterMs});
		assert.equal(withoutReference(result, fifo), withoutReference(expected, archive));
	});
});

describe('local files are read with a limit', () => {
	test('a 3 GB sparse ./Dockerfile is refused with one line, in bounded memory', {
		timeout: 200_000,
	}, async () => {
		const cwd = join(scratch, 'sparse');
		mkdirSync(cwd, {recursive: true});
		execFileSync('truncate', ['-s', '3G', join(cwd, 'Dockerfile')]);
		const {result, rssMb} = await runCliMeasured([archive, '--json'], {cwd});
		assert.deepEqual(
			userErrorProblems(result, /Dockerfile \S*\/Dockerfile is too large: 3\.2 GB \(limit 4\.0 MB\)/),
			[],
		);
		assert.ok(rssMb < 400, `peak RSS ${rssMb.toFixed(0)} MiB`);
		const given = await runCli([archive, '--json', '--dockerfile', join(cwd, 'Dockerfile')], {cwd: scratch});
		assert.deepEqual(userErrorProblems(given, /Dockerfile \S+ is too large: 3\.2 GB \(limit 4\.0 MB\)/), []);
	});

	test('/dev/urandom as --dockerfile and as .dive-ci: refused past the limit', async () => {
		const {result, rssMb} = await runCliMeasured([archive, '--json', '--dockerfile', '/dev/urandom']);
		assert.deepEqual(
			userErrorProblems(result, /Dockerfile \/dev\/urandom is too large: more than 4\.0 MB/),
			[],
		);
		assert.ok(rssMb < 400, `peak RSS ${rssMb.toFixed(0)} MiB`);
		const cwd = join(scratch, 'dive-ci');
		mkdirSync(cwd, {recursive: true});
		symlinkSync('/dev/urandom', join(cwd, '.dive-ci'));
		const ci = await runCli([archive], {cwd, env: {CI: 'true'}, timeoutMs: killAfterMs});
		assert.deepEqual(userErrorProblems(ci, /Config file \S+\.dive-ci is too large: more than 1\.0 MB/), []);
	});

	test('diff --ci: a 1.5 GB sparse ./.layerlens.yml and /dev/urandom as --config are refused with one line', {
		timeout: 200_000,
	}, async () => {
		const cwd = join(scratch, 'diff-config');
		mkdirSync(cwd, {recursive: true});
		execFileSync('truncate', ['-s', '1500M', join(cwd, '.layerlens.yml')]);
		const {result, rssMb} = await runCliMeasured(['diff', archive, archive, '--ci'], {cwd});
		assert.deepEqual(
			userErrorProblems(result, /Config file \S*\/\.layerlens\.yml is too large: 1\.6 GB \(limit 1\.0 MB\)/),
			[],
		);
		assert.ok(rssMb < 400, `peak RSS ${rssMb.toFixed(0)} MiB`);
		const random = await runCliMeasured(['diff', archive, archive, '--ci', '--config', '/dev/urandom']);
		assert.deepEqual(
			userErrorProblems(random.result, /Config file \/dev\/urandom is too large: more than 1\.0 MB/),
			[],
		);
		assert.ok(random.rssMb < 400, `peak RSS ${random.rssMb.toFixed(0)} MiB`);
	});
});

describe('other local files are read with a limit too', () => {
	test('readRegularFile: a regular file within the limit only, a FIFO or a device never read', async () => {
		const small = join(scratch, 'regular.json');
		writeFileSync(small, '{"a":1}');
		const refuse = (size: number) => new Error(`too large: ${size}`);
		assert.equal((await readRegularFile(small, 100, refuse))?.toString(), '{"a":1}');
		await assert.rejects(readRegularFile(small, 3, refuse), /too large: 7/);
		const fifo = join(scratch, 'regular.fifo');
		execFileSync('mkfifo', [fifo]);
		// Opened without waiting for a writer, and not read: the promise settles with nobody writing.
		assert.equal(await readRegularFile(fifo, 100, refuse), undefined);
		assert.equal(await readRegularFile('/dev/zero', 100, refuse), undefined);
		assert.equal(await readRegularFile(join(scratch, 'missing.json'), 100, refuse), undefined);
	});

	test('registry login files: /dev/urandom and a 1 GB sparse config.json are refused by size', async () => {
		await assert.rejects(
			findCredentials('registry.example', {
				env: {REGISTRY_AUTH_FILE: '/dev/urandom', DOCKER_CONFIG: '/nonexistent'},
			}),
			(error: unknown) =>
				error instanceof LayerlensError &&
				/^Registry login file \/dev\/urandom is too large: more than 4\.0 MB/.test(error.message),
		);
		const docker = join(scratch, 'docker-config');
		mkdirSync(docker, {recursive: true});
		execFileSync('truncate', ['-s', '1G', join(docker, 'config.json')]);
		await assert.rejects(
			findCredentials('registry.example', {env: {DOCKER_CONFIG: docker, HOME: '/nonexistent'}}),
			(error: unknown) =>
				error instanceof LayerlensError &&
				/^Registry login file \S+config\.json is too large: 1\.1 GB \(limit 4\.0 MB\)/.test(error.message),
		);
	});

	test('NODE_EXTRA_CA_CERTS: a device is skipped, a 1 GB sparse bundle refused by size', async () => {
		const transport = fileURLToPath(
			new URL('../../source/image/sources/registry/transport.ts', import.meta.url),
		);
		/** trustedCas in a fresh process (it keeps its first answer): the number of CAs, or the error's message. */
		const casWith = (extra: string): {count?: number; error?: string} => {
			const script = `import {trustedCas} from ${JSON.stringify(transport)};
try { console.log(JSON.stringify({count: trustedCas({NODE_EXTRA_CA_CERTS: ${JSON.stringify(extra)}}).length})); }
catch (error) { console.log(JSON.stringify({error: error.message})); }`;
			const env: NodeJS.ProcessEnv = {...process.env};
			delete env.NODE_OPTIONS;
			delete env.NODE_TEST_CONTEXT;
			delete env.NODE_EXTRA_CA_CERTS;
			const output = execFileSync(
				process.execPath,
				['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script],
				{env, timeout: killAfterMs, encoding: 'utf8'},
			);
			return JSON.parse(output) as {count?: number; error?: string};
		};

		const none = casWith('');
		assert.ok((none.count ?? 0) > 0, JSON.stringify(none));
		assert.deepEqual(casWith('/dev/urandom'), none);
		const sparse = join(scratch, 'ca-bundle.pem');
		execFileSync('truncate', ['-s', '1G', sparse]);
		assert.match(casWith(sparse).error ?? '', /^CA bundle \S+ca-bundle\.pem is too large: 1\.1 GB/);
	});
});

describe('compressed and non-archives', () => {
	test('gzip and zstd docker save archives, from a path and from stdin, read as the plain one', async () => {
		const expected = withoutReference(await runCli([archive, '--json'], {timeoutMs: killAfterMs}), archive);
		// One raw zstd block holds the whole archive (a valid frame without a zstd encoder in the test).
		assert.ok(plain.length < 128 * 1024);
		for (const [name, bytes] of [
			['image.tar.gz', gzipSync(plain)],
			['image.tar.zst', zstdWindowBlob(20, plain)],
		] as const) {
			const path = join(scratch, name);
			writeFileSync(path, bytes);
			const fromPath = await runCli([path, '--json'], {timeoutMs: killAfterMs});
			assert.equal(withoutReference(fromPath, path), expected, name);
			const fromStdin = await runCli(['-', '--json'], {stdin: bytes, timeoutMs: killAfterMs});
			assert.equal(
				withoutReference(fromStdin, 'stdin'),
				withoutReference(await runCli(['-', '--json'], {stdin: plain}), 'stdin'),
				name,
			);
		}
	});

	test('a text file is "not an image archive: a text file", other bytes "not an image archive"', async () => {
		const text = join(scratch, 'hostname');
		writeFileSync(text, 'buildhost\n');
		const result = await runCli([text, '--json'], {timeoutMs: killAfterMs});
		assert.deepEqual(userErrorProblems(result, /hostname is not an image archive: a text file\. Give/), []);
		const binary = join(scratch, 'binary');
		writeFileSync(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...Array(600).fill(1)]));
		const other = await runCli([binary, '--json'], {timeoutMs: killAfterMs});
		assert.deepEqual(userErrorProblems(other, /binary is not an image archive\. Give/), []);
		const gzipText = await runCli(['-', '--json'], {stdin: gzipSync('just words\n'.repeat(100))});
		assert.deepEqual(
			userErrorProblems(gzipText, /stdin is not an image archive: gzip data that is not a tar/),
			[],
		);
	});

	test('a zstd layer starting with a skippable frame is read (as moby does)', async () => {
		const layerTar = tarOf([entry({name: 'hello.txt'}, 'hello')]);
		const skippable = Buffer.from([0x5a, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4]);
		const image = await readArchiveBuffer(
			await swapLayerBlob(
				await buildImageArchive(rawLayerImage(Buffer.alloc(1024)), {format: 'oci', compression: 'none'}),
				Buffer.concat([skippable, zstdWindowBlob(20, layerTar)]),
			),
		);
		assert.equal(image.layers[0]!.compression, 'zstd');
		assert.deepEqual(
			image.layers[0]!.entries.toEntries().map((item) => item.path),
			['hello.txt'],
		);
	});
});

describe('path budget', () => {
	test('counts the path segments an entry does not share with the one before it', () => {
		const counted = (paths: string[], limit: number): number => {
			const budget = new PathBudget(limit);
			let added = 0;
			for (const path of paths) {
				try {
					budget.add(path, 'layer');
					added++;
				} catch {
					break;
				}
			}

			return added;
		};

		// a, a/b, a/b/c, a/b/d, e: 5 nodes, each entry one.
		assert.equal(counted(['a', 'a/b', 'a/b/c', 'a/b/d', 'e'], 5), 5);
		// Unshared chains count whole: 3 + 3 nodes.
		assert.equal(counted(['x/d/f', 'y/d/f'], 5), 1);
		assert.equal(counted(['x/d/f', 'y/d/f'], 6), 2);
		assert.throws(
			() => new PathBudget(2).add('a/b/c', 'layer 1 (x)'),
			(error: unknown) =>
				/^layer 1 \(x\) makes the image hold more than 2 paths/.test((error as Error).message),
		);
	});

	test('the wide and deep gzip bomb stops at the path budget, quickly and in bounded memory', {
		timeout: 200_000,
	}, async () => {
		const bomb = join(scratch, 'wide-deep.tar');
		writeFileSync(bomb, await wideDeepArchive(20_000, 1000));
		const {result, rssMb} = await runCliMeasured([bomb, '--json']);
		assert.deepEqual(userErrorProblems(result, /makes the image hold more than 6000000 paths/), []);
		assert.ok(rssMb < 500, `peak RSS ${rssMb.toFixed(0)} MiB`);
	});
});
