import type {Finding, HistoryEntry, LayerSummary} from '../types.js';
import {finalStageInstructions} from './parse-dockerfile.js';
import type {DockerfileInstruction, ParsedDockerfile} from './types.js';

export type DockerfileMapping = {
	/** Per layer, the 1-based Dockerfile line that made it; undefined for base-image layers (and all layers on a mismatch). */
	lines: (number | undefined)[];
	/** Why the history and the Dockerfile could not be paired, in one sentence. */
	mismatch?: string;
};

/** Text of a command as both sides can write it: options dropped, exec form flattened, whitespace collapsed. */
function comparable(text: string): string {
	let body = text.trim();
	while (/^--\S+\s+/.test(body)) {
		body = body.replace(/^--\S+\s+/, '');
	}

	if (body.startsWith('[')) {
		try {
			const parsed = JSON.parse(body) as unknown;
			if (Array.isArray(parsed)) {
				body = parsed.join(' ');
			}
		} catch {
			// Not exec form after all; compare as written.
		}
	}

	return body.replace(/\s+/g, ' ').trim();
}

function historyBody(entry: HistoryEntry): string {
	return entry.instruction.slice(entry.instructionKind.length);
}

/** Why this history entry is not this instruction, or undefined when they agree. */
function disagreement(instruction: DockerfileInstruction, entry: HistoryEntry): string | undefined {
	const written = `Dockerfile line ${instruction.line} (${instruction.kind})`;
	if (entry.instructionKind !== instruction.kind) {
		return `${written} does not match the image's history step \`${entry.instruction}\``;
	}

	const recorded = comparable(historyBody(entry));
	if (instruction.kind === 'RUN') {
		// A heredoc RUN is recorded with its body; compare the part before the body.
		const own = comparable(instruction.args);
		const head =
			instruction.heredocs.length > 0
				? own.slice(0, own.indexOf('<<') === -1 ? undefined : own.indexOf('<<'))
				: own;
		const matches = instruction.heredocs.length > 0 ? recorded.startsWith(head.trim()) : recorded === own;
		return matches
			? undefined
			: `${written} runs \`${own}\` but the image's history step ran \`${recorded}\``;
	}

	if (instruction.kind === 'COPY' || instruction.kind === 'ADD') {
		// The classic builder records only a content hash (`COPY <dir> /app`); only the kind can be compared.
		if (/<(dir|file|multi)>/.test(recorded)) {
			return undefined;
		}

		const own = comparable(instruction.args);
		return own === recorded
			? undefined
			: `${written} copies \`${own}\` but the image's history step copied \`${recorded}\``;
	}

	return undefined;
}

/**
Pairs the final stage's instructions with the image history from the end backwards: each Dockerfile
instruction is one history entry (an ARG may have none); whatever history is left over came from the
base image and has no line. Any disagreement stops the mapping with an explanation rather than a guess.
*/
export function mapLayersToDockerfile(
	parsed: ParsedDockerfile,
	layers: readonly Pick<LayerSummary, 'index' | 'historyIndex'>[],
	history: HistoryEntry[],
): DockerfileMapping {
	const none = layers.map(() => undefined);
	const {instructions} = finalStageInstructions(parsed);
	if (parsed.stages.length === 0) {
		return {lines: none, mismatch: 'The Dockerfile has no FROM instruction'};
	}

	if (history.length === 0) {
		return {lines: none, mismatch: 'The image has no history to compare the Dockerfile with'};
	}

	const lineOfHistory = new Map<number, number>();
	let historyIndex = history.length - 1;
	// `docker build --label k=v` appends LABEL entries that are in no Dockerfile; they add no layer.
	while (historyIndex >= 0 && isBuildFlagLabel(history[historyIndex]!, instructions)) {
		historyIndex--;
	}

	for (let index = instructions.length - 1; index >= 0; index--) {
		const instruction = instructions[index]!;
		const entry = history[historyIndex];
		if (instruction.kind === 'ARG' && entry?.instructionKind !== 'ARG') {
			continue;
		}

		if (entry === undefined) {
			return {
				lines: none,
				mismatch: `The Dockerfile has more steps than the image's history (line ${instruction.line} has no history entry): is it the Dockerfile of this image?`,
			};
		}

		const why = disagreement(instruction, entry);
		if (why) {
			return {
				lines: none,
				mismatch: `${why}: is it the Dockerfile of this image, and was it changed since the build?`,
			};
		}

		lineOfHistory.set(historyIndex, instruction.line);
		historyIndex--;
	}

	const lines = layers.map((layer) => {
		const index = layer.historyIndex ?? history.findIndex((entry) => entry.layerIndex === layer.index);
		return index === -1 ? undefined : lineOfHistory.get(index);
	});
	return {lines};
}

function isBuildFlagLabel(
	entry: HistoryEntry,
	instructions: ReturnType<typeof finalStageInstructions>['instructions'],
): boolean {
	return (
		entry.emptyLayer &&
		entry.instructionKind === 'LABEL' &&
		!instructions.some(
			(instruction) =>
				instruction.kind === 'LABEL' &&
				comparable(instruction.args) === comparable(entry.instruction.replace(/^LABEL\s+/, '')),
		)
	);
}

/** Findings with the Dockerfile line of the layer that added them. */
export function attachDockerfileLines(findings: Finding[], mapping: DockerfileMapping): Finding[] {
	return findings.map((finding) => {
		const line = finding.layerIndex === undefined ? undefined : mapping.lines[finding.layerIndex];
		return line === undefined ? finding : {...finding, dockerfileLine: line};
	});
}
