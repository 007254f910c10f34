import {useCallback, useEffect, useState} from 'react';
import type {ImageComparison} from '../../analysis/compare/types.js';
import {keepStylesWithoutColour} from '../colors.js';
import type {Preferences} from '../explorer-types.js';
import {keymap} from '../keymap.js';
import {type ConfigEnvironment, readPreferences} from '../keys-config.js';
import type {KeyPress} from '../layers-first-state.js';
import {LoadingThen} from '../loading-then.js';
import {type Outcome, runTerminalSession} from '../terminal-session.js';
import type {Load} from '../use-load.js';
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

/**
While both images load: their layers as soon as the sources describe them (else the progress view), every key
kept for the diff view, which opens where they lead.
*/
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
	const filterKeys = (preferences.keymap ?? keymap).filter.keys;
	const [kept, setKept] = useState<DiffKeys>({keys: [], typingFilter: false});
	const [outline, setOutline] = useState<DiffOutline | undefined>();
	const onKey = useCallback(
		(press: KeyPress) => setKept((state) => keepDiffKey(state, press, filterKeys)),
		[filterKeys],
	);
	const onOutline = useCallback((next: DiffOutline) => setOutline(next), []);
	useEffect(() => {
		if (kept.quit !== undefined) onDone({code: kept.quit});
	}, [kept.quit, onDone]);
	return (
		<LoadingThen<ImageComparison, DiffOutline>
			title={title}
			load={load}
			onDone={onDone}
			onKey={onKey}
			onOutline={onOutline}
			whileLoading={(status, size) =>
				outline !== undefined && (outline.a !== undefined || outline.b !== undefined) ? (
					<DiffLayersFirstView
						title={title}
						outline={outline}
						status={status}
						keptKeys={kept.keys.length}
						size={size}
					/>
				) : undefined
			}
		>
			{(comparison, size, onExit) => (
				<DiffExplorer
					comparison={comparison}
					size={size}
					onExit={onExit}
					preferences={preferences}
					initialKeys={kept.keys}
				/>
			)}
		</LoadingThen>
	);
}

/**
The diff explorer's session, as `runExplorer` runs the single-image one: both images' layers (or the progress)
while they load, then the view; the alternate screen and the terminal's modes are restored on every way out.
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
