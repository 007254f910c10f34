import type {ExecInfo} from '../../image/types.js';
import {type FileLookup, filesByPath} from '../rule-input.js';
import type {FinalFile, RuleInput} from '../types.js';
import {directoryIndex, directoryOf, normalisePath, resolvePath} from './resolve-path.js';

/** What the container runs, told by its entrypoint's interpreter, not by which files happen to exist. */
export type RuntimeKind = 'node' | 'python' | 'java' | 'ruby' | 'php' | 'shell' | 'native' | 'unknown';

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
};

const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Library directories the glibc and musl loaders search by default, per e_machine (multiarch first). */
function libraryDirectories(machine: number): string[] {
	const triplet =
		{62: 'x86_64-linux-gnu', 183: 'aarch64-linux-gnu', 3: 'i386-linux-gnu', 40: 'arm-linux-gnueabihf'}[
			machine
		] ?? 'x86_64-linux-gnu';
	return [
		`lib/${triplet}`,
		`usr/lib/${triplet}`,
		'lib64',
		'usr/lib64',
		'lib',
		'usr/lib',
		'usr/local/lib',
		`usr/local/lib/${triplet}`,
	];
}

function environment(input: RuleInput): Map<string, string> {
	const result = new Map<string, string>();
	for (const assignment of input.config.env) {
		const equals = assignment.indexOf('=');
		if (equals > 0) result.set(assignment.slice(0, equals), assignment.slice(equals + 1));
	}

	return result;
}

/** `sh -c 'exec node x.js'` → `node x.js`'s words; quotes are handled the simple way, which is all a CMD needs. */
function shellWords(command: string): string[] {
	const words: string[] = [];
	for (const match of command.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
		words.push(match[1] ?? match[2] ?? match[3]!);
	}

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
	if (/^php(\d+(\.\d+)?)?(-fpm)?$/.test(name)) return 'php';
	if (/^(ba|da|a|z|k)?sh$/.test(name)) return 'shell';
	return undefined;
}

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** What a file runs as: a hard link carries no bytes of its own, so its target's are read (one hop, as tar stores them). */
function execOf(files: FileLookup, path: string): ExecInfo | undefined {
	const file = files.get(path);
	if (file?.type === 'hardlink' && file.linkTarget !== undefined)
		return files.get(normalisePath(file.linkTarget))?.exec;
	return file?.exec;
}

/** A regular file, or a hard link to one: something a program can be. */
const isRegular = (file: FinalFile | undefined) => file?.type === 'file' || file?.type === 'hardlink';

/** Programs that only start the command given to them. */
const wrappers = /^(tini(-static)?|dumb-init|gosu|su-exec|env|nice|catatonit|setpriv|chpst)$/;

/**
The files a container of this image needs to start and run, worked out from the image config (ENTRYPOINT,
CMD, WORKDIR, USER, ENV PATH) and the files' own bytes: the executable found through PATH and symlinks;
for an ELF file its loader and its DT_NEEDED libraries, found as the loader finds them (DT_RUNPATH with
$ORIGIN, LD_LIBRARY_PATH, the default directories); for a script its `#!` interpreter; for a language
runtime what it loads (the app directory, the standard library, the installed packages).
*/
export function runtimeClosure(input: RuleInput): RuntimeClosure {
	const files = filesByPath(input);
	const isDirectory = directoryIndex(input.files);
	const env = environment(input);
	const searchPath = (env.get('PATH') ?? defaultPath).split(':').filter(Boolean);
	const workingDirectory = normalisePath(input.config.workingDir ?? '');
	const argv = [...(input.config.entrypoint ?? []), ...(input.config.cmd ?? [])];
	const chain: ClosureStep[] = [];
	const proven = new Set<string>();
	const trees: string[] = [];
	const unresolved: string[] = [];
	const elfQueue: string[] = [];

	const add = (path: string, reason: string, links: string[]) => {
		for (const link of links) proven.add(link);
		if (proven.has(path)) return;
		proven.add(path);
		chain.push({path, reason});
		const exec = execOf(files, path);
		if (exec?.kind === 'elf') elfQueue.push(path);
	};

	/** A command name as execvp finds it: a path when it has a slash, else the first PATH match. */
	const findCommand = (name: string): {path: string; links: string[]} | undefined => {
		if (name.includes('/')) {
			const resolved = resolvePath(
				files,
				name.startsWith('/') ? name : `${workingDirectory}/${name}`,
				isDirectory,
			);
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

	// Follow the entrypoint: the program, then whatever interprets it, until a real executable.
	let words = argv;
	let runtime: RuntimeKind = 'unknown';
	let programArguments: string[] = [];
	for (let depth = 0; depth < 8 && words.length > 0; depth++) {
		const found = findCommand(words[0]!);
		if (found === undefined) {
			unresolved.push(`the command \`${words[0]}\` is not in the image (PATH ${searchPath.join(':')})`);
			// Still a runtime by its name (`node`, `python3`): its app directory is what the app needs.
			runtime = runtimeOf(baseName(words[0]!)) ?? 'unknown';
			programArguments = words.slice(1);
			break;
		}

		add(found.path, depth === 0 ? 'entrypoint' : `runs ${words[0]}`, found.links);
		const exec = execOf(files, found.path);
		const kind = runtimeOf(baseName(found.path)) ?? runtimeOf(baseName(words[0]!));
		if (kind === 'shell') {
			const script = words.indexOf('-c');
			if (script !== -1 && words[script + 1] !== undefined) {
				words = shellWords(words[script + 1]!);
				continue;
			}

			const fileIndex = words.findIndex((word, index) => index > 0 && !word.startsWith('-'));
			if (fileIndex !== -1) {
				const file = words[fileIndex]!;
				const resolved = findCommand(file.includes('/') ? file : `./${file}`);
				if (resolved) add(resolved.path, 'script run by the shell', resolved.links);
				// An entrypoint script ends, by convention, in `exec "$@"`: what follows it is the real command.
				if (words.length > fileIndex + 1) {
					words = words.slice(fileIndex + 1);
					continue;
				}
			}

			runtime = 'shell';
			break;
		}

		if (wrappers.test(baseName(found.path)) && words.length > 1) {
			// tini, dumb-init, gosu, env …: they start the command they are given.
			const rest = words.slice(1);
			const start =
				rest[0] === '--' ? 1 : baseName(found.path) === 'gosu' || baseName(found.path) === 'su-exec' ? 1 : 0;
			words = rest.slice(start).filter((word, index) => index > 0 || !/^-/.test(word));
			continue;
		}

		if (kind !== undefined) {
			runtime = kind;
			programArguments = words.slice(1);
			break;
		}

		if (exec?.kind === 'script') {
			// The kernel runs `interpreter [argument] script args`; `env NAME` searches PATH for NAME.
			const interpreter = exec.interpreter;
			words =
				baseName(interpreter) === 'env' && exec.argument !== undefined
					? [exec.argument.split(/\s+/).at(-1)!, `/${found.path}`, ...words.slice(1)]
					: [interpreter, ...(exec.argument ? [exec.argument] : []), `/${found.path}`, ...words.slice(1)];
			if (baseName(interpreter) === 'env') {
				const env = resolvePath(files, interpreter, isDirectory);
				if (env.path !== undefined) add(env.path, `#! of ${found.path}`, env.links);
			}

			continue;
		}

		if (exec === undefined && found.path.endsWith('.sh')) {
			// No `#!` read (a cached image from before the reader, or a file without an execute bit): a .sh is a shell script.
			words = ['/bin/sh', `/${found.path}`, ...words.slice(1)];
			continue;
		}

		runtime = exec?.kind === 'elf' ? 'native' : 'unknown';
		break;
	}

	const appDirectory = followRuntime(runtime, programArguments, {
		files,
		isDirectory,
		workingDirectory,
		add,
		trees,
		unresolved,
		interpreterPath: chain.find((step) => runtimeOf(baseName(step.path)) === runtime)?.path,
	});

	// Anything named by an absolute path in ENV that exists (config files, data directories).
	for (const [name, value] of env) {
		if (name === 'PATH' || !value.startsWith('/') || value.includes(':')) continue;
		const resolved = resolvePath(files, value, isDirectory);
		if (resolved.path === undefined) continue;
		if (files.has(resolved.path)) add(resolved.path, `named by ENV ${name}`, resolved.links);
		else if (!trees.includes(resolved.path)) trees.push(resolved.path);
	}

	// A named USER must exist in the runtime image's account files.
	const user = (input.config.user ?? '').split(':')[0] ?? '';
	if (user !== '' && !/^\d+$/.test(user)) {
		for (const path of ['etc/passwd', 'etc/group']) {
			if (files.has(path)) add(path, `USER ${user} is looked up here`, []);
		}
	}

	// Every ELF file reached, and every ELF file inside the trees, loads its libraries.
	const treeFiles = filesUnder(input.files, trees);
	for (const file of treeFiles) {
		if (execOf(files, file.path)?.kind === 'elf') elfQueue.push(file.path);
	}

	const seenElf = new Set<string>();
	while (elfQueue.length > 0) {
		const path = elfQueue.shift()!;
		if (seenElf.has(path)) continue;
		seenElf.add(path);
		const exec = execOf(files, path);
		if (exec?.kind !== 'elf') continue;
		followElf(path, exec, {files, isDirectory, add, unresolved, env});
	}

	return {runtime, argv, chain, proven, trees, appDirectory, unresolved};
}

/** Final files below any of the directories (a directory's own path excluded: it is not a file). */
export function filesUnder(files: FinalFile[], directories: string[]): FinalFile[] {
	if (directories.length === 0) return [];
	const prefixes = directories.map((directory) => (directory === '' ? '' : `${directory}/`));
	return files.filter((file) => prefixes.some((prefix) => file.path.startsWith(prefix)));
}

type Follow = {
	files: FileLookup;
	isDirectory: (path: string) => boolean;
	add: (path: string, reason: string, links: string[]) => void;
	unresolved: string[];
};

function followElf(
	path: string,
	exec: Extract<ExecInfo, {kind: 'elf'}>,
	follow: Follow & {env: Map<string, string>},
): void {
	const {files, isDirectory, add, unresolved} = follow;
	if (exec.interpreter !== undefined) {
		const loader = resolvePath(files, exec.interpreter, isDirectory);
		if (loader.path === undefined)
			unresolved.push(`${path}: its loader ${exec.interpreter} is not in the image`);
		else add(loader.path, `ELF loader of ${path}`, loader.links);
	}

	const origin = directoryOf(path);
	const searched = [
		...exec.runpath.map((entry) => entry.replace(/\$(ORIGIN\b|\{ORIGIN\})/g, `/${origin}`)),
		...(follow.env.get('LD_LIBRARY_PATH') ?? '').split(':').filter(Boolean),
		...libraryDirectories(exec.machine),
	];
	for (const name of exec.needed) {
		let found = false;
		const candidates = name.includes('/') ? [name] : searched.map((directory) => `${directory}/${name}`);
		for (const candidate of candidates) {
			const resolved = resolvePath(files, candidate, isDirectory);
			const file = resolved.path === undefined ? undefined : files.get(resolved.path);
			const library = resolved.path === undefined ? undefined : execOf(files, resolved.path);
			if (isRegular(file) && (library?.kind !== 'elf' || library.bits === exec.bits)) {
				add(resolved.path!, `${name}, needed by ${path}`, resolved.links);
				found = true;
				break;
			}
		}

		if (!found) unresolved.push(`${path} needs ${name}, which is not in the image's library paths`);
	}

	if (exec.incomplete)
		unresolved.push(
			`${path}: its dynamic section lies beyond what layerlens reads; its libraries may be incomplete`,
		);
}

type RuntimeFollow = Follow & {
	workingDirectory: string;
	trees: string[];
	interpreterPath: string | undefined;
};

/** What a language runtime loads besides its own binary; returns the app directory. */
function followRuntime(runtime: RuntimeKind, args: string[], follow: RuntimeFollow): string | undefined {
	const {files, isDirectory, workingDirectory, trees, add} = follow;
	const resolveIn = (name: string) =>
		resolvePath(files, name.startsWith('/') ? name : `${workingDirectory}/${name}`, isDirectory);
	const firstOperand = args.find((arg) => !arg.startsWith('-'));
	let appDirectory: string | undefined = workingDirectory === '' ? undefined : workingDirectory;

	if (runtime === 'node') {
		if (firstOperand !== undefined) {
			const script = resolveIn(firstOperand);
			if (script.path !== undefined) add(script.path, 'the script node runs', script.links);
		}

		// Node finds packages by walking up from the script: the app directory holds them.
		const manifestDirectory =
			appDirectory ?? (firstOperand ? directoryOf(normalisePath(firstOperand)) : undefined);
		appDirectory = manifestDirectory;
	} else if (runtime === 'python') {
		const version = /python(\d+\.\d+)/.exec(follow.interpreterPath ?? '')?.[1];
		const libraryTrees = version
			? [`usr/lib/python${version}`, `usr/local/lib/python${version}`, 'usr/lib/python3/dist-packages']
			: ['usr/lib/python3/dist-packages'];
		for (const tree of libraryTrees) {
			if (isDirectory(tree)) trees.push(tree);
		}

		const moduleIndex = args.indexOf('-m');
		if (moduleIndex !== -1 && args[moduleIndex + 1] !== undefined) {
			const module = args[moduleIndex + 1]!.split('.')[0]!;
			const where = [workingDirectory, ...libraryTrees].find(
				(directory) =>
					isDirectory(directory === '' ? module : `${directory}/${module}`) ||
					files.has(directory === '' ? `${module}.py` : `${directory}/${module}.py`),
			);
			if (where === undefined) follow.unresolved.push(`python -m ${module}: the module is not in the image`);
			else if (where === workingDirectory)
				appDirectory = workingDirectory === '' ? undefined : workingDirectory;
		} else if (firstOperand !== undefined) {
			const script = resolveIn(firstOperand);
			if (script.path !== undefined) {
				add(script.path, 'the script python runs', script.links);
				appDirectory ??= directoryOf(script.path) || undefined;
			}
		}
	} else if (runtime === 'java') {
		// The JVM loads its own lib/ tree (modules, libjvm.so) from the directory above bin/java.
		const home = follow.interpreterPath ? directoryOf(directoryOf(follow.interpreterPath)) : undefined;
		if (home !== undefined && home !== '') trees.push(home);
		const jar = args[args.indexOf('-jar') + 1];
		if (args.includes('-jar') && jar !== undefined) {
			const resolved = resolveIn(jar);
			if (resolved.path !== undefined) add(resolved.path, 'the jar java runs', resolved.links);
		}
	} else if (runtime === 'unknown') {
		// Nothing says what runs: the app directory is the best guess, and said to be one.
		if (appDirectory !== undefined && isDirectory(appDirectory)) {
			follow.unresolved.push(
				`what the container runs is unknown: the whole app directory /${appDirectory} is kept`,
			);
		}
	} else if (runtime === 'native' || runtime === 'shell') {
		// A compiled program carries its own code: the app directory is only what the config names.
		return appDirectory !== undefined && isDirectory(appDirectory) ? appDirectory : undefined;
	}

	if (appDirectory !== undefined && isDirectory(appDirectory) && !trees.includes(appDirectory)) {
		trees.push(appDirectory);
	}

	return appDirectory;
}
