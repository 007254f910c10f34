import {useEffect, useRef, useState} from 'react';
import type {ImageOutline} from '../analysis/image-outline.js';
import type {ImagePreview, LoadProgress} from '../image/types.js';
import {errorLine, isLayerlensError} from '../shared/errors.js';
import {reportUrl} from './error-boundary.js';
import {useInput} from './ink.js';
import {keyPresses} from './keymap.js';
import type {KeyPress} from './layers-first-state.js';
import {type ReadStatus, ReadTracker} from './read-status.js';
import type {Outcome} from './terminal-session.js';

export type Load<T, Outline = ImageOutline> = (
	onProgress: (progress: LoadProgress) => void,
	signal: AbortSignal,
	/**
	The layers as the source describes them before the read, when it can (the daemon's inspect and history), and
	the preview of the image being read (what the progress is measured against).
	*/
	onOutline?: (outline: Outline, preview: ImagePreview | undefined) => void,
) => Promise<T>;

export type Loading<T, Outline> = {
	value: T | undefined;
	progress: LoadProgress | undefined;
	outline: Outline | undefined;
	status: ReadStatus;
	elapsedMs: number;
};

/**
Runs `load` for a session's app: its progress, the outline of the layers and the read's status for the
layers-first view, every key typed while it runs handed to `onKey` (kept for the explorer), a load error as the
session's one `layerlens: ` line, and the load cancelled when the app goes away (a quit, a signal). Returns the
loaded value once there is one.
*/
export function useLoad<T, Outline = ImageOutline>(
	load: Load<T, Outline>,
	onDone: (outcome: Outcome) => void,
	onKey: (press: KeyPress) => void,
	onOutline?: (outline: Outline) => void,
): Loading<T, Outline> {
	const [value, setValue] = useState<T | undefined>();
	const [progress, setProgress] = useState<LoadProgress | undefined>();
	const [outline, setOutline] = useState<Outline | undefined>();
	const [started] = useState(() => Date.now());
	const tracker = useRef(new ReadTracker(started));
	// A ref, not a dependency: a new callback must not start the load again.
	const outlineHeard = useRef(onOutline);
	outlineHeard.current = onOutline;
	const [now, setNow] = useState(started);

	useEffect(() => {
		let isCurrent = true;
		const cancel = new AbortController();
		load(
			(next) => {
				if (!isCurrent) return;
				tracker.current.update(next, Date.now());
				setProgress(next);
			},
			cancel.signal,
			(nextOutline, preview) => {
				if (!isCurrent) return;
				tracker.current.setPreview(preview);
				setOutline(() => nextOutline);
				outlineHeard.current?.(nextOutline);
			},
		).then(
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

	// Keys typed before the first frame wait in the terminal until raw mode is on, and arrive here with the rest.
	// Active for the whole session, answering only while loading: were it switched off as the view takes over,
	// raw mode would be dropped and set again, and a key typed in between could be lost.
	useInput((input, key) => {
		if (value !== undefined) return;
		for (const press of keyPresses(input, key)) onKey(press);
	});

	return {value, progress, outline, status: tracker.current.status(now), elapsedMs: now - started};
}
