/**
The CLI in real terminals that misbehave: pipes on either end, a pane too small, resizes while loading,
Ctrl+C and SIGTERM at awkward moments, a crash. Each case runs the CLI inside its own tmux pty and checks
the exit code, what reached the screen and stderr, and that the terminal was handed back intact.
*/
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {basename, join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import {pathToFileURL} from 'node:url';
import {promisify} from 'node:util';
import {repositoryRoot} from '../helpers/run-cli.js';
import {startTmux, tmuxAvailable} from '../helpers/tmux.js';

const run = promisify(execFile);
const skip = tmuxAvailable();
// The machine may be shared with other test runs; the demo load is CPU-bound.
const screenTimeoutMs = 45_000;
let work = '';

before(async () => {
	if (skip) return;
	work = await mkdtemp(join(tmpdir(), 'layerlens-hostile-'));
});

after(async () => {
	if (work) await rm(work, {recursive: true, force: true});
});

const escapeCharacter = '\u001B';
// Ink's cursor library (restore-cursor) writes "show cursor" to process.stderr at exit, even when stderr
// is a file; it is the only byte sequence allowed in an otherwise empty stderr.
const showCursor = `${escapeCharacter}[?25h`;

// Each pane runs in its own folder (exports and pipes land there), so tsx is named by path and told
// where the project's tsconfig is rather than finding them from the working directory.
const tsxLoader = import.meta.resolve('tsx');
// What ps shows for the CLI once `env` has exec'd it (comm is the executable's name, cut to 15 characters).
const nodeCommandName = basename(process.execPath).slice(0, 15);
const tsconfigPath = join(repositoryRoot, 'tsconfig.json');
const cliPath = join(repositoryRoot, 'source/cli.tsx');

function shellQuote(value: string): string {
	return `'${value.replace(/'/g, `'\\''`)}'`;
}

type Launch = {
	/** CLI arguments, or a full argv (first element a path) for a driver script. */
	args?: string[];
	argv?: string[];
	size?: {columns: number; rows: number};
	/** Shell redirections/pipes placed after the command, e.g. `< /dev/null`; run in the session's folder. */
	redirect?: string;
	/** How the shell reads the exit code: `$?`, or `${PIPESTATUS[0]}` behind a pipe. */
	status?: string;
};

/**
One CLI run in a tmux pane. stderr goes to a file (so it can be checked byte for byte); the shell traps
SIGINT so a Ctrl+C that reaches the process group before raw mode still lets it record the exit code.
*/
async function launch(name: string, options: Launch = {}) {
	const dir = await mkdtemp(join(work, `${name}-`));
	const files = {exit: join(dir, 'exit'), stderr: join(dir, 'stderr'), stty: join(dir, 'stty')};
	const argv = options.argv ?? [
		process.execPath,
		'--import',
		tsxLoader,
		cliPath,
		...(options.args ?? ['--demo']),
	];
	const size = options.size ?? {columns: 160, rows: 45};
	const command = [
		`cd ${shellQuote(dir)}`,
		'trap true INT',
		`env -u CI -u NODE_OPTIONS -u NODE_TEST_CONTEXT TSX_TSCONFIG_PATH=${shellQuote(tsconfigPath)} ${argv.map(shellQuote).join(' ')} 2> ${shellQuote(files.stderr)} ${options.redirect ?? ''}`,
		`echo ${options.status ?? '$?'} > ${shellQuote(files.exit)}`,
		`stty -a > ${shellQuote(files.stty)}`,
		'sleep 60',
	].join('; ');
	const session = await startTmux(`layerlens-hostile-${name}-${process.pid}`, command, size);
	return {
		...session,
		size,
		dir,
		/** The process the pane's shell is waiting on (the CLI itself: `env` execs node). */
		async cliPid(): Promise<number> {
			const shell = await session.paneFlag('#{pane_pid}');
			const {stdout} = await run('ps', ['-o', 'pid=', '--ppid', shell]);
			const pids = stdout
				.split('\n')
				.map((line) => line.trim())
				.filter((line) => line !== '');
			assert.equal(pids.length, 1, `one child of the pane shell, got ${pids.join(', ')}`);
			return Number(pids[0]);
		},
		/**
		Waits until the pane's shell has exec'd node: from then on the stderr redirection exists and a Ctrl+C
		reaches the CLI itself, not the shell's child between fork and exec (which would die before opening it).
		*/
		async waitForCliProcess(timeoutMs = screenTimeoutMs): Promise<void> {
			const shell = await session.paneFlag('#{pane_pid}');
			const deadline = Date.now() + timeoutMs;
			while (Date.now() < deadline) {
				const {stdout} = await run('ps', ['-o', 'comm=', '--ppid', shell]).catch(() => ({stdout: ''}));
				if (stdout.split('\n').some((line) => line.trim() === nodeCommandName)) return;
				await new Promise((resolve) => setTimeout(resolve, 20));
			}

			throw new Error(
				`node did not start in the pane within ${timeoutMs} ms; screen:\n${await session.capture()}`,
			);
		},
		async exitCode(timeoutMs = 20_000): Promise<string> {
			const deadline = Date.now() + timeoutMs;
			while (Date.now() < deadline) {
				const code = (await readFile(files.exit, 'utf8').catch(() => '')).trim();
				if (code !== '') return code;
				await new Promise((resolve) => setTimeout(resolve, 150));
			}

			throw new Error(`the CLI did not exit within ${timeoutMs} ms; screen:\n${await session.capture()}`);
		},
		stderr: async () => readFile(files.stderr, 'utf8'),
		/** Call after exitCode(): the shell runs `stty -a` right after the CLI ends. */
		async assertTerminalRestored() {
			let stty = '';
			const deadline = Date.now() + 5000;
			while (stty === '' && Date.now() < deadline) {
				stty = await readFile(files.stty, 'utf8').catch(() => '');
				if (stty === '') await new Promise((resolve) => setTimeout(resolve, 100));
			}

			assert.match(stty, /(^|\s)icanon(\s|$)/, 'canonical mode restored');
			assert.match(stty, /(^|\s)echo(\s|$)/, 'echo restored');
			assert.match(stty, /(^|\s)isig(\s|$)/, 'Ctrl+C sends SIGINT again');
			assert.equal(await session.paneFlag('#{alternate_on}'), '0', 'left the alternate screen');
			assert.equal(await session.paneFlag('#{cursor_flag}'), '1', 'cursor visible');
		},
	};
}

type Session = Awaited<ReturnType<typeof launch>>;

/** The whole explorer frame is on screen: its first row at the top, nothing wider or taller than the pane. */
function assertFrameFits(screen: string, size: {columns: number; rows: number}): void {
	const lines = screen.replace(/\n$/, '').split('\n');
	assert.ok(lines.length <= size.rows, `${lines.length} lines on a ${size.rows}-row pane`);
	assert.match(lines[0] ?? '', /^ Layers \(10\)/, 'the frame starts on the first row (nothing scrolled off)');
	assert.ok(
		lines.every((line) => line.length <= size.columns),
		'no line wider than the pane',
	);
	assert.ok(
		lines.some((line) => line.includes('q quit')),
		'the footer is on screen',
	);
}

/** No Node warning, no stack, no raw-mode complaint: stderr is empty apart from Ink's cursor reset. */
async function assertQuietStderr(session: Session): Promise<void> {
	assert.equal((await session.stderr()).replace(showCursor, ''), '');
}

// bash's exit status of the CLI rather than of `cat` at the end of the pipe.
const pipelineFirstStatus = ['$', '{PIPESTATUS[0]}'].join('');

const isExplorer = (screen: string) => screen.includes('q quit') && /^ Layers \(10\)/.test(screen);

describe('hostile terminals (tmux)', {skip, concurrency: 3}, () => {
	test('1. stdout piped (`--demo | cat`): plain summary, exit 0, no escapes, terminal untouched', async () => {
		const session = await launch('pipe', {redirect: '| cat > out.txt', status: pipelineFirstStatus});
		try {
			assert.equal(await session.exitCode(screenTimeoutMs), '0');
			const output = await readFile(join(session.dir, 'out.txt'), 'utf8');
			assert.ok(!output.includes(escapeCharacter), 'no escape sequences on a pipe');
			assert.match(output, /Run in a terminal for the explorer/);
			assert.equal(await session.stderr(), '', 'nothing on stderr, not even a cursor reset');
			await session.assertTerminalRestored();
		} finally {
			await session.kill();
		}
	});
	test('2. stdin not a terminal (`< /dev/null`) on a terminal stdout: plain summary, no raw mode error', async () => {
		const session = await launch('stdin-null', {redirect: '< /dev/null'});
		try {
			assert.equal(await session.exitCode(screenTimeoutMs), '0');
			const screen = await session.capture();
			assert.match(screen, /Run in a terminal for the explorer/);
			assert.match(screen, /LL-SECRET-ENV/);
			assert.doesNotMatch(await session.stderr(), /Raw mode/);
			await assertQuietStderr(session);
			await session.assertTerminalRestored();
		} finally {
			await session.kill();
		}
	});

	test('3. a 60x15 pane says it is too small and nothing else; growing it shows the explorer; q exits 0', async () => {
		const session = await launch('small', {size: {columns: 60, rows: 15}});
		try {
			const small = await session.waitFor((screen) => screen.includes('Terminal too small'), screenTimeoutMs);
			const lines = small.split('\n').filter((line) => line.trim() !== '');
			assert.deepEqual(
				lines,
				[
					'Terminal too small (60×15): layerlens needs at least 80×20.',
					'Enlarge the window, or press q to quit.',
				],
				'the whole message, wrapped to the pane width, including how to quit',
			);
			await session.resize(160, 45);
			const grown = await session.waitFor(isExplorer, screenTimeoutMs);
			assertFrameFits(grown, {columns: 160, rows: 45});
			await session.resize(30, 4);
			const tiny = await session.waitFor((screen) => screen.includes('Terminal too small (30×4)'));
			assert.deepEqual(
				tiny.split('\n').filter((line) => line.trim() !== ''),
				['Terminal too small (30×4):', 'layerlens needs at least', '80×20. Enlarge the window, or'],
				'clipped to the rows the pane has, nothing scrolled',
			);
			await session.sendKeys('q');
			assert.equal(await session.exitCode(), '0');
			await session.assertTerminalRestored();
			await assertQuietStderr(session);
		} finally {
			await session.kill();
		}
	});

	test('4. a 50x3 pane while loading shows a clipped progress view; resizing then: the explorer fits the new size', async () => {
		const session = await launch('resize-load', {size: {columns: 50, rows: 3}});
		try {
			const loading = await session.waitFor(
				(screen) => screen.includes('reading the demo image'),
				screenTimeoutMs,
			);
			assert.match(
				loading,
				/^layerlens · reading the demo image\n/,
				'the progress view starts on the top row',
			);
			assert.equal(
				loading.split('\n').filter((line) => line.trim() !== '').length <= 2,
				true,
				'fits in rows - 1',
			);
			await session.resize(130, 38);
			const screen = await session.waitFor(isExplorer, screenTimeoutMs);
			assertFrameFits(screen, {columns: 130, rows: 38});
			assert.equal(await session.paneFlag('#{pane_width}x#{pane_height}'), '130x38');
			await session.resize(90, 24);
			assertFrameFits(
				await session.waitFor(
					(next) => isExplorer(next) && next.split('\n').every((line) => line.length <= 90),
				),
				{columns: 90, rows: 24},
			);
			await session.sendKeys('q');
			assert.equal(await session.exitCode(), '0');
			await session.assertTerminalRestored();
			await assertQuietStderr(session);
		} finally {
			await session.kill();
		}
	});

	test('5. Ctrl+C while loading exits 130 with the terminal restored', async () => {
		const session = await launch('ctrl-c-load');
		try {
			await session.waitFor((screen) => screen.includes('q or Ctrl+C to cancel'), screenTimeoutMs);
			await session.sendKeys('C-c');
			assert.equal(await session.exitCode(), '130');
			await session.assertTerminalRestored();
			await assertQuietStderr(session);
		} finally {
			await session.kill();
		}
	});

	test('5b. Ctrl+C right after start, before anything is drawn, still exits 130 with the terminal intact', async () => {
		const session = await launch('ctrl-c-start');
		try {
			await session.waitForCliProcess();
			await session.sendKeys('C-c');
			assert.equal(await session.exitCode(screenTimeoutMs), '130');
			await session.assertTerminalRestored();
			assert.doesNotMatch(await session.stderr(), /Warning|Error|at .*:\d+:\d+/);
		} finally {
			await session.kill();
		}
	});

	test('6 + 9. export asks before overwriting a real file; Ctrl+C in the explorer exits 130, terminal restored', async () => {
		const session = await launch('ctrl-c-ui');
		try {
			assertFrameFits(await session.waitFor(isExplorer, screenTimeoutMs), session.size);
			await session.sendKeys('e');
			const menu = await session.waitFor((screen) => /Path: \S+\.md/.test(screen));
			const name = /Path: (\S+\.md)/.exec(menu)![1]!;
			const target = join(session.dir, name);
			await writeFile(target, 'mine\n');
			await session.sendKeys('Enter', 'Enter');
			await session.waitFor((screen) => screen.includes(`${name} exists. Overwrite it? (y/n)`));
			await session.sendKeys('n');
			assert.equal(await readFile(target, 'utf8'), 'mine\n', 'n keeps the file');
			await session.sendKeys('Enter');
			await session.waitFor((screen) => screen.includes('Overwrite it? (y/n)'));
			await session.sendKeys('y');
			await session.waitFor((screen) => screen.includes('Wrote '));
			assert.match(await readFile(target, 'utf8'), /^# /, 'y replaces it with the Markdown report');
			await session.sendKeys('Enter');
			assertFrameFits(await session.waitFor(isExplorer), session.size);
			await session.sendKeys('C-c');
			assert.equal(await session.exitCode(), '130');
			await session.assertTerminalRestored();
			await assertQuietStderr(session);
		} finally {
			await session.kill();
		}
	});

	test('7. SIGTERM while the explorer is open exits 143, terminal restored', async () => {
		const session = await launch('sigterm');
		try {
			assertFrameFits(await session.waitFor(isExplorer, screenTimeoutMs), session.size);
			process.kill(await session.cliPid(), 'SIGTERM');
			assert.equal(await session.exitCode(), '143');
			await session.assertTerminalRestored();
			await assertQuietStderr(session);
		} finally {
			await session.kill();
		}
	});

	test('7b. the terminal going away (tmux session killed) ends the process instead of leaving it spinning', async () => {
		const session = await launch('hangup');
		let pid = 0;
		try {
			await session.waitFor(isExplorer, screenTimeoutMs);
			pid = await session.cliPid();
		} finally {
			await session.kill();
		}

		const deadline = Date.now() + 10_000;
		let isAlive = true;
		while (isAlive && Date.now() < deadline) {
			try {
				process.kill(pid, 0);
				await new Promise((resolve) => setTimeout(resolve, 200));
			} catch {
				isAlive = false;
			}
		}

		if (isAlive) process.kill(pid, 'SIGKILL');
		assert.equal(isAlive, false, 'layerlens still running 10 s after its terminal was closed');
	});

	test('8. a crash inside a component: terminal restored, the error and where to report it, exit 1', async () => {
		// No input to the real CLI makes a component throw, so a driver feeds runExplorer an analysis
		// without layers (as test/ui-run-explorer.test.tsx does); everything after load is the production path.
		const driver = join(work, 'crash-driver.mjs');
		await writeFile(
			driver,
			[
				`import {runExplorer} from ${JSON.stringify(pathToFileURL(join(repositoryRoot, 'source/ui/run-explorer.tsx')).href)};`,
				`import {sampleAnalysis} from ${JSON.stringify(pathToFileURL(join(repositoryRoot, 'test/helpers/sample-analysis.ts')).href)};`,
				'const analysis = {...sampleAnalysis(), layers: undefined};',
				'const data = {analysis, readFile: async () => Buffer.alloc(0), defaultExportName: "x"};',
				// The progress view is up (raw mode, alternate screen) before the broken data arrives.
				'const load = () => new Promise((resolve) => setTimeout(() => resolve(data), 1500));',
				'process.exitCode = await runExplorer({title: "broken:latest", load});',
			].join('\n'),
		);
		const session = await launch('crash', {argv: [process.execPath, '--import', tsxLoader, driver]});
		try {
			assert.equal(await session.exitCode(screenTimeoutMs), '1');
			await session.assertTerminalRestored();
			const stderr = (await session.stderr()).replace(showCursor, '');
			assert.match(stderr, /^layerlens crashed: TypeError: /);
			assert.match(stderr, /Please report it at https:\/\/github\.com\/layerlens\/layerlens\/issues\n$/);
			assert.doesNotMatch(stderr, /Warning/);
		} finally {
			await session.kill();
		}
	});
});
