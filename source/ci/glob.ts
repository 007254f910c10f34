/**
A path glob as a RegExp. `**` crosses directories, `*` and `?` stay inside one name, `[abc]` is a class,
`{a,b}` alternatives. A pattern ending in `/` matches everything below that directory; a pattern without
any `/` matches a file name at any depth (as in .gitignore). Paths compare without a leading `/`.
*/
export function globToRegExp(pattern: string): RegExp {
	let glob = pattern.trim().replace(/^\/+/, '').replace(/^\.\//, '');
	if (glob.endsWith('/')) {
		glob += '**';
	}

	const anyDepth = !glob.includes('/');
	let source = '';
	let braceDepth = 0;
	for (let index = 0; index < glob.length; index++) {
		const character = glob[index]!;
		if (character === '*') {
			if (glob[index + 1] === '*') {
				const slashAfter = glob[index + 2] === '/';
				// `**/` may also match nothing, so `a/**/b` matches `a/b`.
				source += slashAfter ? '(?:.*/)?' : '.*';
				index += slashAfter ? 2 : 1;
			} else {
				source += '[^/]*';
			}
		} else if (character === '?') {
			source += '[^/]';
		} else if (character === '[') {
			const end = glob.indexOf(']', index + 1);
			if (end === -1) {
				source += '\\[';
			} else {
				const body = glob
					.slice(index + 1, end)
					.replace(/^!/, '^')
					.replace(/\\/g, '\\\\');
				source += `[${body}]`;
				index = end;
			}
		} else if (character === '{') {
			braceDepth++;
			source += '(?:';
		} else if (character === '}' && braceDepth > 0) {
			braceDepth--;
			source += ')';
		} else if (character === ',' && braceDepth > 0) {
			source += '|';
		} else {
			source += character.replace(/[.+^${}()|\\]/g, '\\$&');
		}
	}

	return new RegExp(`^${anyDepth ? '(?:.*/)?' : ''}${source}$`);
}

/** Whether the glob is well-formed enough to use (balanced braces, not empty). */
export function isValidGlob(pattern: string): boolean {
	if (pattern.trim() === '') {
		return false;
	}

	let depth = 0;
	for (const character of pattern) {
		depth += character === '{' ? 1 : character === '}' ? -1 : 0;
		if (depth < 0) {
			return false;
		}
	}

	return depth === 0;
}

export function normalizePath(path: string): string {
	return path.replace(/^\/+/, '');
}
