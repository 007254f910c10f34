import type {ReactNode} from 'react';
import {useCallback} from 'react';
import type {ImageOutline} from '../analysis/image-outline.js';
import type {KeyPress} from './layers-first-state.js';
import type {Size} from './layout.js';
import {ProgressView} from './progress-view.js';
import type {ReadStatus} from './read-status.js';
import type {Outcome} from './terminal-session.js';
import {type Load, useLoad} from './use-load.js';
import {useTerminalSize} from './use-terminal-size.js';

type Props<T, Outline> = {
	title: string;
	load: Load<T, Outline>;
	onDone: (outcome: Outcome) => void;
	/** Every key typed while `load` runs, in order; without it `q` and Ctrl+C cancel and other keys are dropped. */
	onKey?: (press: KeyPress) => void;
	/** The image (or images) as the source describes them before the read, when it can. */
	onOutline?: (outline: Outline) => void;
	/** The view while loading when there is more to show than the progress (the layers); undefined: the progress view. */
	whileLoading?: (status: ReadStatus, size: Size) => ReactNode | undefined;
	/** The view once `load` has its value, at the terminal's size; `onExit` ends the session with a code. */
	children: (value: T, size: Size, onExit: (code: number) => void) => ReactNode;
};

/**
The one loading wrapper of the explorer and the diff view: while `load` runs, the layers first when the view has
them (else the progress view), every key handed on; then the view on what it loaded.
*/
export function LoadingThen<T, Outline = ImageOutline>({
	title,
	load,
	onDone,
	onKey,
	onOutline,
	whileLoading,
	children,
}: Props<T, Outline>) {
	const size = useTerminalSize();
	const cancelKeys = useCallback(
		(press: KeyPress) => {
			if (press.name === 'ctrl+c') onDone({code: 130});
			else if (press.name === 'q') onDone({code: 0});
		},
		[onDone],
	);
	const {value, progress, status, elapsedMs} = useLoad(load, onDone, onKey ?? cancelKeys, onOutline);
	const onExit = useCallback((code: number) => onDone({code}), [onDone]);
	if (value === undefined) {
		return (
			whileLoading?.(status, size) ?? (
				<ProgressView
					title={title}
					progress={progress}
					status={status}
					elapsedMs={elapsedMs}
					width={size.columns}
					height={Math.max(1, size.rows - 1)}
				/>
			)
		);
	}

	return children(value, size, onExit);
}
