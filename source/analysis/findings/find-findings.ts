import {filesByPath} from '../rule-input.js';
import type {Finding, RuleInput} from '../types.js';
import {findAppDirectory} from './app-directory.js';
import {baseHistoryLength} from './base-image.js';
import {buildFinding} from './build-finding.js';
import type {FindingDraft, Rule, RuleContext} from './rule-context.js';
import {repositoryFilesRule, sourcesRule, testsRule} from './rules/app-files.js';
import {cachesRule} from './rules/caches.js';
import {buildToolsRule, devDependenciesRule} from './rules/node-dependencies.js';
import {secretFilesRule} from './rules/secrets.js';
import {alpinePackagesRule, debianDevelopmentPackagesRule} from './rules/system-packages.js';
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

export function createRuleContext(input: RuleInput): RuleContext {
	const contextCopyLayers = new Set<number>();
	for (const layer of input.layers) {
		if (contextCopy.test(layer.instruction.replace(/\s+#\s*buildkit$/, ''))) {
			contextCopyLayers.add(layer.index);
		}
	}

	const baseEntries = baseHistoryLength(input.history);
	const baseLayers = new Set<number>();
	for (const entry of input.history.slice(0, baseEntries)) {
		if (entry.layerIndex !== null) {
			baseLayers.add(entry.layerIndex);
		}
	}

	return {
		input,
		baseLayers,
		byPath: filesByPath(input),
		appDir: findAppDirectory(input),
		runCommand: [...(input.config.entrypoint ?? []), ...(input.config.cmd ?? [])].join(' '),
		contextCopyLayers,
		claimed: new Set(),
	};
}

/**
A path another rule already reported is not reported again. Caches that came with the base image
(its logs, its package lists) are the base image's business: the app's Dockerfile cannot remove them
from those layers, so they are no finding of this image.
*/
function isReportable(context: RuleContext, draft: FindingDraft, path: string): boolean {
	if (context.claimed.has(path)) return false;
	if (draft.category !== 'cache') return true;
	const file = context.byPath.get(path);
	return file === undefined || !context.baseLayers.has(file.layer);
}

/** Every finding for an image, largest first. */
export function findFindings(input: RuleInput): Finding[] {
	const context = createRuleContext(input);
	const findings: Finding[] = [];
	for (const rule of rulesInOrder) {
		for (const draft of rule(context)) {
			const paths = draft.hidden
				? draft.paths
				: draft.paths.filter((path) => isReportable(context, draft, path));
			if (paths.length === 0) {
				continue;
			}

			findings.push(buildFinding(context, {...draft, paths}));
			if (!draft.hidden) {
				for (const path of paths) {
					context.claimed.add(path);
				}
			}
		}
	}

	return findings.sort(
		(a, b) =>
			b.bytes - a.bytes || a.ruleId.localeCompare(b.ruleId) || (a.layerIndex ?? -1) - (b.layerIndex ?? -1),
	);
}
