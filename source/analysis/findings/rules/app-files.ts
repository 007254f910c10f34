import {filesWhere, someFile} from '../../final-file-list.js';
import {buildCommands, runsTests} from '../build-commands.js';
import {compiledOutputDirectory, runsTypeScript} from '../node-runtime.js';
import {type FindingDraft, isUnder, type Rule, type RuleContext, relativeTo} from '../rule-context.js';

/** The app's own files: under its directory, outside any package manager's install tree. */
function appFiles(context: RuleContext): {path: string; relative: string; layer: number}[] {
	const {appDir} = context;
	if (appDir === undefined) {
		return [];
	}

	// Files the base image brought (a WORKDIR it set, a toolchain's own sources) are not the app's, nor are
	// dependency trees and the Go module cache.
	return filesWhere(
		context.input.files,
		(file) =>
			isUnder(file.path, appDir) &&
			!context.claimed.has(file.path) &&
			!context.baseLayers.has(file.layer) &&
			!/(^|\/)(node_modules|site-packages|dist-packages|vendor|\.venv|venv|pkg\/mod|\.cache)\//.test(
				relativeTo(file.path, appDir),
			),
	).map((file) => ({path: file.path, relative: relativeTo(file.path, appDir), layer: file.layer}));
}

function copiedByContext(context: RuleContext, layers: number[]): string | undefined {
	const layer = layers.find((index) => context.contextCopyLayers.has(index));
	return layer === undefined
		? undefined
		: `history: \`${context.input.layers[layer]?.instruction}\` copied them in from the build context`;
}

const buildConfig =
	/^(tsconfig[^/]*\.json|\.eslintrc[^/]*|eslint\.config\.[^/]+|\.prettierrc[^/]*|prettier\.config\.[^/]+|jest\.config\.[^/]+|vitest\.config\.[^/]+|webpack\.config\.[^/]+|vite\.config\.[^/]+|rollup\.config\.[^/]+|babel\.config\.[^/]+|\.babelrc[^/]*|\.swcrc|\.mocharc[^/]*|\.nycrc[^/]*)$/;

/** B-N4 and B-G2: sources and build configuration next to the compiled output the container runs. */
export const sourcesRule: Rule = (context) => {
	const drafts: FindingDraft[] = [];
	const output = compiledOutputDirectory(context);
	if (output !== undefined && !runsTypeScript(context)) {
		const outputRelative = relativeTo(output, context.appDir);
		const matched = appFiles(context).filter(
			(file) =>
				!file.relative.startsWith(`${outputRelative}/`) &&
				(/\.(ts|tsx|mts|cts)$/.test(file.relative) || buildConfig.test(file.relative)),
		);
		if (matched.length > 0) {
			const evidence = [
				`path pattern: TypeScript sources and build configs beside the compiled ${outputRelative}/ that CMD/ENTRYPOINT runs`,
			];
			const copied = copiedByContext(
				context,
				matched.map((file) => file.layer),
			);
			if (copied) {
				evidence.unshift(copied);
			}

			drafts.push({
				ruleId: 'LL-BUILD-SOURCES',
				category: 'build-only',
				confidence: 'medium',
				title: `TypeScript sources and build configs next to the compiled ${outputRelative}/`,
				evidence,
				paths: matched.map((file) => file.path),
				fix: `Compile in a build stage and copy only ${outputRelative}/ into the runtime stage`,
			});
		}
	}

	const goToolchainPresent = someFile(context.input.files, (file) => file.path === 'usr/local/go/bin/go');
	const runsGo = /(^|\s)go\s+run\b/.test(context.runCommand);
	if (!runsGo && builtBinary(context) !== undefined) {
		const matched = appFiles(context).filter((file) => /(\.go|^go\.(mod|sum|work))$/.test(file.relative));
		if (matched.length > 0) {
			drafts.push({
				ruleId: 'LL-BUILD-GO-SOURCES',
				category: 'build-only',
				confidence: goToolchainPresent ? 'high' : 'medium',
				title: 'Go sources next to the built binary',
				evidence: [
					`path pattern: Go sources beside the binary ${builtBinary(context)} that CMD/ENTRYPOINT runs`,
				],
				paths: matched.map((file) => file.path),
				fix: 'Build in a `golang` stage and copy only the binary into the runtime stage',
			});
		}
	}

	return drafts;
};

/** The executable CMD/ENTRYPOINT starts when it is a file in the image that is not an interpreter. */
export function builtBinary(context: RuleContext): string | undefined {
	const program = [...(context.input.config.entrypoint ?? []), ...(context.input.config.cmd ?? [])][0];
	if (
		program === undefined ||
		program.endsWith('.sh') ||
		/(^|\/)(node|python[\d.]*|java|sh|bash|npm|npx|yarn|pnpm|ruby|php|dotnet|tini|dumb-init)$/.test(program)
	) {
		return undefined;
	}

	const directory = (context.input.config.workingDir ?? '').replace(/^\/+|\/+$/g, '');
	const candidates = program.startsWith('/')
		? [program.slice(1)]
		: [
				program.replace(/^\.\//, ''),
				`${directory}/${program.replace(/^\.\//, '')}`,
				`usr/local/bin/${program}`,
				`usr/bin/${program}`,
				`bin/${program}`,
			];
	return candidates.find((path) => {
		const file = context.byPath.get(path.replace(/^\/+/, ''));
		return file !== undefined && file.type === 'file' && (file.mode & 0o111) !== 0;
	});
}

const testPath =
	/(^|\/)(test|tests|__tests__|spec|__mocks__|coverage|\.nyc_output)\/|(^|\/)[^/]+\.(test|spec)\.[cm]?[jt]sx?$|(^|\/)test_[^/]+\.py$|_test\.go$/;

/** B-N6: the app's tests, fixtures and coverage output. */
export const testsRule: Rule = (context) => {
	const matched = appFiles(context).filter((file) => testPath.test(file.relative));
	if (matched.length === 0) {
		return [];
	}

	const evidence = ['path pattern: test, spec and coverage files in the app directory'];
	const copied = copiedByContext(
		context,
		matched.map((file) => file.layer),
	);
	if (copied) {
		evidence.unshift(copied);
	}

	// When a RUN runs the tests they must stay in the build context: only the runtime stage goes without them.
	const testedInBuild = runsTests.test(buildCommands(context));
	if (testedInBuild) {
		evidence.push('history: a RUN runs the tests, so the build stage needs them');
	}

	return [
		{
			ruleId: 'LL-BUILD-TESTS',
			category: 'build-only',
			confidence: 'medium',
			title: 'Tests and coverage output in the app directory',
			evidence,
			paths: matched.map((file) => file.path),
			fix: testedInBuild
				? 'Keep running the tests in a build stage, and copy only the build output into the runtime stage (the tests stay in the build context)'
				: 'Run tests in a build stage; add the test and coverage folders to .dockerignore for the runtime copy',
		},
	];
};

const repositoryFile =
	/^(\.git|\.github|\.gitlab|\.circleci|\.vscode|\.idea|\.husky)\/|(^|\/)\.DS_Store$|^(\.gitignore|\.gitattributes|\.gitlab-ci\.yml|\.travis\.yml|azure-pipelines\.yml|Jenkinsfile|\.dockerignore|Dockerfile[^/]*|[^/]*\.Dockerfile|docker-compose[^/]*\.ya?ml|compose\.ya?ml|\.editorconfig)$/;

/** B-X1/B-X3: repository, editor and CI files that a `COPY . .` brought in. */
export const repositoryFilesRule: Rule = (context) => {
	const matched = appFiles(context).filter((file) => repositoryFile.test(file.relative));
	if (matched.length === 0) {
		return [];
	}

	const copied = copiedByContext(
		context,
		matched.map((file) => file.layer),
	);
	return [
		{
			ruleId: 'LL-BUILD-REPO-FILES',
			category: 'build-only',
			confidence: copied ? 'high' : 'medium',
			title: 'Repository, editor and CI files copied into the image',
			evidence: [
				copied,
				'path pattern: version control, editor, CI and Docker files in the app directory',
			].filter((line): line is string => line !== undefined),
			paths: matched.map((file) => file.path),
			fix: 'Add them to .dockerignore',
		},
	];
};
