import {fileViews} from '../final-file-list.js';
import type {FileLookup} from '../rule-input.js';
import type {RuleInput} from '../types.js';
import {type ClosureContext, type ClosureStep, filesInIndex} from './closure-context.js';
import {isSystemRoot} from './env-paths.js';
import {execOf, isRegular} from './file-facts.js';
import {maxSearchEntries} from './library-search.js';
import {directoryIndex, normalisePath, type Resolution, resolvePath} from './resolve-path.js';

const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A file found as execvp finds it: its final path and the symlinks on the way. */
export type FoundCommand = {path: string; links: string[]};

/** What the closure builds up while it follows the image: the steps, the files proven, the trees, the ELF files to load. */
export type ClosureWalk = {
	context: ClosureContext;
	chain: ClosureStep[];
	proven: Set<string>;
	trees: string[];
	elfQueue: string[];
	searchPath: string[];
	/** A command name as execvp finds it: a path when it has a slash, else the first PATH match. */
	findCommand(name: string): FoundCommand | undefined;
};

/** The image's ENV as a map (`NAME=value`; entries without a name are skipped). */
function environment(input: RuleInput): Map<string, string> {
	const result = new Map<string, string>();
	for (const assignment of input.config.env) {
		const equals = assignment.indexOf('=');
		if (equals > 0) result.set(assignment.slice(0, equals), assignment.slice(equals + 1));
	}

	return result;
}

/** PATH's directories (the default PATH when ENV sets none), cut at `maxSearchEntries` with a note. */
function commandSearchPath(env: Map<string, string>, notes: string[]): string[] {
	const pathEntries = (env.get('PATH') ?? defaultPath).split(':').filter(Boolean);
	if (pathEntries.length > maxSearchEntries)
		notes.push(`PATH has ${pathEntries.length} entries: only the first ${maxSearchEntries} were searched`);
	return pathEntries.slice(0, maxSearchEntries);
}

/** The first regular file named `name` in the PATH directories, through symlinks. */
function searchCommand(
	name: string,
	searchPath: string[],
	files: FileLookup,
	isDirectory: (path: string) => boolean,
): FoundCommand | undefined {
	for (const directory of searchPath) {
		const resolved = resolvePath(files, `${directory}/${name}`, isDirectory);
		const file = resolved.path === undefined ? undefined : files.get(resolved.path);
		if (isRegular(file)) {
			return {path: resolved.path!, links: resolved.links};
		}
	}

	return undefined;
}

/** The closure's records and the callbacks that fill them: each file and tree is recorded once, with its reason. */
function closureRecords(files: FileLookup, notes: string[]) {
	const chain: ClosureStep[] = [];
	const proven = new Set<string>();
	const trees: string[] = [];
	const treeSet = new Set<string>();
	const elfQueue: string[] = [];

	const add = (path: string, reason: string, links: string[]) => {
		for (const link of links) proven.add(link);
		if (proven.has(path)) return;
		proven.add(path);
		chain.push({path, reason});
		const exec = execOf(files, path);
		if (exec?.kind === 'elf') elfQueue.push(path);
	};

	const addTree = (path: string, reason: string) => {
		if (isSystemRoot(path)) {
			notes.push(`/${path} (${reason}) holds a whole system, not one program: it is not kept as a tree`);
			return;
		}

		if (treeSet.has(path)) return;
		treeSet.add(path);
		trees.push(path);
		chain.push({path, reason});
	};

	return {chain, proven, trees, elfQueue, add, addTree};
}

/** The walk's starting state: the image's ENV, PATH and WORKDIR read, nothing recorded yet. */
export function closureWalk(input: RuleInput, files: FileLookup): ClosureWalk {
	const isDirectory = directoryIndex(fileViews(input.files));
	const env = environment(input);
	const notes: string[] = [];
	const searchPath = commandSearchPath(env, notes);
	const workingDirectory = normalisePath(input.config.workingDir ?? '');
	const {chain, proven, trees, elfQueue, add, addTree} = closureRecords(files, notes);

	const resolve = (name: string): Resolution =>
		resolvePath(files, name.startsWith('/') ? name : `${workingDirectory}/${name}`, isDirectory);

	const findCommand = (name: string): FoundCommand | undefined => {
		if (name.includes('/')) {
			const resolved = resolve(name);
			return resolved.path === undefined ? undefined : {path: resolved.path, links: resolved.links};
		}

		return searchCommand(name, searchPath, files, isDirectory);
	};

	const context: ClosureContext = {
		input,
		files,
		isDirectory,
		workingDirectory,
		env,
		resolve,
		add,
		addTree,
		filesIn: filesInIndex(input.files),
		unresolved: [],
		notes,
	};
	return {context, chain, proven, trees, elfQueue, searchPath, findCommand};
}
