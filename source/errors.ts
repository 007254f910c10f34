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
