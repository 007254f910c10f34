import type {ReactElement} from 'react';
import {errorLine, errorLines, isLayerlensError, LayerlensError} from '../shared/errors.js';
import {ErrorBoundary, reportUrl} from './error-boundary.js';
import {render} from './ink.js';

/** How an interactive session ended: its exit code, and the line to print once the terminal is back (shaped by errorLine). */
export type Outcome = {code: number; line?: string};

export type TerminalSessionOptions = {
	/** The app; it calls `onDone` once, on quit or a load error. */
	app: (onDone: (outcome: Outcome) => void) => ReactElement;
	/** What to suggest when stdin is not a terminal. */
	reportHint: string;
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
	stderr?: NodeJS.WriteStream;
	/**
	Called once the session is over (the terminal restored), before the exit code is returned: undo what was
	set up for it. Here rather than in a `.finally` of the caller, which would leave a tick in which a load
	being torn down surfaces its AbortError before the CLI exits.
	*/
	onEnd?: () => void;
};

/**
One interactive session on the terminal, for the explorer and the diff explorer alike: the alternate screen,
signals (SIGTERM 143, SIGINT 130, SIGHUP 129) ending it as a quit does, a crash or a named error while
rendering turned into its line, and the terminal restored on every way out before that line is printed.
Resolves with the exit code.
*/
export async function runTerminalSession(options: TerminalSessionOptions): Promise<number> {
	const stdin = options.stdin ?? process.stdin;
	const stdout = options.stdout ?? process.stdout;
	const stderr = options.stderr ?? process.stderr;
	if (!stdin.isTTY) {
		options.onEnd?.();
		throw new LayerlensError('The interactive explorer needs a terminal on stdin', {
			hint: options.reportHint,
		});
	}

	let settle: (outcome: Outcome) => void = () => undefined;
	const finished = new Promise<Outcome>((resolve) => {
		settle = resolve;
	});
	let isDone = false;
	const onDone = (outcome: Outcome) => {
		if (isDone) return;
		isDone = true;
		settle(outcome);
	};

	const onCrash = (error: Error) => {
		// A named error while rendering (the memory budget while building a tree view) is not a crash.
		if (isLayerlensError(error)) {
			onDone({code: error.exitCode, line: errorLine(`layerlens: ${error.line}`)});
			return;
		}

		onDone({
			code: 1,
			line: `${errorLines(`layerlens crashed: ${error.stack ?? error.message}`)}\nPlease report it at ${reportUrl}`,
		});
	};

	// Signals from outside (kill, a closed terminal) end the session the same way a quit does.
	const signals = {SIGTERM: 143, SIGINT: 130, SIGHUP: 129} as const;
	const handlers = Object.entries(signals).map(([signal, code]) => {
		const handler = () => onDone({code});
		process.on(signal, handler);
		return [signal, handler] as const;
	});
	// The alternate screen keeps the user's scrollback intact; only on a real terminal.
	const useAlternateScreen = stdout.isTTY === true;
	if (useAlternateScreen) stdout.write('\u001B[?1049h');
	const instance = render(
		<ErrorBoundary onCrash={onCrash}>{options.app(onDone)}</ErrorBoundary>,
		// 60 fps keeps Ink's throttle under the 30 ms key-to-frame target (its default 30 fps adds up to 33 ms).
		{stdin, stdout, stderr, exitOnCtrlC: false, patchConsole: false, maxFps: 60},
	);
	instance.waitUntilExit().catch((error: unknown) => {
		onCrash(error instanceof Error ? error : new Error(String(error)));
	});

	let outcome: Outcome;
	try {
		outcome = await finished;
	} finally {
		for (const [signal, handler] of handlers) process.off(signal, handler);
		instance.unmount();
		instance.cleanup();
		if (useAlternateScreen) stdout.write('\u001B[?1049l');
		options.onEnd?.();
	}

	if (outcome.line) {
		// Shaped where it was made (errorLine, errorLines): a load error is one line, a crash report several.
		stderr.write(`${outcome.line}\n`);
	}

	return outcome.code;
}
