import {memo, type ReactNode} from 'react';
import {hue} from './colors.js';
import type {TreeState} from './explorer-state.js';
import {sanitize, truncate} from './format.js';
import {Box, Text} from './ink.js';
import type {BarItem, Command} from './keymap.js';

type Props = {
	/** The keys of the active scopes; memoised by the caller so a cursor move keeps the same array. */
	items: readonly BarItem[];
	mode: TreeState['mode'];
	sort: TreeState['sort'];
	wasteOnly: boolean;
	buildOnly: boolean;
	filter: string;
	editingFilter: boolean;
	filterError: string | undefined;
	rowCount: number;
	message: string | undefined;
	/** What the status line shows instead of the filter or message (the size map's selection). */
	detail?: string | undefined;
	/** The tree shows only this package's files (the package view's jump): said until Esc. */
	only?: string | undefined;
	width: number;
};

function isOn(props: Props, command: Command): boolean {
	switch (command) {
		case 'aggregated':
			return props.mode === 'aggregated';
		case 'wasteOnly':
			return props.wasteOnly;
		case 'buildOnly':
			return props.buildOnly;
		case 'sort':
			return props.sort === 'size';
		default:
			return false;
	}
}

/**
Two lines: the filter bar or the last message, then the keys that work in the focused pane. Plain
props and memo: a cursor move does not re-render it.
*/
export const Footer = memo(function Footer(props: Props) {
	const {filter, editingFilter, filterError, message, width, only} = props;
	let status: ReactNode = <Text> </Text>;
	if (props.detail !== undefined) {
		status = <Text wrap="truncate">{props.detail}</Text>;
	} else if (editingFilter || filter !== '') {
		status = (
			<Text wrap="truncate">
				{only === undefined ? null : <Text bold>{`Files of ${sanitize(only)} · `}</Text>}
				<Text bold>Path filter: </Text>
				{sanitize(filter)}
				{editingFilter ? <Text inverse> </Text> : null}
				{filterError ? <Text color={hue('red')}>{`  ${truncate(filterError, 60)}`}</Text> : null}
				<Text dimColor>{`  ${props.rowCount} rows`}</Text>
			</Text>
		);
	} else if (message) {
		status = (
			<Text wrap="truncate" color={hue('yellow')}>
				{message}
			</Text>
		);
	} else if (only !== undefined) {
		status = (
			<Text wrap="truncate">
				<Text bold>{`Tree filtered to the files of ${sanitize(only)}`}</Text>
				<Text dimColor>{`  (final filesystem; Esc: every file)  ${props.rowCount} rows`}</Text>
			</Text>
		);
	}

	return (
		<Box flexDirection="column" width={width} height={2} overflowY="hidden">
			{status}
			<Text wrap="truncate">
				{props.items.map((item) => (
					<Text key={item.command}>
						<Text bold inverse={isOn(props, item.command)}>
							{item.keys}
						</Text>
						{` ${item.help}  `}
					</Text>
				))}
			</Text>
		</Box>
	);
});
