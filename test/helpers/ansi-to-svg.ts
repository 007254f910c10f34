/**
Turn a terminal capture with SGR colour codes (`tmux capture-pane -e -p`) into an SVG picture, so the
README shows a real frame of the explorer rather than a mock-up.
*/

type Style = {fg: string | undefined; bg: string | undefined; bold: boolean; dim: boolean; inverse: boolean};

const palette = [
	'#1d1f21',
	'#cc6666',
	'#8abe5c',
	'#e6c547',
	'#6f9fd6',
	'#b294bb',
	'#70c0b1',
	'#d0d0d0',
	'#666666',
	'#ff7b72',
	'#a5d86b',
	'#ffe082',
	'#82b1ff',
	'#d7a6f3',
	'#7ee0d5',
	'#ffffff',
];
const defaultForeground = '#d8dee9';
const defaultBackground = '#16181d';

function color256(index: number): string {
	if (index < 16) return palette[index]!;
	if (index >= 232) {
		const level = 8 + (index - 232) * 10;
		return `rgb(${level},${level},${level})`;
	}

	const cube = index - 16;
	const steps = [0, 95, 135, 175, 215, 255];
	return `rgb(${steps[Math.floor(cube / 36)]},${steps[Math.floor(cube / 6) % 6]},${steps[cube % 6]})`;
}

function applySgr(style: Style, parameters: number[]): Style {
	const next = {...style};
	for (let index = 0; index < parameters.length; index++) {
		const code = parameters[index]!;
		if (code === 0)
			Object.assign(next, {fg: undefined, bg: undefined, bold: false, dim: false, inverse: false});
		else if (code === 1) next.bold = true;
		else if (code === 2) next.dim = true;
		else if (code === 22) Object.assign(next, {bold: false, dim: false});
		else if (code === 7) next.inverse = true;
		else if (code === 27) next.inverse = false;
		else if (code >= 30 && code <= 37) next.fg = palette[code - 30];
		else if (code >= 90 && code <= 97) next.fg = palette[code - 90 + 8];
		else if (code === 39) next.fg = undefined;
		else if (code >= 40 && code <= 47) next.bg = palette[code - 40];
		else if (code >= 100 && code <= 107) next.bg = palette[code - 100 + 8];
		else if (code === 49) next.bg = undefined;
		else if ((code === 38 || code === 48) && parameters[index + 1] === 5) {
			const value = color256(parameters[index + 2] ?? 0);
			if (code === 38) next.fg = value;
			else next.bg = value;
			index += 2;
		} else if ((code === 38 || code === 48) && parameters[index + 1] === 2) {
			const value = `rgb(${parameters[index + 2]},${parameters[index + 3]},${parameters[index + 4]})`;
			if (code === 38) next.fg = value;
			else next.bg = value;
			index += 4;
		}
	}

	return next;
}

function escapeXml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

type Run = {column: number; text: string; style: Style};

function parseLine(line: string): Run[] {
	const runs: Run[] = [];
	let style: Style = {fg: undefined, bg: undefined, bold: false, dim: false, inverse: false};
	let column = 0;
	let text = '';
	let start = 0;
	const flush = () => {
		if (text) runs.push({column: start, text, style});
		text = '';
		start = column;
	};

	const pattern = /\u001B\[([0-9;]*)m/y;
	for (let index = 0; index < line.length; ) {
		pattern.lastIndex = index;
		const match = pattern.exec(line);
		if (match) {
			flush();
			style = applySgr(style, (match[1] || '0').split(';').map(Number));
			index = pattern.lastIndex;
			continue;
		}

		const character = String.fromCodePoint(line.codePointAt(index)!);
		text += character;
		column += 1;
		index += character.length;
	}

	flush();
	return runs;
}

export function ansiToSvg(capture: string, options: {columns: number; title?: string}): string {
	const lines = capture.replace(/\n$/, '').split('\n');
	const cellWidth = 8.4;
	const lineHeight = 18;
	const padding = 14;
	const width = Math.ceil(options.columns * cellWidth + padding * 2);
	const height = lines.length * lineHeight + padding * 2;
	const parts: string[] = [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14">`,
		options.title ? `<title>${escapeXml(options.title)}</title>` : '',
		`<rect width="100%" height="100%" rx="8" fill="${defaultBackground}"/>`,
	];
	for (const [row, line] of lines.entries()) {
		const y = padding + row * lineHeight;
		for (const run of parseLine(line)) {
			let foreground = run.style.fg ?? defaultForeground;
			let background = run.style.bg;
			if (run.style.inverse) {
				[foreground, background] = [background ?? defaultBackground, foreground];
			}

			const x = padding + run.column * cellWidth;
			const length = [...run.text].length;
			if (background) {
				parts.push(
					`<rect x="${x.toFixed(1)}" y="${y}" width="${(length * cellWidth).toFixed(1)}" height="${lineHeight}" fill="${background}"/>`,
				);
			}

			if (run.text.trim() === '') continue;
			const weight = run.style.bold ? ' font-weight="bold"' : '';
			const opacity = run.style.dim ? ' fill-opacity="0.55"' : '';
			parts.push(
				`<text x="${x.toFixed(1)}" y="${y + 14}" fill="${foreground}"${weight}${opacity} xml:space="preserve" textLength="${(length * cellWidth).toFixed(1)}" lengthAdjust="spacingAndGlyphs">${escapeXml(run.text)}</text>`,
			);
		}
	}

	parts.push('</svg>');
	return `${parts.filter(Boolean).join('\n')}\n`;
}

/**
tmux writes an SGR sequence only where the style changes, so a red row below a red row starts with no
colour of its own; ansi-to-svg reads each line alone. Start every line with the styles still in force.
*/
export function carryStyles(capture: string): string {
	let active = '';
	return capture
		.split('\n')
		.map((line) => {
			const carried = active + line;
			for (const match of line.matchAll(/\u001B\[([\d;]*)m/g)) {
				active = match[1] === '' || match[1] === '0' ? '' : active + match[0];
			}

			return carried;
		})
		.join('\n');
}
