/**
The one owner of showing untrusted text (file names, history, config values, error messages) without letting
it drive the terminal or hide what it says. Every other escaper (Markdown, SARIF, JSON, HTML) starts here.

Two kinds of character are made visible:
- C0/C1 control characters and DEL (`\x1b`, `\x9b`) would move the cursor, set the title or write the clipboard;
- format characters (Unicode category Cf: bidi overrides and isolates, zero-width spaces and joiners, the BOM,
  the Arabic letter mark, word joiners and invisible operators, tag characters), the line and paragraph
  separators and lone surrogates (`\u202e`, `\u{e0041}`) are invisible or reorder the text around them,
  so `evil\u202Efdp.exe` would read as `evilexe.pdf`.
*/
const unsafeCharacters = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

function codePointEscape(character: string): string {
	const codePoint = character.codePointAt(0)!;
	if (codePoint <= 0x9f) return `\\x${codePoint.toString(16).padStart(2, '0')}`;
	return codePoint > 0xffff
		? `\\u{${codePoint.toString(16)}}`
		: `\\u${codePoint.toString(16).padStart(4, '0')}`;
}

/** One line of untrusted text made safe to show: every control and invisible character becomes a visible escape. */
export function sanitize(text: string): string {
	return text.replace(unsafeCharacters, codePointEscape);
}

/** `sanitize` for text that is several lines on purpose (a report, a stack): the line breaks stay, nothing else does. */
export function sanitizeKeepingLineBreaks(text: string): string {
	return text.split('\n').map(sanitize).join('\n');
}

/** Multi-line text as sanitised lines for a screen: CRLF is one break and tabs become four spaces. */
export function sanitizeLines(text: string): string[] {
	return text
		.replace(/\r\n/g, '\n')
		.split('\n')
		.map((line) => sanitize(line.replace(/\t/g, '    ')));
}

/** `sanitize` with line breaks and tabs folded into single spaces: one line, whatever the text held. */
export function sanitizeToOneLine(text: string): string {
	return sanitize(text.replace(/\r\n|[\r\n\t\u2028\u2029]/g, ' '));
}

/**
`sanitize`, cut so the result is at most `limit` characters; what was cut is counted in the marker that ends it
(`… (4,210 more characters)`). The cut falls between escapes, never inside one, and counts the untrusted text's
own characters (code points).
*/
export function sanitizeWithinLimit(text: string, limit: number): string {
	const whole = sanitize(text);
	if (whole.length <= limit) return whole;
	let totalCount = 0;
	for (const _ of text) totalCount++;
	// The marker is sized for the largest count the cut could leave, so the kept part never has to shrink twice.
	const budget = Math.max(0, limit - cutMarker(totalCount).length);
	let kept = '';
	let keptCount = 0;
	for (const character of text) {
		const shown = sanitize(character);
		if (kept.length + shown.length > budget) break;
		kept += shown;
		keptCount++;
	}

	return `${kept}${cutMarker(totalCount - keptCount)}`;
}

function cutMarker(count: number): string {
	return `… (${count.toLocaleString('en-US')} more character${count === 1 ? '' : 's'})`;
}

/**
JSON for a terminal or a file: JSON.stringify escapes C0 controls but writes DEL, the C1 controls (U+009B is a CSI
on some terminals), the line separators and every format character raw. Those become `\uXXXX` escapes (astral
ones as a surrogate pair), so the text holds none of them and a parser still reads back the exact value.
*/
export function terminalSafeJson(value: unknown, indent: number | string = 2): string {
	return JSON.stringify(value, null, indent).replace(
		/[\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu,
		(character) =>
			Array.from(
				{length: character.length},
				(_, index) => `\\u${character.charCodeAt(index).toString(16).padStart(4, '0')}`,
			).join(''),
	);
}

const htmlEntities: Record<string, string> = {
	'&': '&amp;',
	'<': '&lt;',
	'>': '&gt;',
	'"': '&quot;',
	"'": '&#39;',
};

/** Untrusted text for an HTML element's content or a quoted attribute: sanitised, then the markup characters escaped. */
export function escapeHtml(text: string): string {
	return sanitize(text).replace(/[&<>"']/g, (character) => htmlEntities[character]!);
}
