#!/usr/bin/env node
import {fstatSync} from 'node:fs';
import process from 'node:process';
import {claimJsonFile, parseArgv} from './cli/argv.js';
import {splitBuildArgs} from './cli/build-arguments.js';
import {assertNoDiffFlags, parseDiffOptions} from './cli/diff-flags.js';
import {requestImageEarly} from './cli/early-daemon.js';
import {helpText} from './cli/help.js';
import {parseCliOptions} from './cli/options.js';
import {isStdinArgument} from './image/sources/archive/stdin-argument.js';
import {openControllingTerminal} from './run/controlling-terminal.js';
import {buildImage} from './run/modes/build-mode.js';
import {type CliOptions, type Mode, pickMode} from './run/options.js';
import {reportFatal} from './run/report-fatal.js';
import {closedStdoutError, describeStdoutError, stdoutWasClosed} from './run/stdout-state.js';
import {applyColorConventions} from './shared/color-env.js';
import {LayerlensError} from './shared/errors.js';
import {toolVersion} from './shared/version.js';
import {removeTemporaryFiles} from './shared/write-atomic.js';

const packageDescription =
	'See why a container image is big and how to make it small: layers, wasted bytes and build-only files, in your terminal.';

/** Whether stdin carries bytes to read: a pipe, a socket or a file; not a terminal and not /dev/null. */
function stdinCarriesData(): boolean {
	try {
		const info = fstatSync(0);
		return info.isFIFO() || info.isFile() || info.isSocket();
	} catch {
		return false;
	}
}

// Before any mode (and with it chalk and Ink) is imported: they read the colour level once, at import.
applyColorConventions(process.env);

// `layerlens build ARGS`: docker's arguments are set aside before layerlens reads its own (cli/build-arguments.ts).
const build = process.argv[2] === 'build' ? splitBuildArgs(process.argv.slice(3)) : undefined;
let argv: ReturnType<typeof parseArgv>;
try {
	argv = parseArgv(build ? build.layerlensArgv : process.argv.slice(2));
} catch (error) {
	reportFatal(error, false);
	process.exit(2);
}

if (argv.action === 'help') {
	process.stdout.write(`\n  ${packageDescription}\n${helpText}\n`);
	process.exit(0);
}

if (argv.action === 'version') {
	process.stdout.write(`${toolVersion}\n`);
	process.exit(0);
}

const cli = argv;
const debug = cli.flags.debug;
// React's development build costs about half of every frame; a user's terminal gets the production one.
// Set before the mode modules (and with them React) are imported below.
process.env.NODE_ENV ??= 'production';

let isFailing = false;
/** Report an escaped error once and end: a failure while reporting one (the terminal is gone) must not loop. */
function failHard(error: unknown): void {
	if (isFailing) return;
	isFailing = true;
	reportFatal(error, debug);
	process.stderr.write('', () => process.exit(process.exitCode ?? 2));
}

process.on('unhandledRejection', failHard);
process.on('uncaughtException', failHard);
// A reader that stops reading (`layerlens --json | head`) or a terminal that hangs up ends the run quietly.
for (const stream of [process.stdout, process.stderr]) {
	stream.on('error', (error: NodeJS.ErrnoException) => {
		if (error.code === 'EPIPE' || error.code === 'EIO') {
			process.exit(error.code === 'EPIPE' ? (process.exitCode ?? 0) : 129);
		}

		failHard(stream === process.stdout ? describeStdoutError(error) : error);
	});
}

// No exit path leaves a half-written `.name.<hex>.tmp` behind: not an error, not a process.exit.
process.on('exit', removeTemporaryFiles);
const signalCodes = {SIGINT: 130, SIGTERM: 143, SIGHUP: 129} as const;

/**
A signal ends a run that has no explorer at once, with the shell's code for it: the load is dropped (no cache
is written) and the exit handler removes temporary files, which a death by the signal itself would leave.
The explorer handles its own signals (it must restore the terminal first).
*/
function endOnSignals(): void {
	for (const [signal, code] of Object.entries(signalCodes)) {
		process.on(signal, () => process.exit(code));
	}
}

type Environment = {ci: boolean; stdoutIsTty: boolean; stdinIsTty: boolean};
type Terminal = ReturnType<typeof openControllingTerminal> | undefined;

/** `layerlens diff A B`: its own options and modes (run/modes/diff-mode.ts). */
async function runDiff(environment: Environment): Promise<number> {
	const {runDiffMode} = await import('./run/modes/diff-mode.js');
	const diff = claimJsonFile(cli.input.slice(1), cli.flags, 2);
	const diffOptions = parseDiffOptions(diff.input, diff.flags);
	const readsStdin = [diffOptions.a.image, diffOptions.b.image].some(
		(image) => image !== undefined && isStdinArgument(image),
	);
	const {terminal, environment: keysFrom} = keysTerminal(readsStdin, environment);
	const mode = pickMode(diffOptions.common, keysFrom);
	settleTerminal(mode, terminal);
	if (mode !== 'explorer') endOnSignals();
	return runDiffMode(diffOptions, keysFrom, terminal?.kind === 'opened' ? terminal.keys : undefined);
}

/**
When stdin carries an archive and stdout is a terminal, the terminal the keys come from (`/dev/tty`), and the
environment as the mode is picked with it: a terminal to type into.
*/
function keysTerminal(
	readsStdin: boolean,
	environment: Environment,
): {terminal: Terminal; environment: Environment} {
	const terminal =
		readsStdin && environment.stdoutIsTty && !environment.stdinIsTty ? openControllingTerminal() : undefined;
	const opened = terminal?.kind === 'opened';
	return {terminal, environment: {...environment, stdinIsTty: environment.stdinIsTty || opened}};
}

/** A terminal opened for keys is let go when the mode is not the explorer; the summary says why it is printed. */
function settleTerminal(mode: Mode, terminal: Terminal): void {
	if (mode !== 'explorer' && terminal?.kind === 'opened') terminal.close();
	if (mode === 'summary' && terminal?.kind === 'unavailable') {
		process.stderr.write(
			`layerlens: no terminal to read keys from (${terminal.reason}): printing the summary\n`,
		);
	}
}

/**
The options of a run on one image. Flags are checked before a build that may take minutes; the image built
is then read from the daemon by its ID, as `layerlens <id>` reads it.
*/
async function imageRunOptions(): Promise<CliOptions> {
	assertNoDiffFlags(cli.flags);
	if (build && (cli.flags.source ?? 'docker') !== 'docker') {
		throw new LayerlensError(`layerlens build builds with docker, not --source ${cli.flags.source}`, {
			hint: 'Drop --source',
		});
	}

	if (!build) return parseCliOptions(cli.input, cli.flags, {stdinCarriesData: stdinCarriesData()});
	const options = parseCliOptions(['pending-build'], {...cli.flags, source: 'docker'});
	// A signal during the build ends the run (docker gets it too); the explorer later handles its own.
	const onSignal = Object.entries(signalCodes).map(([signal, code]) => {
		const handler = () => process.exit(code);
		process.on(signal, handler);
		return () => process.off(signal, handler);
	});
	try {
		options.image = await buildImage(build.dockerArgs);
	} finally {
		for (const off of onSignal) off();
	}

	return options;
}

/** The mode, and the terminal keys come from when the archive is on stdin (`docker save app | layerlens`). */
function chooseMode(options: CliOptions, environment: Environment): {mode: Mode; terminal: Terminal} {
	const {terminal, environment: keysFrom} = keysTerminal(
		options.image !== undefined && isStdinArgument(options.image),
		environment,
	);
	const mode = pickMode(options, keysFrom);
	settleTerminal(mode, terminal);

	const writesStdout =
		mode !== 'explorer' &&
		(mode !== 'report' || options.reports.some((target) => target.path === undefined || target.path === '-'));
	if (writesStdout && stdoutWasClosed()) {
		throw closedStdoutError();
	}

	return {mode, terminal};
}

async function runExplorer(options: CliOptions, terminal: Terminal): Promise<number> {
	const {runExplorerMode} = await import('./run/modes/explorer-mode.js');
	const code = await runExplorerMode(options, terminal?.kind === 'opened' ? terminal.keys : undefined);
	if (terminal?.kind === 'opened') terminal.close();
	// The session is over (a quit while loading included): a load still winding down must not keep
	// the process, or write its cache, after the user left, and what it throws as it is torn down
	// (an AbortError from a destroyed stream) is not the user's concern. stderr on a file or a
	// terminal is written synchronously, so nothing is lost by exiting here.
	process.off('unhandledRejection', failHard);
	process.off('uncaughtException', failHard);
	process.on('unhandledRejection', () => undefined);
	process.on('uncaughtException', () => undefined);
	return process.exit(code);
}

/** Each mode is loaded on demand so `--json` never pays for React and Ink. */
async function runMode(mode: Mode, options: CliOptions, terminal: Terminal): Promise<number> {
	switch (mode) {
		case 'explorer': {
			return runExplorer(options, terminal);
		}

		case 'report': {
			const {runReportMode} = await import('./run/modes/report-mode.js');
			return runReportMode(options);
		}

		case 'ci': {
			const {runCiMode} = await import('./run/modes/ci-mode.js');
			return runCiMode(options);
		}

		case 'write-baseline': {
			const {runWriteBaselineMode} = await import('./run/modes/ci-mode.js');
			return runWriteBaselineMode(options);
		}

		case 'summary': {
			const {runSummaryMode} = await import('./run/modes/summary-mode.js');
			return runSummaryMode(options);
		}
	}
}

async function main(): Promise<number> {
	if (cli.flags.clearCache) {
		const {runClearCache} = await import('./run/modes/clear-cache.js');
		return runClearCache(cli.input);
	}

	const environment = {
		ci: ['true', '1', 'yes'].includes((process.env.CI ?? '').toLowerCase()),
		stdoutIsTty: Boolean(process.stdout.isTTY),
		stdinIsTty: Boolean(process.stdin.isTTY),
	};
	if (!build && cli.input[0] === 'diff') return runDiff(environment);
	const options = await imageRunOptions();
	const {mode, terminal} = chooseMode(options, environment);
	if (mode !== 'explorer') endOnSignals();
	// While the mode's modules load, the daemon is already answering.
	requestImageEarly(options, mode);
	return runMode(mode, options, terminal);
}

try {
	process.exitCode = await main();
} catch (error) {
	reportFatal(error, debug);
}
