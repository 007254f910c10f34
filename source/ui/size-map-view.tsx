import {formatBytes} from './format.js';
import {Box, Text} from './ink.js';
import {PaneTitle} from './pane-title.js';
import {legendText, sizeMapLines} from './size-map-draw.js';
import {currentPlace, type SizeMapState} from './size-map-state.js';

type Props = {map: SizeMapState; width: number; height: number};

/** The size map in place of the panes: a title, the grid, the legend (the footer says what is selected). */
export function SizeMapView({map, width, height}: Props) {
	const place = currentPlace(map);
	const group =
		place.skip > 0 ? ` · its ${map.items.reduce((sum, item) => sum + item.count, 0)} smallest` : '';
	const title = `Size map · ${map.source.title} · ${place.path}${group} · ${formatBytes(place.bytes)}`;
	const lines = map.items.length === 0 ? [] : sizeMapLines(map);
	return (
		<Box flexDirection="column" width={width} height={height + 1} overflowY="hidden">
			<PaneTitle
				title={title}
				hint={map.levels.length > 1 ? '  Esc: back out' : ''}
				isFocused
				width={width}
			/>
			{map.items.length === 0 ? (
				<Box height={map.rows}>
					<Text dimColor>Nothing with bytes here (empty files, directories and links take no room)</Text>
				</Box>
			) : (
				lines.map((line, index) => (
					// biome-ignore lint/suspicious/noArrayIndexKey: grid rows have no identity of their own
					<Text key={index} wrap="truncate">
						{line}
					</Text>
				))
			)}
			<Text dimColor wrap="truncate">
				{legendText(map.items)}
			</Text>
		</Box>
	);
}
