import picomatch from 'picomatch';

/**
Path globs for `ignorePaths`, matched by picomatch (the matcher behind micromatch, chokidar and fast-glob)
rather than a hand-written translation, which got escapes and bracket expressions wrong. On top of
picomatch's syntax: a pattern ending in `/` matches everything below that directory; a pattern without any
`/` matches a name at any depth (as in .gitignore); paths compare without a leading `/` or `./`; dotfiles
match like any other name (`*.env` matches `.env`, as image paths are not hidden from a config).
*/
export type PathMatcher = (path: string) => boolean;

export class GlobError extends Error {}

function prepare(pattern: string): {glob: string; options: picomatch.PicomatchOptions} {
	let glob = pattern
		.trim()
		.replace(/^\/+/, '')
		.replace(/^(\.\/)+/, '');
	if (glob.endsWith('/')) {
		glob += '**';
	}

	// strictBrackets: an unbalanced bracket or brace is an error, not a literal; debug: an invalid
	// expression (`[z-a]`) throws instead of quietly matching nothing.
	return {glob, options: {dot: true, basename: !glob.includes('/'), strictBrackets: true, debug: true}};
}

/** Compile a glob; throws GlobError naming what is wrong with it. */
export function compileGlob(pattern: string): PathMatcher {
	if (pattern.trim() === '') {
		throw new GlobError('the glob is empty');
	}

	const {glob, options} = prepare(pattern);
	let matcher: picomatch.Matcher;
	try {
		// makeRe first: picomatch builds matchers lazily enough that an invalid range surfaces only here.
		picomatch.makeRe(glob, options);
		matcher = picomatch(glob, options);
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		throw new GlobError(message.replace(/^Invalid regular expression: \/.*\/: /, ''));
	}

	return (path) => matcher(normalizePath(path));
}

/** Why the glob cannot be used, or undefined when it can. */
export function globProblem(pattern: string): string | undefined {
	try {
		compileGlob(pattern);
		return undefined;
	} catch (error) {
		return error instanceof Error ? error.message : String(error);
	}
}

export function normalizePath(path: string): string {
	return path.replace(/^\/+/, '');
}
