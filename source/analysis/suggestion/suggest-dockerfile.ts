import {formatBytes} from '../../shared/format-bytes.js';
import {explicitlyInstalled} from '../closure/package-owners.js';
import {type RuntimeClosure, type RuntimeKind, runtimeClosure} from '../closure/runtime-closure.js';
import type {ParsedDockerfile} from '../dockerfile/types.js';
import {baseHistoryLength, guessBaseImage} from '../findings/base-image.js';
import {dockerignoreLines} from '../findings/dockerignore.js';
import {createRuleContext} from '../findings/find-findings.js';
import {filesByPath} from '../rule-input.js';
import type {Finding, RuleInput} from '../types.js';
import {
	assignment,
	commentText,
	copyFromLine,
	dockerignoreLine,
	execForm,
	plainArgument,
} from './dockerfile-syntax.js';
import {historyBuildStage} from './history-stage.js';
import {planRuntime, type RuntimePlan, type RuntimeProjection} from './runtime-plan.js';

export type SuggestionClosure = {
	runtime: RuntimeKind;
	argv: string[];
	/** The entrypoint chain: each path the container needs and why, first 40. */
	chain: {path: string; reason: string}[];
	/** Every proven path, sorted. */
	paths: string[];
	trees: string[];
	unresolved: string[];
};

export type DockerfileSuggestion = {
	/** What the container runs, from its entrypoint. */
	stack: RuntimeKind;
	/** Where the build stage came from. */
	basedOn: 'dockerfile' | 'history' | 'none';
	/** The multi-stage Dockerfile; empty when the image has nothing to move. */
	dockerfile: string;
	dockerignore: string[];
	/** Everything the suggester wants the user to know, in order of importance. */
	notes: string[];
	projection: RuntimeProjection;
	closure: SuggestionClosure;
	/** The runtime stage's plan: what it copies, the names it installs and every package that install brings. */
	runtime: {copies: string[]; packages: string[]; installedPackages: string[]};
};

export type SuggestOptions = {
	/** The user's Dockerfile (`--dockerfile`), parsed, with its text: the suggestion is that file made multi-stage. */
	dockerfile?: {parsed: ParsedDockerfile; text: string; path?: string};
	/** Layers that came with the base image, when the Dockerfile mapping knows them exactly. */
	baseLayers?: Set<number>;
	/** The runtime closure when the caller already worked it out (to keep closure files out of the findings). */
	closure?: RuntimeClosure;
};

/** Layers before the app's first step, from history (the last base CMD/ENTRYPOINT marks the end). */
export function historyBaseLayers(input: RuleInput): Set<number> {
	const layers = new Set<number>();
	for (const entry of input.history.slice(0, baseHistoryLength(input.history))) {
		if (entry.layerIndex !== null) layers.add(entry.layerIndex);
	}

	return layers;
}

function nodePrune(input: RuleInput, appDirectory: string): string {
	const has = (name: string) => filesByPath(input).has(`${appDirectory}/${name}`);
	if (has('pnpm-lock.yaml')) return 'RUN pnpm prune --prod';
	// Yarn 1 has no prune: a production install over the full one removes the rest, from its cache.
	if (has('yarn.lock')) return 'RUN yarn install --production --frozen-lockfile --prefer-offline';
	return 'RUN npm prune --omit=dev';
}

function summariseClosure(closure: RuntimeClosure): SuggestionClosure {
	return {
		runtime: closure.runtime,
		argv: closure.argv,
		chain: closure.chain.slice(0, 40),
		paths: [...closure.proven].sort(),
		trees: closure.trees,
		unresolved: closure.unresolved,
	};
}

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
function fromDockerfile(
	source: NonNullable<SuggestOptions['dockerfile']>,
	input: RuleInput,
	plan: RuntimePlan,
	closure: RuntimeClosure,
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

	void closure;
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

/** The shell commands the app's own steps ran: from the Dockerfile's final stage when given, else the history. */
function appRunCommands(
	input: RuleInput,
	baseLayers: Set<number>,
	dockerfile: ParsedDockerfile | undefined,
): string[] {
	const finalStage = dockerfile?.stages.at(-1);
	if (finalStage !== undefined) {
		return finalStage.instructions
			.filter((instruction) => instruction.kind === 'RUN')
			.map((instruction) =>
				[instruction.args, ...instruction.heredocs.map((heredoc) => heredoc.body)].join('\n'),
			);
	}

	return input.history
		.filter(
			(entry) =>
				entry.instructionKind === 'RUN' && (entry.layerIndex === null || !baseLayers.has(entry.layerIndex)),
		)
		.map((entry) => entry.instruction);
}

/**
One line per missing library, not per file that needs it: a JVM's two dozen libraries all name libjvm.so,
which its launcher loads from its own directory.
*/
function groupedUnresolved(problems: string[]): string[] {
	const byLibrary = new Map<string, string[]>();
	const other: string[] = [];
	for (const problem of problems) {
		const missing = /^(.+) needs (\S+), which is not in the image's library paths$/.exec(problem);
		if (missing === null) {
			other.push(problem);
			continue;
		}

		byLibrary.set(missing[2]!, [...(byLibrary.get(missing[2]!) ?? []), missing[1]!]);
	}

	const grouped = [...byLibrary].map(([library, paths]) =>
		paths.length === 1
			? `${paths[0]} needs ${library}, which is not in the image's library paths`
			: `${paths.length} files need ${library} (${paths[0]} and ${paths.length - 1} more), which is not in the image's library paths`,
	);
	return [...grouped, ...other];
}

/** When no finding proves build-only files, a builder stage moves nothing: say so, and what the in-place fixes give. */
function inPlaceNote(findings: Finding[], baseLayers: Set<number>, plan: RuntimePlan): string {
	const own = findings.filter(
		(finding) =>
			finding.fromBase !== true && (finding.layerIndex === undefined || !baseLayers.has(finding.layerIndex)),
	);
	const fixes = own.filter((finding) => finding.category !== 'build-only').map((finding) => finding.ruleId);
	const saved = plan.projection.finalBytes - plan.projection.bytes;
	return fixes.length === 0
		? 'No builder stage needed: no finding proves a file of your layers build-only, and there is nothing else to fix'
		: `No builder stage needed: no finding proves a file of your layers build-only. The in-place fixes (${[...new Set(fixes)].join(', ')}: each finding's fix, in the RUN that created the files) take ${formatBytes(saved)} off the final filesystem; the waste fixes shrink the layers too`;
}

/**
A multi-stage Dockerfile whose runtime stage holds the runtime closure of the image: with `--dockerfile`,
the user's file turned multi-stage; without it, a build stage reconstructed from history, every guess
marked. Nothing from the image is written raw: see dockerfile-syntax.ts.
*/
export function suggestDockerfile(
	input: RuleInput,
	findings: Finding[],
	options: SuggestOptions = {},
): DockerfileSuggestion {
	const baseLayers = options.baseLayers ?? historyBaseLayers(input);
	const closure = options.closure ?? runtimeClosure(input);
	const notes: string[] = [];
	const appDirectory = closure.appDirectory;
	const hasNodeModules =
		closure.runtime === 'node' &&
		appDirectory !== undefined &&
		input.files.some((file) => file.path.startsWith(`${appDirectory}/node_modules/`));
	const devDependencies = new Set(
		findings.filter((finding) => finding.ruleId === 'LL-BUILD-DEVDEPS').flatMap((finding) => finding.paths),
	);
	const plan = planRuntime(input, findings, closure, baseLayers, {
		prunedInBuild: hasNodeModules ? devDependencies : new Set(),
		explicitPackages: explicitlyInstalled(appRunCommands(input, baseLayers, options.dockerfile?.parsed)),
	});
	notes.push(...plan.notes);
	for (const problem of groupedUnresolved(closure.unresolved)) notes.push(`Runtime closure: ${problem}`);
	const context = createRuleContext(input);
	// Every stage of the user's Dockerfile builds from the same context: what any RUN reads stays in it.
	const everyStageRuns = (options.dockerfile?.parsed.stages ?? [])
		.flatMap((stage) => stage.instructions)
		.filter((instruction) => instruction.kind === 'RUN')
		.map((instruction) =>
			[instruction.args, ...instruction.heredocs.map((heredoc) => heredoc.body)].join('\n'),
		)
		.join('\n');
	const dockerignore = dockerignoreLines(context, findings, everyStageRuns)
		.map(dockerignoreLine)
		.filter((line): line is string => line !== undefined);

	const summary = {
		stack: closure.runtime,
		dockerignore,
		projection: plan.projection,
		closure: summariseClosure(closure),
		runtime: {
			copies: plan.copies.map((copy) => `/${copy.path}`),
			packages: plan.packages,
			installedPackages: plan.installedPackages,
		},
	};

	if (!plan.builderStageHelps) {
		notes.unshift(inPlaceNote(findings, baseLayers, plan));
		return {...summary, basedOn: 'none', dockerfile: '', dockerignore: [], notes};
	}

	if (closure.runtime === 'unknown' && closure.argv.length === 0) {
		notes.push(
			'The image sets no CMD or ENTRYPOINT: the runtime stage has nothing to start from, so it copies only the app directory',
		);
	}

	const prune = hasNodeModules ? nodePrune(input, appDirectory!) : undefined;
	if (prune)
		notes.push(
			`The build stage prunes node_modules to production dependencies (\`${prune.slice(4)}\`); the runtime stage copies the pruned tree`,
		);
	if (plan.packages.length > 0)
		notes.push(
			`The runtime stage reinstalls ${plan.packages.join(', ')} (${plan.installedPackages.length} packages with their dependencies): every package your layers installed that no finding proves build-only`,
		);

	const projection = plan.projection;
	if (projection.low !== projection.high) {
		notes.push(
			`Projected runtime image: ${projection.low}–${projection.high} bytes; the range is the reinstalled packages' part (apt may fetch other versions than the image holds)`,
		);
	}

	if (options.dockerfile) {
		const dockerfile = fromDockerfile(options.dockerfile, input, plan, closure, prune);
		return {...summary, basedOn: 'dockerfile', dockerfile, notes};
	}

	const base = guessBaseImage(input);
	const baseReference = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/.test(base.reference)
		? base.reference
		: '<base image>';
	if (base.comment) notes.push(`Base image: ${base.comment}`);
	const appHistory = input.history.slice(baseHistoryLength(input.history));
	const outputLayers = new Set(
		input.files
			.filter((file) => /(^|\/)(node_modules|site-packages|\.venv|dist|target\/release)\//.test(file.path))
			.map((file) => file.layer),
	);
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
	return {...summary, basedOn: 'history', dockerfile: `${lines.join('\n')}\n`, notes};
}
