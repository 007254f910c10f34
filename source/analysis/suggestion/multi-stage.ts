import type {ParsedDockerfile} from '../dockerfile/types.js';
import {filesWhere} from '../final-file-list.js';
import {baseHistoryLength, guessBaseImage} from '../findings/base-image.js';
import type {RuleInput} from '../types.js';
import {assignment, commentText, copyFromLine, execForm, plainArgument} from './dockerfile-syntax.js';
import {historyBuildStage} from './history-stage.js';
import type {RuntimePlan} from './runtime-plan.js';

/*
The suggestion's two Dockerfiles: the user's own file made multi-stage, or a build stage rebuilt from the
image's history. Both end in the same runtime stage body (packages, then copies of the closure's paths).
*/

/** The runtime stage's own lines after FROM: packages, copies (the config's instructions are the caller's). */
function runtimeBody(plan: RuntimePlan, buildStage: string): string[] {
	const lines: string[] = [];
	if (plan.packages.length > 0 && plan.packageManager === 'apt') {
		lines.push(
			"# the packages your layers installed, less the build-only ones; apt's downloads, lists and logs removed in the same RUN",
			`RUN apt-get update && apt-get install -y --no-install-recommends ${plan.packages.join(' ')} && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log /var/log/alternatives.log`,
		);
	}

	for (const copy of plan.copies) {
		lines.push(copyFromLine(buildStage, `/${copy.path}`, `/${copy.path}`, copy.chown));
	}

	return lines;
}

/** Instructions that only describe the running container: the build stage does without them. */
const runtimeOnlyKinds = new Set(['EXPOSE', 'STOPSIGNAL', 'HEALTHCHECK', 'ENTRYPOINT', 'CMD']);

/** The instruction kinds a runtime stage keeps from the user's final stage, as written. */
const configKinds = new Set([
	'USER',
	'EXPOSE',
	'VOLUME',
	'STOPSIGNAL',
	'HEALTHCHECK',
	'SHELL',
	'ENTRYPOINT',
	'CMD',
]);

/**
The user's own Dockerfile made multi-stage: every stage before the final one as written; the final stage as
written but named `build` (plus a prune for a Node app); then a runtime stage FROM the same base with the
final stage's ARG/ENV/LABEL lines, the runtime packages, `COPY --from=build` of exactly the closure's paths,
WORKDIR, and the final stage's USER/EXPOSE/…/CMD lines as written.
*/
export function fromDockerfile(
	source: {parsed: ParsedDockerfile; text: string},
	input: RuleInput,
	plan: RuntimePlan,
	prune: string | undefined,
): string {
	const {parsed, text} = source;
	const lines = text.split(/\r?\n/);
	const finalStage = parsed.stages.at(-1)!;
	const names = new Set(parsed.stages.map((stage) => stage.name).filter(Boolean));
	const buildStage = finalStage.name ?? (names.has('build') ? 'layerlens-build' : 'build');
	const fromLine = lines[finalStage.line - 1] ?? '';
	const fromMatch = /^(\s*FROM\s+(?:--\S+\s+)*)(\S+)(\s+AS\s+\S+)?\s*$/i.exec(fromLine);
	const baseText = fromMatch?.[2] ?? finalStage.base;
	const stageText = (instruction: {line: number; endLine: number}) =>
		lines.slice(instruction.line - 1, instruction.endLine).join('\n');

	const output: string[] = [
		'# suggested by layerlens: your Dockerfile with a runtime stage that keeps everything but what the findings prove build-only',
	];
	output.push(...lines.slice(0, finalStage.line - 1));
	output.push(
		fromMatch ? `${fromMatch[1]}${baseText} AS ${buildStage}` : `FROM ${finalStage.base} AS ${buildStage}`,
	);
	// The build stage runs every step as written; what only describes the running container goes to the runtime stage.
	const stageEnd = finalStage.instructions.at(-1)?.endLine ?? finalStage.line;
	const skipped = new Set<number>();
	for (const instruction of finalStage.instructions) {
		if (runtimeOnlyKinds.has(instruction.kind)) {
			for (let line = instruction.line; line <= instruction.endLine; line++) skipped.add(line);
		}
	}

	for (let line = finalStage.line + 1; line <= stageEnd; line++) {
		if (!skipped.has(line)) output.push(lines[line - 1]!);
	}

	if (prune) output.push(prune);
	output.push('');
	output.push(`FROM ${baseText}`);
	for (const instruction of finalStage.instructions) {
		if (instruction.kind === 'ARG' || instruction.kind === 'ENV' || instruction.kind === 'LABEL') {
			output.push(stageText(instruction));
		}
	}

	output.push(...runtimeBody(plan, buildStage));
	const workdir = finalStage.instructions.filter((instruction) => instruction.kind === 'WORKDIR');
	if (workdir.length > 0) {
		const absolute = plainArgument(input.config.workingDir ?? '');
		output.push(absolute ? `WORKDIR ${absolute}` : stageText(workdir.at(-1)!));
	}

	for (const instruction of finalStage.instructions) {
		if (configKinds.has(instruction.kind)) output.push(stageText(instruction));
	}

	return `${output.join('\n')}\n`;
}

/** The config's own instructions for a runtime stage rebuilt from history, each quoted or refused. */
function configLines(
	input: RuleInput,
	appHistoryKinds: Set<string>,
	notes: string[],
): {before: string[]; after: string[]} {
	const {config} = input;
	const before: string[] = [];
	const after: string[] = [];
	const refused = (what: string) =>
		notes.push(
			`${what} cannot be written into a Dockerfile safely (control characters or quotes): set it by hand`,
		);
	if (appHistoryKinds.has('ENV')) {
		const base = new Set(
			input.history
				.slice(0, baseHistoryLength(input.history))
				.filter((entry) => entry.instructionKind === 'ENV')
				.flatMap((entry) =>
					[...entry.instruction.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=/g)].map((match) => match[1]!),
				),
		);
		for (const variable of config.env) {
			const equals = variable.indexOf('=');
			const key = variable.slice(0, equals);
			if (equals <= 0 || base.has(key) || key === 'PATH') continue;
			const line = assignment(key, variable.slice(equals + 1));
			if (line === undefined) refused(`ENV ${JSON.stringify(key)}`);
			else before.push(`ENV ${line}`);
		}
	}

	if (appHistoryKinds.has('USER') && config.user) {
		const user = plainArgument(config.user);
		if (user === undefined) refused('USER');
		else after.push(`USER ${user}`);
	}

	if (appHistoryKinds.has('EXPOSE') && config.exposedPorts.length > 0) {
		const ports = config.exposedPorts.filter((port) => /^\d{1,5}(\/(tcp|udp|sctp))?$/.test(port));
		if (ports.length < config.exposedPorts.length) refused('an EXPOSE port');
		if (ports.length > 0) after.push(`EXPOSE ${ports.map((port) => port.replace(/\/tcp$/, '')).join(' ')}`);
	}

	if (appHistoryKinds.has('ENTRYPOINT') && config.entrypoint?.length) {
		after.push(`ENTRYPOINT ${execForm(config.entrypoint)}`);
	}

	if ((appHistoryKinds.has('CMD') || appHistoryKinds.has('ENTRYPOINT')) && config.cmd?.length) {
		after.push(`CMD ${execForm(config.cmd)}`);
	}

	return {before, after};
}

/** Layers that wrote build output (node_modules, site-packages, a venv, dist, target/release): a copy there is a build step's. */
function buildOutputLayers(input: RuleInput): Set<number> {
	return new Set(
		filesWhere(input.files, (file) =>
			/(^|\/)(node_modules|site-packages|\.venv|dist|target\/release)\//.test(file.path),
		).map((file) => file.layer),
	);
}

/**
A build stage reconstructed from the app's history steps (every guess marked), then a runtime stage FROM the
guessed base with the config's ENV, the runtime body, WORKDIR and the config's USER/EXPOSE/ENTRYPOINT/CMD.
What cannot be written safely, or only guessed, is said in `notes`.
*/
export function fromHistory(
	input: RuleInput,
	plan: RuntimePlan,
	prune: string | undefined,
	notes: string[],
): string {
	const base = guessBaseImage(input);
	const baseReference = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/.test(base.reference)
		? base.reference
		: '<base image>';
	if (base.comment) notes.push(`Base image: ${base.comment}`);
	const appHistory = input.history.slice(baseHistoryLength(input.history));
	const outputLayers = buildOutputLayers(input);
	const built = historyBuildStage(appHistory, notes, (layer) => outputLayers.has(layer));
	const lines: string[] = [
		"# suggested by layerlens from the image's history: review every step marked 'guess' before building",
	];
	const from = (stage?: string) => {
		if (base.comment) lines.push(`# ${commentText(base.comment)}`);
		lines.push(`FROM ${baseReference}${stage ? ` AS ${stage}` : ''}`);
	};

	from('build');
	lines.push(...built);
	if (prune) lines.push(prune);
	lines.push('');
	const {before, after} = configLines(
		input,
		new Set(appHistory.map((entry) => entry.instructionKind)),
		notes,
	);
	from();
	lines.push(...before);
	lines.push(...runtimeBody(plan, 'build'));
	const workdir = plainArgument(input.config.workingDir ?? '');
	if (workdir) lines.push(`WORKDIR ${workdir}`);
	lines.push(...after);
	return `${lines.join('\n')}\n`;
}
