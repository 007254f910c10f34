import {spawn} from 'node:child_process';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';

/** The repository root: the CLI runs from its sources through tsx, so no build is needed. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const cliEntry = join(repoRoot, 'source', 'cli.tsx');
// Resolved here, not by the child: `--import tsx` is looked up from the child's cwd, which a test may set elsewhere.
const tsxLoader = import.meta.resolve('tsx');

export type CliResult = {
	/** null when the process was killed (timeout). */
	exitCode: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	timedOut: boolean;
};

export type CliRunOptions = {
	cwd?: string;
	/** Merged over a clean environment (see cliEnvironment). */
	env?: NodeJS.ProcessEnv;
	timeoutMs?: number;
};

/**
The environment every CLI run gets: the parent's, minus what would change the mode or colours behind a
test's back (CI picks --ci mode; FORCE_COLOR/NO_COLOR change text), plus a throw-away XDG cache so the
analysis cache of one run never answers another test.
*/
function cliEnvironment(cacheHome: string, extra: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {...process.env, XDG_CACHE_HOME: cacheHome};
	for (const name of ['CI', 'FORCE_COLOR', 'NO_COLOR', 'NODE_OPTIONS', 'NODE_TEST_CONTEXT']) {
		delete env[name];
	}

	return {...env, ...extra};
}

/**
Runs `node --import tsx source/cli.tsx ...args` to its end and collects everything it printed.
stdin is closed and stdout is a pipe, as in a CI job. A run that outlives `timeoutMs` is killed and
reported with timedOut, never left behind.
*/
export async function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
	const cacheHome = await mkdtemp(join(tmpdir(), 'layerlens-cli-cache-'));
	try {
		return await new Promise<CliResult>((resolvePromise, reject) => {
			const child = spawn(process.execPath, ['--import', tsxLoader, cliEntry, ...args], {
				cwd: options.cwd ?? repoRoot,
				env: cliEnvironment(cacheHome, options.env),
				stdio: ['ignore', 'pipe', 'pipe'],
			});
			const stdout: Buffer[] = [];
			const stderr: Buffer[] = [];
			let timedOut = false;
			const timer = setTimeout(() => {
				timedOut = true;
				child.kill('SIGKILL');
			}, options.timeoutMs ?? 60_000);
			child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
			child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
			child.on('error', (error) => {
				clearTimeout(timer);
				reject(error);
			});
			child.on('close', (exitCode, signal) => {
				clearTimeout(timer);
				resolvePromise({
					exitCode,
					signal,
					stdout: Buffer.concat(stdout).toString('utf8'),
					stderr: Buffer.concat(stderr).toString('utf8'),
					timedOut,
				});
			});
		});
	} finally {
		await rm(cacheHome, {recursive: true, force: true});
	}
}

/** A one-paragraph account of a run, for assertion messages: a failed e2e test should say what the CLI said. */
export function describeRun(result: CliResult): string {
	const tail = (text: string) => text.trim().split('\n').slice(-15).join('\n');
	return [
		`exit ${result.exitCode ?? `signal ${result.signal}`}${result.timedOut ? ' (timed out)' : ''}`,
		`stderr: ${tail(result.stderr) || '(empty)'}`,
		`stdout: ${tail(result.stdout).slice(0, 2000) || '(empty)'}`,
	].join('\n');
}

/** Runs the CLI, requires exit 0 and parses stdout as JSON. */
export async function runCliJson<T = unknown>(
	args: readonly string[],
	options: CliRunOptions = {},
): Promise<T> {
	const result = await runCli(args, options);
	if (result.exitCode !== 0) {
		throw new Error(`layerlens ${args.join(' ')} failed:\n${describeRun(result)}`);
	}

	return JSON.parse(result.stdout) as T;
}
