import {hue} from './colors.js';
import {Text} from './ink.js';

/** One screen line: its text and how it stands out (inverse for a cursor or title, a colour, dimmed). */
export type StyledLine = {text: string; inverse?: boolean; color?: string; dim?: boolean};

/**
Lines drawn one `<Text>` each, cut at the pane's edge: the explorer's overlays and the diff view draw their
lines with it. An empty line is a space (an empty Text would take no line). Without colour (NO_COLOR) a
grey line is dimmed instead.
*/
export function LineList({lines}: {lines: readonly StyledLine[]}) {
	return lines.map((line, index) => {
		const color = hue(line.color);
		return (
			<Text
				// biome-ignore lint/suspicious/noArrayIndexKey: lines are positions on the screen
				key={index}
				wrap="truncate"
				inverse={line.inverse}
				dimColor={line.dim === true && color === undefined}
				{...(color === undefined ? {} : {color})}
			>
				{line.text === '' ? ' ' : line.text}
			</Text>
		);
	});
}
