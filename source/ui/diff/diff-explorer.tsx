import {Box, Text, useInput} from 'ink';
import {useEffect, useMemo, useState} from 'react';
import type {ImageComparison} from '../../analysis/compare/types.js';
import {hue} from '../colors.js';
import type {Preferences} from '../explorer-state.js';
import {keyPresses} from '../keymap.js';
import {diffFrame, type FrameLine} from './diff-frame.js';
import {initialDiffState, reduceDiff, replayDiffKeys} from './diff-state.js';
import {buildDiffTree} from './diff-tree.js';

const toneColors: Partial<Record<NonNullable<FrameLine['tone']>, string>> = {
	added: 'green',
	removed: 'red',
	changed: 'yellow',
	dim: 'gray',
};

export function DiffExplorer({
	comparison,
	size,
	onExit,
	preferences = {},
	initialKeys = [],
}: {
	comparison: ImageComparison;
	size: {columns: number; rows: number};
	onExit: (code: number) => void;
	/** The config file's keys (and a warning about it); its tree order is the image explorer's. */
	preferences?: Preferences;
	/** Keys typed while the images were read: the view opens where they lead. */
	initialKeys?: ReadonlyArray<{name: string; text: string}>;
}) {
	const tree = useMemo(() => buildDiffTree(comparison.files), [comparison]);
	const {keymap} = preferences;
	const [state, setState] = useState(() =>
		replayDiffKeys(
			initialKeys,
			initialDiffState(preferences.warning),
			(current) =>
				diffFrame({comparison, tree}, current, {columns: size.columns, rows: size.rows - 1}, keymap).context,
			keymap,
		),
	);
	useEffect(() => {
		if (state.quit) onExit(0);
	}, [state.quit, onExit]);
	// The last line is left free: a full-height frame would scroll the terminal.
	const frame = diffFrame({comparison, tree}, state, {columns: size.columns, rows: size.rows - 1}, keymap);
	useInput((input, key) => {
		let next = state;
		for (const press of keyPresses(input, key)) {
			if (press.name === 'ctrl+c') {
				onExit(130);
				return;
			}

			next = reduceDiff(next, {type: 'key', ...press}, frame.context, keymap);
			if (next.quit) {
				onExit(0);
				return;
			}
		}

		setState(next);
	});
	return (
		<Box flexDirection="column">
			{frame.lines.map((line, index) => (
				<Text
					// biome-ignore lint/suspicious/noArrayIndexKey: lines are positions on the screen
					key={index}
					wrap="truncate"
					inverse={line.tone === 'cursor' || line.tone === 'title'}
					// Without colour (NO_COLOR) grey text is dimmed instead.
					dimColor={line.tone === 'dim' && hue('gray') === undefined}
					{...(line.tone && hue(toneColors[line.tone]) ? {color: hue(toneColors[line.tone])} : {})}
				>
					{line.text}
				</Text>
			))}
		</Box>
	);
}
