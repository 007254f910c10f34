import {type FileLookup, filesByPath} from '../rule-input.js';
import type {RuleInput} from '../types.js';
import type {ClosureStep} from './closure-context.js';
import {closureWalk} from './closure-walk.js';
import {followElfQueue} from './elf-closure.js';
import {followEntrypoint, type RuntimeKind, runtimeOf} from './entrypoint.js';
import {baseName, execOf} from './file-facts.js';
import {filesUnder} from './files-under.js';
import {followRuntime} from './language-runtimes.js';
import {librarySearch} from './library-search.js';
import {followEnvPaths, followNamedPaths, followUser} from './named-paths.js';

export type {ClosureStep} from './closure-context.js';
export type {RuntimeKind} from './entrypoint.js';
export {filesUnder} from './files-under.js';

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
	followElfQueue(elfQueue, files, context, libraries);
	notes.push(...libraries.notes());
	return {runtime, argv, chain, proven, trees, appDirectory, unresolved, notes};
}
