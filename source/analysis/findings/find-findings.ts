import {isBuildOnlyOrCache} from '../finding-categories.js';
import {filesByPath} from '../rule-input.js';
import type {Finding, RuleInput} from '../types.js';
import {findAppDirectory} from './app-directory.js';
import {baseLayersOfHistory} from './base-image.js';
import {buildFinding} from './build-finding.js';
import type {FindingDraft, Rule, RuleContext} from './rule-context.js';
import {repositoryFilesRule, sourcesRule, testsRule} from './rules/app-files.js';
import {cachesRule} from './rules/caches.js';
import {buildToolsRule, devDependenciesRule} from './rules/node-dependencies.js';
import {secretFilesRule} from './rules/secrets.js';
import {
	alpinePackagesRule,
	debianDevelopmentPackagesRule,
	toolchainPackagesRule,
} from './rules/system-packages.js';
import {buildPathsRule, goToolchainRule, jdkRule, pythonBuildArtifactsRule} from './rules/toolchains.js';
import {duplicateContentRule, hiddenWasteRule} from './rules/waste.js';

/**
Strongest evidence first: a path reported by an earlier rule is not reported again by a later one,
so a lockfile's `dev: true` wins over a path pattern and totals never count a path twice.
*/
const rulesInOrder: Rule[] = [
	hiddenWasteRule,
	secretFilesRule,
	devDependenciesRule,
	buildToolsRule,
	toolchainPackagesRule,
	debianDevelopmentPackagesRule,
	alpinePackagesRule,
	goToolchainRule,
	jdkRule,
	cachesRule,
	buildPathsRule,
	pythonBuildArtifactsRule,
	testsRule,
	sourcesRule,
	repositoryFilesRule,
	duplicateContentRule,
];

/** `COPY . .`, `COPY . /app`, `ADD . .` and the classic builder's `COPY dir:<sha> in /app` (normalised to `COPY <dir> /app`). */
const contextCopy = /^(COPY|ADD)\s+(--(?!from)\S+\s+)*(\.\/?|<dir>|dir:\S+ in)\s+\S+/;

export type FindFindingsOptions = {
	/**
	Layers known to come from the base image: with a Dockerfile mapped to the history, the layers that no line
	of the final stage made (see `baseLayersOfMapping`). Without it, the base is read from the history
	(`baseHistoryLength`).
	*/
	baseLayers?: Set<number>;
	/**
	Files the running container is proven to need (the runtime closure: its executables, loaders and
	libraries). They are never build-only or cache, whatever their path looks like.
	*/
	runtimePaths?: Set<string>;
};

export function createRuleContext(input: RuleInput, options: FindFindingsOptions = {}): RuleContext {
	const contextCopyLayers = new Set<number>();
	for (const layer of input.layers) {
		if (contextCopy.test(layer.instruction.replace(/\s+#\s*buildkit$/, ''))) {
			contextCopyLayers.add(layer.index);
		}
	}

	return {
		input,
		baseLayers: options.baseLayers ?? baseLayersOfHistory(input.history),
		byPath: filesByPath(input),
		appDir: findAppDirectory(input),
		runCommand: [...(input.config.entrypoint ?? []), ...(input.config.cmd ?? [])].join(' '),
		contextCopyLayers,
		claimed: new Set(),
	};
}

const baseFix =
	'From the base image: choose another base image (or build one without these files); no step of your Dockerfile can remove them from its layers';

/**
Splits a draft's paths into the app's and the base image's: the base's part becomes a finding of its own,
marked `fromBase`, whose fix is the only one that works (another base). Hidden-waste drafts have one adding
layer, so they are the base's when that layer is.
*/
function splitByOrigin(context: RuleContext, draft: FindingDraft, paths: string[]): FindingDraft[] {
	if (draft.hidden) {
		return context.baseLayers.has(draft.hidden.layerIndex)
			? [{...draft, paths, fix: draft.baseFix ?? baseFix, fromBase: true}]
			: [{...draft, paths}];
	}

	const own: string[] = [];
	const base: string[] = [];
	for (const path of paths) {
		const file = context.byPath.get(path);
		(file !== undefined && context.baseLayers.has(file.layer) ? base : own).push(path);
	}

	const drafts: FindingDraft[] = [];
	if (own.length > 0) {
		drafts.push({...draft, paths: own});
	}

	if (base.length > 0) {
		drafts.push({...draft, paths: base, fix: draft.baseFix ?? baseFix, fromBase: true});
	}

	return drafts;
}

/**
Every finding for an image, largest first. Findings about the base image's files carry `fromBase: true`.
With `--dockerfile`, pass the exactly known base layers: `{baseLayers: baseLayersOfMapping(mapping)}`.
*/
export function findFindings(input: RuleInput, options: FindFindingsOptions = {}): Finding[] {
	const context = createRuleContext(input, options);
	const findings: Finding[] = [];
	for (const rule of rulesInOrder) {
		for (const draft of rule(context)) {
			// A path another rule already reported is not reported again (rules skip claimed paths themselves,
			// so the counts in their evidence are the counts of the paths they list).
			const needed = isBuildOnlyOrCache(draft) ? options.runtimePaths : undefined;
			const paths = draft.hidden
				? draft.paths
				: draft.paths.filter((path) => !context.claimed.has(path) && !needed?.has(path));
			for (const part of splitByOrigin(context, draft, paths)) {
				findings.push(buildFinding(context, part));
			}

			if (!draft.hidden) {
				for (const path of paths) {
					context.claimed.add(path);
				}
			}
		}
	}

	return findings.sort(
		(a, b) =>
			b.bytes - a.bytes ||
			a.ruleId.localeCompare(b.ruleId) ||
			(a.layerIndex ?? -1) - (b.layerIndex ?? -1) ||
			Number(a.fromBase ?? false) - Number(b.fromBase ?? false),
	);
}
