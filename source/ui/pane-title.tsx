import {truncate} from './format.js';
import {Text} from './ink.js';

type Props = {title: string; hint?: string; isFocused: boolean; width: number};

/** A one-line pane header; the focused pane's title is inverted (no borders: they cost lines). */
export function PaneTitle({title, hint = '', isFocused, width}: Props) {
	// The hint (where the cursor is, `12/6674`) keeps its room: a long title gives way to it.
	const room = Math.max(Math.min(12, width - 2), width - 2 - hint.length);
	return (
		<Text wrap="truncate">
			<Text inverse={isFocused} bold>
				{` ${truncate(title, room)} `}
			</Text>
			<Text dimColor>{hint}</Text>
		</Text>
	);
}
