import type {RuleInput} from '../types.js';
import type {ClosureContext} from './closure-context.js';
import {isSystemRoot, runtimePathsOf} from './env-paths.js';
import {maxSearchEntries} from './library-search.js';
import {resolvePath} from './resolve-path.js';

/** Anything ENV names by an absolute path that exists (config files, data directories, search paths), build settings aside. */
export function followEnvPaths(context: ClosureContext): void {
	const {env, files, isDirectory, notes} = context;
	for (const [name, value] of env) {
		const paths = runtimePathsOf(name, value);
		if (paths.length > maxSearchEntries)
			notes.push(`ENV ${name} names ${paths.length} paths: only the first ${maxSearchEntries} were followed`);
		for (const path of paths.slice(0, maxSearchEntries)) {
			const resolved = resolvePath(files, path, isDirectory);
			if (resolved.path === undefined) continue;
			if (files.has(resolved.path)) context.add(resolved.path, `named by ENV ${name}`, resolved.links);
			else context.addTree(resolved.path, `named by ENV ${name}`);
		}
	}
}

/** A named USER must exist in the runtime image's account files. */
export function followUser(context: ClosureContext): void {
	const user = (context.input.config.user ?? '').split(':')[0] ?? '';
	if (user !== '' && !/^\d+$/.test(user)) {
		for (const path of ['etc/passwd', 'etc/group']) {
			if (context.files.has(path)) context.add(path, `USER ${user} is looked up here`, []);
		}
	}
}

/**
Files and directories the command line names by path (`perl /app/report.pl /app/data.csv`,
`--config=/etc/app.yml`): a program reads what it is told to, so what exists is needed.
*/
export function followNamedPaths(words: string[], input: RuleInput, context: ClosureContext): void {
	const entrypoint = input.config.entrypoint ?? [];
	const maxWords = 4 * maxSearchEntries;
	if (words.length > maxWords)
		context.notes.push(
			`the command line has ${words.length} arguments: only the first ${maxWords} were read for the paths they name`,
		);
	for (const word of words.slice(0, maxWords)) {
		const value = /^-{0,2}[A-Za-z_][\w.-]*=(.+)$/s.exec(word)?.[1] ?? word;
		if (value.startsWith('-') || !(value.startsWith('/') || value.includes('/') || value.includes('.')))
			continue;
		const resolved = context.resolve(value);
		if (resolved.path === undefined) continue;
		const reason = entrypoint.some((part) => part.includes(word)) ? 'named in ENTRYPOINT' : 'named in CMD';
		if (context.files.has(resolved.path)) context.add(resolved.path, reason, resolved.links);
		else if (!isSystemRoot(resolved.path)) context.addTree(resolved.path, reason);
	}
}
