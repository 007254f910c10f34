/** What a resolution reads of a file: whether it is a symlink, and where it points. */
export type LinkLookup = {get(path: string): {type: string; linkTarget?: string} | undefined};

/** Symlink hops one resolution may take before it is called a loop (Linux's own limit is 40). */
const maxHops = 40;

export type Resolution = {
	/** The path the name ends at, without leading slash; undefined when it does not exist in the image. */
	path: string | undefined;
	/** Every symlink passed on the way (they must be in a runtime image too, or the name breaks). */
	links: string[];
};

/** `a/b/../c` → `a/c`; leading slashes and `.` dropped; `..` above the root stays at the root, as the kernel does. */
export function normalisePath(path: string): string {
	const parts: string[] = [];
	for (const part of path.split('/')) {
		if (part === '' || part === '.') continue;
		if (part === '..') parts.pop();
		else parts.push(part);
	}

	return parts.join('/');
}

/** The directory of a path without leading slash ('' for a top-level name). */
export function directoryOf(path: string): string {
	const slash = path.lastIndexOf('/');
	return slash === -1 ? '' : path.slice(0, slash);
}

/**
Follows a path through the final filesystem as the kernel would: every component that is a symlink is
replaced by its target (absolute targets from the root, relative ones from the link's directory), so
usr-merge links (`lib` → `usr/lib`) and alternatives chains (`usr/bin/python3` → `python3.11`) resolve.
`files` holds the final non-directories by path; a directory exists when some file lies below it, which
is all a resolution needs. Iterative, with a hop limit, so a link loop in a hostile image ends.
*/
export function resolvePath(
	files: LinkLookup,
	start: string,
	isDirectory: (path: string) => boolean,
): Resolution {
	const links: string[] = [];
	let pending = normalisePath(start).split('/').filter(Boolean);
	let done = '';
	let hops = 0;
	while (pending.length > 0) {
		const name = pending.shift()!;
		if (name === '..') {
			done = directoryOf(done);
			continue;
		}

		const candidate = done === '' ? name : `${done}/${name}`;
		const file = files.get(candidate);
		if (file?.type === 'symlink' && file.linkTarget !== undefined) {
			if (++hops > maxHops) return {path: undefined, links};
			links.push(candidate);
			const target = file.linkTarget;
			const base = target.startsWith('/') ? '' : done;
			pending = [
				...normalisePath(base === '' ? target : `${base}/${target}`)
					.split('/')
					.filter(Boolean),
				...pending,
			];
			done = '';
			continue;
		}

		if (file === undefined && !isDirectory(candidate)) {
			return {path: undefined, links};
		}

		if (file !== undefined && pending.length > 0) {
			// A regular file in the middle of a path: nothing lies below it.
			return {path: undefined, links};
		}

		done = candidate;
	}

	return {path: done === '' ? undefined : done, links};
}

/** Linux's PATH_MAX: no program is started or loaded through a longer name, so no longer directory is indexed. */
const pathMax = 4096;

/**
Which paths are directories of the final filesystem (some file lies below them), for path resolution. Each
directory is added once, stopping at the first ancestor already known, and names past PATH_MAX are not
indexed, so a hostile image 100,000 directories deep costs no more than a PATH_MAX-deep one.
*/
export function directoryIndex(files: Iterable<{path: string}>): (path: string) => boolean {
	const directories = new Set<string>();
	for (const file of files) {
		let directory =
			file.path.length > pathMax
				? file.path.slice(0, Math.max(0, file.path.lastIndexOf('/', pathMax)))
				: directoryOf(file.path);
		while (directory !== '' && !directories.has(directory)) {
			directories.add(directory);
			directory = directoryOf(directory);
		}
	}

	return (path) => directories.has(path);
}
