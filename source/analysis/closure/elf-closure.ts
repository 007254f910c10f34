import type {FileLookup} from '../rule-input.js';
import type {ClosureContext} from './closure-context.js';
import {type ElfInfo, execOf} from './file-facts.js';
import type {LibrarySearch} from './library-search.js';
import {resolvePath} from './resolve-path.js';

/**
Follows every ELF file in the queue (which grows as libraries are added): its loader and its DT_NEEDED
libraries, each ELF file once.
*/
export function followElfQueue(
	elfQueue: string[],
	files: FileLookup,
	context: ClosureContext,
	libraries: LibrarySearch,
): void {
	const seenElf = new Set<string>();
	// An index, not shift(): the queue may hold every ELF file of a large tree.
	for (let next = 0; next < elfQueue.length; next++) {
		const path = elfQueue[next]!;
		if (seenElf.has(path)) continue;
		seenElf.add(path);
		const exec = execOf(files, path);
		if (exec?.kind !== 'elf') continue;
		followElf(path, exec, {
			files,
			isDirectory: context.isDirectory,
			add: context.add,
			unresolved: context.unresolved,
			libraries,
		});
	}
}

type ElfFollow = {
	files: FileLookup;
	isDirectory: (path: string) => boolean;
	add: (path: string, reason: string, links: string[]) => void;
	unresolved: string[];
	libraries: LibrarySearch;
};

function followElf(path: string, exec: ElfInfo, follow: ElfFollow): void {
	const {files, isDirectory, add, unresolved, libraries} = follow;
	if (exec.interpreter !== undefined) {
		const loader = resolvePath(files, exec.interpreter, isDirectory);
		if (loader.path === undefined)
			unresolved.push(`${path}: its loader ${exec.interpreter} is not in the image`);
		else add(loader.path, `ELF loader of ${path}`, loader.links);
	}

	for (const name of exec.needed) {
		const found = libraries.find(path, exec, name);
		if (found === undefined)
			libraries.missing(`${path} needs ${name}, which is not in the image's library paths`);
		else add(found.path, `${name}, needed by ${path}`, found.links);
	}

	if (exec.incomplete)
		unresolved.push(
			`${path}: its dynamic section lies beyond what layerlens reads; its libraries may be incomplete`,
		);
}
