import type {ReactNode} from 'react';
import {useCallback} from 'react';
import type {Size} from './layout.js';
import {ProgressView} from './progress-view.js';
import type {Outcome} from './terminal-session.js';
import {type Load, useLoad} from './use-load.js';
import {useTerminalSize} from './use-terminal-size.js';

type Props<T> = {
	title: string;
	load: Load<T>;
	onDone: (outcome: Outcome) => void;
	/** The view once `load` has its value, at the terminal's size; `onExit` ends the session with a code. */
	children: (value: T, size: Size, onExit: (code: number) => void) => ReactNode;
};

/**
The one loading wrapper of the explorer and the diff view: the progress view while `load` runs (q and
Ctrl+C cancel it), then the view on what it loaded.
*/
export function LoadingThen<T>({title, load, onDone, children}: Props<T>) {
	const size = useTerminalSize();
	const {value, progress, elapsedMs} = useLoad(load, onDone);
	const onExit = useCallback((code: number) => onDone({code}), [onDone]);
	if (value === undefined) {
		return (
			<ProgressView
				title={title}
				progress={progress}
				elapsedMs={elapsedMs}
				width={size.columns}
				height={Math.max(1, size.rows - 1)}
			/>
		);
	}

	return children(value, size, onExit);
}
