import {useCallback, useEffect, useReducer, useState} from 'react';
import type {ImageOutline} from '../analysis/image-outline.js';
import type {IncrementalStack} from '../engine/index.js';
import {keepStylesWithoutColour} from './colors.js';
import {handoverOf} from './early-handover.js';
import {Explorer} from './explorer.js';
import type {ExplorerData} from './explorer-data.js';
import type {Preferences} from './explorer-state.js';
import {type ConfigEnvironment, readPreferences, saveSortPreference} from './keys-config.js';
import {createLayersFirstState, type KeyPress, layersFirstReducer} from './layers-first-state.js';
import {LayersFirstView} from './layers-first-view.js';
import {computeLayout} from './layout.js';
import {LoadingThen} from './loading-then.js';
import {StackFeed} from './stack-feed.js';
import {StackedFill, type StackedTree} from './stacked-fill.js';
import {type Outcome, runTerminalSession} from './terminal-session.js';
import type {Load} from './use-load.js';
import {useTerminalSize} from './use-terminal-size.js';

export type {ExplorerData} from './explorer-data.js';

/**
The explorer's load: `signal` aborts when the session ends before the load does (q, Ctrl+C, a signal): stop
reading then. `stack` holds the layers the layers-first view stacked while the read went on: the load finishes
it (`finishStack`) rather than stacking every layer again.
*/
export type ExplorerLoad = (
	...args: [...Parameters<Load<ExplorerData>>, stack?: IncrementalStack]
) => Promise<ExplorerData>;

export type RunExplorerOptions = {
	title: string;
	load: ExplorerLoad;
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
	/** Where load errors and crash reports go once the UI is gone (default process.stderr). */
	stderr?: NodeJS.WriteStream;
	/** Where the config file is looked for (default: this process's environment and home). */
	config?: ConfigEnvironment;
};

export type {Outcome} from './terminal-session.js';

export type AppProps = {
	title: string;
	load: RunExplorerOptions['load'];
	onDone: (outcome: Outcome) => void;
	preferences?: Preferences;
	/** Called when the user changes the tree order, to remember it. */
	onSortChange?: (sort: 'name' | 'size') => void;
};

/**
While `load` runs: the layers first once the source has described them (else the progress view), every key kept;
then the explorer, opened where those keys lead. Exported for the benchmark's first-frame figure.
*/
export function LoadingThenExplorer({title, load, onDone, preferences, onSortChange}: AppProps) {
	const initialSize = useTerminalSize();
	const [early, dispatch] = useReducer(layersFirstReducer, undefined, () =>
		createLayersFirstState(initialSize, preferences?.keymap, preferences?.sort),
	);
	const onStacked = useCallback((stacked: StackedTree) => dispatch({type: 'stacked', stacked}), []);
	// One stack for the whole read, handed to the load too: it finishes the stack rather than stacking again.
	const [fill] = useState(() => new StackedFill());
	const loadOnStack = useCallback<Load<ExplorerData>>(
		(onProgress, signal, onOutlineOf) => load(onProgress, signal, onOutlineOf, fill.stack),
		[load, fill],
	);
	const onKey = useCallback((press: KeyPress) => dispatch({type: 'key', ...press}), []);
	const onOutline = useCallback((outline: ImageOutline) => dispatch({type: 'outline', outline}), []);
	useEffect(() => {
		if (early.exitCode !== undefined) onDone({code: early.exitCode});
	}, [early.exitCode, onDone]);
	return (
		<LoadingThen
			title={title}
			load={loadOnStack}
			onDone={onDone}
			onKey={onKey}
			onOutline={onOutline}
			whileLoading={(status, size) => {
				const {outline} = early;
				const feed = <StackFeed fill={fill} status={status} onStacked={onStacked} />;
				if (outline === undefined || computeLayout(size).tooSmall) return undefined;
				return (
					<>
						{feed}
						<LayersFirstView title={title} state={{...early, size, outline}} status={status} />
					</>
				);
			}}
		>
			{(data, size, onExit) => (
				<Explorer
					data={data}
					size={size}
					onExit={onExit}
					opening={handoverOf(early)}
					{...(preferences ? {preferences} : {})}
					{...(onSortChange ? {onSortChange} : {})}
				/>
			)}
		</LoadingThen>
	);
}

/**
Show a progress view while `load` runs, then the explorer. Resolves with the exit code: 0 on quit,
130 on Ctrl+C (or SIGINT), 143 on SIGTERM, 129 on SIGHUP, 2 (or the error's own code) on a load error after printing its one
line, 1 after a crash report. The terminal is restored on every path.
*/
export function runExplorer(options: RunExplorerOptions): Promise<number> {
	const config = options.config ?? {env: process.env};
	const preferences = readPreferences(config);
	// Remembering the order is a convenience: a config directory that cannot be written is left alone.
	const onSortChange = (sort: 'name' | 'size') => {
		saveSortPreference(sort, config).catch(() => undefined);
	};
	const restoreStyles = keepStylesWithoutColour();
	return runTerminalSession({
		...options,
		reportHint: 'Run it in a terminal, or use --json / --export for a report',
		...(restoreStyles ? {onEnd: restoreStyles} : {}),
		app: (onDone) => (
			<LoadingThenExplorer
				title={options.title}
				load={options.load}
				onDone={onDone}
				preferences={preferences}
				onSortChange={onSortChange}
			/>
		),
	});
}
