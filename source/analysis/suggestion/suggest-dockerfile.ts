import {formatBytes} from '../../shared/format-bytes.js';
import {explicitlyInstalled} from '../closure/package-owners.js';
import {type RuntimeClosure, type RuntimeKind, runtimeClosure} from '../closure/runtime-closure.js';
import type {DockerfileInstruction, ParsedDockerfile} from '../dockerfile/types.js';
import {someFile} from '../final-file-list.js';
import {baseHistoryLength} from '../findings/base-image.js';
import {dockerignoreLines} from '../findings/dockerignore.js';
import {createRuleContext} from '../findings/find-findings.js';
import {filesByPath} from '../rule-input.js';
import type {Finding, RuleInput} from '../types.js';
import {dockerignoreLine} from './dockerfile-syntax.js';
import {fromDockerfile, fromHistory} from './multi-stage.js';
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

/** A RUN instruction's shell text: its arguments and its heredoc bodies. */
function runText(instruction: DockerfileInstruction): string {
	return [instruction.args, ...instruction.heredocs.map((heredoc) => heredoc.body)].join('\n');
}

/** The shell commands the app's own steps ran: from the Dockerfile's final stage when given, else the history. */
function appRunCommands(
	input: RuleInput,
	baseLayers: Set<number>,
	dockerfile: ParsedDockerfile | undefined,
): string[] {
	const finalStage = dockerfile?.stages.at(-1);
	if (finalStage !== undefined) {
		return finalStage.instructions.filter((instruction) => instruction.kind === 'RUN').map(runText);
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

/** Whether the build stage prunes node_modules: a Node app whose app directory has them. */
function prunesNodeModules(input: RuleInput, closure: RuntimeClosure): boolean {
	const appDirectory = closure.appDirectory;
	return (
		closure.runtime === 'node' &&
		appDirectory !== undefined &&
		someFile(input.files, (file) => file.path.startsWith(`${appDirectory}/node_modules/`))
	);
}

/** The `.dockerignore` lines the findings call for, keeping what any RUN of the user's stages reads. */
function suggestedDockerignore(
	input: RuleInput,
	findings: Finding[],
	dockerfile: ParsedDockerfile | undefined,
): string[] {
	const context = createRuleContext(input);
	// Every stage of the user's Dockerfile builds from the same context: what any RUN reads stays in it.
	const everyStageRuns = (dockerfile?.stages ?? [])
		.flatMap((stage) => stage.instructions)
		.filter((instruction) => instruction.kind === 'RUN')
		.map(runText)
		.join('\n');
	return dockerignoreLines(context, findings, everyStageRuns)
		.map(dockerignoreLine)
		.filter((line): line is string => line !== undefined);
}

/** What the runtime stage does that the user should know: no command to start, the prune, the reinstall, the projection's range. */
function runtimeStageNotes(closure: RuntimeClosure, plan: RuntimePlan, prune: string | undefined): string[] {
	const notes: string[] = [];
	if (closure.runtime === 'unknown' && closure.argv.length === 0) {
		notes.push(
			'The image sets no CMD or ENTRYPOINT: the runtime stage has nothing to start from, so it copies only the app directory',
		);
	}

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

	return notes;
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
	const pruned = prunesNodeModules(input, closure);
	const devDependencies = new Set(
		findings.filter((finding) => finding.ruleId === 'LL-BUILD-DEVDEPS').flatMap((finding) => finding.paths),
	);
	const plan = planRuntime(input, findings, closure, baseLayers, {
		prunedInBuild: pruned ? devDependencies : new Set(),
		explicitPackages: explicitlyInstalled(appRunCommands(input, baseLayers, options.dockerfile?.parsed)),
	});
	const notes = [
		...plan.notes,
		...groupedUnresolved(closure.unresolved).map((problem) => `Runtime closure: ${problem}`),
	];
	const summary = {
		stack: closure.runtime,
		dockerignore: suggestedDockerignore(input, findings, options.dockerfile?.parsed),
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

	const prune = pruned ? nodePrune(input, closure.appDirectory!) : undefined;
	notes.push(...runtimeStageNotes(closure, plan, prune));
	if (options.dockerfile) {
		const dockerfile = fromDockerfile(options.dockerfile, input, plan, prune);
		return {...summary, basedOn: 'dockerfile', dockerfile, notes};
	}

	const dockerfile = fromHistory(input, plan, prune, notes);
	return {...summary, basedOn: 'history', dockerfile, notes};
}
