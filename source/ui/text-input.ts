/*
The one text input of the UI: the explorer's filter line, the export and extract prompts and the diff view's
filter all edit their text here, with the same rules for what a key types and how long a text may get.
*/

/** The longest text each input keeps: a path filter is a pattern; a file path may be long. */
export const textLimits = {filter: 200, path: 4096} as const;
export type TextLimit = keyof typeof textLimits;

/** A key press as the inputs read it: Ink's key name and the text it typed. */
export type TextKey = {name: string; text: string};

/** The text a key types: a space for `space`, nothing for a Ctrl chord or a control character. */
export function typedText(key: TextKey): string {
	const typed = key.name === 'space' ? ' ' : key.text;
	if (typed.length === 0 || key.name.startsWith('ctrl+') || /[\u0000-\u001f]/.test(typed)) return '';
	return typed;
}

/** Whether a key changes text (so a view can tell typing from a key it should pass on). */
export function editsText(key: TextKey): boolean {
	return key.name === 'backspace' || typedText(key) !== '';
}

/** `value` after one key: backspace removes the last character; typed text is appended up to the limit. */
export function editText(value: string, key: TextKey, limit: TextLimit): string {
	if (key.name === 'backspace') return value.slice(0, -1);
	const typed = typedText(key);
	return typed === '' ? value : (value + typed).slice(0, textLimits[limit]);
}
