import {Box, Text} from 'ink';
import type {ReactNode} from 'react';
import {activeScopes, type ExplorerState, type TreeSnapshot} from './explorer-state.js';
import {sanitize, truncate} from './format.js';
import {barItems, type Command} from './keymap.js';

type Props = {state: ExplorerState; tree: TreeSnapshot; width: number};

function isOn(state: ExplorerState, command: Command): boolean {
	const {tree} = state;
	switch (command) {
		case 'aggregated':
			return tree.mode === 'aggregated';
		case 'wasteOnly':
			return tree.wasteOnly;
		case 'buildOnly':
			return tree.buildOnly;
		case 'sort':
			return tree.sort === 'size';
		default:
			return false;
	}
}

/** Two lines: the filter bar or the last message, then the keys that work in the focused pane. */
export function Footer({state, tree, width}: Props) {
	let status: ReactNode = <Text> </Text>;
	if (state.editingFilter || state.tree.filter !== '') {
		const error = tree.view.filterError;
		status = (
			<Text wrap="truncate">
				<Text bold>Path filter: </Text>
				{sanitize(state.tree.filter)}
				{state.editingFilter ? <Text inverse> </Text> : null}
				{error ? <Text color="red">{`  ${truncate(error, 60)}`}</Text> : null}
				<Text dimColor>{`  ${tree.visible.length} rows`}</Text>
			</Text>
		);
	} else if (state.message) {
		status = (
			<Text wrap="truncate" color="yellow">
				{state.message}
			</Text>
		);
	}

	const items = barItems(activeScopes(state));
	return (
		<Box flexDirection="column" width={width} height={2} overflow="hidden">
			{status}
			<Text wrap="truncate">
				{items.map((item) => (
					<Text key={item.command}>
						<Text bold inverse={isOn(state, item.command)}>
							{item.keys}
						</Text>
						{` ${item.help}  `}
					</Text>
				))}
			</Text>
		</Box>
	);
}
