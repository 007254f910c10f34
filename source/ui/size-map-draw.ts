import chalk, {type ForegroundColorName} from 'chalk';
import {hue} from './colors.js';
import {formatBytes, sanitize} from './format.js';
import {type SizeCategory, sizeCategories} from './size-map-source.js';
import type {SizeMapItem, SizeMapState} from './size-map-state.js';

/**
How each category looks. The fill pattern and the letter before a name say it without colour (NO_COLOR,
a monochrome terminal, a screen reader's text); the colours are the tree's (waste magenta, build-only cyan,
runtime blue).
*/
export const categoryLooks: Record<
	SizeCategory,
	{letter: string; fill: string; colour?: string; label: string}
> = {
	secret: {letter: 's', fill: '█', colour: 'red', label: 'secret'},
	'build-only': {letter: 'b', fill: '▒', colour: 'cyan', label: 'build-only'},
	cache: {letter: 'c', fill: '▞', colour: 'yellow', label: 'cache'},
	waste: {letter: '!', fill: '▚', colour: 'magenta', label: 'waste'},
	runtime: {letter: 'r', fill: '▓', colour: 'blue', label: 'runtime'},
	base: {letter: 'i', fill: '░', colour: 'gray', label: 'base image'},
	other: {letter: ' ', fill: ' ', label: 'other'},
};

/** The legend line: the pattern, letter and name of each category on the map, in order of strength. */
export function legendText(items: readonly SizeMapItem[]): string {
	const shown = new Set(items.map((item) => item.category));
	return sizeCategories
		.filter((category) => shown.has(category))
		.map((category) => categoryLooks[category])
		.map(
			(look) =>
				`${look.fill === ' ' ? '·' : look.fill}${look.letter === ' ' ? '' : ` ${look.letter}`} ${look.label}`,
		)
		.join('   ');
}

/** Box-drawing character for the lines meeting in a cell: up 1, down 2, left 4, right 8. */
const junctions: Record<number, string> = {
	1: '│',
	2: '│',
	3: '│',
	4: '─',
	8: '─',
	12: '─',
	10: '┌',
	6: '┐',
	9: '└',
	5: '┘',
	11: '├',
	7: '┤',
	14: '┬',
	13: '┴',
	15: '┼',
};

/**
Characters drawn two cells wide (East Asian wide, emoji) or none (combining marks) would push the grid's
lines out of place, so a label shows them as `?`: the footer still gives the whole path.
*/
const notOneCell =
	/[\p{M}\u1100-\u115f\u231a-\u231b\u2329-\u232a\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\u{1f000}-\u{1faff}\u{20000}-\u{3fffd}]/gu;

/** A label's text made safe for the grid, cut to `width` cells with `…`. */
export function labelText(text: string, width: number): string {
	const characters = [...sanitize(text).replace(notOneCell, '?')];
	if (width <= 0) return '';
	return characters.length > width ? `${characters.slice(0, width - 1).join('')}…` : characters.join('');
}

/** The one or two label lines of a rectangle with `width`×`height` cells inside. */
function labelLines(item: SizeMapItem, width: number, height: number): string[] {
	const {letter} = categoryLooks[item.category];
	const name = `${letter === ' ' ? '' : `${letter} `}${item.name}${item.isDirectory ? '/' : ''}`;
	const size = formatBytes(item.bytes);
	if (height >= 2) return [labelText(name, width), labelText(size, width)];
	const both = `${name} ${size}`;
	return [labelText([...both].length <= width ? both : name, width)];
}

type Cell = {character: string; kind: 'line' | 'fill' | 'label'; item: number};

/**
The map as lines of text, coloured: borders shared between neighbours, each inside filled with its
category's pattern, labels where they fit, and the selected rectangle's inside in inverse video (which
NO_COLOR keeps).
*/
export function sizeMapLines(state: SizeMapState): string[] {
	const {columns, rows, items, selected} = state;
	const cells: Cell[][] = Array.from({length: rows}, () =>
		Array.from({length: columns}, () => ({character: ' ', kind: 'line' as const, item: -1})),
	);
	const lines = Array.from({length: rows}, () => new Uint8Array(columns));
	const connect = (x: number, y: number, bits: number) => {
		if (y >= 0 && y < rows && x >= 0 && x < columns) lines[y]![x]! |= bits;
	};

	for (const [index, item] of items.entries()) {
		const {x, y, width, height} = item.rect;
		const right = x + width;
		const bottom = y + height;
		for (let column = x; column <= right; column++) {
			const bits = (column > x ? 4 : 0) | (column < right ? 8 : 0);
			connect(column, y, bits);
			connect(column, bottom, bits);
		}

		for (let row = y; row <= bottom; row++) {
			const bits = (row > y ? 1 : 0) | (row < bottom ? 2 : 0);
			connect(x, row, bits);
			connect(right, row, bits);
		}

		const insideWidth = width - 1;
		const insideHeight = height - 1;
		if (insideWidth < 1 || insideHeight < 1) continue;
		const fill = categoryLooks[item.category].fill;
		for (let row = y + 1; row < bottom; row++) {
			for (let column = x + 1; column < right; column++) {
				cells[row]![column] = {character: fill, kind: 'fill', item: index};
			}
		}

		for (const [offset, text] of labelLines(item, insideWidth, insideHeight).entries()) {
			for (const [position, character] of [...text].entries()) {
				cells[y + 1 + offset]![x + 1 + position] = {character, kind: 'label', item: index};
			}
		}
	}

	return cells.map((line, row) => {
		let out = '';
		let run = '';
		let runStyle = '';
		const flush = () => {
			if (run !== '') out += styled(run, runStyle, items, selected);
			run = '';
		};

		for (const [column, cell] of line.entries()) {
			const character = cell.kind === 'line' ? (junctions[lines[row]![column]!] ?? ' ') : cell.character;
			const style = cell.kind === 'line' ? 'line' : `${cell.kind}:${cell.item}`;
			if (style !== runStyle) {
				flush();
				runStyle = style;
			}

			run += character;
		}

		flush();
		return out;
	});
}

function styled(text: string, style: string, items: readonly SizeMapItem[], selected: number): string {
	if (style === 'line') return text;
	const [kind, index] = style.split(':') as [string, string];
	const item = items[Number(index)]!;
	const colour = kind === 'fill' ? hue(categoryLooks[item.category].colour) : undefined;
	const coloured = colour === undefined ? text : chalk[colour as ForegroundColorName](text);
	return Number(index) === selected ? chalk.inverse(coloured) : coloured;
}

/** The footer line for the selected rectangle: its path, bytes, share and category. */
export function selectionText(state: SizeMapState): string {
	const item = state.items[state.selected];
	if (!item) return 'Nothing with bytes here';
	const total = state.items.reduce((sum, each) => sum + each.bytes, 0);
	const percent = total > 0 ? (item.bytes / total) * 100 : 0;
	const share = total > 0 ? ` · ${percent < 0.1 ? 'under 0.1' : percent.toFixed(1)} % of this map` : '';
	const what =
		item.row === -1 ? `${item.name} in ${item.path}` : `${item.path}${item.isDirectory ? '/' : ''}`;
	const open = item.isDirectory || item.row === -1 ? ' · Enter opens it' : '';
	return `${sanitize(what)}  ${formatBytes(item.bytes)} (${item.bytes} B) · ${categoryLooks[item.category].label}${share}${open}`;
}
