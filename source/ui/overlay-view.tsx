import {
	type ExportOverlay,
	type ExtractOverlay,
	exportFormats,
	type Overlay,
	type SizeMapOverlay,
} from './explorer-state.js';
import {formatBytes, sanitize} from './format.js';
import {Box} from './ink.js';
import {LineList} from './line-list.js';
import type {PackageViewOverlay} from './package-view-state.js';
import {PaneTitle} from './pane-title.js';
import type {MarksOverlay} from './what-if-types.js';

/**
The size map and the what-if marks draw themselves (size-map-view.tsx, marks-view.tsx). `lines` are a scrolling overlay's lines (explorer-selectors.ts'
`overlayLines`); the prompts draw their own.
*/
type Props = {
	overlay: Exclude<Overlay, SizeMapOverlay | PackageViewOverlay | MarksOverlay>;
	lines: readonly string[];
	height: number;
	width: number;
};

const titles = {
	help: 'Keys',
	findings: 'Findings (largest first)',
	dockerfile: 'Suggested Dockerfile',
	layer: 'Layer',
} as const;

function exportLines(overlay: ExportOverlay): Array<{text: string; isSelected?: boolean; color?: string}> {
	const lines: Array<{text: string; isSelected?: boolean; color?: string}> = [{text: 'Format:'}];
	for (const format of exportFormats) {
		const isCurrent = format === overlay.format;
		lines.push({
			text: `  ${isCurrent ? '›' : ' '} ${format}`,
			isSelected: isCurrent && overlay.stage === 'format',
		});
	}

	lines.push({text: ''}, {text: `Path: ${sanitize(overlay.path)}${overlay.stage === 'path' ? '▏' : ''}`});
	if (overlay.stage === 'format')
		lines.push({text: ''}, {text: '↑↓ choose a format, Enter to edit the path'});
	if (overlay.stage === 'path') lines.push({text: ''}, {text: 'Type a path, Enter to write, Esc to cancel'});
	if (overlay.stage === 'confirm-overwrite')
		lines.push({text: ''}, {text: `${sanitize(overlay.path)} exists. Overwrite it? (y/n)`, color: 'yellow'});
	if (overlay.stage === 'writing') lines.push({text: ''}, {text: 'Writing…'});
	if (overlay.stage === 'done') lines.push({text: ''}, {text: overlay.message ?? '', color: 'green'});
	if (overlay.stage === 'failed') lines.push({text: ''}, {text: overlay.message ?? '', color: 'red'});
	if (overlay.stage === 'done' || overlay.stage === 'failed') lines.push({text: 'Press any key'});
	return lines;
}

/** `: 12 MB read` while a file is looked for in an export; nothing otherwise. */
function exportNote(exportedBytes: number | undefined): string {
	return exportedBytes === undefined ? '' : `: ${formatBytes(exportedBytes)} read`;
}

function extractLines(overlay: ExtractOverlay): Array<{text: string; color?: string}> {
	const lines: Array<{text: string; color?: string}> = [
		{text: `File: /${sanitize(overlay.path)} (layer ${overlay.layer}, ${overlay.size} B)`},
		{text: ''},
		{text: `Into directory: ${sanitize(overlay.directory)}${overlay.stage === 'path' ? '▏' : ''}`},
		{text: ''},
	];
	if (overlay.stage === 'path')
		lines.push({text: 'Enter to extract (never overwrites, never follows symlinks), Esc to cancel'});
	if (overlay.stage === 'writing') {
		lines.push({
			text:
				overlay.exportedBytes === undefined
					? 'Extracting…'
					: `Extracting… reading this layer's copy from an export of the image${exportNote(overlay.exportedBytes)}`,
		});
	}
	if (overlay.stage === 'done')
		lines.push({text: overlay.message ?? '', color: 'green'}, {text: 'Press any key'});
	if (overlay.stage === 'failed')
		lines.push({text: overlay.message ?? '', color: 'red'}, {text: 'Press any key'});
	return lines;
}

/** Full-width overlays that replace the panes (the footer stays). */
export function OverlayView({overlay, lines: textLines, height, width}: Props) {
	let title: string;
	let lines: Array<{text: string; isSelected?: boolean; color?: string}>;
	if (overlay.kind === 'export') {
		title = 'Export report';
		lines = exportLines(overlay);
	} else if (overlay.kind === 'extract') {
		title = 'Extract file';
		lines = extractLines(overlay);
	} else {
		const scroll = overlay.scroll;
		const position =
			textLines.length > height
				? `  ${scroll + 1}–${Math.min(textLines.length, scroll + height)}/${textLines.length}`
				: '';
		title =
			overlay.kind === 'viewer'
				? `${overlay.title}${overlay.status === 'loading' ? ' (loading…)' : ''}${position}`
				: `${overlay.kind === 'layer' ? overlay.title : titles[overlay.kind]}${position}`;
		lines = textLines.slice(scroll, scroll + height).map((text) => ({text}));
		// The title can be cut by a long path: the export's progress goes under the file's details.
		if (overlay.kind === 'viewer' && overlay.status === 'loading' && overlay.exportedBytes !== undefined) {
			lines.push(
				{text: ''},
				{text: `Reading this layer's copy from an export of the image${exportNote(overlay.exportedBytes)}`},
			);
		}
	}

	return (
		<Box flexDirection="column" width={width} height={height + 1} overflowY="hidden">
			<PaneTitle title={title} isFocused width={width} />
			<LineList
				lines={lines.slice(0, height).map(({text, isSelected, color}) => ({
					text,
					...(isSelected === undefined ? {} : {inverse: isSelected}),
					...(color === undefined ? {} : {color}),
				}))}
			/>
		</Box>
	);
}
