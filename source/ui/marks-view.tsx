import type {ReportSuggestion} from '../analysis/suggestion/report-suggestion.js';
import type {ImageAnalysis} from '../analysis/types.js';
import type {WhatIfMark} from '../analysis/what-if/marks.js';
import {Box, Text} from './ink.js';
import {PaneTitle} from './pane-title.js';
import {marksLines} from './what-if-state.js';

type Props = {
	analysis: ImageAnalysis;
	suggestion: ReportSuggestion | undefined;
	marks: readonly WhatIfMark[];
	cursor: number;
	height: number;
	width: number;
};

/** The marks list (`M`): a row per mark with its own share, the cursor on the one `r` unmarks, then the totals. */
export function MarksView({analysis, suggestion, marks, cursor, height, width}: Props) {
	const lines = marksLines(analysis, suggestion, marks);
	// The cursor's row stays in sight; the totals follow the rows.
	const offset = Math.max(0, Math.min(cursor - Math.floor(height / 2), lines.length - height));
	const title = `What-if marks (${marks.length})  r unmark · B remove/builder · U undo · S save plan`;
	return (
		<Box flexDirection="column" width={width} height={height + 1} overflowY="hidden">
			<PaneTitle title={title} isFocused width={width} />
			{lines.slice(offset, offset + height).map((line, index) => (
				// biome-ignore lint/suspicious/noArrayIndexKey: lines have no identity of their own
				<Text key={index} wrap="truncate" inverse={marks.length > 0 && offset + index === cursor}>
					{line === '' ? ' ' : line}
				</Text>
			))}
		</Box>
	);
}
