import {useInput} from 'ink';
import {useEffect, useState} from 'react';
import type {LoadProgress} from '../image/types.js';
import {errorLine, isLayerlensError} from '../shared/errors.js';
import {reportUrl} from './error-boundary.js';
import {keyPresses} from './keymap.js';
import type {Outcome} from './terminal-session.js';

export type Load<T> = (onProgress: (progress: LoadProgress) => void, signal: AbortSignal) => Promise<T>;

/**
Runs `load` for a session's app: its progress and elapsed time for the progress view, `q`/Ctrl+C while it
runs, a load error as the session's one `layerlens: ` line, and the load cancelled when the app goes away
(a quit, a signal). Returns the loaded value once there is one.
*/
export function useLoad<T>(
	load: Load<T>,
	onDone: (outcome: Outcome) => void,
): {value: T | undefined; progress: LoadProgress | undefined; elapsedMs: number} {
	const [value, setValue] = useState<T | undefined>();
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
				if (isCurrent) setValue(() => loaded);
			},
			(error: unknown) => {
				if (!isCurrent) return;
				// The same `layerlens: ` line as every other error (report-fatal.ts): one line, sanitised and capped.
				const line = isLayerlensError(error)
					? errorLine(`layerlens: ${error.line}`)
					: errorLine(
							`layerlens: unexpected error (please report it at ${reportUrl}): ${error instanceof Error ? error.message : String(error)}`,
						);
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
		if (value !== undefined) return;
		const timer = setInterval(() => setNow(Date.now()), 250);
		return () => clearInterval(timer);
	}, [value]);

	useInput(
		(input, key) => {
			const names = keyPresses(input, key).map((press) => press.name);
			if (names.includes('ctrl+c')) onDone({code: 130});
			else if (names.includes('q')) onDone({code: 0});
		},
		{isActive: value === undefined},
	);

	return {value, progress, elapsedMs: now - started};
}
