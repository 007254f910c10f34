/**
Turns a history `created_by` into the Dockerfile-looking line people recognise. Builders write it in
several dialects: the classic builder (`/bin/sh -c #(nop) COPY file:<hash> in /`), BuildKit
(`RUN /bin/sh -c make # buildkit`, `RUN |2 A=1 B=2 /bin/sh -c make`), kaniko (`RUN make`, no shell)
and buildah/podman (like the classic builder).
*/

export type NormalizedInstruction = {
	/** e.g. `RUN make`, `COPY <dir> /app`; `unknown` when there is nothing to show. */
	instruction: string;
	/** `RUN`, `COPY`, `ENV`, ... or `UNKNOWN`. */
	kind: string;
	/** Build arguments decoded from a `|N NAME=value ...` prefix, in order. */
	buildArgs: Record<string, string>;
};

const dockerfileKeywords = new Set([
	'ADD',
	'ARG',
	'CMD',
	'COPY',
	'ENTRYPOINT',
	'ENV',
	'EXPOSE',
	'FROM',
	'HEALTHCHECK',
	'LABEL',
	'MAINTAINER',
	'ONBUILD',
	'RUN',
	'SHELL',
	'STOPSIGNAL',
	'USER',
	'VOLUME',
	'WORKDIR',
]);

// `/bin/sh -c `, `/bin/bash -o pipefail -c `, `/bin/sh -eux -c ` (a custom SHELL) and Windows `cmd /S /C `.
const shellPrefix = /^(?:\S*\/(?:ba|da|a|z)?sh(?:\s+(?:-o\s+\S+|-[a-zA-Z]+))*?\s+-c\s+|cmd\s+\/S\s+\/C\s+)/;
const buildArgsPrefix = /^\|(\d+)\s+/;
const buildArgName = /^([A-Za-z_][A-Za-z0-9_]*)=/;
const buildkitSuffix = /\s*# buildkit\s*$/;
const nopMarker = /^#\(nop\)\s*/;
// The classic builder names copied sources by content hash: `file:<hex>`, `dir:<hex>`, `multi:<hex>`.
const hashedSource = /^(ADD|COPY)\s+(?:(?:--\S+\s+)*)(file|dir|multi):[0-9a-f]+\s+in\s+(.*)$/s;

const unknown: NormalizedInstruction = {instruction: 'unknown', kind: 'UNKNOWN', buildArgs: {}};

export function normalizeInstruction(createdBy: string | undefined): NormalizedInstruction {
	let text = (createdBy ?? '').trim().replace(buildkitSuffix, '');
	if (text === '') {
		return {...unknown, buildArgs: {}};
	}

	// BuildKit writes `RUN |2 A=1 B=2 /bin/sh -c ...`; the classic builder the same without `RUN `.
	let explicitRun = false;
	if (/^RUN\s+\|\d+\s/.test(text)) {
		explicitRun = true;
		text = text.replace(/^RUN\s+/, '');
	}

	const decoded = decodeBuildArgs(text);
	text = decoded.rest;
	const hadBuildArgs = decoded.declared;

	if (/^RUN\s+/.test(text) && shellPrefix.test(text.replace(/^RUN\s+/, ''))) {
		// BuildKit: `RUN /bin/sh -c make`
		explicitRun = true;
		text = text.replace(/^RUN\s+/, '');
	}

	const shell = shellPrefix.exec(text);
	if (shell) {
		text = text.slice(shell[0].length);
		const nop = nopMarker.exec(text);
		if (nop) {
			// Metadata instructions and COPY/ADD of the classic builder.
			return finish(readableCopy(text.slice(nop[0].length).trim()), decoded.buildArgs);
		}

		return finish(`RUN ${text.trim()}`, decoded.buildArgs);
	}

	if (explicitRun || hadBuildArgs) {
		return finish(`RUN ${text.trim()}`, decoded.buildArgs);
	}

	const nop = nopMarker.exec(text);
	if (nop) {
		return finish(readableCopy(text.slice(nop[0].length).trim()), decoded.buildArgs);
	}

	const keyword = firstWord(text);
	if (dockerfileKeywords.has(keyword)) {
		// BuildKit and kaniko write the instruction itself (`COPY . /app`, `RUN make`).
		return finish(readableCopy(text), decoded.buildArgs);
	}

	// A shell command with no shell prefix and no keyword (some builders write only the command).
	return finish(`RUN ${text}`, decoded.buildArgs);
}

function finish(instruction: string, buildArgs: Record<string, string>): NormalizedInstruction {
	if (instruction === '' || instruction === 'RUN') {
		return {...unknown, buildArgs};
	}

	const keyword = firstWord(instruction);
	// Tabs that indent continuation lines are layout, not content; one space reads better in a single row.
	return {
		instruction: instruction.replace(/ *\t[\t ]*/g, ' '),
		kind: dockerfileKeywords.has(keyword) ? keyword : 'UNKNOWN',
		buildArgs,
	};
}

/** Builders write the keyword in capitals; a lower-case `env FOO=1 make` is a shell command, not ENV. */
function firstWord(text: string): string {
	const match = /^\S+/.exec(text);
	return match ? match[0] : '';
}

/**
Docker 20.10's classic builder glues a flag to the hashed source: `COPY --chown=node:nodedir:<sha> in ./dist`.
Put the space back so the flag and the source read apart.
*/
const gluedSource = /^((?:ADD|COPY)\s+(?:--\S+\s+)*--\S*?)((?:file|dir|multi):[0-9a-f]{64}\s+in\s)/;

function readableCopy(written: string): string {
	const text = written.replace(gluedSource, '$1 $2');
	const match = hashedSource.exec(text);
	if (!match) {
		return text;
	}

	const flags = /^(?:ADD|COPY)\s+((?:--\S+\s+)*)/.exec(text)?.[1] ?? '';
	return `${match[1]} ${flags}<${match[2]}> ${match[3]!.trim()}`;
}

/**
`|2 A=1 B=x y /bin/sh -c make`: N assignments joined by spaces, unquoted, so a value runs up to the
next ` NAME=` (or, for the last one, up to the shell).
*/
function decodeBuildArgs(text: string): {rest: string; buildArgs: Record<string, string>; declared: boolean} {
	const header = buildArgsPrefix.exec(text);
	if (!header) {
		return {rest: text, buildArgs: {}, declared: false};
	}

	const count = Number(header[1]);
	let rest = text.slice(header[0].length);
	const buildArgs: Record<string, string> = {};
	for (let index = 0; index < count; index++) {
		const name = buildArgName.exec(rest);
		if (!name) {
			break;
		}

		rest = rest.slice(name[0].length);
		const isLast = index === count - 1;
		const end = isLast ? endOfLastValue(rest) : endOfValue(rest);
		buildArgs[name[1]!] = rest.slice(0, end);
		rest = rest.slice(end).replace(/^\s+/, '');
	}

	return {rest, buildArgs, declared: true};
}

function endOfValue(rest: string): number {
	const next = /\s+[A-Za-z_][A-Za-z0-9_]*=/.exec(rest);
	return next ? next.index : rest.length;
}

function endOfLastValue(rest: string): number {
	const shell = /\s+(?:\S*\/(?:ba|da|a|z)?sh\s|cmd\s+\/S\s+\/C\s)/.exec(rest);
	if (shell) {
		return shell.index;
	}

	const space = /\s/.exec(rest);
	return space ? space.index : rest.length;
}
