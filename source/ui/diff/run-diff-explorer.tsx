import {useInput} from 'ink';
import {useCallback, useEffect, useState} from 'react';
import type {ImageComparison} from '../../analysis/compare/types.js';
import {isLayerlensError} from '../../errors.js';
import type {LoadProgress} from '../../image/types.js';
import {reportUrl} from '../error-boundary.js';
import {keyPresses} from '../keymap.js';
import {ProgressView} from '../progress-view.js';
import {type Outcome, runTerminalSession} from '../terminal-session.js';
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
export function runDiffExplorer(options: RunDiffExplorerOptions): Promise<number> {
	return runTerminalSession({
		...options,
		reportHint: 'Run it in a terminal, or use --json / --format markdown for a report',
		app: (onDone) => <LoadingThenDiff title={options.title} load={options.load} onDone={onDone} />,
	});
}
