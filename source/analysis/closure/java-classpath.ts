import type {ClosureContext} from './closure-context.js';
import {isSystemRoot} from './env-paths.js';
import {maxSearchEntries} from './library-search.js';
import {directoryOf} from './resolve-path.js';

/** `java` options whose value is the next word (the others are one word: `-Xmx1g`, `-Dk=v`). */
const optionsWithValue = new Set([
	'-cp',
	'-classpath',
	'--class-path',
	'-p',
	'--module-path',
	'--upgrade-module-path',
	'--add-modules',
	'--add-opens',
	'--add-exports',
	'--add-reads',
	'--patch-module',
	'--limit-modules',
	'--enable-native-access',
]);

const classPathOptions = new Set(['-cp', '-classpath', '--class-path']);
const modulePathOptions = new Set(['-p', '--module-path', '--upgrade-module-path']);

/**
What `java [options] Main|-jar app.jar|-m module` loads: the JVM's own tree, every class-path and
module-path entry (a jar, a directory, or `dir/*` for the jars in it; the JVM reads CLASSPATH only
when no option names a class path), and the `-Djava.library.path` directories. A jar's own manifest
`Class-Path:` lies inside the zip, whose bytes layerlens does not keep: that is said, and the jar's
directory, where such entries lie, is kept whole.
*/
export function followJava(
	args: string[],
	interpreterPath: string | undefined,
	context: ClosureContext,
): void {
	// The JVM loads its own lib/ tree (modules, libjvm.so) from the directory above bin/java.
	const home = interpreterPath ? directoryOf(directoryOf(interpreterPath)) : undefined;
	if (home !== undefined && home !== '') context.addTree(home, `the JVM of ${interpreterPath}`);

	let classPath: {value: string; from: string} | undefined;
	const modulePaths: {value: string; from: string}[] = [];
	let jar: string | undefined;
	for (let index = 0; index < args.length; index++) {
		const word = args[index]!;
		const [option, inline] = word.startsWith('--') && word.includes('=') ? word.split(/=(.*)/s) : [word];
		if (optionsWithValue.has(option!)) {
			const value = inline ?? args[++index];
			if (value === undefined) break;
			if (classPathOptions.has(option!)) classPath = {value, from: option!};
			if (modulePathOptions.has(option!)) modulePaths.push({value, from: option!});
			continue;
		}

		if (word === '-jar') {
			jar = args[index + 1];
			break;
		}

		const libraryPath = /^-Djava\.library\.path=(.*)$/s.exec(word)?.[1];
		if (libraryPath !== undefined) {
			for (const entry of libraryPath.split(':').slice(0, maxSearchEntries).filter(Boolean)) {
				const resolved = context.resolve(entry);
				if (resolved.path !== undefined && context.isDirectory(resolved.path))
					context.addTree(resolved.path, 'on java.library.path (-Djava.library.path)');
			}

			continue;
		}

		// The first word that is not an option names the main class (or `-m`'s module): the rest are the program's.
		if (!word.startsWith('-') || word === '-m' || word === '--module') break;
	}

	if (jar !== undefined) {
		const resolved = context.resolve(jar);
		if (resolved.path === undefined) {
			context.unresolved.push(`java -jar ${jar}: the jar is not in the image`);
			return;
		}

		context.add(resolved.path, 'the jar java runs (-jar)', resolved.links);
		context.unresolved.push(
			`java -jar /${resolved.path}: the Class-Path of its manifest was not read (it lies inside the jar), so the jars it names are not proven`,
		);
		const directory = directoryOf(resolved.path);
		if (!isSystemRoot(directory))
			context.addTree(
				directory,
				`the directory of /${resolved.path}, where its manifest's Class-Path points`,
			);
		// With -jar, the JVM ignores -cp and CLASSPATH.
		return;
	}

	const envClassPath = context.env.get('CLASSPATH');
	if (classPath === undefined && envClassPath !== undefined)
		classPath = {value: envClassPath, from: 'CLASSPATH'};
	for (const path of [...(classPath ? [classPath] : []), ...modulePaths]) {
		followClassPath(path.value, path.from, context);
	}
}

function followClassPath(value: string, from: string, context: ClosureContext): void {
	const entries = value.split(':').filter(Boolean);
	if (entries.length > maxSearchEntries)
		context.notes.push(
			`the java class path (${from}) has ${entries.length} entries: only the first ${maxSearchEntries} were followed`,
		);
	for (const entry of entries.slice(0, maxSearchEntries)) {
		const wildcard = /^(.*?)\/?\*$/.exec(entry);
		if (wildcard) {
			// `dir/*`: every jar directly in dir, as the launcher expands it.
			const directory = context.resolve(wildcard[1] || '.');
			if (directory.path === undefined || !context.isDirectory(directory.path)) {
				context.unresolved.push(`class path entry ${entry} (${from}) is not in the image`);
				continue;
			}

			for (const file of context.filesIn(directory.path)) {
				if (!/\.jar$/i.test(file.path)) continue;
				// /usr/share/java's jars are mostly links to versioned files: the file they name is the one loaded.
				const jar = context.resolve(`/${file.path}`);
				if (jar.path !== undefined)
					context.add(jar.path, `a jar of ${entry} on the class path (${from})`, [
						...directory.links,
						...jar.links,
					]);
			}

			continue;
		}

		const resolved = context.resolve(entry);
		if (resolved.path === undefined) {
			context.unresolved.push(`class path entry ${entry} (${from}) is not in the image`);
		} else if (context.files.has(resolved.path)) {
			context.add(resolved.path, `on the class path (${from})`, resolved.links);
		} else {
			context.addTree(resolved.path, `a class directory on the class path (${from})`);
		}
	}
}
