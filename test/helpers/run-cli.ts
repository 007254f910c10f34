/** Run the real CLI (`node --import tsx source/cli.tsx`) as a child process and capture what it did. */
import {spawn} from 'node:child_process';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';

export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const cliPath = fileURLToPath(new URL('../../source/cli.tsx', import.meta.url));
// Resolved here, not by the child: `--import tsx` is looked up from the child's cwd, which a test may set elsewhere.
const tsxLoader = import.meta.resolve('tsx');

export type CliResult = {
	/** Exit code, or undefined when killed by a signal (see `signal`). */
	code: number | undefined;
	signal: NodeJS.Signals | undefined;
	stdout: string;
	stderr: string;
	/** True when the CLI outlived `timeoutMs` and was killed: a hang. */
	timedOut: boolean;
	durationMs: number;
};

export type RunCliOptions = {
	/** Variables added to (or, when undefined, removed from) the inherited environment. */
	env?: Record<string, string | undefined>;
	cwd?: string;
	/** Kill the CLI after this long; default 60 s. */
	timeoutMs?: number;
	/** Bytes piped to the CLI's stdin; without it stdin is /dev/null (a pipe would be read as the image). */
	stdin?: string | Buffer;
	/** Extra node options before the script (e.g. to run under another uid use `command`). */
	command?: {file: string; args: string[]};
};

function mergedEnvironment(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {...process.env, NO_COLOR: '1', FORCE_COLOR: '0'};
	// A test runner's own options (--test) must not leak into the child, and CI=true (as in .ci/run) would
	// switch the CLI into CI mode behind a test's back: tests that want it say so.
	delete env.NODE_OPTIONS;
	delete env.NODE_TEST_CONTEXT;
	delete env.CI;
	for (const [key, value] of Object.entries(overrides)) {
		if (value === undefined) {
			delete env[key];
		} else {
			env[key] = value;
		}
	}

	return env;
}

/** The argv that runs the CLI without a build; exported for wrappers (tmux, setpriv). */
export function cliCommand(args: readonly string[]): string[] {
	return [process.execPath, '--import', tsxLoader, cliPath, ...args];
}

/**
Run the CLI to its end with stdin given (or empty) and stdout a pipe, as in a CI job. Each run gets a
throw-away XDG cache so one run's analysis cache never answers another test; a run that outlives
`timeoutMs` is killed and reported with timedOut, never left behind.
*/
export async function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
	const cacheHome = await mkdtemp(join(tmpdir(), 'layerlens-cli-cache-'));
	try {
		return await runCliOnce(args, {...options, env: {XDG_CACHE_HOME: cacheHome, ...options.env}});
	} finally {
		await rm(cacheHome, {recursive: true, force: true});
	}
}

async function runCliOnce(args: readonly string[], options: RunCliOptions): Promise<CliResult> {
	const [file, ...rest] = options.command
		? [options.command.file, ...options.command.args, ...cliCommand(args)]
		: cliCommand(args);
	const started = Date.now();
	const child = spawn(file!, rest, {
		cwd: options.cwd ?? repositoryRoot,
		env: mergedEnvironment(options.env ?? {}),
		stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
		stdout += chunk;
	});
	child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
		stderr += chunk;
	});
	child.stdin?.on('error', () => undefined);
	child.stdin?.end(options.stdin);
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		child.kill('SIGKILL');
	}, options.timeoutMs ?? 60_000);
	const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
		child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
	});
	clearTimeout(timer);
	return {
		code: code ?? undefined,
		signal: signal ?? undefined,
		stdout,
		stderr,
		timedOut,
		durationMs: Date.now() - started,
	};
}

/**
The contract for every user error: exactly one `layerlens: ` line on stderr matching `pattern`, exit 2,
no Node warning, no stack (that is what --debug is for), nothing on stdout.
*/
export function userErrorProblems(result: CliResult, pattern: RegExp): string[] {
	const problems: string[] = [];
	if (result.timedOut) problems.push(`timed out after ${result.durationMs} ms`);
	if (result.code !== 2) problems.push(`exit code ${String(result.code)} (signal ${String(result.signal)})`);
	const lines = result.stderr.split('\n').filter((line) => line !== '');
	if (lines.length !== 1) problems.push(`stderr has ${lines.length} lines`);
	if (!lines[0]?.startsWith('layerlens: ')) problems.push('stderr does not start with "layerlens: "');
	if (!pattern.test(lines[0] ?? '')) problems.push(`stderr does not match ${String(pattern)}`);
	if (/Warning:|ExperimentalWarning|unexpected error|\bat .*:\d+:\d+/.test(result.stderr)) {
		problems.push('stderr has a warning, a bug report line or a stack');
	}

	if (result.stdout !== '') problems.push('stdout is not empty');
	return problems.length === 0 ? [] : [...problems, `stderr was: ${JSON.stringify(result.stderr)}`];
}

/** A one-paragraph account of a run, for assertion messages: a failed test should say what the CLI said. */
export function describeRun(result: CliResult): string {
	const tail = (text: string) => text.trim().split('\n').slice(-15).join('\n');
	return [
		`exit ${result.code ?? `signal ${result.signal}`}${result.timedOut ? ' (timed out)' : ''}`,
		`stderr: ${tail(result.stderr) || '(empty)'}`,
		`stdout: ${tail(result.stdout).slice(0, 2000) || '(empty)'}`,
	].join('\n');
}

/** Runs the CLI, requires exit 0 and parses stdout as JSON. */
export async function runCliJson<T = unknown>(
	args: readonly string[],
	options: RunCliOptions = {},
): Promise<T> {
	const result = await runCli(args, options);
	if (result.code !== 0) {
		throw new Error(`layerlens ${args.join(' ')} failed:\n${describeRun(result)}`);
	}

	return JSON.parse(result.stdout) as T;
}
