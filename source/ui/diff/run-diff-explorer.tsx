import {useCallback, useEffect, useState} from 'react';
import type {ImageComparison} from '../../analysis/compare/types.js';
import {keepStylesWithoutColour} from '../colors.js';
import type {Preferences} from '../explorer-state.js';
import {keymap} from '../keymap.js';
import {type ConfigEnvironment, readPreferences} from '../keys-config.js';
import type {KeyPress} from '../layers-first-state.js';
import {ProgressView} from '../progress-view.js';
import {type Outcome, runTerminalSession} from '../terminal-session.js';
import {type Load, useLoad} from '../use-load.js';
import {useTerminalSize} from '../use-terminal-size.js';
import {DiffExplorer} from './diff-explorer.js';
import {type DiffKeys, DiffLayersFirstView, type DiffOutline, keepDiffKey} from './diff-layers-first.js';

export type RunDiffExplorerOptions = {
	title: string;
	load: Load<ImageComparison, DiffOutline>;
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
	stderr?: NodeJS.WriteStream;
	/** Where the config file (the keys) is looked for (default: this process's environment and home). */
	config?: ConfigEnvironment;
};

function LoadingThenDiff({
	title,
	load,
	onDone,
	preferences,
}: {
	title: string;
	load: RunDiffExplorerOptions['load'];
	onDone: (outcome: Outcome) => void;
	preferences: Preferences;
}) {
	const size = useTerminalSize();
	const filterKeys = (preferences.keymap ?? keymap).filter.keys;
	const [kept, setKept] = useState<DiffKeys>({keys: [], typingFilter: false});
	const onKey = useCallback(
		(press: KeyPress) => setKept((state) => keepDiffKey(state, press, filterKeys)),
		[filterKeys],
	);
	const {
		value: comparison,
		progress,
		outline,
		status,
		elapsedMs,
	} = useLoad<ImageComparison, DiffOutline>(load, onDone, onKey);
	const onExit = useCallback((code: number) => onDone({code}), [onDone]);
	useEffect(() => {
		if (kept.quit !== undefined && comparison === undefined) onDone({code: kept.quit});
	}, [kept.quit, comparison, onDone]);
	if (!comparison) {
		if (outline !== undefined && (outline.a !== undefined || outline.b !== undefined)) {
			return (
				<DiffLayersFirstView
					title={title}
					outline={outline}
					status={status}
					keptKeys={kept.keys.length}
					size={size}
				/>
			);
		}

		return (
			<ProgressView
				title={title}
				progress={progress}
				status={status}
				elapsedMs={elapsedMs}
				width={size.columns}
				height={Math.max(1, size.rows - 1)}
			/>
		);
	}

	return (
		<DiffExplorer
			comparison={comparison}
			size={size}
			onExit={onExit}
			preferences={preferences}
			initialKeys={kept.keys}
		/>
	);
}

/**
The diff explorer's session, as `runExplorer` runs the single-image one: progress while both images load,
then the view; the alternate screen and the terminal's modes are restored on every way out.
*/
export function runDiffExplorer(options: RunDiffExplorerOptions): Promise<number> {
	// The same keys as the image explorer: layerlens' config file, else dive's keybinding: section.
	const preferences = readPreferences(options.config ?? {env: process.env});
	// Under NO_COLOR the cursor row stays inverse (no-color.org is about colour only).
	const restoreStyles = keepStylesWithoutColour();
	return runTerminalSession({
		...options,
		reportHint: 'Run it in a terminal, or use --json / --format markdown for a report',
		...(restoreStyles ? {onEnd: restoreStyles} : {}),
		app: (onDone) => (
			<LoadingThenDiff title={options.title} load={options.load} onDone={onDone} preferences={preferences} />
		),
	});
}
