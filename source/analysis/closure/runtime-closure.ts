import {type FileLookup, filesByPath} from '../rule-input.js';
import type {RuleInput} from '../types.js';
import {type ClosureContext, filesInIndex} from './closure-context.js';
import {isSystemRoot, runtimePathsOf} from './env-paths.js';
import {baseName, type ElfInfo, execOf, isRegular} from './file-facts.js';
import {filesUnder} from './files-under.js';
import {followJava} from './java-classpath.js';
import {type LibrarySearch, librarySearch, maxSearchEntries} from './library-search.js';
import {followPerl} from './perl-inc.js';
import {followPhp} from './php-extensions.js';
import {directoryIndex, directoryOf, normalisePath, resolvePath} from './resolve-path.js';
import {followRuby} from './ruby-gems.js';

export {filesUnder} from './files-under.js';

/** What the container runs, told by its entrypoint's interpreter, not by which files happen to exist. */
export type RuntimeKind =
	| 'node'
	| 'python'
	| 'java'
	| 'ruby'
	| 'php'
	| 'perl'
	| 'shell'
	| 'native'
	| 'unknown';

/** One link of the chain from CMD/ENTRYPOINT to the files it loads, for the report and the explorer. */
export type ClosureStep = {
	/** Final-filesystem path, without leading slash. */
	path: string;
	/** Why it is needed: `entrypoint`, `ELF interpreter of usr/bin/x`, `libz.so.1 (DT_NEEDED of …)`, … */
	reason: string;
};

export type RuntimeClosure = {
	runtime: RuntimeKind;
	/** The argv the container starts with (ENTRYPOINT + CMD), as the config says. */
	argv: string[];
	/** The chain from the entrypoint, in the order it was followed. */
	chain: ClosureStep[];
	/**
	Every final path the running container needs that was proven by following links: executables,
	interpreters, shared libraries (and the symlinks on the way). Never build-only.
	*/
	proven: Set<string>;
	/**
	Trees the runtime loads as a whole and whose files cannot be told apart without running the program:
	the app directory, a language's standard library and installed packages. Findings may still take
	build-only files out of them (dev dependencies, caches, sources next to compiled output).
	*/
	trees: string[];
	/** The app's own directory (WORKDIR or the directory of the script the interpreter runs). */
	appDirectory: string | undefined;
	/** Things the closure could not follow, to be said in the suggestion's notes. */
	unresolved: string[];
	/** What the closure chose not to follow: caps reached on hostile inputs, system directories refused as trees. */
	notes: string[];
};

const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function environment(input: RuleInput): Map<string, string> {
	const result = new Map<string, string>();
	for (const assignment of input.config.env) {
		const equals = assignment.indexOf('=');
		if (equals > 0) result.set(assignment.slice(0, equals), assignment.slice(equals + 1));
	}

	return result;
}

/** A shell command line's words; quotes are handled the simple way, which is all a CMD needs. */
function shellTokens(command: string): string[] {
	const words: string[] = [];
	for (const match of command.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
		words.push(match[1] ?? match[2] ?? match[3]!);
	}

	return words;
}

/** `sh -c 'exec node x.js && …'` → `node x.js`: the command the shell starts first. */
function shellWords(command: string): string[] {
	const words = shellTokens(command);

	while (words.length > 0 && (words[0] === 'exec' || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!))) {
		words.shift();
	}

	const end = words.findIndex((word) => /^(&&|\|\||;|\||&)$/.test(word));
	return end === -1 ? words : words.slice(0, end);
}

function runtimeOf(name: string): RuntimeKind | undefined {
	if (/^node(js)?$/.test(name)) return 'node';
	if (/^python(\d+(\.\d+)?)?$/.test(name)) return 'python';
	if (name === 'java') return 'java';
	if (/^ruby(\d+(\.\d+)?)?$/.test(name)) return 'ruby';
	if (/^php(-fpm)?(\d+(\.\d+)?)?(-fpm)?$/.test(name)) return 'php';
	if (/^perl(\d+(\.\d+)*)?$/.test(name)) return 'perl';
	if (/^(ba|da|a|z|k)?sh$/.test(name)) return 'shell';
	return undefined;
}

/** Programs that only start the command given to them. */
const wrappers = /^(tini(-static)?|dumb-init|gosu|su-exec|env|nice|catatonit|setpriv|chpst)$/;

/** Entrypoint hops followed (wrappers, shells, `#!` interpreters) before the rest is called unknown. */
const maxHops = 8;

/**
The files a container of this image needs to start and run, worked out from the image config (ENTRYPOINT,
CMD, WORKDIR, USER, ENV) and the files' own bytes: the executable found through PATH and symlinks; for an
ELF file its loader and its DT_NEEDED libraries, found as the loader finds them (DT_RUNPATH with $ORIGIN,
LD_LIBRARY_PATH, the default directories); for a script its `#!` interpreter; for a language runtime what
it loads (the app directory, the standard library, the installed packages, a class path, ini-enabled
extensions, `use lib` directories); the files the command line and ENV name. Every step says why.

The work is linear in the image: search lists are cut at `maxSearchEntries`, library directories are
resolved once, trees are matched by binary search. `files` may be passed in to count the lookups.
*/
export function runtimeClosure(input: RuleInput, files: FileLookup = filesByPath(input)): RuntimeClosure {
	const walk = closureWalk(input, files);
	const {context, chain, proven, trees, elfQueue} = walk;
	const {env, notes, unresolved, isDirectory} = context;
	const argv = [...(input.config.entrypoint ?? []), ...(input.config.cmd ?? [])];
	const {runtime, runtimeCommand, programArguments, arguments_} = followEntrypoint(argv, walk);
	const appDirectory = followRuntime(runtime, runtimeCommand, programArguments, context, {
		interpreterPath: chain.find((step) => runtimeOf(baseName(step.path)) === runtime)?.path,
	});

	followNamedPaths(arguments_, input, context);
	followEnvPaths(context);
	followUser(context);

	// Every ELF file reached, and every ELF file inside the trees, loads its libraries.
	for (const file of filesUnder(input.files, trees)) {
		if (execOf(files, file.path)?.kind === 'elf') elfQueue.push(file.path);
	}

	const libraries = librarySearch(
		files,
		isDirectory,
		(env.get('LD_LIBRARY_PATH') ?? '').split(':').filter(Boolean),
		unresolved,
	);
	const seenElf = new Set<string>();
	// An index, not shift(): the queue may hold every ELF file of a large tree.
	for (let next = 0; next < elfQueue.length; next++) {
		const path = elfQueue[next]!;
		if (seenElf.has(path)) continue;
		seenElf.add(path);
		const exec = execOf(files, path);
		if (exec?.kind !== 'elf') continue;
		followElf(path, exec, {files, isDirectory, add: context.add, unresolved, libraries});
	}

	notes.push(...libraries.notes());
	return {runtime, argv, chain, proven, trees, appDirectory, unresolved, notes};
}

/** What the closure builds up while it follows the image: the steps, the files proven, the trees, the ELF files to load. */
type ClosureWalk = {
	context: ClosureContext;
	chain: ClosureStep[];
	proven: Set<string>;
	trees: string[];
	elfQueue: string[];
	searchPath: string[];
	/** A command name as execvp finds it: a path when it has a slash, else the first PATH match. */
	findCommand(name: string): {path: string; links: string[]} | undefined;
};

function closureWalk(input: RuleInput, files: FileLookup): ClosureWalk {
	const isDirectory = directoryIndex(input.files);
	const env = environment(input);
	const notes: string[] = [];
	const pathEntries = (env.get('PATH') ?? defaultPath).split(':').filter(Boolean);
	if (pathEntries.length > maxSearchEntries)
		notes.push(`PATH has ${pathEntries.length} entries: only the first ${maxSearchEntries} were searched`);
	const searchPath = pathEntries.slice(0, maxSearchEntries);
	const workingDirectory = normalisePath(input.config.workingDir ?? '');
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

	const resolve = (name: string) =>
		resolvePath(files, name.startsWith('/') ? name : `${workingDirectory}/${name}`, isDirectory);

	const findCommand = (name: string): {path: string; links: string[]} | undefined => {
		if (name.includes('/')) {
			const resolved = resolve(name);
			return resolved.path === undefined ? undefined : {path: resolved.path, links: resolved.links};
		}

		for (const directory of searchPath) {
			const resolved = resolvePath(files, `${directory}/${name}`, isDirectory);
			const file = resolved.path === undefined ? undefined : files.get(resolved.path);
			if (isRegular(file)) {
				return {path: resolved.path!, links: resolved.links};
			}
		}

		return undefined;
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

type EntrypointEnd = {
	runtime: RuntimeKind;
	runtimeCommand: string;
	programArguments: string[];
	/** Every argument seen on the way, to find the files the command line names. */
	arguments_: string[];
};

/** Follow the entrypoint: the program, then whatever interprets it, until a real executable. */
function followEntrypoint(argv: string[], walk: ClosureWalk): EntrypointEnd {
	const {context, findCommand, searchPath} = walk;
	const {files, add} = context;
	const end: EntrypointEnd = {runtime: 'unknown', runtimeCommand: '', programArguments: [], arguments_: []};
	let words = argv;
	let depth = 0;
	for (; depth < maxHops && words.length > 0; depth++) {
		end.arguments_.push(...words.slice(1));
		const found = findCommand(words[0]!);
		if (found === undefined) {
			context.unresolved.push(
				`the command \`${words[0]}\` is not in the image (PATH ${searchPath.join(':')})`,
			);
			// Still a runtime by its name (`node`, `python3`): its app directory is what the app needs.
			return ended(end, runtimeOf(baseName(words[0]!)) ?? 'unknown', words);
		}

		add(found.path, depth === 0 ? 'entrypoint' : `runs ${words[0]}`, found.links);
		const exec = execOf(files, found.path);
		const kind = runtimeOf(baseName(found.path)) ?? runtimeOf(baseName(words[0]!));
		const next =
			kind === 'shell'
				? shellHop(words, walk, end.arguments_)
				: wrappers.test(baseName(found.path)) && words.length > 1
					? wrapperHop(words, found.path)
					: kind !== undefined
						? undefined
						: interpreterHop(words, found.path, exec, context);
		if (next === undefined) {
			if (kind === 'shell') {
				end.runtime = 'shell';
				return end;
			}

			if (kind !== undefined) return ended(end, kind, words);
			end.runtime = exec?.kind === 'elf' ? 'native' : 'unknown';
			return end;
		}

		words = next;
	}

	if (depth === maxHops)
		context.notes.push(
			`the entrypoint starts more than ${maxHops} programs in turn: the rest (${words[0]}) was not followed`,
		);
	return end;
}

/** The entrypoint ends in a runtime (`node app.js`): its command and the arguments it is given. */
function ended(end: EntrypointEnd, runtime: RuntimeKind, words: string[]): EntrypointEnd {
	end.runtime = runtime;
	end.runtimeCommand = baseName(words[0]!);
	end.programArguments = words.slice(1);
	return end;
}

/** A shell: the `-c` script's command, or the script file and what it `exec`s; undefined when the shell is the end. */
function shellHop(words: string[], walk: ClosureWalk, arguments_: string[]): string[] | undefined {
	const script = words.indexOf('-c');
	if (script !== -1 && words[script + 1] !== undefined) {
		arguments_.push(...shellTokens(words[script + 1]!));
		return shellWords(words[script + 1]!);
	}

	const fileIndex = words.findIndex((word, index) => index > 0 && !word.startsWith('-'));
	if (fileIndex !== -1) {
		const file = words[fileIndex]!;
		const resolved = walk.findCommand(file.includes('/') ? file : `./${file}`);
		if (resolved) walk.context.add(resolved.path, 'script run by the shell', resolved.links);
		// An entrypoint script ends, by convention, in `exec "$@"`: what follows it is the real command.
		if (words.length > fileIndex + 1) return words.slice(fileIndex + 1);
	}

	return undefined;
}

/** tini, dumb-init, gosu, env …: they start the command they are given. */
function wrapperHop(words: string[], path: string): string[] {
	const rest = words.slice(1);
	const start = rest[0] === '--' ? 1 : baseName(path) === 'gosu' || baseName(path) === 'su-exec' ? 1 : 0;
	return rest.slice(start).filter((word, index) => index > 0 || !/^-/.test(word));
}

/** A `#!` script (or a .sh without one read): its interpreter runs next; undefined for anything else. */
function interpreterHop(
	words: string[],
	path: string,
	exec: ReturnType<typeof execOf>,
	context: ClosureContext,
): string[] | undefined {
	if (exec?.kind === 'script') {
		// The kernel runs `interpreter [argument] script args`; `env NAME` searches PATH for NAME.
		const interpreter = exec.interpreter;
		if (baseName(interpreter) === 'env') {
			const env = resolvePath(context.files, interpreter, context.isDirectory);
			if (env.path !== undefined) context.add(env.path, `#! of ${path}`, env.links);
		}

		return baseName(interpreter) === 'env' && exec.argument !== undefined
			? [exec.argument.split(/\s+/).at(-1)!, `/${path}`, ...words.slice(1)]
			: [interpreter, ...(exec.argument ? [exec.argument] : []), `/${path}`, ...words.slice(1)];
	}

	if (exec === undefined && path.endsWith('.sh')) {
		// No `#!` read (a cached image from before the reader, or a file without an execute bit): a .sh is a shell script.
		return ['/bin/sh', `/${path}`, ...words.slice(1)];
	}

	return undefined;
}

/** Anything ENV names by an absolute path that exists (config files, data directories, search paths), build settings aside. */
function followEnvPaths(context: ClosureContext): void {
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
function followUser(context: ClosureContext): void {
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
function followNamedPaths(words: string[], input: RuleInput, context: ClosureContext): void {
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

type ElfFollow = {
	files: FileLookup;
	isDirectory: (path: string) => boolean;
	add: (path: string, reason: string, links: string[]) => void;
	unresolved: string[];
	libraries: LibrarySearch;
};

function followElf(path: string, exec: ElfInfo, follow: ElfFollow): void {
	const {files, isDirectory, add, unresolved, libraries} = follow;
	if (exec.interpreter !== undefined) {
		const loader = resolvePath(files, exec.interpreter, isDirectory);
		if (loader.path === undefined)
			unresolved.push(`${path}: its loader ${exec.interpreter} is not in the image`);
		else add(loader.path, `ELF loader of ${path}`, loader.links);
	}

	for (const name of exec.needed) {
		const found = libraries.find(path, exec, name);
		if (found === undefined)
			libraries.missing(`${path} needs ${name}, which is not in the image's library paths`);
		else add(found.path, `${name}, needed by ${path}`, found.links);
	}

	if (exec.incomplete)
		unresolved.push(
			`${path}: its dynamic section lies beyond what layerlens reads; its libraries may be incomplete`,
		);
}

/** What a language runtime loads besides its own binary; returns the app directory. */
function followRuntime(
	runtime: RuntimeKind,
	command: string,
	args: string[],
	context: ClosureContext,
	{interpreterPath}: {interpreterPath: string | undefined},
): string | undefined {
	const {files, isDirectory, workingDirectory, add, addTree, resolve} = context;
	const firstOperand = args.find((arg) => !arg.startsWith('-'));
	let appDirectory: string | undefined = workingDirectory === '' ? undefined : workingDirectory;
	const script = (label: string) => {
		if (firstOperand === undefined) return;
		const resolved = resolve(firstOperand);
		if (resolved.path === undefined) return;
		add(resolved.path, `the script ${label} runs`, resolved.links);
		appDirectory ??= directoryOf(resolved.path) || undefined;
	};

	if (runtime === 'node') {
		if (firstOperand !== undefined) {
			const resolved = resolve(firstOperand);
			if (resolved.path !== undefined) add(resolved.path, 'the script node runs', resolved.links);
		}

		// Node finds packages by walking up from the script: the app directory holds them.
		appDirectory ??= firstOperand ? directoryOf(normalisePath(firstOperand)) : undefined;
	} else if (runtime === 'python') {
		const version = /python(\d+\.\d+)/.exec(interpreterPath ?? '')?.[1];
		const libraryTrees = version
			? [`usr/lib/python${version}`, `usr/local/lib/python${version}`, 'usr/lib/python3/dist-packages']
			: ['usr/lib/python3/dist-packages'];
		for (const tree of libraryTrees) {
			if (isDirectory(tree)) addTree(tree, "python's standard library and packages");
		}

		const moduleIndex = args.indexOf('-m');
		if (moduleIndex !== -1 && args[moduleIndex + 1] !== undefined) {
			const module = args[moduleIndex + 1]!.split('.')[0]!;
			const where = [workingDirectory, ...libraryTrees].find(
				(directory) =>
					isDirectory(directory === '' ? module : `${directory}/${module}`) ||
					files.has(directory === '' ? `${module}.py` : `${directory}/${module}.py`),
			);
			if (where === undefined) context.unresolved.push(`python -m ${module}: the module is not in the image`);
			else if (where === workingDirectory)
				appDirectory = workingDirectory === '' ? undefined : workingDirectory;
		} else script('python');
	} else if (runtime === 'java') {
		followJava(args, interpreterPath, context);
	} else if (runtime === 'php') {
		followPhp(args, command, interpreterPath, context);
		if (!command.includes('fpm')) script('php');
	} else if (runtime === 'perl') {
		const scriptPath = followPerl(args, interpreterPath, context);
		appDirectory ??= scriptPath === undefined ? undefined : directoryOf(scriptPath) || undefined;
	} else if (runtime === 'ruby') {
		const scriptPath = followRuby(args, context);
		appDirectory ??= scriptPath === undefined ? undefined : directoryOf(scriptPath) || undefined;
	} else if (runtime === 'unknown') {
		// Nothing says what runs: the app directory is the best guess, and said to be one.
		if (appDirectory !== undefined && isDirectory(appDirectory)) {
			context.unresolved.push(
				`what the container runs is unknown: the whole app directory /${appDirectory} is kept`,
			);
		}
	} else if (runtime === 'native' || runtime === 'shell') {
		// A compiled program carries its own code: the app directory is only what the config names.
		return appDirectory !== undefined && isDirectory(appDirectory) ? appDirectory : undefined;
	}

	if (appDirectory !== undefined && isDirectory(appDirectory)) addTree(appDirectory, 'the app directory');
	return appDirectory;
}
