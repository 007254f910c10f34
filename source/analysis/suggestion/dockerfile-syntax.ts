/**
Everything the suggestion interpolates into a Dockerfile or a .dockerignore goes through here. Text from
the image (file names, ENV values, history) is untrusted: a newline in it would start a new instruction
that the user then builds, so nothing is ever written raw. Values are either quoted in a form the
Dockerfile parser reads back as exactly one argument, or refused (the caller says so in a note).
*/

/** Characters that end or continue a Dockerfile line, or that no path or value should carry. */
const lineBreaking = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A path COPY can take as a literal: no control characters, no glob or variable syntax, no quote or escape. */
export function isCopyablePath(path: string): boolean {
	return !lineBreaking.test(path) && !/[*?[\]\\$"`]/.test(path) && path !== '';
}

/** Dockerfile comment text: one line whatever the input holds. */
export function commentText(text: string): string {
	return text.replace(new RegExp(lineBreaking.source, 'g'), '?');
}

/** `COPY --from=build ["/a b", "/a b"]`: the JSON form, so spaces need no escaping and nothing splits. */
export function copyFromLine(stage: string, source: string, destination: string, chown?: string): string {
	const flags = `--from=${stage}${chown ? ` --chown=${chown}` : ''}`;
	const plain = /^[A-Za-z0-9._+@%=,:/~-]+$/;
	if (plain.test(source) && plain.test(destination)) {
		return `COPY ${flags} ${source} ${destination}`;
	}

	return `COPY ${flags} ${JSON.stringify([source, destination])}`;
}

/** CMD, ENTRYPOINT, RUN in exec form: JSON escapes every control character, so one line, one instruction. */
export function execForm(words: string[]): string {
	return JSON.stringify(words);
}

/**
`KEY="value"` for ENV and LABEL: double quotes, with `\`, `"` and `$` escaped so the builder's own
variable expansion gives back the value as the image has it. A value that would need a line break is refused.
*/
export function assignment(key: string, value: string): string | undefined {
	if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key) || lineBreaking.test(value)) return undefined;
	return `${key}="${value.replace(/[\\"$]/g, (character) => `\\${character}`)}"`;
}

/** A WORKDIR or USER argument: plain names and paths only (neither takes JSON or reliable quoting). */
export function plainArgument(value: string): string | undefined {
	return /^[A-Za-z0-9._+@%=,:/~-]+$/.test(value) ? value : undefined;
}

/** A .dockerignore line that matches exactly this name: no line breaks, and `#`/`!` at the start escaped. */
export function dockerignoreLine(pattern: string): string | undefined {
	if (lineBreaking.test(pattern) || pattern.trim() === '') return undefined;
	return /^[#!]/.test(pattern) ? `\\${pattern}` : pattern;
}
