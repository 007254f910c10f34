import type {EntryColumns, FinalFilesView, PathTree} from '../engine/index.js';
import type {FinalFile, FinalFileList} from './types.js';

/**
The final files over the engine's columns: a million files held as a million objects cost ~110 MB of heap
for as long as the analysis ran; here a file is an object only while a reader holds it.
*/
export class FinalFileColumns implements FinalFileList {
	readonly length: number;
	readonly #tree: PathTree;
	readonly #final: FinalFilesView;

	constructor(tree: PathTree, final: FinalFilesView) {
		this.#tree = tree;
		this.#final = final;
		this.length = final.count;
	}

	/** The path alone, without making the file. */
	path(position: number): string {
		return this.#final.path(position);
	}

	/** The position of the file `path` names, or -1 (a path is listed once in the final files). */
	positionOf(path: string): number {
		return this.#final.indexOf(path);
	}

	/** The type alone, without making the file. */
	type(position: number): FinalFile['type'] {
		return this.#tree.type(this.#final.version(position));
	}

	/** A regular file's bytes (0 for anything else), without making the file. */
	fileBytes(position: number): number {
		const version = this.#final.version(position);
		return this.#tree.isFile(version) ? this.#tree.size(version) : 0;
	}

	at(position: number): FinalFile | undefined {
		if (position < 0 || position >= this.length) return undefined;
		const version = this.#final.version(position);
		const layer = this.#tree.layerOf(version);
		return finalFile(this.#final.path(position), this.#tree.layers[layer]!, this.#tree.rowOf(version), layer);
	}

	[Symbol.iterator](): Iterator<FinalFile> {
		let position = 0;
		return {
			next: (): IteratorResult<FinalFile> =>
				position < this.length ? {value: this.at(position++)!, done: false} : {value: undefined, done: true},
		};
	}
}

/** The type at a position, without making the file when the list is columns. */
export function typeAt(files: FinalFileList, position: number): FinalFile['type'] {
	return files instanceof FinalFileColumns ? files.type(position) : files.at(position)!.type;
}

/** A regular file's bytes at a position (0 for anything else), without making the file when the list is columns. */
export function fileBytesAt(files: FinalFileList, position: number): number {
	if (files instanceof FinalFileColumns) return files.fileBytes(position);
	const file = files.at(position)!;
	return file.type === 'file' ? file.size : 0;
}

/** The path at a position, without making the file when the list is columns. */
export function pathAt(files: FinalFileList, position: number): string {
	return files instanceof FinalFileColumns ? files.path(position) : files.at(position)!.path;
}

/**
One object literal per shape instead of spreads: a million files, each built in one allocation with its
fields in the object, instead of temporary objects and a separate property store each.
*/
function finalFile(path: string, columns: EntryColumns, row: number, layer: number): FinalFile {
	const type = columns.type(row);
	const size = columns.size(row);
	const mode = columns.mode(row);
	const uid = columns.uid(row);
	const gid = columns.gid(row);
	const linkTarget = columns.linkTarget(row);
	const exec = columns.exec(row);
	if (linkTarget === undefined) {
		return exec === undefined
			? {path, type, size, mode, uid, gid, layer}
			: {path, type, size, mode, uid, gid, exec, layer};
	}

	return exec === undefined
		? {path, type, size, mode, uid, gid, linkTarget, layer}
		: {path, type, size, mode, uid, gid, linkTarget, exec, layer};
}

/** Whether any file passes the test (a list's `some`, for lists that are not arrays). */
export function someFile(files: FinalFileList, test: (file: FinalFile) => boolean): boolean {
	for (const file of files) if (test(file)) return true;
	return false;
}

/** The files that pass the test, as an array (a list's `filter`, for lists that are not arrays). */
export function filesWhere(files: FinalFileList, test: (file: FinalFile) => boolean): FinalFile[] {
	const kept: FinalFile[] = [];
	for (const file of files) if (test(file)) kept.push(file);
	return kept;
}
