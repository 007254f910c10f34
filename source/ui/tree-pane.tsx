import {memo} from 'react';
import type {PathTree} from '../engine/index.js';
import {showsAttributes, type TreeState} from './explorer-state.js';
import {sanitize} from './format.js';
import {Box, Text} from './ink.js';
import {type OwnerLookup, ownerColumnWidth} from './owner-column.js';
import {PaneTitle} from './pane-title.js';
import {treeRowText, wrappedRowLineCount, wrappedRowLines} from './tree-row-text.js';
import {subtreeMarks, type TreeRow, type TreeView} from './tree-view.js';

type Props = {
	view: TreeView;
	visible: Int32Array;
	tree: TreeState;
	layerIndex: number;
	height: number;
	width: number;
	isFocused: boolean;
	/** The owner column's text per row, when the column is on. */
	owners?: OwnerLookup | undefined;
	/** Said before the title (the layers-first view: `Read so far`). */
	titlePrefix?: string;
};

export function treeTitle(tree: TreeState, layerIndex: number): string {
	const flags: string[] = [];
	if (tree.sort === 'size') flags.push('by size');
	if (tree.wasteOnly) flags.push('waste only');
	if (tree.buildOnly) flags.push('build-only only');
	if (tree.wrap) flags.push('wrapped');
	if (tree.only) flags.push(`files of ${sanitize(tree.only.label)}`);
	const hidden = (Object.keys(tree.hidden) as Array<keyof TreeState['hidden']>).filter(
		(kind) => tree.hidden[kind],
	);
	if (hidden.length > 0) flags.push(`hiding ${hidden.join(', ')}`);
	const what =
		tree.mode === 'aggregated' ? `Filesystem as of layer ${layerIndex}` : `Changes in layer ${layerIndex}`;
	return flags.length > 0 ? `${what} · ${flags.join(' · ')}` : what;
}

type LineProps = {
	row: TreeRow;
	tree: PathTree;
	collapsed: boolean;
	/** What a collapsed folder holds (`heldMark` bits); 0 for open rows. */
	held: number;
	showAttributes: boolean;
	/** The owner column's text; undefined when the column is off. */
	owner: string | undefined;
	isSelected: boolean;
	isFocused: boolean;
	/** With wrapping on: the pane's width, and the lines left for this row (the last row on screen may be cut). */
	wrapWidth: number | undefined;
	maxLines: number;
};

/** Memoised on plain props: a cursor move re-renders the two rows whose selection changed, not all of them. */
const TreeLine = memo(function TreeLine({
	row,
	tree,
	collapsed,
	held,
	showAttributes,
	owner,
	isSelected,
	isFocused,
	wrapWidth,
	maxLines,
}: LineProps) {
	const style = {
		inverse: isSelected && isFocused,
		bold: isSelected && !isFocused,
		dimColor: row.isContext && !isSelected,
	};
	if (wrapWidth === undefined) {
		return (
			<Text wrap="truncate" {...style}>
				{treeRowText(row, tree, collapsed, showAttributes, held, owner)}
			</Text>
		);
	}

	const lines = wrappedRowLines({row, tree, collapsed, showAttributes, held, owner}, wrapWidth, maxLines);
	return (
		<>
			{lines.map((line, index) => (
				// biome-ignore lint/suspicious/noArrayIndexKey: the lines of one row, in order
				<Text key={index} wrap="truncate" {...style}>
					{line}
				</Text>
			))}
		</>
	);
});

/** Renders only the rows inside the viewport; the view itself is built and memoised elsewhere. */
export function TreePane({
	view,
	visible,
	tree,
	layerIndex,
	height,
	width,
	isFocused,
	owners,
	titlePrefix,
}: Props) {
	const {cursor, offset} = tree.viewport;
	const showAttributes = showsAttributes(tree, width);
	const lines = [];
	let used = 0;
	let position = offset;
	for (; position < visible.length && used < height; position++) {
		const index = visible[position]!;
		const row = view.rows[index]!;
		const collapsed = row.hasChildren && tree.collapse.allCollapsed !== tree.collapse.toggled.has(row.path);
		const owner = owners?.(row);
		const display = {row, tree: view.tree, collapsed, showAttributes, held: 0, owner};
		const maxLines = height - used;
		used += tree.wrap ? wrappedRowLineCount(display, width, maxLines) : 1;
		lines.push(
			<TreeLine
				key={row.path}
				row={row}
				tree={view.tree}
				collapsed={collapsed}
				held={collapsed ? subtreeMarks(view)[index]! : 0}
				showAttributes={showAttributes}
				owner={owner}
				isSelected={position === cursor}
				isFocused={isFocused}
				wrapWidth={tree.wrap ? width : undefined}
				maxLines={maxLines}
			/>,
		);
	}

	const scrolls = offset > 0 || position < visible.length;
	const header =
		tree.showAttributes && !showAttributes
			? '    attributes need a wider terminal'
			: `    ${showAttributes ? 'Permission     UID:GID ' : ''}${owners ? `${'Owner (final)'.padEnd(ownerColumnWidth)} ` : ''}     Size  Name`;
	return (
		<Box flexDirection="column" width={width} height={height + 2} overflowY="hidden">
			<PaneTitle
				title={
					titlePrefix === undefined
						? treeTitle(tree, layerIndex)
						: `${titlePrefix} · ${treeTitle(tree, layerIndex).replace(/^./, (first) => first.toLowerCase())}`
				}
				hint={visible.length > height || scrolls ? `  ${cursor + 1}/${visible.length}` : ''}
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
