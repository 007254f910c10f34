import {fileViews} from '../final-file-list.js';
import type {ClosureContext} from './closure-context.js';
import {baseName} from './file-facts.js';
import {directoryOf, normalisePath} from './resolve-path.js';

/**
The ini files PHP reads at start: php.ini and conf.d/*.ini of the SAPI's directory, on Debian
(`etc/php/8.2/cli/…`), in the official image (`usr/local/etc/php/…`) and on Alpine (`etc/php82/…`).
*/
const debianIni = /^etc\/php\/([^/]+)\/([^/]+)\/(php\.ini|conf\.d\/[^/]+\.ini)$/;
const otherIni = /^(usr\/local\/etc\/php|etc\/php[0-9]*)\/(php\.ini|conf\.d\/[^/]+\.ini)$/;

/** Where extension .so files live: Debian's API directory, the official image's, Alpine's modules. */
const extensionFile =
	/^(usr\/lib\/php\/\d+|usr\/local\/lib\/php\/extensions\/[^/]+|usr\/lib\/php[0-9]*\/modules)\/[^/]+\.so$/;

const extensionLine = /^\s*(zend_extension|extension)\s*=\s*["']?([^"';\s]+)/;
const extensionDirectoryLine = /^\s*extension_dir\s*=\s*["']?([^"';\s]+)/;

/**
What `php [options] script.php` (or php-fpm) loads besides its binary: its ini files, the extensions
they enable (`extension=intl` → `…/intl.so`, whose own libraries the ELF closure then follows), and the
script. Ini files whose text the reader did not keep are said, and then every extension directory is
kept whole, since which extensions load cannot be told.
*/
export function followPhp(
	args: string[],
	commandName: string,
	interpreterPath: string | undefined,
	context: ClosureContext,
): void {
	const version = /php(?:-fpm)?(\d+\.\d+)/.exec(baseName(interpreterPath ?? commandName))?.[1];
	const sapi = commandName.includes('fpm') ? 'fpm' : 'cli';
	const iniFiles: string[] = [];
	const extensionsByName = new Map<string, string[]>();
	for (const file of fileViews(context.input.files)) {
		const debian = debianIni.exec(file.path);
		if (
			debian
				? (version === undefined || debian[1] === version) && debian[2] === sapi
				: otherIni.test(file.path)
		)
			iniFiles.push(file.path);
		if (extensionFile.test(file.path)) {
			const name = baseName(file.path);
			extensionsByName.set(name, [...(extensionsByName.get(name) ?? []), file.path]);
		}
	}

	// php.ini first, then conf.d in name order, as PHP scans them.
	iniFiles.sort(
		(a, b) => Number(b.endsWith('/php.ini')) - Number(a.endsWith('/php.ini')) || (a < b ? -1 : 1),
	);
	const unread: string[] = [];
	const enabled: {name: string; ini: string}[] = [];
	let extensionDirectory: string | undefined;
	for (const ini of args.includes('-n') ? [] : iniFiles) {
		const resolved = context.resolve(`/${ini}`);
		if (resolved.path === undefined) continue;
		context.add(resolved.path, `an ini file php reads (${sapi})`, resolved.links);
		const text = context.input.evidence.get(resolved.path);
		if (text === undefined) {
			unread.push(`/${ini}`);
			continue;
		}

		for (const line of text.split('\n')) {
			const extension = extensionLine.exec(line);
			if (extension) enabled.push({name: extension[2]!, ini: `/${ini}`});
			extensionDirectory = extensionDirectoryLine.exec(line)?.[1] ?? extensionDirectory;
		}
	}

	for (const {name, ini} of enabled) {
		const path = findExtension(name, extensionDirectory, extensionsByName, context);
		if (path === undefined) {
			context.unresolved.push(`php extension ${name}, enabled in ${ini}, is not in the image`);
			continue;
		}

		context.add(path.path, `php extension ${name}, enabled in ${ini}`, path.links);
	}

	if (unread.length > 0) {
		context.unresolved.push(
			`php: ${unread.length} ini file(s) were not read (${unread.slice(0, 3).join(', ')}${unread.length > 3 ? ', …' : ''}): the extensions they enable are not known, so every extension directory is kept`,
		);
		const directories = new Set([...extensionsByName.values()].flat().map(directoryOf));
		for (const directory of directories)
			context.addTree(directory, 'php extensions (an ini file was not read)');
	}
}

function findExtension(
	name: string,
	extensionDirectory: string | undefined,
	extensionsByName: Map<string, string[]>,
	context: ClosureContext,
): {path: string; links: string[]} | undefined {
	const fileName = name.endsWith('.so') ? name : `${name}.so`;
	const candidates = name.includes('/')
		? [name]
		: [
				...(extensionDirectory === undefined ? [] : [`${extensionDirectory}/${fileName}`]),
				...(extensionsByName.get(fileName) ?? []).map((path) => `/${path}`),
			];
	for (const candidate of candidates) {
		const resolved = context.resolve(candidate);
		if (resolved.path !== undefined && context.files.has(resolved.path))
			return {path: normalisePath(resolved.path), links: resolved.links};
	}

	return undefined;
}
