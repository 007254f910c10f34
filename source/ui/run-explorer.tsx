import {useInput} from 'ink';
import {useCallback, useEffect, useState} from 'react';
import {isLayerlensError} from '../errors.js';
import type {LoadProgress} from '../image/types.js';
import {reportUrl} from './error-boundary.js';
import {Explorer} from './explorer.js';
import type {ExplorerData} from './explorer-data.js';
import {keyPresses} from './keymap.js';
import {ProgressView} from './progress-view.js';
import {type Outcome, runTerminalSession} from './terminal-session.js';
import {useTerminalSize} from './use-terminal-size.js';

export type {ExplorerData} from './explorer-data.js';

export type RunExplorerOptions = {
	title: string;
	/** `signal` aborts when the session ends before the load does (q, Ctrl+C, a signal): stop reading then. */
	load: (onProgress: (progress: LoadProgress) => void, signal: AbortSignal) => Promise<ExplorerData>;
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
	/** Where load errors and crash reports go once the UI is gone (default process.stderr). */
	stderr?: NodeJS.WriteStream;
};

export type {Outcome} from './terminal-session.js';

export type AppProps = {
	title: string;
	load: RunExplorerOptions['load'];
	onDone: (outcome: Outcome) => void;
};

/** The progress view while `load` runs, then the explorer; exported for the benchmark's first-frame figure. */
export function LoadingThenExplorer({title, load, onDone}: AppProps) {
	const size = useTerminalSize();
	const [data, setData] = useState<ExplorerData | undefined>();
	const [progress, setProgress] = useState<LoadProgress | undefined>();
	const [started] = useState(() => Date.now());
	const [now, setNow] = useState(started);

	useEffect(() => {
		let isCurrent = true;
		const cancel = new AbortController();
		load((next) => {
			if (isCurrent) setProgress(next);
		}, cancel.signal).then(
			(loaded) => {
				if (isCurrent) setData(loaded);
			},
			(error: unknown) => {
				if (!isCurrent) return;
				// The same `layerlens: ` line as every other error (report-fatal.ts), sanitised where it is printed.
				const line = isLayerlensError(error)
					? `layerlens: ${error.line}`
					: `layerlens: unexpected error: ${error instanceof Error ? error.message : String(error)} (please report it at ${reportUrl})`;
				onDone({code: isLayerlensError(error) ? error.exitCode : 2, line});
			},
		);
		return () => {
			isCurrent = false;
			// Unmounting while the load runs (a quit, a signal) cancels it; a finished load ignores this.
			cancel.abort();
		};
	}, [load, onDone]);

	useEffect(() => {
		if (data) return;
		const timer = setInterval(() => setNow(Date.now()), 250);
		return () => clearInterval(timer);
	}, [data]);

	useInput(
		(input, key) => {
			const names = keyPresses(input, key).map((press) => press.name);
			if (names.includes('ctrl+c')) onDone({code: 130});
			else if (names.includes('q')) onDone({code: 0});
		},
		{isActive: data === undefined},
	);

	const onExit = useCallback((code: number) => onDone({code}), [onDone]);
	if (!data) {
		return (
			<ProgressView
				title={title}
				progress={progress}
				elapsedMs={now - started}
				width={size.columns}
				height={Math.max(1, size.rows - 1)}
			/>
		);
	}

	return <Explorer data={data} size={size} onExit={onExit} />;
}

/**
Show a progress view while `load` runs, then the explorer. Resolves with the exit code: 0 on quit,
130 on Ctrl+C (or SIGINT), 143 on SIGTERM, 129 on SIGHUP, 2 (or the error's own code) on a load error after printing its one
line, 1 after a crash report. The terminal is restored on every path.
*/
export function runExplorer(options: RunExplorerOptions): Promise<number> {
	return runTerminalSession({
		...options,
		reportHint: 'Run it in a terminal, or use --json / --export for a report',
		app: (onDone) => <LoadingThenExplorer title={options.title} load={options.load} onDone={onDone} />,
	});
}
