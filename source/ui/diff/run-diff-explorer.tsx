import {type ReactNode, useCallback, useEffect, useState} from 'react';
import type {ImageComparison} from '../../analysis/compare/types.js';
import type {IncrementalStack, PathTree} from '../../engine/index.js';
import {keepStylesWithoutColour} from '../colors.js';
import type {Preferences} from '../explorer-types.js';
import {keymap} from '../keymap.js';
import {type ConfigEnvironment, readPreferences} from '../keys-config.js';
import type {KeyPress} from '../layers-first-state.js';
import {LoadingThen} from '../loading-then.js';
import type {ReadStatus} from '../read-status.js';
import {StackFeed} from '../stack-feed.js';
import {StackedFill, type StackedTree} from '../stacked-fill.js';
import {type Outcome, runTerminalSession} from '../terminal-session.js';
import type {Load} from '../use-load.js';
import {DiffExplorer} from './diff-explorer.js';
import {
	type DiffKeys,
	DiffLayersFirstView,
	type DiffOutline,
	type DiffTrees,
	keepDiffKey,
} from './diff-layers-first.js';

/**
What the diff view gives the load: a stack per side, filled while that side reads and finished by its load, and
where each side's whole tree goes once that side is loaded.
*/
export type DiffFill = {
	stacks: {A: IncrementalStack; B: IncrementalStack};
	onTree: (side: 'A' | 'B', tree: PathTree) => void;
};

export type DiffLoad = (
	...args: [...Parameters<Load<ImageComparison, DiffOutline>>, fill?: DiffFill]
) => Promise<ImageComparison>;

export type RunDiffExplorerOptions = {
	title: string;
	load: DiffLoad;
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
	stderr?: NodeJS.WriteStream;
	/** Where the config file (the keys) is looked for (default: this process's environment and home). */
	config?: ConfigEnvironment;
};

/**
The files of each side while the diff loads: a stack per side, filled from the read's progress of the side being
read and handed to its load to finish, and each side's whole tree once it is loaded. Held only while the images
load: the comparison is plain data, and two stacked trees kept for the whole session would double what a large
pair of images costs in memory.
*/
function useDiffFill(load: DiffLoad): {
	trees: DiffTrees;
	loadWithFill: Load<ImageComparison, DiffOutline>;
	feed: (side: 'A' | 'B', status: ReadStatus) => ReactNode;
} {
	const [fills] = useState<{current: {A: StackedFill; B: StackedFill} | undefined}>(() => ({
		current: {A: new StackedFill(), B: new StackedFill()},
	}));
	const [trees, setTrees] = useState<DiffTrees>({});
	const [onStacked] = useState(() => {
		const of = (side: 'A' | 'B') => (stacked: StackedTree) =>
			// A side's whole tree, once its load hands it over, is not replaced by a stack of fewer layers.
			setTrees((known) => (known[side]?.whole ? known : {...known, [side]: {stacked, whole: false}}));
		return {A: of('A'), B: of('B')};
	});
	const loadWithFill = useCallback<Load<ImageComparison, DiffOutline>>(
		async (onProgress, signal, onOutlineOf) => {
			const sides = fills.current ?? {A: new StackedFill(), B: new StackedFill()};
			const comparison = await load(onProgress, signal, onOutlineOf, {
				stacks: {A: sides.A.stack, B: sides.B.stack},
				onTree: (side, tree) =>
					setTrees((known) => ({
						...known,
						[side]: {stacked: {layers: tree.layers.length, tree}, whole: true},
					})),
			});
			fills.current = undefined;
			setTrees({});
			return comparison;
		},
		[load, fills],
	);
	const feed = (side: 'A' | 'B', status: ReadStatus): ReactNode =>
		fills.current ? (
			<StackFeed fill={fills.current[side]} status={status} onStacked={onStacked[side]} />
		) : undefined;
	return {trees, loadWithFill, feed};
}

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
	const {trees, loadWithFill, feed} = useDiffFill(load);
	useEffect(() => {
		if (kept.quit !== undefined) onDone({code: kept.quit});
	}, [kept.quit, onDone]);
	return (
		<LoadingThen<ImageComparison, DiffOutline>
			title={title}
			load={loadWithFill}
			onDone={onDone}
			onKey={onKey}
			onOutline={onOutline}
			whileLoading={(status, size) =>
				outline !== undefined && (outline.a !== undefined || outline.b !== undefined) ? (
					<>
						{feed(outline.reading, status)}
						<DiffLayersFirstView
							title={title}
							outline={outline}
							trees={trees}
							status={status}
							keptKeys={kept.keys.length}
							size={size}
						/>
					</>
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
