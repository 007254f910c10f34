import {useEffect, useReducer} from 'react';
import type {ImageComparison} from '../../analysis/compare/types.js';
import type {Preferences} from '../explorer-types.js';
import {Box, useInput} from '../ink.js';
import {keyPresses} from '../keymap.js';
import type {Size} from '../layout.js';
import {LineList} from '../line-list.js';
import {diffFrame, type FrameLine} from './diff-frame.js';
import {createDiffState, diffReducer, replayDiffKeys} from './diff-state.js';

const toneColors: Partial<Record<NonNullable<FrameLine['tone']>, string>> = {
	added: 'green',
	removed: 'red',
	changed: 'yellow',
	dim: 'gray',
};

/** The diff view: a reducer over key presses and resizes, as the explorer; the frame is drawn from its state. */
export function DiffExplorer({
	comparison,
	size,
	onExit,
	preferences = {},
	initialKeys = [],
}: {
	comparison: ImageComparison;
	size: Size;
	onExit: (code: number) => void;
	/** The config file's keys (and a warning about it); its tree order is the image explorer's. */
	preferences?: Preferences;
	/** Keys typed while the images were read: the view opens where they lead, as if typed on it. */
	initialKeys?: ReadonlyArray<{name: string; text: string}>;
}) {
	const [state, dispatch] = useReducer(diffReducer, undefined, () =>
		replayDiffKeys(initialKeys, createDiffState(comparison, size, preferences)),
	);
	// As in the explorer: the handler only names the key and dispatches.
	useInput((input, key) => {
		for (const press of keyPresses(input, key)) dispatch({type: 'key', ...press});
	});
	useEffect(() => {
		if (size.columns !== state.size.columns || size.rows !== state.size.rows)
			dispatch({type: 'resize', size});
	}, [size, state.size]);
	useEffect(() => {
		if (state.exitCode !== undefined) onExit(state.exitCode);
	}, [state.exitCode, onExit]);
	const lines = diffFrame(state).map(({text, tone}) => ({
		text,
		inverse: tone === 'cursor' || tone === 'title',
		dim: tone === 'dim',
		...(tone === undefined || toneColors[tone] === undefined ? {} : {color: toneColors[tone]}),
	}));
	return (
		<Box flexDirection="column">
			<LineList lines={lines} />
		</Box>
	);
}
