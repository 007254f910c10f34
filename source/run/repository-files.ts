import {execFileSync} from 'node:child_process';
import {existsSync, statSync} from 'node:fs';
import {isAbsolute, join, relative, resolve} from 'node:path';
import {isStdinArgument} from '../image/sources/open-source.js';
import type {RepositoryFiles} from '../report/report-input.js';
import {toUriReference} from '../report/sarif.js';
import {dockerfileLimitBytes, readRegularFileSync} from '../shared/read-local-file.js';

/** The repository root: `git rev-parse --show-toplevel` from `cwd`, else `cwd` itself (no git, not a checkout). */
export function repositoryRoot(cwd: string): string {
	try {
		const root = execFileSync('git', ['rev-parse', '--show-toplevel'], {
			cwd,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'ignore'],
			timeout: 5000,
		}).trim();
		return root === '' ? cwd : root;
	} catch {
		return cwd;
	}
}

/** `path` relative to `root` as a URI reference, or undefined when it lies outside `root`. */
function inside(root: string, path: string): string | undefined {
	const relation = relative(root, path);
	if (relation === '' || relation.startsWith('..') || isAbsolute(relation)) {
		return undefined;
	}

	return toUriReference(relation);
}

/**
Line of the last `FROM` (the final stage's base), 1-based; undefined when the file cannot be read or is not a
regular file (a FIFO read here would block the process, and it was already read once). An oversized one is
refused with one line, not read whole.
*/
function lastFromLine(path: string): number | undefined {
	const text = readRegularFileSync(path, 'Dockerfile', dockerfileLimitBytes)?.toString('utf8');
	let found: number | undefined;
	text?.split('\n').forEach((line, index) => {
		if (/^\s*FROM\s/i.test(line)) found = index + 1;
	});
	return found;
}

function isRegularFile(path: string): boolean {
	try {
		return statSync(path).isFile();
	} catch {
		return false;
	}
}

/** What findings can point at in the repository for this run: the --dockerfile, a root Dockerfile, the archive. */
export function findRepositoryFiles(
	options: {image: string | undefined; dockerfile: string | undefined},
	cwd: string = process.cwd(),
): RepositoryFiles {
	const root = repositoryRoot(cwd);
	const files: RepositoryFiles = {};
	const dockerfile = options.dockerfile === undefined ? undefined : resolve(cwd, options.dockerfile);
	const dockerfileUri = dockerfile === undefined ? undefined : inside(root, dockerfile);
	const rootDockerfile = join(root, 'Dockerfile');
	if (dockerfileUri !== undefined && dockerfile !== undefined) {
		files.dockerfile = dockerfileUri;
		const line = lastFromLine(dockerfile);
		if (line !== undefined) files.fromLine = line;
	} else if (existsSync(rootDockerfile) && isRegularFile(rootDockerfile)) {
		files.rootDockerfile = 'Dockerfile';
		const line = lastFromLine(rootDockerfile);
		if (line !== undefined) files.fromLine = line;
	}

	if (options.image !== undefined && !isStdinArgument(options.image)) {
		const archive = resolve(cwd, options.image);
		const uri = isRegularFile(archive) ? inside(root, archive) : undefined;
		if (uri !== undefined) files.archive = uri;
	}

	return files;
}
