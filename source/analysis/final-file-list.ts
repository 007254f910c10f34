import type {EntryColumns, FinalFilesView, PathTree, VersionId} from '../engine/index.js';
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

	/** The layer of the visible version alone, without making the file. */
	layer(position: number): number {
		return this.#tree.layerOf(this.#final.version(position));
	}

	/**
	The file at a position as a view that reads each field when asked: a test over every file looks at the
	path and seldom at more, and a whole object per file and per test was most of what the rules cost.
	*/
	view(position: number): FinalFile {
		return new FinalFileView(this.#tree, this.#final, position);
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

/**
A final file over the columns, its fields read when asked. A reader may hold it as long as the tree lives, but it
is not a plain object: spreading or serialising it gives the path alone, so only the tests and loops below get it.
*/
class FinalFileView implements FinalFile {
	readonly path: string;
	readonly #tree: PathTree;
	readonly #version: VersionId;

	constructor(tree: PathTree, final: FinalFilesView, position: number) {
		this.path = final.path(position);
		this.#tree = tree;
		this.#version = final.version(position);
	}

	get layer(): number {
		return this.#tree.layerOf(this.#version);
	}

	get type(): FinalFile['type'] {
		return this.#tree.type(this.#version);
	}

	get size(): number {
		return this.#columns().size(this.#tree.rowOf(this.#version));
	}

	get mode(): number {
		return this.#columns().mode(this.#tree.rowOf(this.#version));
	}

	get uid(): number {
		return this.#columns().uid(this.#tree.rowOf(this.#version));
	}

	get gid(): number {
		return this.#columns().gid(this.#tree.rowOf(this.#version));
	}

	get linkTarget(): string | undefined {
		return this.#columns().linkTarget(this.#tree.rowOf(this.#version));
	}

	get exec(): FinalFile['exec'] {
		return this.#columns().exec(this.#tree.rowOf(this.#version));
	}

	#columns(): EntryColumns {
		return this.#tree.layers[this.#tree.layerOf(this.#version)]!;
	}
}

/**
The files for a loop that reads their fields and keeps none of them: over the columns, views that read the fields asked
for (a loop over a million files mostly asks for the path); a list that is an array, its own files.
*/
export function fileViews(files: FinalFileList): Iterable<FinalFile> {
	if (!(files instanceof FinalFileColumns)) return files;
	return {
		[Symbol.iterator](): Iterator<FinalFile> {
			let position = 0;
			return {
				next: (): IteratorResult<FinalFile> =>
					position < files.length
						? {value: files.view(position++), done: false}
						: {value: undefined, done: true},
			};
		},
	};
}

/**
The file at a position for a reader that does not keep it: over the columns a view that reads the fields
asked for, else the list's own file.
*/
export function fileViewAt(files: FinalFileList, position: number): FinalFile {
	return files instanceof FinalFileColumns ? files.view(position) : files.at(position)!;
}

/** The layer of the visible version at a position, without making the file when the list is columns. */
export function layerAt(files: FinalFileList, position: number): number {
	return files instanceof FinalFileColumns ? files.layer(position) : files.at(position)!.layer;
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

/**
Whether any file passes the test (a list's `some`, for lists that are not arrays). Over the columns the test
sees views that read a field when asked.
*/
export function someFile(files: FinalFileList, test: (file: FinalFile) => boolean): boolean {
	if (files instanceof FinalFileColumns) {
		for (let position = 0; position < files.length; position++) if (test(files.view(position))) return true;
		return false;
	}

	for (const file of files) if (test(file)) return true;
	return false;
}

/**
The files that pass the test, as an array (a list's `filter`, for lists that are not arrays). Over the columns
the test sees views and the files kept are whole objects.
*/
export function filesWhere(files: FinalFileList, test: (file: FinalFile) => boolean): FinalFile[] {
	const kept: FinalFile[] = [];
	if (files instanceof FinalFileColumns) {
		for (let position = 0; position < files.length; position++) {
			if (test(files.view(position))) kept.push(files.at(position)!);
		}

		return kept;
	}

	for (const file of files) if (test(file)) kept.push(file);
	return kept;
}
