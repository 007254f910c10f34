/**
Markdown building blocks that keep untrusted text (file names, RUN lines, evidence) from breaking the
layout or injecting HTML: GitHub renders PR comments with raw HTML enabled, so every `<` and `&` from an
image must arrive escaped.
*/

const controlCharacters = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** One line: newlines and tabs become spaces, control characters are dropped, runs of spaces collapse. */
export function singleLine(text: string): string {
	return text
		.replace(/\r\n|\r|\n|\t/g, ' ')
		.replace(controlCharacters, '')
		.replace(/ {2,}/g, ' ')
		.trim();
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
	const body = content.replace(controlCharacters, '').replace(/\n+$/, '');
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
