/**
Quitting while a real daemon image loads: q, Ctrl+C, SIGTERM and SIGHUP in the explorer (tmux), SIGTERM
and SIGINT to a report run. The load is cancelled, not left running: no analysis cache was written (a load
left running would finish and write one; no exit is timed, so a busy machine cannot fail this), no temporary
file is left, and the terminal is handed back intact. The daemon is reached through a proxy that holds the
export after its first bytes until the key or signal is sent, so the load is under way when it comes, on a
fast machine or a slow one; then the export flows again, so a load left running could finish.
*/
import assert from 'node:assert/strict';
import {execFile, spawn} from 'node:child_process';
import {mkdtemp, readdir, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import {promisify} from 'node:util';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';
import {startDockerProxy} from '../helpers/docker-proxy.js';
import {cliCommand, repositoryRoot} from '../helpers/run-cli.js';
import {startTmux, tmuxAvailable} from '../helpers/tmux.js';

const run = promisify(execFile);
const availability = await dockerAvailability({images: [fixtureImages.naive]});
const skip = dockerSkip(availability);
/**
How long to wait for the exit: long enough for a load left running to finish and write its cache (~30 s
here before the fix), so a missing cancellation shows as a cache file, whatever the machine's speed. No
test here times the exit itself.
*/
const exitWaitMs = 180_000;
let work = '';

before(async () => {
	if (skip) return;
	work = await mkdtemp(join(tmpdir(), 'layerlens-quit-'));
});

after(async () => {
	if (work) await rm(work, {recursive: true, force: true});
});

/** Every file under `directory` (the XDG cache home of one run), relative paths; empty when it does not exist. */
async function filesUnder(directory: string): Promise<string[]> {
	try {
		const entries = await readdir(directory, {recursive: true, withFileTypes: true});
		return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
	} catch {
		return [];
	}
}

function shellQuote(value: string): string {
	return `'${value.replace(/'/g, `'\\''`)}'`;
}

describe('quitting while a daemon image loads', {skip: skip ?? tmuxAvailable(), concurrency: 1}, () => {
	const cases = [
		{name: 'q', key: 'q', code: '0'},
		{name: 'Ctrl+C', key: 'C-c', code: '130'},
		{name: 'SIGTERM', signal: 'SIGTERM', code: '143'},
		{name: 'SIGHUP', signal: 'SIGHUP', code: '129'},
	] as const;
	for (const entry of cases) {
		test(`explorer: ${entry.name} during the load exits ${entry.code}, restores the terminal, writes no cache`, async () => {
			assertDockerAvailable(availability);
			const dir = await mkdtemp(join(work, `explorer-${entry.name.replace(/\W/g, '')}-`));
			const cache = join(dir, 'cache');
			const files = {exit: join(dir, 'exit'), stty: join(dir, 'stty'), stderr: join(dir, 'stderr')};
			const proxyPath = join(dir, 'docker.sock');
			const proxy = await startDockerProxy(proxyPath, undefined, {holdExports: true});
			const command = [
				'trap true INT',
				`env -u CI -u NODE_OPTIONS -u NODE_TEST_CONTEXT -u LAYERLENS_REQUIRE_DOCKER XDG_CACHE_HOME=${shellQuote(cache)} DOCKER_HOST=${shellQuote(`unix://${proxyPath}`)} ${cliCommand([fixtureImages.naive]).map(shellQuote).join(' ')} 2> ${shellQuote(files.stderr)}`,
				`echo $? > ${shellQuote(files.exit)}`,
				`stty -a > ${shellQuote(files.stty)}`,
				'sleep 60',
			].join('; ');
			const session = await startTmux(
				`layerlens-quit-${entry.name.replace(/\W/g, '')}-${process.pid}`,
				command,
			);
			try {
				// The progress screen, or the layers read so far once the daemon has named them.
				await session.waitFor(
					(screen) => screen.includes('q or Ctrl+C to cancel') || screen.includes('reading as they arrive'),
					60_000,
				);
				await proxy.exportHeld;
				const started = Date.now();
				if ('key' in entry) {
					await session.sendKeys(entry.key);
				} else {
					const shell = await session.paneFlag('#{pane_pid}');
					const {stdout} = await run('ps', ['-o', 'pid=', '--ppid', shell]);
					process.kill(Number(stdout.trim()), entry.signal);
				}
				proxy.release();

				let code = '';
				while (code === '' && Date.now() - started < exitWaitMs) {
					code = (await readFile(files.exit, 'utf8').catch(() => '')).trim();
					if (code === '') await new Promise((resolve) => setTimeout(resolve, 100));
				}

				assert.equal(code, entry.code, `exit code; screen:\n${await session.capture()}`);
				assert.deepEqual(await filesUnder(cache), [], 'no cache file and no temporary file');
				const stty = await readFile(files.stty, 'utf8');
				assert.match(stty, /(^|\s)icanon(\s|$)/, 'canonical mode restored');
				assert.match(stty, /(^|\s)echo(\s|$)/, 'echo restored');
				assert.equal(await session.paneFlag('#{alternate_on}'), '0', 'left the alternate screen');
				assert.equal(await session.paneFlag('#{cursor_flag}'), '1', 'cursor visible');
				assert.doesNotMatch(await readFile(files.stderr, 'utf8'), /Error|Warning|at .*:\d+:\d+/);
			} finally {
				await session.kill();
				await proxy.close();
			}
		});
	}

	for (const [signal, code] of [
		['SIGTERM', 143],
		['SIGINT', 130],
	] as const) {
		test(`report run: ${signal} during the load exits ${code}, writes no cache and no report`, async () => {
			assertDockerAvailable(availability);
			const dir = await mkdtemp(join(work, `report-${signal}-`));
			const cache = join(dir, 'cache');
			const env: NodeJS.ProcessEnv = {...process.env, XDG_CACHE_HOME: cache, LAYERLENS_TIMINGS: '1'};
			delete env.NODE_OPTIONS;
			delete env.NODE_TEST_CONTEXT;
			delete env.CI;
			const proxy = await startDockerProxy(join(dir, 'docker.sock'), undefined, {holdExports: true});
			env.DOCKER_HOST = `unix://${join(dir, 'docker.sock')}`;
			const [file, ...args] = cliCommand([fixtureImages.naive, '--output', `json=${join(dir, 'r.json')}`]);
			const child = spawn(file!, args, {cwd: repositoryRoot, env, stdio: ['ignore', 'ignore', 'pipe']});
			let stderr = '';
			const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
			// `start-up` is marked after the daemon answered inspect, right before the export is read.
			await new Promise<void>((resolve) => {
				child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
					stderr += chunk;
					if (stderr.includes('[timings] start-up')) resolve();
				});
				void exited.then(() => resolve());
			});
			await Promise.race([proxy.exportHeld, exited]);
			child.kill(signal);
			proxy.release();
			try {
				assert.equal(await exited, code, stderr);
				assert.doesNotMatch(stderr, /read \(or cache load\)/, 'the signal came during the load');
				assert.deepEqual(await filesUnder(cache), [], 'no cache file and no temporary file');
				assert.ok(!(await readdir(dir)).includes('r.json'), 'no report');
			} finally {
				await proxy.close();
			}
		});
	}
});
