import {formatBytes} from '../shared/format-bytes.js';

export {formatBytes} from '../shared/format-bytes.js';
export {sanitize, sanitizeLines} from '../shared/sanitize-text.js';

const typeCharacters: Record<string, string> = {
	dir: 'd',
	symlink: 'l',
	hardlink: 'h',
	char: 'c',
	block: 'b',
	fifo: 'p',
};

/** `ls -l` style permissions: `drwxr-sr-x`, with s/S and t/T for setuid, setgid and sticky. */
export function formatMode(type: string, mode: number): string {
	const triplet = (shift: number, special: boolean, specialLetter: string) => {
		const bits = (mode >> shift) & 0o7;
		const execute = (bits & 1) !== 0;
		let last = execute ? 'x' : '-';
		if (special) {
			last = execute ? specialLetter : specialLetter.toUpperCase();
		}

		return `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${last}`;
	};

	return (
		(typeCharacters[type] ?? '-') +
		triplet(6, (mode & 0o4000) !== 0, 's') +
		triplet(3, (mode & 0o2000) !== 0, 's') +
		triplet(0, (mode & 0o1000) !== 0, 't')
	);
}

/** A bar of `width` cells proportional to value/max (at least one cell for any non-zero value). */
export function formatBar(value: number, max: number, width: number): string {
	if (max <= 0 || value <= 0) {
		return ' '.repeat(width);
	}

	const cells = Math.max(1, Math.round((value / max) * width));
	return '█'.repeat(Math.min(width, cells)).padEnd(width, ' ');
}

/** Cut `text` to `width` characters, marking the cut with `…`. */
export function truncate(text: string, width: number): string {
	if (width <= 0) {
		return '';
	}

	return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
}

/** Split text into lines of at most `width` characters, preferring breaks at spaces. */
export function wrap(text: string, width: number): string[] {
	const lines: string[] = [];
	let rest = text;
	while (rest.length > width) {
		let cut = rest.lastIndexOf(' ', width);
		if (cut <= 0) {
			cut = width;
		}

		lines.push(rest.slice(0, cut));
		rest = rest.slice(cut).replace(/^ /, '');
	}

	lines.push(rest);
	return lines;
}

/** The first phrasing that fits `width` (they come longest first); the last one, to be cut, when none does. */
export function fitted(phrasings: readonly string[], width: number): string {
	return phrasings.find((text) => text.length <= width) ?? phrasings.at(-1)!;
}

/** How a layer is stored, in words: `none` reads as a codec called "none". */
export function compressionWord(compression: 'none' | 'gzip' | 'zstd'): string {
	return compression === 'none' ? 'uncompressed' : compression;
}

/** How a layer is stored, its size and compression in words (`3.1 MB gzip`); undefined when not known. */
export function storedText(layer: {
	compressedSizeBytes?: number;
	compression: 'none' | 'gzip' | 'zstd';
}): string | undefined {
	if (layer.compressedSizeBytes === undefined) return undefined;
	return `${formatBytes(layer.compressedSizeBytes)} ${compressionWord(layer.compression)}`;
}

/** dive prints `int(100 * efficiency)` %; we keep two decimals but never round up. */
export function formatPercent(fraction: number): string {
	return `${(Math.floor(fraction * 10_000) / 100).toFixed(2)} %`;
}
