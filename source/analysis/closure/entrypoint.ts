import type {ClosureContext} from './closure-context.js';
import type {ClosureWalk} from './closure-walk.js';
import {baseName, execOf} from './file-facts.js';
import {resolvePath} from './resolve-path.js';

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

/** The runtime a program's name says it is (`python3.11` → python), or undefined. */
export function runtimeOf(name: string): RuntimeKind | undefined {
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

export type EntrypointEnd = {
	runtime: RuntimeKind;
	runtimeCommand: string;
	programArguments: string[];
	/** Every argument seen on the way, to find the files the command line names. */
	arguments_: string[];
};

/** Follow the entrypoint: the program, then whatever interprets it, until a real executable. */
export function followEntrypoint(argv: string[], walk: ClosureWalk): EntrypointEnd {
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
		const next = nextHop(words, found.path, kind, exec, walk, end.arguments_);
		if (next === undefined) return lastHop(end, kind, exec, words);
		words = next;
	}

	if (depth === maxHops)
		context.notes.push(
			`the entrypoint starts more than ${maxHops} programs in turn: the rest (${words[0]}) was not followed`,
		);
	return end;
}

/** The command the program at `path` starts next, or undefined when it is the one that runs. */
function nextHop(
	words: string[],
	path: string,
	kind: RuntimeKind | undefined,
	exec: ReturnType<typeof execOf>,
	walk: ClosureWalk,
	arguments_: string[],
): string[] | undefined {
	if (kind === 'shell') return shellHop(words, walk, arguments_);
	if (wrappers.test(baseName(path)) && words.length > 1) return wrapperHop(words, path);
	return kind !== undefined ? undefined : interpreterHop(words, path, exec, walk.context);
}

/** The entrypoint's last program: a shell, a language runtime, a native executable or something unknown. */
function lastHop(
	end: EntrypointEnd,
	kind: RuntimeKind | undefined,
	exec: ReturnType<typeof execOf>,
	words: string[],
): EntrypointEnd {
	if (kind === 'shell') {
		end.runtime = 'shell';
		return end;
	}

	if (kind !== undefined) return ended(end, kind, words);
	end.runtime = exec?.kind === 'elf' ? 'native' : 'unknown';
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
