import {fileViews} from '../../final-file-list.js';
import {appManifest, runsTypeScript} from '../node-runtime.js';
import {type LockedPackage, packageKeyOf, packageNameOfKey, readLockfilePackages} from '../npm-lockfile.js';
import {type FindingDraft, type Rule, type RuleContext, relativeTo} from '../rule-context.js';

const buildToolNames =
	/^(typescript|@types\/.+|eslint.*|@eslint\/.+|@typescript-eslint\/.+|prettier|jest|@jest\/.+|vitest|@vitest\/.+|mocha|webpack.*|vite|rollup|@rollup\/.+|esbuild|@esbuild\/.+|@swc\/.+|@babel\/.+|ts-node|tsx|nodemon|husky|lint-staged)$/;

/** Packages that are runtime when the container runs TypeScript directly with ts-node or tsx. */
const typeScriptRuntime = new Set(['typescript', 'ts-node', 'tsx', '@esbuild', 'esbuild']);

function isTypeScriptRuntimePackage(name: string): boolean {
	return typeScriptRuntime.has(name) || name.startsWith('@esbuild/') || name.startsWith('@swc/');
}

type NodeModulesFile = {path: string; key: string};

/** Files under the app's node_modules with the package that owns them; `.bin` links resolve to their target's package. */
function nodeModulesFiles(context: RuleContext): NodeModulesFile[] {
	if (context.appDir === undefined) {
		return [];
	}

	const prefix = context.appDir === '' ? 'node_modules/' : `${context.appDir}/node_modules/`;
	const result: NodeModulesFile[] = [];
	for (const file of fileViews(context.input.files)) {
		if (!file.path.startsWith(prefix) || context.claimed.has(file.path)) {
			continue;
		}

		const relative = relativeTo(file.path, context.appDir);
		let key = packageKeyOf(relative);
		if (key === undefined && file.type === 'symlink' && file.linkTarget && relative.includes('/.bin/')) {
			const directory = relative.slice(0, relative.lastIndexOf('/'));
			key = packageKeyOf(resolveRelative(directory, file.linkTarget));
		}

		if (key !== undefined) {
			result.push({path: file.path, key});
		}
	}

	return result;
}

function resolveRelative(directory: string, target: string): string {
	const parts = directory.split('/');
	for (const segment of target.split('/')) {
		if (segment === '..') {
			parts.pop();
		} else if (segment !== '.' && segment !== '') {
			parts.push(segment);
		}
	}

	return parts.join('/');
}

function lockfileEvidence(
	context: RuleContext,
): {path: string; packages: Map<string, LockedPackage>} | undefined {
	if (context.appDir === undefined) {
		return undefined;
	}

	const prefix = context.appDir === '' ? '' : `${context.appDir}/`;
	for (const path of [`${prefix}node_modules/.package-lock.json`, `${prefix}package-lock.json`]) {
		const text = context.input.evidence.get(path);
		const packages = text === undefined ? undefined : readLockfilePackages(text);
		if (packages !== undefined && packages.size > 0) {
			return {path, packages};
		}
	}

	return undefined;
}

function namesList(names: string[]): string {
	const unique = [...new Set(names)].sort();
	return unique.length <= 6
		? unique.join(', ')
		: `${unique.slice(0, 6).join(', ')} and ${unique.length - 6} more`;
}

function groupByPackage(context: RuleContext, files: NodeModulesFile[]): (path: string) => string {
	const prefix = context.appDir ? `${context.appDir}/` : '';
	const keyOf = new Map(files.map((file) => [file.path, file.key]));
	return (path) => `${prefix}${keyOf.get(path) ?? path}/`;
}

/** B-N1/B-N2: devDependencies installed in the final image. */
export const devDependenciesRule: Rule = (context) => {
	const files = nodeModulesFiles(context);
	if (files.length === 0) {
		return [];
	}

	const typeScriptAtRuntime = runsTypeScript(context);
	const keptForRuntime = new Set<string>();
	const lockfile = lockfileEvidence(context);
	let devFiles: NodeModulesFile[];
	let evidence: string;
	let confidence: FindingDraft['confidence'];
	if (lockfile) {
		devFiles = files.filter((file) => lockfile.packages.get(file.key)?.dev === true);
		const names = devFiles.map((file) => packageNameOfKey(file.key));
		evidence = `package database: ${lockfile.path} marks ${namesList(names)} as dev: true`;
		confidence = 'high';
	} else {
		const manifest = appManifest(context);
		const devNames = new Set(manifest?.dev ?? []);
		// Without a lockfile only top-level packages can be attributed; their own dependencies are not.
		devFiles = files.filter(
			(file) => !file.key.includes('/node_modules/') && devNames.has(packageNameOfKey(file.key)),
		);
		evidence = `package.json lists ${namesList(devFiles.map((file) => packageNameOfKey(file.key)))} under devDependencies (no lockfile in the image, so their own dependencies are not counted)`;
		confidence = 'medium';
	}

	if (typeScriptAtRuntime) {
		devFiles = devFiles.filter((file) => {
			const name = packageNameOfKey(file.key);
			if (isTypeScriptRuntimePackage(name)) {
				keptForRuntime.add(name);
				return false;
			}

			return true;
		});
	}

	if (devFiles.length === 0) {
		return [];
	}

	const evidenceLines = [evidence];
	if (keptForRuntime.size > 0) {
		evidenceLines.push(
			`kept ${namesList([...keptForRuntime])}: CMD/ENTRYPOINT runs TypeScript through ts-node/tsx`,
		);
	}

	return [
		{
			ruleId: 'LL-BUILD-DEVDEPS',
			category: 'build-only',
			confidence,
			title: 'devDependencies installed in the final image',
			evidence: evidenceLines,
			paths: devFiles.map((file) => file.path),
			fix: 'Install with `npm ci --omit=dev` in the runtime stage (or `npm prune --omit=dev` before copying node_modules)',
			groupOf: groupByPackage(context, devFiles),
		},
	];
};

/** B-N3: compilers, linters and test runners installed as production dependencies. */
export const buildToolsRule: Rule = (context) => {
	const typeScriptAtRuntime = runsTypeScript(context);
	const files = nodeModulesFiles(context).filter((file) => {
		const name = packageNameOfKey(file.key);
		// Only top-level installs: a tool nested under a runtime package is that package's business.
		return (
			!file.key.includes('/node_modules/') &&
			buildToolNames.test(name) &&
			!(typeScriptAtRuntime && (isTypeScriptRuntimePackage(name) || name.startsWith('@types/')))
		);
	});
	if (files.length === 0) {
		return [];
	}

	const lockfile = lockfileEvidence(context);
	const names = files.map((file) => packageNameOfKey(file.key));
	return [
		{
			ruleId: 'LL-BUILD-TOOLS',
			category: 'build-only',
			confidence: lockfile ? 'low' : 'medium',
			title: 'Build and test tools installed as production dependencies',
			evidence: [
				lockfile
					? `package database: ${lockfile.path} lists ${namesList(names)} as production dependencies; by name they are build tools (verify nothing requires them at runtime)`
					: `path pattern: node_modules holds ${namesList(names)}, known build and test tools`,
			],
			paths: files.map((file) => file.path),
			fix: 'Move them to devDependencies and install with `npm ci --omit=dev` in the runtime stage',
			groupOf: groupByPackage(context, files),
		},
	];
};
