import {sanitizeWithinLimit} from './sanitize-text.js';

/**
An error the user can act on: one line saying what is wrong and what to do.
The CLI prints `message` (and `hint`) on stderr and exits with `exitCode`; anything that is not a
LayerlensError is a bug and is reported as such.
*/
export class LayerlensError extends Error {
	override readonly name = 'LayerlensError';
	readonly hint: string | undefined;
	readonly exitCode: number;

	constructor(message: string, options: {hint?: string; exitCode?: number; cause?: unknown} = {}) {
		super(message, options.cause === undefined ? undefined : {cause: options.cause});
		this.hint = options.hint;
		this.exitCode = options.exitCode ?? 2;
	}

	/** The single line shown to the user. */
	get line(): string {
		return this.hint ? `${this.message}. ${this.hint}` : this.message;
	}
}

export function isLayerlensError(error: unknown): error is LayerlensError {
	return error instanceof LayerlensError;
}

/** The longest line an error or warning prints, its `layerlens: ` prefix included. */
export const errorLineLimit = 300;

/**
An error line as it reaches stderr, the one shaping of it: sanitised (a message names what the image or the user
gave; a line break in it is shown as `\x0a`, so it stays one line) and at most errorLineLimit characters, with a
count of what was cut.
*/
export function errorLine(line: string): string {
	return sanitizeWithinLimit(line, errorLineLimit);
}

/** Text that is several lines on purpose (a stack for --debug, a crash report): each line shaped as errorLine. */
export function errorLines(text: string): string {
	return text.split('\n').map(errorLine).join('\n');
}
