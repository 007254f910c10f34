import type {FileLookup} from '../rule-input.js';
import {type ElfInfo, execOf, isRegular} from './file-facts.js';
import {directoryOf, type Resolution, resolvePath} from './resolve-path.js';

/**
Search-path entries followed per list (LD_LIBRARY_PATH, one file's RUNPATH, PATH, an ENV search path): no
real system needs more, and a hostile image's 10,000 entries would otherwise multiply every library asked for.
*/
export const maxSearchEntries = 64;

/** Library-not-found messages said one by one; the rest are counted in a note. */
const maxMissingMessages = 64;

/** Library directories the glibc and musl loaders search by default, per e_machine (multiarch first). */
export function libraryDirectories(machine: number): string[] {
	const triplet = multiarchTriplet(machine);
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

export function multiarchTriplet(machine: number | undefined): string {
	return (
		{62: 'x86_64-linux-gnu', 183: 'aarch64-linux-gnu', 3: 'i386-linux-gnu', 40: 'arm-linux-gnueabihf'}[
			machine ?? 62
		] ?? 'x86_64-linux-gnu'
	);
}

export type LibraryFound = {path: string; links: string[]};

export type LibrarySearch = {
	/** Where the loader finds `name` for the ELF file at `path`, or undefined when it is not in the image. */
	find(path: string, exec: ElfInfo, name: string): LibraryFound | undefined;
	/** Records a library that was not found (the first few by name, the rest counted). */
	missing(message: string): void;
	/** Notes on caps reached, for the closure's notes. */
	notes(): string[];
};

/** What the search remembers between calls: every directory resolved, every probe made, every shared search done. */
type SearchCaches = {
	files: FileLookup;
	isDirectory: (path: string) => boolean;
	/** LD_LIBRARY_PATH's entries, cut at `maxSearchEntries`. */
	ldEntries: string[];
	directories: Map<string, Resolution>;
	probes: Map<string, LibraryFound | null>;
	shared: Map<string, LibraryFound | null>;
	sharedDirectories: Map<number, string[]>;
};

/** The value cached under `key`, worked out and cached on first use (null caches "none"). */
function cached<K, V>(cache: Map<K, V>, key: K, compute: () => V): V {
	let value = cache.get(key);
	if (value === undefined) {
		value = compute();
		cache.set(key, value);
	}

	return value;
}

function resolveDirectory(caches: SearchCaches, directory: string): Resolution {
	return cached(caches.directories, directory, () =>
		resolvePath(caches.files, directory, caches.isDirectory),
	);
}

/** `name` in one (resolved) directory, for a file of `bits` bits: one lookup unless the name is a link. */
function probe(
	caches: SearchCaches,
	directory: string,
	name: string,
	bits: number,
): LibraryFound | undefined {
	const key = `${bits}\0${directory}\0${name}`;
	const inDirectory = () => libraryAt(caches, directory === '' ? name : `${directory}/${name}`, bits);
	return cached(caches.probes, key, inDirectory) ?? undefined;
}

/** The regular file at `candidate` (through its symlinks), when it is a library of the right width. */
function libraryAt(caches: SearchCaches, candidate: string, bits: number): LibraryFound | null {
	const {files, isDirectory} = caches;
	const file = files.get(candidate);
	if (file === undefined) return null;
	const resolved =
		file.type === 'symlink'
			? resolvePath(files, candidate, isDirectory)
			: {path: candidate, links: [] as string[]};
	const target = resolved.path === undefined ? undefined : files.get(resolved.path);
	const library = resolved.path === undefined ? undefined : execOf(files, resolved.path);
	return isRegular(target) && (library?.kind !== 'elf' || library.bits === bits)
		? {path: resolved.path!, links: resolved.links}
		: null;
}

function searchIn(
	caches: SearchCaches,
	directory: string,
	name: string,
	bits: number,
): LibraryFound | undefined {
	const resolved = resolveDirectory(caches, directory);
	if (resolved.path === undefined) return undefined;
	const found = probe(caches, resolved.path, name, bits);
	return found === undefined ? undefined : {path: found.path, links: [...resolved.links, ...found.links]};
}

/** LD_LIBRARY_PATH then the default directories for one e_machine, without repeats. */
function sharedFor(caches: SearchCaches, machine: number): string[] {
	return cached(caches.sharedDirectories, machine, () => [
		...new Set([...caches.ldEntries, ...libraryDirectories(machine)]),
	]);
}

/** `name` in the file's RUNPATH entries (`$ORIGIN` is the file's own directory), first `maxSearchEntries` only. */
function searchRunpath(
	caches: SearchCaches,
	path: string,
	exec: ElfInfo,
	name: string,
): LibraryFound | undefined {
	const origin = `/${directoryOf(path)}`;
	for (const entry of exec.runpath.slice(0, maxSearchEntries)) {
		const found = searchIn(caches, entry.replace(/\$(ORIGIN\b|\{ORIGIN\})/g, origin), name, exec.bits);
		if (found !== undefined) return found;
	}

	return undefined;
}

/** `name` in the directories every ELF file of this machine and width shares: searched once per name. */
function searchShared(caches: SearchCaches, exec: ElfInfo, name: string): LibraryFound | undefined {
	const key = `${exec.machine}\0${exec.bits}\0${name}`;
	const search = () => {
		for (const directory of sharedFor(caches, exec.machine)) {
			const found = searchIn(caches, directory, name, exec.bits);
			if (found !== undefined) return found;
		}

		return null;
	};
	return cached(caches.shared, key, search) ?? undefined;
}

/**
Finds DT_NEEDED libraries as the loader does, in work linear in the libraries asked for: every search
directory is resolved once, every (directory, name) pair is probed once with one lookup, and the
directories all ELF files share (LD_LIBRARY_PATH and the defaults) are searched once per library name.
Search lists are cut at `maxSearchEntries`, and a note says so.
*/
export function librarySearch(
	files: FileLookup,
	isDirectory: (path: string) => boolean,
	ldLibraryPath: string[],
	unresolved: string[],
): LibrarySearch {
	const notes: string[] = [];
	if (ldLibraryPath.length > maxSearchEntries)
		notes.push(
			`LD_LIBRARY_PATH has ${ldLibraryPath.length} entries: only the first ${maxSearchEntries} were searched`,
		);
	const caches: SearchCaches = {
		files,
		isDirectory,
		ldEntries: ldLibraryPath.slice(0, maxSearchEntries),
		directories: new Map(),
		probes: new Map(),
		shared: new Map(),
		sharedDirectories: new Map(),
	};
	const counts = {runpathCut: false, missing: 0};

	return {
		find(path, exec, name) {
			if (name.includes('/'))
				return searchIn(caches, directoryOf(name), name.slice(name.lastIndexOf('/') + 1), exec.bits);
			if (exec.runpath.length > maxSearchEntries && !counts.runpathCut) {
				counts.runpathCut = true;
				notes.push(
					`${path} has ${exec.runpath.length} RUNPATH entries: only the first ${maxSearchEntries} were searched (and so for any other such file)`,
				);
			}

			return searchRunpath(caches, path, exec, name) ?? searchShared(caches, exec, name);
		},
		missing(message) {
			if (++counts.missing <= maxMissingMessages) unresolved.push(message);
		},
		notes() {
			return counts.missing > maxMissingMessages
				? [
						...notes,
						`${counts.missing - maxMissingMessages} more libraries were not found (only the first ${maxMissingMessages} are named)`,
					]
				: notes;
		},
	};
}
