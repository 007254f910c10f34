import {Text} from 'ink';
import {truncate} from './format.js';

type Props = {title: string; hint?: string; isFocused: boolean; width: number};

/** A one-line pane header; the focused pane's title is inverted (no borders: they cost lines). */
export function PaneTitle({title, hint, isFocused, width}: Props) {
	return (
		<Text wrap="truncate">
			<Text inverse={isFocused} bold>
				{` ${truncate(title, width - 2)} `}
			</Text>
			<Text dimColor>{hint ?? ''}</Text>
		</Text>
	);
}
