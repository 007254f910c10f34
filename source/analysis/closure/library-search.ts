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
	const directories = new Map<string, Resolution>();
	const probes = new Map<string, LibraryFound | null>();
	const shared = new Map<string, LibraryFound | null>();
	const sharedDirectories = new Map<number, string[]>();
	let runpathCut = false;
	let missingCount = 0;
	if (ldLibraryPath.length > maxSearchEntries)
		notes.push(
			`LD_LIBRARY_PATH has ${ldLibraryPath.length} entries: only the first ${maxSearchEntries} were searched`,
		);
	const ldEntries = ldLibraryPath.slice(0, maxSearchEntries);

	const resolveDirectory = (directory: string): Resolution => {
		let resolution = directories.get(directory);
		if (resolution === undefined) {
			resolution = resolvePath(files, directory, isDirectory);
			directories.set(directory, resolution);
		}

		return resolution;
	};

	/** `name` in one (resolved) directory, for a file of `bits` bits: one lookup unless the name is a link. */
	const probe = (directory: string, name: string, bits: number): LibraryFound | undefined => {
		const key = `${bits}\0${directory}\0${name}`;
		const known = probes.get(key);
		if (known !== undefined) return known ?? undefined;
		const candidate = directory === '' ? name : `${directory}/${name}`;
		let found: LibraryFound | null = null;
		const file = files.get(candidate);
		if (file !== undefined) {
			const resolved =
				file.type === 'symlink'
					? resolvePath(files, candidate, isDirectory)
					: {path: candidate, links: [] as string[]};
			const target = resolved.path === undefined ? undefined : files.get(resolved.path);
			const library = resolved.path === undefined ? undefined : execOf(files, resolved.path);
			if (isRegular(target) && (library?.kind !== 'elf' || library.bits === bits))
				found = {path: resolved.path!, links: resolved.links};
		}

		probes.set(key, found);
		return found ?? undefined;
	};

	const searchIn = (directory: string, name: string, bits: number): LibraryFound | undefined => {
		const resolved = resolveDirectory(directory);
		if (resolved.path === undefined) return undefined;
		const found = probe(resolved.path, name, bits);
		return found === undefined ? undefined : {path: found.path, links: [...resolved.links, ...found.links]};
	};

	const sharedFor = (machine: number): string[] => {
		let list = sharedDirectories.get(machine);
		if (list === undefined) {
			list = [...new Set([...ldEntries, ...libraryDirectories(machine)])];
			sharedDirectories.set(machine, list);
		}

		return list;
	};

	return {
		find(path, exec, name) {
			if (name.includes('/'))
				return searchIn(directoryOf(name), name.slice(name.lastIndexOf('/') + 1), exec.bits);
			const origin = `/${directoryOf(path)}`;
			if (exec.runpath.length > maxSearchEntries && !runpathCut) {
				runpathCut = true;
				notes.push(
					`${path} has ${exec.runpath.length} RUNPATH entries: only the first ${maxSearchEntries} were searched (and so for any other such file)`,
				);
			}

			for (const entry of exec.runpath.slice(0, maxSearchEntries)) {
				const found = searchIn(entry.replace(/\$(ORIGIN\b|\{ORIGIN\})/g, origin), name, exec.bits);
				if (found !== undefined) return found;
			}

			const key = `${exec.machine}\0${exec.bits}\0${name}`;
			let found = shared.get(key);
			if (found === undefined) {
				found = null;
				for (const directory of sharedFor(exec.machine)) {
					const inDirectory = searchIn(directory, name, exec.bits);
					if (inDirectory !== undefined) {
						found = inDirectory;
						break;
					}
				}

				shared.set(key, found);
			}

			return found ?? undefined;
		},
		missing(message) {
			if (++missingCount <= maxMissingMessages) unresolved.push(message);
		},
		notes() {
			return missingCount > maxMissingMessages
				? [
						...notes,
						`${missingCount - maxMissingMessages} more libraries were not found (only the first ${maxMissingMessages} are named)`,
					]
				: notes;
		},
	};
}
