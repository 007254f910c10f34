import type {FileLookup} from '../rule-input.js';
import type {FinalFile, FinalFileList, RuleInput} from '../types.js';
import type {Resolution} from './resolve-path.js';

/** One link of the chain from CMD/ENTRYPOINT to the files it loads, for the report and the explorer. */
export type ClosureStep = {
	/** Final-filesystem path, without leading slash. */
	path: string;
	/** Why it is needed: `entrypoint`, `ELF interpreter of usr/bin/x`, `libz.so.1 (DT_NEEDED of …)`, … */
	reason: string;
};

/** What a language runtime's follower reads of the image and how it records what it found. */
export type ClosureContext = {
	input: RuleInput;
	files: FileLookup;
	isDirectory: (path: string) => boolean;
	workingDirectory: string;
	env: Map<string, string>;
	/** A name as the program sees it: absolute from the root, relative from WORKDIR. */
	resolve(name: string): Resolution;
	/** A file the program needs, with why (its symlinks on the way are needed too). */
	add(path: string, reason: string, links: string[]): void;
	/** A directory the program loads as a whole, with why; a whole system root is refused with a note. */
	addTree(path: string, reason: string): void;
	/** The final non-directories directly in a directory (built on first use, once). */
	filesIn(directory: string): readonly FinalFile[];
	unresolved: string[];
	notes: string[];
};

/** Per directory, the final files directly in it: one pass over the files, made when first asked. */
export function filesInIndex(files: FinalFileList): (directory: string) => readonly FinalFile[] {
	let index: Map<string, FinalFile[]> | undefined;
	return (directory) => {
		if (index === undefined) {
			index = new Map();
			for (const file of files) {
				const slash = file.path.lastIndexOf('/');
				const parent = slash === -1 ? '' : file.path.slice(0, slash);
				let list = index.get(parent);
				if (list === undefined) {
					list = [];
					index.set(parent, list);
				}

				list.push(file);
			}
		}

		return index.get(directory) ?? [];
	};
}
