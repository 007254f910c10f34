import type {HistoryEntry} from '../types.js';
import {assignment, commentText, execForm, plainArgument} from './dockerfile-syntax.js';

/** Destinations a context copy rarely writes to, but a `COPY --from=<stage>` of build output often does. */
const buildOutput = /(^|\/)(node_modules|dist|build|target|out|bin|\.venv|venv|site-packages)\/?$/;

/** A shell-form body that parses back as this one instruction: one line, no trailing line continuation. */
function isOneLine(body: string): boolean {
	return !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(body) && !/\\\s*$/.test(body);
}

/**
One history step as a build-stage instruction, or comment lines when it cannot be reproduced. The classic
builder records only a content hash for a copy (`COPY <file> /src/hello.c`): the source is then named after
the destination (`COPY hello.c /src/hello.c`) or taken as the whole context, and said to be a guess.
*/
function stepLines(
	entry: HistoryEntry,
	sawRun: boolean,
	notes: string[],
	holdsBuildOutput: (layer: number) => boolean,
): string[] {
	const kind = entry.instructionKind;
	const body = entry.instruction.slice(kind.length).trim();
	if (kind === 'RUN') {
		// Exec form keeps a multi-line or oddly ending command one instruction, exactly as the image ran it.
		return [isOneLine(body) ? `RUN ${body}` : `RUN ${execForm(['/bin/sh', '-c', body])}`];
	}

	if (kind === 'COPY' || kind === 'ADD') {
		const hashed = /^((?:--\S+\s+)*)<(dir|file|multi)>\s+(\S+)$/.exec(body);
		if (hashed) {
			const [, flags = '', what, destination = ''] = hashed;
			const safeFlags = flags.split(/\s+/).filter((flag) => /^--(chown|chmod)=[A-Za-z0-9:._-]+$/.test(flag));
			const prefix = `${kind} ${safeFlags.map((flag) => `${flag} `).join('')}`;
			if (!plainArgument(destination)) {
				notes.push(
					'A copy step has a destination with characters a Dockerfile cannot take safely: it is left out; add it by hand',
				);
				return ['# guess: a copy step left out (its destination cannot be written safely)'];
			}

			// Build output copied in with no RUN before it to make it: a COPY --from of another stage, or the host's build.
			const fromAnotherStage =
				buildOutput.test(destination) || (entry.layerIndex !== null && holdsBuildOutput(entry.layerIndex));
			if (what === 'dir' && fromAnotherStage && !sawRun) {
				notes.push(
					`\`${kind} ${destination}\` looks like a copy from another build stage (COPY --from=…), which the history does not record: write that stage by hand`,
				);
				return [
					`# guess: this step copied a directory to ${destination}, most likely from another stage (COPY --from=…);`,
					'# the history does not record which: replace this line by that stage and its COPY --from',
					`# ${prefix}. ${destination}`,
				];
			}

			if (what === 'file' && !destination.endsWith('/') && destination !== '.') {
				const name = destination.slice(destination.lastIndexOf('/') + 1);
				return [
					`# guess: the image recorded only a hash of the copied file; its name here is the destination's`,
					`${prefix}${name} ${destination}`,
				];
			}

			return [
				`# guess: the image recorded only a hash of this copy (${what === 'dir' ? 'a directory' : 'several files'}); the whole build context is copied`,
				`${prefix}. ${destination}`,
			];
		}

		if (isOneLine(body) && !/--from=/.test(body)) return [`${kind} ${body}`];
		notes.push(`A ${kind} step from the history cannot be reproduced as written: add it by hand`);
		return [`# guess: a ${kind} step left out: ${commentText(body).slice(0, 120)}`];
	}

	if (kind === 'WORKDIR') {
		const directory = plainArgument(body);
		return directory
			? [`WORKDIR ${directory}`]
			: ['# guess: a WORKDIR step left out (its path cannot be written safely)'];
	}

	if (kind === 'ENV' || kind === 'ARG') {
		const lines: string[] = [];
		for (const match of body.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
			const value = match[2]!.startsWith('"') ? match[2]!.slice(1, -1).replace(/\\(.)/g, '$1') : match[2]!;
			const line = assignment(match[1]!, value);
			if (line !== undefined) lines.push(`${kind} ${line}`);
		}

		return lines;
	}

	return [];
}

/** The app's history steps that make the build stage: RUN, COPY/ADD, WORKDIR, ENV, ARG, each safe to build. */
export function historyBuildStage(
	appHistory: HistoryEntry[],
	notes: string[],
	holdsBuildOutput: (layer: number) => boolean = () => false,
): string[] {
	const lines: string[] = [];
	let sawRun = false;
	// With a RUN anywhere, copied build output may be the host's (replaced by that RUN); with none, it was built elsewhere.
	const builtHere = appHistory.some((entry) => entry.instructionKind === 'RUN');
	const outputOf = builtHere ? () => false : holdsBuildOutput;
	for (const entry of appHistory) {
		lines.push(...stepLines(entry, sawRun, notes, outputOf));
		if (entry.instructionKind === 'RUN') sawRun = true;
	}

	return lines;
}
