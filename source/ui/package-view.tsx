import chalk, {type ForegroundColorName} from 'chalk';
import type {PackageInventory} from '../analysis/packages/index.js';
import {buildOnlyColor, hue, runtimeColor} from './colors.js';
import {formatBytes, sanitize} from './format.js';
import {Box, Text} from './ink.js';
import {fitCells} from './owner-column.js';
import type {PackageRow, PackageUse, PackageViewState} from './package-view-state.js';
import {selectedPackage} from './package-view-state.js';
import {PaneTitle} from './pane-title.js';

type Props = {view: PackageViewState; inventory: PackageInventory | undefined; width: number; height: number};

const colourOfUse: Record<PackageUse, string | undefined> = {
	'build-only': buildOnlyColor,
	runtime: runtimeColor,
	unknown: undefined,
};

/** Column widths for a pane `width` cells wide: the name takes a share, the instruction what is left. */
export function packageColumns(width: number): {name: number; version: number; instruction: number} {
	const name = Math.max(16, Math.min(40, Math.floor(width * 0.28)));
	const version = Math.max(10, Math.min(24, Math.floor(width * 0.14)));
	// size 9, ecosystem 4, layer 5, use 10, and the gaps between columns
	const fixed = 1 + 9 + 2 + 4 + 2 + name + 1 + version + 1 + 5 + 2 + 10 + 2;
	return {name, version, instruction: Math.max(0, width - fixed)};
}

/** One package's line, uncoloured but for its use (build-only cyan, runtime blue, as the tree's markers). */
export function packageLine(row: PackageRow, width: number): string {
	const columns = packageColumns(width);
	const {owned} = row;
	const use = row.use.padEnd(10);
	const colour = hue(colourOfUse[row.use]);
	const layer = owned.layer < 0 ? '?' : String(owned.layer);
	const head = ` ${formatBytes(owned.bytes).padStart(9)}  ${owned.ecosystem.padEnd(4)}  ${fitCells(sanitize(owned.name), columns.name)} ${fitCells(sanitize(owned.version), columns.version)} ${layer.padStart(5)}  `;
	const instruction =
		columns.instruction > 0 ? `  ${fitCells(sanitize(row.instruction), columns.instruction)}` : '';
	return `${head}${colour === undefined ? use : chalk[colour as ForegroundColorName](use)}${instruction}`;
}

function headerLine(width: number): string {
	const columns = packageColumns(width);
	return `      Size  Eco   ${'Name'.padEnd(columns.name)} ${'Version'.padEnd(columns.version)} Layer  Use       ${columns.instruction > 0 ? '  Instruction of the layer' : ''}`;
}

const countsCache = new WeakMap<readonly PackageRow[], string>();

/** `npm 317, deb 88`: counted once per list of rows, not per frame. */
function ecosystemCounts(rows: readonly PackageRow[]): string {
	let text = countsCache.get(rows);
	if (text === undefined) {
		const counts = new Map<string, number>();
		for (const row of rows) counts.set(row.owned.ecosystem, (counts.get(row.owned.ecosystem) ?? 0) + 1);
		text = [...counts].map(([ecosystem, count]) => `${ecosystem} ${count}`).join(', ');
		countsCache.set(rows, text);
	}

	return text;
}

/** `Packages · 154 (deb 120, npm 34) · owned 300 MB · yours 78 MB · by size`. */
export function packageTitle(view: PackageViewState, inventory: PackageInventory | undefined): string {
	const byEcosystem = ecosystemCounts(view.rows);
	const bytes =
		inventory === undefined
			? ''
			: ` · packages ${formatBytes(inventory.ownedBytes)} · yours ${formatBytes(inventory.unownedBytes)}`;
	const filtered =
		view.filter === ''
			? ''
			: ` · filter ${sanitize(view.filter)}: ${view.shown.length} ${view.shown.length === 1 ? 'match' : 'matches'}`;
	return `Packages · ${view.rows.length} (${byEcosystem})${bytes}${filtered} · by ${view.sort}`;
}

/** The status line under the view: the filter being typed, or what the selected package is and where Enter goes. */
export function packageDetail(view: PackageViewState): string {
	if (view.editingFilter) {
		const error = view.filterError === undefined ? '' : `  (invalid: ${view.filterError})`;
		return `Package filter: ${sanitize(view.filter)}${view.editingFilter ? '▏' : ''}${error}  ${view.shown.length} packages`;
	}

	const row = selectedPackage(view);
	if (row === undefined) return '';
	const {owned} = row;
	const where = owned.location === undefined ? '' : `/${sanitize(owned.location)} · `;
	const files = `${owned.files.length} ${owned.files.length === 1 ? 'file' : 'files'}`;
	return `${where}${files}, ${owned.bytes} B · ${row.use}: ${row.useReason} · Enter: its files in the tree`;
}

/** The package view in place of the panes: a title, the column names and the packages on screen. */
export function PackageView({view, inventory, width, height}: Props) {
	const {cursor, offset} = view.viewport;
	const bodyHeight = view.height;
	const lines = [];
	for (let position = offset; position < view.shown.length && position < offset + bodyHeight; position++) {
		const row = view.rows[view.shown[position]!]!;
		lines.push(
			<Text key={row.index} wrap="truncate" inverse={position === cursor}>
				{packageLine(row, width)}
			</Text>,
		);
	}

	const hint = view.shown.length > bodyHeight || offset > 0 ? `  ${cursor + 1}/${view.shown.length}` : '';
	return (
		<Box flexDirection="column" width={width} height={height + 1} overflowY="hidden">
			<PaneTitle title={packageTitle(view, inventory)} hint={hint} isFocused width={width} />
			<Text dimColor wrap="truncate">
				{headerLine(width)}
			</Text>
			{lines.length === 0 ? <Text dimColor>No package matches the filter</Text> : lines}
		</Box>
	);
}
