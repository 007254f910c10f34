import type {Finding} from '../types.js';
import {buildCommands, installsPackages, readsGit, runsTests} from './build-commands.js';
import {type RuleContext, relativeTo} from './rule-context.js';

/** Folders that are ignored whole, wherever they sit. */
const ignoredFolders = new Set([
	'.git',
	'.github',
	'.gitlab',
	'.circleci',
	'.vscode',
	'.idea',
	'.husky',
	'test',
	'tests',
	'__tests__',
	'spec',
	'__mocks__',
	'coverage',
	'.nyc_output',
	'node_modules',
	'.pytest_cache',
	'.mypy_cache',
	'.ruff_cache',
	'.tox',
	'__pycache__',
	'.next',
]);

/** Rules whose files never belong in any stage's build context (sources and build configs do: the build stage needs them). */
const ignorableRules = /^(LL-BUILD-REPO-FILES|LL-BUILD-TESTS|LL-SECRET-|LL-CACHE-TOOLS|LL-CACHE-PYCACHE)/;

function lineFor(relative: string): string {
	const parts = relative.split('/');
	const folder = parts.slice(0, -1).findIndex((part) => ignoredFolders.has(part));
	if (folder !== -1) {
		return folder === 0 ? parts[0]! : `**/${parts[folder]}`;
	}

	const name = parts.at(-1)!;
	const testFile = /\.(test|spec)\.[^/]+$/.exec(name);
	if (testFile) {
		return `**/*.${testFile[1]}.*`;
	}

	return parts.length === 1 ? name : `**/${name}`;
}

/**
Files a build step reads must stay in the context even when the runtime stage should not have them:
tests when a RUN runs them, .git when a RUN calls git, registry settings when a RUN installs packages.
*/
function neededByBuild(commands: string, ruleId: string, relative: string): boolean {
	if (ruleId === 'LL-BUILD-TESTS') {
		return runsTests.test(commands);
	}

	if (ruleId === 'LL-BUILD-REPO-FILES' && /^\.git(\/|$)/.test(relative)) {
		return readsGit.test(commands);
	}

	if (ruleId.startsWith('LL-SECRET-') && /(^|\/)(\.npmrc|\.pypirc|\.netrc|pip\.conf)$/.test(relative)) {
		return installsPackages.test(commands);
	}

	return false;
}

/**
`.dockerignore` lines for exactly the files the findings saw arriving through a copy of the build
context (`COPY . .`), plus host node_modules that such a copy brought in and a later install replaced.
Nothing a build step reads is ignored (see neededByBuild): the build stage copies the same context, and so
does every other stage of the user's Dockerfile (`otherStageCommands`, their RUN lines).
*/
export function dockerignoreLines(
	context: RuleContext,
	findings: Finding[],
	otherStageCommands = '',
): string[] {
	// The image's history shows its final stage only; the Dockerfile's other stages read the same context.
	const commands = `${buildCommands(context)}\n${otherStageCommands}`;
	const lines = new Set<string>();
	for (const finding of findings) {
		if (!ignorableRules.test(finding.ruleId)) {
			continue;
		}

		for (const path of finding.paths) {
			const file = context.byPath.get(path);
			const relative = relativeTo(path, context.appDir);
			if (
				file !== undefined &&
				context.contextCopyLayers.has(file.layer) &&
				!neededByBuild(commands, finding.ruleId, relative)
			) {
				lines.add(lineFor(relative));
			}
		}
	}

	for (const item of context.input.waste.items) {
		if (context.contextCopyLayers.has(item.addedInLayer) && /(^|\/)node_modules\//.test(item.path)) {
			lines.add('node_modules');
		}
	}

	return [...lines].sort();
}
