import type {ImageComparison} from '../../analysis/compare/types.js';
import {keepStylesWithoutColour} from '../colors.js';
import {type ConfigEnvironment, readPreferences} from '../keys-config.js';
import {LoadingThen} from '../loading-then.js';
import {runTerminalSession} from '../terminal-session.js';
import type {Load} from '../use-load.js';
import {DiffExplorer} from './diff-explorer.js';

export type RunDiffExplorerOptions = {
	title: string;
	load: Load<ImageComparison>;
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
	stderr?: NodeJS.WriteStream;
	/** Where the config file (the keys) is looked for (default: this process's environment and home). */
	config?: ConfigEnvironment;
};

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
			<LoadingThen title={options.title} load={options.load} onDone={onDone}>
				{(comparison, size, onExit) => (
					<DiffExplorer comparison={comparison} size={size} onExit={onExit} preferences={preferences} />
				)}
			</LoadingThen>
		),
	});
}
