import {render, useInput} from 'ink';
import {useCallback, useEffect, useState} from 'react';
import type {ImageComparison} from '../../analysis/compare/types.js';
import {isLayerlensError, LayerlensError} from '../../errors.js';
import type {LoadProgress} from '../../image/types.js';
import {ErrorBoundary, reportUrl} from '../error-boundary.js';
import {keyPresses} from '../keymap.js';
import {ProgressView} from '../progress-view.js';
import type {Outcome} from '../run-explorer.js';
import {useTerminalSize} from '../use-terminal-size.js';
import {DiffExplorer} from './diff-explorer.js';

export type RunDiffExplorerOptions = {
	title: string;
	load: (onProgress: (progress: LoadProgress) => void) => Promise<ImageComparison>;
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
	stderr?: NodeJS.WriteStream;
};

function LoadingThenDiff({
	title,
	load,
	onDone,
}: {
	title: string;
	load: RunDiffExplorerOptions['load'];
	onDone: (outcome: Outcome) => void;
}) {
	const size = useTerminalSize();
	const [comparison, setComparison] = useState<ImageComparison | undefined>();
	const [progress, setProgress] = useState<LoadProgress | undefined>();
	const [started] = useState(() => Date.now());
	const [now, setNow] = useState(started);
	useEffect(() => {
		let isCurrent = true;
		load((next) => {
			if (isCurrent) setProgress(next);
		}).then(
			(loaded) => {
				if (isCurrent) setComparison(loaded);
			},
			(error: unknown) => {
				if (!isCurrent) return;
				const line = isLayerlensError(error)
					? error.line
					: `${error instanceof Error ? error.message : String(error)} (please report it at ${reportUrl})`;
				onDone({code: isLayerlensError(error) ? error.exitCode : 2, line});
			},
		);
		return () => {
			isCurrent = false;
		};
	}, [load, onDone]);
	useEffect(() => {
		if (comparison) return;
		const timer = setInterval(() => setNow(Date.now()), 250);
		return () => clearInterval(timer);
	}, [comparison]);
	useInput(
		(input, key) => {
			const names = keyPresses(input, key).map((press) => press.name);
			if (names.includes('ctrl+c')) onDone({code: 130});
			else if (names.includes('q')) onDone({code: 0});
		},
		{isActive: comparison === undefined},
	);
	const onExit = useCallback((code: number) => onDone({code}), [onDone]);
	if (!comparison) {
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

	return <DiffExplorer comparison={comparison} size={size} onExit={onExit} />;
}

/**
The diff explorer's session, as `runExplorer` runs the single-image one: progress while both images load,
then the view; the alternate screen and the terminal's modes are restored on every way out.
*/
export async function runDiffExplorer(options: RunDiffExplorerOptions): Promise<number> {
	const stdin = options.stdin ?? process.stdin;
	const stdout = options.stdout ?? process.stdout;
	const stderr = options.stderr ?? process.stderr;
	if (!stdin.isTTY) {
		throw new LayerlensError('The interactive explorer needs a terminal on stdin', {
			hint: 'Run it in a terminal, or use --json / --format markdown for a report',
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
		onDone({
			code: 1,
			line: `layerlens crashed: ${error.stack ?? error.message}\nPlease report it at ${reportUrl}`,
		});
	};

	const signals = {SIGTERM: 143, SIGINT: 130, SIGHUP: 129} as const;
	const handlers = Object.entries(signals).map(([signal, code]) => {
		const handler = () => onDone({code});
		process.on(signal, handler);
		return [signal, handler] as const;
	});
	const useAlternateScreen = stdout.isTTY === true;
	if (useAlternateScreen) stdout.write('\u001B[?1049h');
	const instance = render(
		<ErrorBoundary onCrash={onCrash}>
			<LoadingThenDiff title={options.title} load={options.load} onDone={onDone} />
		</ErrorBoundary>,
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
	}

	if (outcome.line) stderr.write(`${outcome.line}\n`);
	return outcome.code;
}
