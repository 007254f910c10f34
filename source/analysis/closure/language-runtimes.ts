import type {ClosureContext} from './closure-context.js';
import type {RuntimeKind} from './entrypoint.js';
import {followJava} from './java-classpath.js';
import {followPerl} from './perl-inc.js';
import {followPhp} from './php-extensions.js';
import {directoryOf, normalisePath} from './resolve-path.js';
import {followRuby} from './ruby-gems.js';

/** The directory a script lives in, or undefined for a script at the root or none at all. */
function directoryOfScript(scriptPath: string | undefined): string | undefined {
	return scriptPath === undefined ? undefined : directoryOf(scriptPath) || undefined;
}

/** The script a runtime is given as its first operand, added when it exists; returns its path. */
function followScript(
	label: string,
	firstOperand: string | undefined,
	context: ClosureContext,
): string | undefined {
	if (firstOperand === undefined) return undefined;
	const resolved = context.resolve(firstOperand);
	if (resolved.path === undefined) return undefined;
	context.add(resolved.path, `the script ${label} runs`, resolved.links);
	return resolved.path;
}

/**
What a language runtime loads besides its own binary; returns the app directory, kept as a tree when it
exists (a native program's or a shell's only when WORKDIR names it, and not as a tree).
*/
export function followRuntime(
	runtime: RuntimeKind,
	command: string,
	args: string[],
	context: ClosureContext,
	{interpreterPath}: {interpreterPath: string | undefined},
): string | undefined {
	const {workingDirectory, isDirectory} = context;
	const configured = workingDirectory === '' ? undefined : workingDirectory;
	if (runtime === 'native' || runtime === 'shell') {
		// A compiled program carries its own code: the app directory is only what the config names.
		return configured !== undefined && isDirectory(configured) ? configured : undefined;
	}

	const appDirectory = followLanguage(runtime, command, args, context, interpreterPath, configured);
	if (appDirectory !== undefined && isDirectory(appDirectory))
		context.addTree(appDirectory, 'the app directory');
	return appDirectory;
}

/** One runtime's own files; returns the app directory (WORKDIR when set, else what the runtime's script says). */
function followLanguage(
	runtime: Exclude<RuntimeKind, 'native' | 'shell'>,
	command: string,
	args: string[],
	context: ClosureContext,
	interpreterPath: string | undefined,
	configured: string | undefined,
): string | undefined {
	const firstOperand = args.find((arg) => !arg.startsWith('-'));
	switch (runtime) {
		case 'node': {
			followScript('node', firstOperand, context);
			// Node finds packages by walking up from the script: the app directory holds them.
			return configured ?? (firstOperand ? directoryOf(normalisePath(firstOperand)) : undefined);
		}

		case 'python':
			return followPython(args, context, interpreterPath, configured);
		case 'java':
			followJava(args, interpreterPath, context);
			return configured;
		case 'php': {
			followPhp(args, command, interpreterPath, context);
			if (command.includes('fpm')) return configured;
			const scriptPath = followScript('php', firstOperand, context);
			return configured ?? directoryOfScript(scriptPath);
		}

		case 'perl': {
			const scriptPath = followPerl(args, interpreterPath, context);
			return configured ?? directoryOfScript(scriptPath);
		}

		case 'ruby': {
			const scriptPath = followRuby(args, context);
			return configured ?? directoryOfScript(scriptPath);
		}

		case 'unknown': {
			// Nothing says what runs: the app directory is the best guess, and said to be one.
			if (configured !== undefined && context.isDirectory(configured)) {
				context.unresolved.push(
					`what the container runs is unknown: the whole app directory /${configured} is kept`,
				);
			}

			return configured;
		}
	}
}

/** Python's standard library and packages, and the script or `-m` module it runs. */
function followPython(
	args: string[],
	context: ClosureContext,
	interpreterPath: string | undefined,
	configured: string | undefined,
): string | undefined {
	const {files, isDirectory, workingDirectory} = context;
	const version = /python(\d+\.\d+)/.exec(interpreterPath ?? '')?.[1];
	const libraryTrees = version
		? [`usr/lib/python${version}`, `usr/local/lib/python${version}`, 'usr/lib/python3/dist-packages']
		: ['usr/lib/python3/dist-packages'];
	for (const tree of libraryTrees) {
		if (isDirectory(tree)) context.addTree(tree, "python's standard library and packages");
	}

	const moduleIndex = args.indexOf('-m');
	if (moduleIndex === -1 || args[moduleIndex + 1] === undefined) {
		const firstOperand = args.find((arg) => !arg.startsWith('-'));
		const scriptPath = followScript('python', firstOperand, context);
		return configured ?? directoryOfScript(scriptPath);
	}

	const module = args[moduleIndex + 1]!.split('.')[0]!;
	const where = [workingDirectory, ...libraryTrees].find(
		(directory) =>
			isDirectory(directory === '' ? module : `${directory}/${module}`) ||
			files.has(directory === '' ? `${module}.py` : `${directory}/${module}.py`),
	);
	if (where === undefined) context.unresolved.push(`python -m ${module}: the module is not in the image`);
	// A module found in WORKDIR or in the library trees: the app directory stays what WORKDIR says.
	return configured;
}
