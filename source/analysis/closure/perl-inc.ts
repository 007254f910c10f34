import type {ClosureContext} from './closure-context.js';
import {baseName, execOf} from './file-facts.js';
import {filesUnder} from './files-under.js';
import {multiarchTriplet} from './library-search.js';
import {directoryOf, normalisePath} from './resolve-path.js';

/** Modules of one script looked up; a script naming more is a generated one, and the trees keep them anyway. */
const maxModules = 256;

/** perl's @INC roots on Debian/Ubuntu, in the official image and on Alpine (each holds per-version directories). */
function incRoots(triplet: string): string[] {
	return [
		'etc/perl',
		`usr/local/lib/${triplet}/perl`,
		'usr/local/share/perl',
		`usr/lib/${triplet}/perl5`,
		'usr/share/perl5',
		`usr/lib/${triplet}/perl`,
		'usr/share/perl',
		'usr/local/lib/perl5',
		'usr/lib/perl5',
	];
}

/** The string literals of a `use lib` list: 'a', "b", qw(c d). */
function literals(list: string): string[] {
	const words: string[] = [];
	for (const match of list.matchAll(/'([^']*)'|"([^"]*)"|qw\s*[([{/]([^)\]}/]*)[)\]}/]/g)) {
		if (match[3] !== undefined) words.push(...match[3].split(/\s+/).filter(Boolean));
		else words.push(match[1] ?? match[2]!);
	}

	return words;
}

/** The @INC roots that exist, each kept as a tree; returns them in @INC order. */
function followIncRoots(interpreterPath: string | undefined, context: ClosureContext): string[] {
	const interpreter = interpreterPath === undefined ? undefined : execOf(context.files, interpreterPath);
	const triplet = multiarchTriplet(interpreter?.kind === 'elf' ? interpreter.machine : undefined);
	const incDirectories: string[] = [];
	for (const root of incRoots(triplet)) {
		if (context.isDirectory(root)) {
			context.addTree(root, "perl's @INC (its modules)");
			incDirectories.push(root);
		}
	}

	return incDirectories;
}

/**
Reads perl's options up to the script's name: each `-I` directory that exists is kept as a tree and put
first on `incDirectories`. Undefined for `-e` code or no script.
*/
function followOptions(
	args: string[],
	incDirectories: string[],
	context: ClosureContext,
): string | undefined {
	for (let index = 0; index < args.length; index++) {
		const word = args[index]!;
		if (word === '-e' || word === '-E') return undefined;
		const include = word === '-I' ? args[++index] : /^-I(.+)$/.exec(word)?.[1];
		if (include !== undefined) {
			const resolved = context.resolve(include);
			if (resolved.path !== undefined && context.isDirectory(resolved.path)) {
				context.addTree(resolved.path, 'on @INC (perl -I)');
				incDirectories.unshift(resolved.path);
			}
		} else if (!word.startsWith('-')) {
			return word;
		}
	}

	return undefined;
}

/** The script's `use lib` directories that exist (`$FindBin::Bin` is its own directory), each kept as a tree. */
function followUseLib(text: string, scriptPath: string, context: ClosureContext): string[] {
	const scriptDirectory = directoryOf(scriptPath);
	const libDirectories: string[] = [];
	for (const match of text.matchAll(/^\s*use\s+lib\s+([^;]+);/gm)) {
		for (const literal of literals(match[1]!)) {
			const named = literal.replace(/\$\{?FindBin::(Real)?Bin\}?/g, `/${scriptDirectory}`);
			const resolved = context.resolve(named);
			if (resolved.path !== undefined && context.isDirectory(resolved.path)) {
				context.addTree(resolved.path, `use lib in /${scriptPath}`);
				libDirectories.push(resolved.path);
			}
		}
	}

	return libDirectories;
}

/** The modules the script `use`s or `require`s (pragmas like `lib` aside), the first `maxModules`. */
function usedModules(text: string): Set<string> {
	const modules = new Set<string>();
	for (const match of text.matchAll(/^\s*(?:use|require)\s+([A-Za-z_]\w*(?:::\w+)*)/gm)) {
		if (match[1] !== 'lib' && modules.size < maxModules) modules.add(match[1]!);
	}

	return modules;
}

/** Each module's `.pm` and its XS `auto/…/X.so`, found in the searched trees (`use lib` ones first). */
function followModules(
	modules: Set<string>,
	libDirectories: string[],
	incDirectories: string[],
	scriptPath: string,
	context: ClosureContext,
): void {
	// One pass over the @INC files, by name; a module is then the file whose path ends in its relative name.
	const searched = [...libDirectories, ...incDirectories];
	const byName = new Map<string, string[]>();
	for (const file of filesUnder(context.input.files, searched)) {
		const name = baseName(file.path);
		if (name.endsWith('.pm') || name.endsWith('.so'))
			byName.set(name, [...(byName.get(name) ?? []), file.path]);
	}

	const preferred = (paths: string[] | undefined, suffix: string) => {
		const matching = (paths ?? []).filter((path) => path.endsWith(`/${suffix}`));
		return (
			matching.find((path) => libDirectories.some((directory) => path.startsWith(`${directory}/`))) ??
			matching[0]
		);
	};

	for (const module of modules) {
		const relative = `${module.replace(/::/g, '/')}.pm`;
		const found = preferred(byName.get(baseName(relative)), relative);
		if (found === undefined) continue;
		context.add(normalisePath(found), `module ${module}, used by /${scriptPath}`, []);
		const last = module.slice(module.lastIndexOf(':') + 1);
		const xs = `auto/${module.replace(/::/g, '/')}/${last}.so`;
		const shared = preferred(byName.get(`${last}.so`), xs);
		if (shared !== undefined) context.add(shared, `the XS part of ${module}`, []);
	}
}

/**
What `perl [options] script.pl` loads: the @INC trees (and `-I` directories), the script, and, when
the reader kept the script's text, its `use lib` directories (`$FindBin::Bin` is the script's own
directory) and the modules it `use`s or `require`s, with an XS module's `auto/…/X.so` (whose libraries
the ELF closure then follows). Only the script's own lines are read, not its modules'. Returns the
script's path.
*/
export function followPerl(
	args: string[],
	interpreterPath: string | undefined,
	context: ClosureContext,
): string | undefined {
	const incDirectories = followIncRoots(interpreterPath, context);
	const scriptName = followOptions(args, incDirectories, context);
	if (scriptName === undefined) return undefined;
	const script = context.resolve(scriptName);
	if (script.path === undefined) {
		context.unresolved.push(`perl ${scriptName}: the script is not in the image`);
		return undefined;
	}

	context.add(script.path, 'the script perl runs', script.links);
	const text = context.input.evidence.get(script.path);
	if (text === undefined) {
		context.unresolved.push(
			`perl: the text of /${script.path} was not read, so its \`use lib\` directories and modules are not known`,
		);
		return script.path;
	}

	const libDirectories = followUseLib(text, script.path, context);
	const modules = usedModules(text);
	if (modules.size > 0) followModules(modules, libDirectories, incDirectories, script.path, context);
	return script.path;
}
