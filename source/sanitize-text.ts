/**
Show untrusted text (file names, history, file contents) without letting it drive the terminal:
every C0/C1 control character and DEL becomes a visible `\xNN` escape.
*/
export function sanitize(text: string): string {
	return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (character) => {
		return `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`;
	});
}

/** `sanitize` for text that is several lines on purpose (a report, a stack): the line breaks stay, nothing else does. */
export function sanitizeLines(text: string): string {
	return text.split('\n').map(sanitize).join('\n');
}
