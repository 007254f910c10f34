import {substituteVariables} from './substitute.js';
import type {DockerfileInstruction, DockerfileStage, ParsedDockerfile} from './types.js';

/** Instructions whose arguments Docker expands variables in (RUN/CMD/ENTRYPOINT are left to the shell). */
const substituted = new Set([
	'ADD',
	'COPY',
	'ENV',
	'EXPOSE',
	'FROM',
	'LABEL',
	'STOPSIGNAL',
	'USER',
	'VOLUME',
	'WORKDIR',
	'ONBUILD',
	'ARG',
]);
const heredocKinds = new Set(['RUN', 'COPY', 'ADD']);

type RawInstruction = {
	text: string;
	line: number;
	endLine: number;
	heredocs: {delimiter: string; body: string}[];
};

function readDirectives(lines: string[]): {directives: Record<string, string>; next: number} {
	const directives: Record<string, string> = {};
	let next = 0;
	while (next < lines.length) {
		const match = /^#\s*([a-zA-Z][a-zA-Z0-9_-]*)\s*=\s*(.*?)\s*$/.exec(lines[next]!);
		if (!match || match[1]!.toLowerCase() in directives) {
			break;
		}

		directives[match[1]!.toLowerCase()] = match[2]!;
		next++;
	}

	return {directives, next};
}

const isSkippable = (line: string) => line.trim() === '' || line.trim().startsWith('#');

/** Splits the file into instructions: comments dropped, continuations joined, heredoc bodies collected. */
function readInstructions(lines: string[], start: number, escapeChar: string): RawInstruction[] {
	const result: RawInstruction[] = [];
	let index = start;
	while (index < lines.length) {
		if (isSkippable(lines[index]!)) {
			index++;
			continue;
		}

		const line = index + 1;
		let text = '';
		for (;;) {
			const current = lines[index]!.replace(/\s+$/, '');
			if (current.endsWith(escapeChar) && index + 1 < lines.length) {
				text += current.slice(0, -escapeChar.length);
				index++;
				// Comment lines inside a continued instruction are removed before it is parsed.
				while (index < lines.length - 1 && lines[index]!.trim().startsWith('#')) {
					index++;
				}

				continue;
			}

			text += current;
			index++;
			break;
		}

		const heredocs: {delimiter: string; body: string}[] = [];
		const keyword = /^\s*(\S+)/.exec(text)?.[1]?.toUpperCase() ?? '';
		if (heredocKinds.has(keyword)) {
			for (const match of text.matchAll(/<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g)) {
				const body: string[] = [];
				while (index < lines.length) {
					const bodyLine = match[1] === '-' ? lines[index]!.replace(/^\t+/, '') : lines[index]!;
					index++;
					if (bodyLine === match[3]) {
						break;
					}

					body.push(bodyLine);
				}

				heredocs.push({delimiter: match[3]!, body: body.join('\n')});
			}
		}

		result.push({text: text.trim(), line, endLine: index, heredocs});
	}

	return result;
}

function splitFlags(rest: string): {flags: Record<string, string>; args: string} {
	const flags: Record<string, string> = {};
	let args = rest;
	for (;;) {
		const match = /^--([A-Za-z][A-Za-z0-9-]*)(?:=("[^"]*"|\S*))?\s*/.exec(args);
		if (!match) {
			break;
		}

		flags[match[1]!] = (match[2] ?? '').replace(/^"|"$/g, '');
		args = args.slice(match[0].length);
	}

	return {flags, args};
}

/** `A=1 B="x y"` or the legacy `A value with spaces`. */
export function readAssignments(args: string): [string, string][] {
	const pairs = [...args.matchAll(/([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)];
	if (pairs.length === 0) {
		const legacy = /^([A-Za-z_][A-Za-z0-9_.-]*)\s+(.*)$/s.exec(args.trim());
		return legacy ? [[legacy[1]!, legacy[2]!]] : [];
	}

	return pairs.map((match) => [
		match[1]!,
		match[2]!
			.replace(/^"(.*)"$/s, '$1')
			.replace(/^'(.*)'$/s, '$1')
			.replace(/\\(.)/g, '$1'),
	]);
}

/** ARG names with optional defaults: `ARG A`, `ARG A=1 B`. */
function readArgDeclarations(args: string): [string, string | undefined][] {
	return args
		.split(/\s+/)
		.filter((token) => token !== '')
		.map((token) => {
			const equals = token.indexOf('=');
			return equals === -1
				? [token, undefined]
				: [
						token.slice(0, equals),
						token
							.slice(equals + 1)
							.replace(/^"(.*)"$/s, '$1')
							.replace(/^'(.*)'$/s, '$1'),
					];
		});
}

type StageState = {env: Map<string, string>; args: Map<string, string>};

function variablesOf(state: StageState): Map<string, string> {
	// ENV wins over ARG of the same name, as in Docker.
	return new Map([...state.args, ...state.env]);
}

/** What the parser has built so far: the stages, each stage's variables, and the ARGs before the first FROM. */
type ParseState = {
	escapeChar: string;
	globalArgs: Record<string, string | undefined>;
	globals: Map<string, string>;
	stages: DockerfileStage[];
	states: StageState[];
};

/** `FROM base [AS name]`: a new stage, with the ENV of the stage it starts from when it names one. */
function startStage(parse: ParseState, args: string, flags: Record<string, string>, line: number): void {
	const {stages, states} = parse;
	const tokens = args.split(/\s+/);
	const base = tokens[0] ?? '';
	const name = tokens[1]?.toLowerCase() === 'as' ? tokens[2]?.toLowerCase() : undefined;
	const parent = stages.find(
		(candidate) => candidate.name !== undefined && candidate.name === base.toLowerCase(),
	);
	const newStage: DockerfileStage = {index: stages.length, base, line, instructions: []};
	if (name) {
		newStage.name = name;
	}

	if (flags.platform !== undefined) {
		newStage.platform = flags.platform;
	}

	stages.push(newStage);
	states.push({env: new Map(parent ? states[parent.index]!.env : []), args: new Map()});
}

/** `ARG`: before the first FROM a global (FROM lines may use it), in a stage a variable (a global's value by default). */
function declareArgs(parse: ParseState, args: string, state: StageState | undefined): void {
	for (const [name, value] of readArgDeclarations(args)) {
		if (!state) {
			parse.globalArgs[name] = value;
			if (value !== undefined) {
				parse.globals.set(name, value);
			}
		} else {
			const inherited = value ?? parse.globals.get(name);
			if (inherited !== undefined) {
				state.args.set(name, inherited);
			}
		}
	}
}

/** One instruction: variables expanded where Docker expands them, then added to its stage. */
function readInstruction(parse: ParseState, raw: RawInstruction): void {
	const match = /^(\S+)\s*(.*)$/s.exec(raw.text);
	if (!match) {
		return;
	}

	const kind = match[1]!.toUpperCase();
	const {flags, args: unexpanded} = splitFlags(match[2]!);
	const stage = parse.stages.at(-1);
	const state = parse.states.at(-1);
	// FROM sees only the ARGs declared before the first FROM.
	const variables = state && kind !== 'FROM' ? variablesOf(state) : parse.globals;
	const args = substituted.has(kind)
		? substituteVariables(unexpanded, variables, parse.escapeChar)
		: unexpanded;

	if (kind === 'FROM') {
		startStage(parse, args, flags, raw.line);
		return;
	}

	if (kind === 'ARG') declareArgs(parse, args, stage ? state : undefined);
	if (!stage) {
		// Only ARG may come before the first FROM.
		return;
	}

	if (kind === 'ENV') {
		for (const [name, value] of readAssignments(args)) {
			state!.env.set(name, value);
		}
	}

	stage.instructions.push({
		kind,
		flags,
		args,
		heredocs: raw.heredocs,
		line: raw.line,
		endLine: raw.endLine,
	});
}

export function parseDockerfile(text: string): ParsedDockerfile {
	const lines = text.split(/\r?\n/);
	const {directives, next} = readDirectives(lines);
	const parse: ParseState = {
		escapeChar: directives.escape === '`' ? '`' : '\\',
		globalArgs: {},
		globals: new Map(),
		stages: [],
		states: [],
	};
	for (const raw of readInstructions(lines, next, parse.escapeChar)) readInstruction(parse, raw);
	return {text, directives, globalArgs: parse.globalArgs, stages: parse.stages};
}

/** The instructions that built the final stage, including those of earlier stages it starts FROM. */
export function finalStageInstructions(parsed: ParsedDockerfile): {
	instructions: DockerfileInstruction[];
	externalBase: string;
} {
	const chain: DockerfileStage[] = [];
	let stage = parsed.stages.at(-1);
	while (stage && !chain.includes(stage)) {
		chain.unshift(stage);
		const base = stage.base.toLowerCase();
		stage = parsed.stages.slice(0, stage.index).find((candidate) => candidate.name === base);
	}

	return {instructions: chain.flatMap((entry) => entry.instructions), externalBase: chain[0]?.base ?? ''};
}
