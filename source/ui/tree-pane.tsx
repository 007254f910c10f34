import {Box, Text} from 'ink';
import {buildOnlyColor, statusColor, statusMarker, wasteColor} from './colors.js';
import type {TreeState} from './explorer-state.js';
import {formatBytes, formatMode, sanitize} from './format.js';
import {PaneTitle} from './pane-title.js';
import type {TreeView} from './tree-view.js';

type Props = {
	view: TreeView;
	visible: Int32Array;
	tree: TreeState;
	layerIndex: number;
	height: number;
	width: number;
	isFocused: boolean;
};

export function treeTitle(tree: TreeState, layerIndex: number): string {
	const flags: string[] = [];
	if (tree.sort === 'size') flags.push('by size');
	if (tree.wasteOnly) flags.push('waste only');
	if (tree.buildOnly) flags.push('build-only only');
	const hidden = (Object.keys(tree.hidden) as Array<keyof TreeState['hidden']>).filter(
		(kind) => tree.hidden[kind],
	);
	if (hidden.length > 0) flags.push(`hiding ${hidden.join(', ')}`);
	const what =
		tree.mode === 'aggregated' ? `Filesystem as of layer ${layerIndex}` : `Changes in layer ${layerIndex}`;
	return flags.length > 0 ? `${what} · ${flags.join(' · ')}` : what;
}

/** Renders only the rows inside the viewport; the view itself is built and memoised elsewhere. */
/** Below this width the attribute columns would leave no room for names (dive hides them under 60). */
export const attributesMinWidth = 64;

export function TreePane({view, visible, tree, layerIndex, height, width, isFocused}: Props) {
	const {cursor, offset} = tree.viewport;
	const showAttributes = tree.showAttributes && width >= attributesMinWidth;
	const end = Math.min(visible.length, offset + height);
	const lines = [];
	for (let position = offset; position < end; position++) {
		const row = view.rows[visible[position]!]!;
		const collapsed =
			row.hasChildren && tree.collapse.allCollapsed !== tree.collapse.toggled.has(row.node.path);
		const entry = row.version?.entry;
		const attributes =
			showAttributes && entry
				? `${formatMode(entry.type, entry.mode)} ${`${entry.uid}:${entry.gid}`.padStart(11)} `
				: showAttributes
					? ' '.repeat(23)
					: '';
		const link = entry?.linkTarget === undefined ? '' : ` → ${sanitize(entry.linkTarget)}`;
		const name = `${collapsed ? '⊕ ' : ''}${sanitize(row.node.name)}${row.isDirectory ? '/' : ''}`;
		const isSelected = position === cursor;
		lines.push(
			<Text
				key={row.node.path}
				wrap="truncate"
				inverse={isSelected && isFocused}
				bold={isSelected && !isFocused}
				dimColor={row.isContext && !isSelected}
			>
				<Text color={statusColor[row.status]}>{statusMarker[row.status]}</Text>
				<Text color={wasteColor}>{row.wasted ? '!' : ' '}</Text>
				<Text color={buildOnlyColor}>{row.buildOnly ? 'b' : ' '}</Text>
				{` ${attributes}${formatBytes(row.size).padStart(9)}  ${row.prefix}`}
				<Text color={statusColor[row.status]}>{name}</Text>
				{link}
			</Text>,
		);
	}

	const header =
		tree.showAttributes && !showAttributes
			? '    attributes need a wider terminal'
			: `    ${showAttributes ? 'Permission     UID:GID ' : ''}     Size  Name`;
	return (
		<Box flexDirection="column" width={width} height={height + 2} overflow="hidden">
			<PaneTitle
				title={treeTitle(tree, layerIndex)}
				hint={visible.length > height ? `  ${cursor + 1}/${visible.length}` : ''}
				isFocused={isFocused}
				width={width}
			/>
			<Text dimColor wrap="truncate">
				{header}
			</Text>
			{visible.length === 0 ? (
				<Text dimColor>{view.filterError ? 'Invalid filter' : 'Nothing to show with these filters'}</Text>
			) : (
				lines
			)}
		</Box>
	);
}
