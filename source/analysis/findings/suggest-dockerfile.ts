import type {Finding, HistoryEntry, RuleInput} from '../types.js';
import {baseHistoryLength, guessBaseImage} from './base-image.js';
import {dockerignoreLines} from './dockerignore.js';
import {createRuleContext} from './find-findings.js';
import {relativeTo} from './rule-context.js';
import {builtBinary} from './rules/app-files.js';

export type Stack = 'node' | 'debian' | 'python' | 'go' | 'generic';

export type DockerfileSuggestion = {
	stack: Stack;
	dockerfile: string;
	dockerignore: string[];
	notes: string[];
};

const buildKinds = new Set(['ARG', 'ENV', 'WORKDIR', 'COPY', 'ADD', 'RUN', 'SHELL', 'USER']);

function detectStack(
	input: RuleInput,
	findings: Finding[],
	appDir: string | undefined,
	runCommand: string,
): Stack {
	const prefix = appDir ? `${appDir}/` : '';
	if (
		input.evidence.has(`${prefix}package.json`) ||
		input.files.some((file) => file.path.startsWith(`${prefix}node_modules/`)) ||
		/(^|[\s/])(node|npm|yarn|pnpm)(\s|$)/.test(runCommand)
	) {
		return 'node';
	}

	if (
		findings.some(
			(finding) => finding.ruleId === 'LL-BUILD-GO-TOOLCHAIN' || finding.ruleId === 'LL-BUILD-GO-SOURCES',
		)
	) {
		return 'go';
	}

	if (
		/(^|[\s/])(python[\d.]*|gunicorn|uvicorn|flask|django-admin)(\s|$)/.test(runCommand) ||
		input.files.some(
			(file) =>
				file.path.startsWith(prefix) && file.path.endsWith('.py') && !file.path.includes('/site-packages/'),
		)
	) {
		return 'python';
	}

	if (
		input.evidence.has('var/lib/dpkg/status') &&
		findings.some((finding) => finding.ruleId === 'LL-BUILD-DEB-DEVEL')
	) {
		return 'debian';
	}

	return 'generic';
}

/** The image's own step, with the classic builder's hashed sources turned back into a context copy. */
function reproducible(entry: HistoryEntry): string {
	const hashed = /^(COPY|ADD)\s+(?:--\S+\s+)*<(?:dir|file|multi)>\s+(\S+)$/.exec(entry.instruction);
	if (hashed) {
		return `# the image recorded only a content hash for this copy: \`${entry.instruction}\`\n${hashed[1]} . ${hashed[2]}`;
	}

	return entry.instruction;
}

/**
The smallest set of app-relative paths that holds every app file the runtime needs: a directory no
finding touches is copied whole, one with removable files inside is split into its kept children.
*/
export function runtimeArtifacts(
	input: RuleInput,
	findings: Finding[],
	appDir: string,
	skip: Set<string>,
): string[] {
	const removed = new Set(
		findings.filter((finding) => finding.category !== 'waste').flatMap((finding) => finding.paths),
	);
	const kept: string[] = [];
	const dropped: string[] = [];
	for (const file of input.files) {
		if (!file.path.startsWith(`${appDir}/`)) {
			continue;
		}

		const relative = relativeTo(file.path, appDir);
		if (skip.has(relative.split('/')[0]!)) {
			continue;
		}

		(removed.has(file.path) ? dropped : kept).push(relative);
	}

	// The kept paths as a tree; a directory with a removable file below it is marked. Walked with a stack
	// and without a path string per ancestor: a crafted path can be 100,000 directories deep (issue 17).
	type Directory = {children: Map<string, Directory>; isFile: boolean; touched: boolean};
	const newDirectory = (): Directory => ({children: new Map(), isFile: false, touched: false});
	const root = newDirectory();
	for (const path of kept) {
		let node = root;
		for (const name of path.split('/')) {
			let child = node.children.get(name);
			if (child === undefined) {
				child = newDirectory();
				node.children.set(name, child);
			}

			node = child;
		}

		node.isFile = true;
	}

	for (const path of dropped) {
		const parts = path.split('/');
		let node: Directory | undefined = root;
		for (let depth = 0; depth < parts.length - 1 && node !== undefined; depth++) {
			node = node.children.get(parts[depth]!);
			if (node !== undefined) node.touched = true;
		}
	}

	const sortedEntries = (node: Directory): Array<[string, Directory]> =>
		[...node.children].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
	const result: string[] = [];
	const names: string[] = [];
	const stack: Array<{entries: Array<[string, Directory]>; next: number}> = [
		{entries: sortedEntries(root), next: 0},
	];
	while (stack.length > 0) {
		const frame = stack.at(-1)!;
		if (frame.next === frame.entries.length) {
			stack.pop();
			names.pop();
			continue;
		}

		const [name, node] = frame.entries[frame.next++]!;
		const isFile = node.isFile && node.children.size === 0;
		if (isFile || !node.touched) {
			result.push([...names, name].join('/'));
		} else {
			names.push(name);
			stack.push({entries: sortedEntries(node), next: 0});
		}
	}

	return result;
}

function copyFromBuild(appDir: string, artifacts: string[]): string[] {
	return artifacts.map((name) => `COPY --from=build /${appDir}/${name} ./${name}`);
}

/**
The command that strips devDependencies from the build stage's own node_modules. Pruning what the image's
install already made, instead of installing again in the runtime stage, keeps whatever that install relied
on (an offline cache in the context, a private registry's .npmrc, build tools for native modules) and the
exact versions it resolved; a second `npm ci` in the runtime stage needs the registry and a lockfile.
*/
function nodePrune(input: RuleInput, appDir: string): string {
	const has = (name: string) => input.files.some((file) => file.path === `${appDir}/${name}`);
	if (has('pnpm-lock.yaml')) {
		return 'RUN pnpm prune --prod';
	}

	if (has('yarn.lock')) {
		// Yarn 1 has no prune: a production install over the full one removes the rest, from its cache.
		return 'RUN yarn install --production --frozen-lockfile --prefer-offline';
	}

	return 'RUN npm prune --omit=dev';
}

/**
A multi-stage Dockerfile derived from the image's own history: the app's steps run unchanged in a
`build` stage on the same base, and a runtime stage on that base gets only the runtime artifacts plus
the same WORKDIR, ENV, USER, EXPOSE and CMD/ENTRYPOINT.
*/
export function suggestDockerfile(input: RuleInput, findings: Finding[]): DockerfileSuggestion {
	const context = createRuleContext(input);
	const stack = detectStack(input, findings, context.appDir, context.runCommand);
	const appHistory = input.history.slice(baseHistoryLength(input.history));
	const base = guessBaseImage(input);
	const notes: string[] = [];
	// No `# syntax=` line: it makes BuildKit fetch a frontend image, which fails offline, and nothing here needs it.
	const lines: string[] = [`# suggested by layerlens from the image's history (${stack} app)`];
	const from = (stage?: string) => {
		if (base.comment) {
			lines.push(`# ${base.comment}`);
		}

		lines.push(`FROM ${base.reference}${stage ? ` AS ${stage}` : ''}`);
	};

	if (base.comment) {
		notes.push(`Base image: ${base.comment}`);
	}

	from('build');
	for (const entry of appHistory) {
		if (buildKinds.has(entry.instructionKind) && entry.instructionKind !== 'USER') {
			lines.push(reproducible(entry));
		}
	}

	const workingDirectory =
		input.config.workingDir ||
		[...appHistory]
			.reverse()
			.find((entry) => entry.instructionKind === 'WORKDIR')
			?.instruction.slice(8);
	const appDir = (workingDirectory ?? '').replace(/^\/+|\/+$/g, '') || context.appDir;
	const hasNodeModules =
		stack === 'node' &&
		appDir !== undefined &&
		appDir !== '' &&
		input.files.some((file) => file.path.startsWith(`${appDir}/node_modules/`));
	if (hasNodeModules) {
		lines.push(nodePrune(input, appDir!));
	}

	lines.push('');
	// ENV and LABEL as the app's history wrote them; the rest from the config, because history writes
	// them in builder dialects (`EXPOSE map[3000/tcp:{}]`, `CMD ["node" "x"]`) that are not Dockerfile syntax.
	const before = appHistory
		.filter((entry) => entry.instructionKind === 'ENV' || entry.instructionKind === 'LABEL')
		.map((entry) => entry.instruction);
	const setByApp = new Set(appHistory.map((entry) => entry.instructionKind));
	const after: string[] = [];
	if (setByApp.has('USER') && input.config.user) {
		after.push(`USER ${input.config.user}`);
	}

	if (setByApp.has('EXPOSE') && input.config.exposedPorts.length > 0) {
		after.push(`EXPOSE ${input.config.exposedPorts.map((port) => port.replace(/\/tcp$/, '')).join(' ')}`);
	}

	if (setByApp.has('ENTRYPOINT') && input.config.entrypoint?.length) {
		after.push(`ENTRYPOINT ${JSON.stringify(input.config.entrypoint)}`);
	}

	if ((setByApp.has('CMD') || setByApp.has('ENTRYPOINT')) && input.config.cmd?.length) {
		after.push(`CMD ${JSON.stringify(input.config.cmd)}`);
	}

	if (stack === 'go') {
		const binary = builtBinary(context);
		lines.push(
			'# a static Go binary needs no OS; if it uses cgo, use gcr.io/distroless/base-debian12 instead',
		);
		lines.push('FROM gcr.io/distroless/static-debian12');
		lines.push(...before);
		if (appDir) {
			lines.push(`WORKDIR /${appDir}`);
		}

		if (binary) {
			lines.push(`COPY --from=build /${binary} /${binary}`);
		}

		notes.push(
			'The runtime stage drops the Go toolchain, sources and module cache; check the binary is statically linked (CGO_ENABLED=0)',
		);
	} else {
		from();
		lines.push(...before);
		if (appDir) {
			lines.push(`WORKDIR /${appDir}`);
		}

		if (stack === 'node' && appDir) {
			// node_modules as one copy of the pruned tree; the package manifests come along with the other kept files.
			if (hasNodeModules) {
				lines.push(`COPY --from=build /${appDir}/node_modules ./node_modules`);
			}

			lines.push(
				...copyFromBuild(appDir, runtimeArtifacts(input, findings, appDir, new Set(['node_modules']))),
			);
			notes.push(
				'The build stage prunes its node_modules to production dependencies; the runtime stage copies them and the build output, not the sources, tests or caches',
			);
		} else if (appDir) {
			lines.push(...copyFromBuild(appDir, runtimeArtifacts(input, findings, appDir, new Set())));
			notes.push(
				stack === 'python'
					? 'Packages that RUN steps installed outside the app directory (pip into site-packages) are not copied: install them in the runtime stage with `pip install --no-cache-dir`, or build a venv in the build stage and COPY --from=build it'
					: 'Packages that RUN steps installed outside the app directory are not copied: install only the runtime ones in the runtime stage',
			);
		} else {
			notes.push('No app directory (WORKDIR) found: copy the build output into the runtime stage by hand');
		}
	}

	lines.push(...after);
	const dockerignore = dockerignoreLines(context, findings);
	if (dockerignore.length > 0) {
		notes.push(
			`.dockerignore: ${dockerignore.length} entries for files a COPY of the build context brought in`,
		);
	}

	return {stack, dockerfile: `${lines.join('\n')}\n`, dockerignore, notes};
}
