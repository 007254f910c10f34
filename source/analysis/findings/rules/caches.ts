import {anyPattern} from '../../../shared/any-pattern.js';
import {layerAt, pathAt} from '../../final-file-list.js';
import type {Confidence} from '../../types.js';
import {isPackageBytecode, packageOwnedPaths} from '../package-databases.js';
import type {FindingDraft, Rule} from '../rule-context.js';

type CacheRule = {
	ruleId: string;
	title: string;
	/** Matches a final path; capture group 1 (when present) is the cache directory used for grouping. */
	pattern: RegExp;
	confidence: Confidence;
	fix: string;
	/** Paths that look like the cache but are not (e.g. apt's lock file). */
	except?: RegExp;
};

const home = '(?:root|home/[^/]+)';

/** W9–W21: caches and package-manager leftovers, by their standard locations. */
export const cacheRules: CacheRule[] = [
	{
		ruleId: 'LL-CACHE-NPM',
		title: 'npm cache and logs',
		pattern: new RegExp(`^(${home}/\\.npm)/`),
		confidence: 'high',
		fix: 'Run `npm ci` with `--mount=type=cache,target=/root/.npm`, or `npm cache clean --force` in the same RUN',
	},
	{
		ruleId: 'LL-CACHE-YARN',
		title: 'yarn cache',
		pattern: new RegExp(
			`^(usr/local/share/\\.cache/yarn|${home}/\\.cache/yarn|${home}/\\.yarn/berry/cache)/`,
		),
		confidence: 'high',
		fix: 'Run `yarn cache clean` in the same RUN as `yarn install`, or use a cache mount',
	},
	{
		ruleId: 'LL-CACHE-PNPM',
		title: 'pnpm store',
		pattern: new RegExp(`^(${home}/\\.local/share/pnpm/store|${home}/\\.pnpm-store|(?:.+/)?\\.pnpm-store)/`),
		confidence: 'high',
		fix: 'Use `--mount=type=cache,target=/root/.local/share/pnpm/store` or `pnpm store prune` in the same RUN',
	},
	{
		ruleId: 'LL-CACHE-TOOLS',
		title: 'Tool caches inside the app',
		pattern:
			/^((?:.+\/)?(?:node_modules\/\.cache|\.next\/cache|\.pytest_cache|\.mypy_cache|\.ruff_cache|\.tox|\.parcel-cache|\.turbo|\.eslintcache))(?:\/|$)/,
		confidence: 'high',
		fix: 'Build in a builder stage, or delete the cache in the RUN that creates it; add it to .dockerignore',
	},
	{
		ruleId: 'LL-CACHE-APT-LISTS',
		title: 'apt package lists',
		pattern: /^(var\/lib\/apt\/lists)\//,
		except: /^var\/lib\/apt\/lists\/(lock|partial\/)/,
		confidence: 'high',
		fix: 'End the `apt-get install` RUN with `&& rm -rf /var/lib/apt/lists/*`',
	},
	{
		ruleId: 'LL-CACHE-APT',
		title: 'apt package archives and caches',
		pattern: /^(var\/cache\/apt)\/(archives\/.+\.deb|[^/]+\.bin)$/,
		confidence: 'high',
		fix: 'Run `apt-get clean` in the same RUN as `apt-get install`, or use a cache mount on /var/cache/apt',
	},
	{
		ruleId: 'LL-CACHE-APK',
		title: 'apk cache',
		pattern: /^(var\/cache\/apk)\//,
		confidence: 'high',
		fix: 'Use `apk add --no-cache`',
	},
	{
		ruleId: 'LL-CACHE-YUM',
		title: 'yum/dnf/zypper cache',
		pattern: /^(var\/cache\/(?:yum|dnf|zypp))\//,
		confidence: 'high',
		fix: 'Run `yum clean all` / `dnf clean all` in the same RUN as the install',
	},
	{
		ruleId: 'LL-CACHE-PIP',
		title: 'pip cache',
		pattern: new RegExp(`^(${home}/\\.cache/pip)/`),
		confidence: 'high',
		fix: 'Use `pip install --no-cache-dir` (or `PIP_NO_CACHE_DIR=1`), or a cache mount on /root/.cache/pip',
	},
	{
		ruleId: 'LL-CACHE-POETRY',
		title: 'Poetry cache',
		pattern: new RegExp(`^(${home}/\\.cache/pypoetry)/`),
		confidence: 'high',
		fix: 'Run `poetry install --no-cache`, or remove ~/.cache/pypoetry in the same RUN',
	},
	{
		ruleId: 'LL-CACHE-UV',
		title: 'uv cache',
		pattern: new RegExp(`^(${home}/\\.cache/uv)/`),
		confidence: 'high',
		fix: 'Set `UV_NO_CACHE=1` or use a cache mount on /root/.cache/uv',
	},
	{
		ruleId: 'LL-CACHE-PYCACHE',
		title: 'Python bytecode caches',
		// Anchored in both branches (any character, newlines too, before .pyc), so the rules' joint test
		// (anyPattern) is tried at the start of a path only.
		pattern: /^(?:((?:.+\/)?__pycache__)\/|[\s\S]*\.py[co]$)/,
		confidence: 'low',
		fix: 'Optional: set `PYTHONDONTWRITEBYTECODE=1` while building (deleting them costs startup time)',
	},
	{
		ruleId: 'LL-CACHE-GO',
		title: 'Go build and module caches',
		pattern: new RegExp(`^(${home}/\\.cache/go-build|go/pkg/mod|${home}/go/pkg/mod)/`),
		confidence: 'high',
		fix: 'Build in a `golang` stage with cache mounts and copy only the binary',
	},
	{
		ruleId: 'LL-CACHE-MAVEN',
		title: 'Maven repository cache',
		pattern: new RegExp(`^(${home}/\\.m2/repository)/`),
		confidence: 'high',
		fix: 'Build in a builder stage and copy only the jar',
	},
	{
		ruleId: 'LL-CACHE-GRADLE',
		title: 'Gradle caches',
		pattern: new RegExp(`^(${home}/\\.gradle/(?:caches|wrapper/dists))/`),
		confidence: 'high',
		fix: 'Build in a builder stage and copy only the jar',
	},
	{
		ruleId: 'LL-CACHE-TMP',
		title: 'Temporary files and package-manager logs',
		pattern: /^(tmp|var\/tmp|var\/log\/apt|var\/log)\/(?:.+|dpkg\.log|alternatives\.log)$/,
		except: /^var\/log\/(?!apt\/|dpkg\.log$|alternatives\.log$)/,
		confidence: 'medium',
		fix: 'Remove temporary files in the RUN that creates them, or use a tmpfs/cache mount',
	},
];

/** Whether any cache rule's pattern matches (its exception aside): one pass over a path instead of one a rule. */
const anyCacheRule = anyPattern(cacheRules.map((rule) => rule.pattern));

/**
Caches that came with the base image (its logs, its package lists) are the base image's business and
too common to be worth a finding: only the app's layers are searched.
*/
export const cachesRule: Rule = (context) => {
	const matches = new Map<CacheRule, string[]>();
	const owned = packageOwnedPaths(context.input.evidence, context.byPath);
	const {files} = context.input;
	for (let position = 0; position < files.length; position++) {
		// The patterns before the lookups, all of them in one test first: few paths match one.
		const path = pathAt(files, position);
		if (!anyCacheRule.test(path) || context.baseLayers.has(layerAt(files, position))) continue;
		const rule = cacheRules.find(
			(candidate) => candidate.pattern.test(path) && !candidate.except?.test(path),
		);
		if (rule !== undefined && !context.claimed.has(path) && !isPackageBytecode(path, owned)) {
			const list = matches.get(rule) ?? [];
			list.push(path);
			matches.set(rule, list);
		}
	}

	const drafts: FindingDraft[] = [];
	for (const [rule, paths] of matches) {
		drafts.push({
			ruleId: rule.ruleId,
			category: 'cache',
			confidence: rule.confidence,
			title: rule.title,
			evidence: [
				`path pattern: ${paths.length} ${paths.length === 1 ? 'file' : 'files'} in the standard ${rule.title} location`,
			],
			paths,
			fix: rule.fix,
			groupOf: (path) => {
				const directory = rule.pattern.exec(path)?.[1];
				return directory === undefined ? path : `${directory}/`;
			},
		});
	}

	return drafts;
};
