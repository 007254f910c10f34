/**
Markdown building blocks that keep untrusted text (file names, RUN lines, evidence) from breaking the
layout or injecting HTML: GitHub renders PR comments with raw HTML enabled, so every `<` and `&` from an
image must arrive escaped.
*/
import {sanitize, sanitizeToOneLine} from '../shared/sanitize-text.js';

/**
One line: newlines and tabs become spaces, runs of spaces collapse, control and invisible (bidi, zero-width)
characters are shown as escapes (`\u202e`) by the one sanitiser, so a name reads in a review as it is.
*/
export function singleLine(text: string): string {
	return sanitizeToOneLine(text).replace(/ {2,}/g, ' ').trim();
}

/** Cut to `limit` characters with an ellipsis, so one long RUN line cannot make a table unreadable. */
export function truncate(text: string, limit: number): string {
	return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** Plain text safe anywhere inline: punctuation that Markdown could read as syntax or HTML is escaped. */
export function escapeText(text: string): string {
	return (
		singleLine(text)
			.replace(/[\\`*_{}[\]()<>|~&]/g, (character) => `\\${character}`)
			// GFM links bare URLs, www. names and e-mail addresses: an escape breaks the pattern and renders as itself.
			.replace(/\b(https?|ftp):/gi, '$1\\:')
			.replace(/\bwww\./gi, 'www\\.')
			.replace(/(\w)@(?=[\w-]+\.)/g, '$1\\@')
			// Only at the start can these open a heading, a list or a quote inside the line they land in.
			.replace(/^[#+\-=]/, (start) => `\\${start}`)
			.replace(/^(\d+)([.)])/, (_, digits: string, mark: string) => `${digits}\\${mark}`)
	);
}

/**
An inline code span holding `text` verbatim. The fence is one backtick longer than the longest run inside;
pipes are escaped because GFM splits table rows before it parses code spans (the `\|` renders as `|`).
*/
export function inlineCode(text: string, options: {inTable: boolean}): string {
	const content = singleLine(text);
	if (content === '') {
		return '';
	}

	const longestRun = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
	const fence = '`'.repeat(longestRun + 1);
	const body = options.inTable ? content.replace(/\|/g, '\\|') : content;
	// A space on each side keeps a leading or trailing backtick from merging with the fence.
	const padded = body.startsWith('`') || body.endsWith('`') ? ` ${body} ` : body;
	return `${fence}${padded}${fence}`;
}

/**
Text whose `backticked` parts are commands or paths (fix lines, evidence): those render as code spans, verbatim,
the rest is escaped as plain text. An unpaired backtick stays a literal (escaped) backtick.
*/
export function escapeTextWithCode(text: string): string {
	const parts = singleLine(text).split('`');
	const paired = parts.length % 2 === 1 ? parts : [...parts.slice(0, -2), `${parts.at(-2)}\`${parts.at(-1)}`];
	return paired
		.map((part, index) => {
			if (index % 2 === 1 && part.trim() !== '') return inlineCode(part, {inTable: false});
			// escapeText trims; the spaces around a code span belong to the sentence.
			const [, before = '', core = '', after = ''] = /^(\s*)([\s\S]*?)(\s*)$/.exec(part) ?? [];
			return `${before}${escapeText(core)}${after}`;
		})
		.join('');
}

/** A fenced block that the content cannot close early: the fence outgrows any backtick run inside. */
export function fencedBlock(content: string, info = ''): string {
	const longestRun = Math.max(0, ...(content.match(/`{3,}/g) ?? []).map((run) => run.length));
	const fence = '`'.repeat(Math.max(3, longestRun + 1));
	// Line breaks and tabs stay (a Dockerfile's `<<-` heredoc strips leading tabs); everything else is sanitised.
	const body = content
		.replace(/\n+$/, '')
		.split('\n')
		.map((line) => line.split('\t').map(sanitize).join('\t'))
		.join('\n');
	return `${fence}${info}\n${body}\n${fence}`;
}

export type Alignment = 'left' | 'right';

/** A GFM table; every row gets exactly as many cells as the header, empty cells included. */
export function table(header: string[], alignments: Alignment[], rows: string[][]): string {
	const line = (cells: string[]) => `| ${cells.map((cell) => (cell === '' ? ' ' : cell)).join(' | ')} |`;
	const separator = `|${alignments.map((alignment) => (alignment === 'right' ? '---:' : '---')).join('|')}|`;
	const body = rows.map((row) => line(header.map((_, index) => row[index] ?? '')));
	return [line(header), separator, ...body].join('\n');
}
