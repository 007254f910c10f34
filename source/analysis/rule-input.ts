import {PathIndex, type PathTree, pathHash, type VersionId} from '../engine/index.js';
import type {RawImage} from '../image/types.js';
import {FinalFileColumns, pathAt} from './final-file-list.js';
import type {FinalFile, FinalFileList, ImageAnalysis, RuleInput} from './types.js';

/** What the per-layer records need of the stacked layers (see `layerView` below). */
export type LayerView = {
	/** The layer whose version of `path` the filesystem stacked from layers 0..layer shows, or -1. */
	visibleFrom(path: string, layer: number): number;
	/** Size of the regular file at `path` in that filesystem; 0 for anything else or nothing. */
	sizeAt(path: string, layer: number): number;
};

/**
What the findings rules read: the final filesystem's non-directories (parents before children, in the
order the layers introduced them) and the evidence text they can trust.
*/
export function buildRuleInput(analysis: ImageAnalysis, raw: RawImage): RuleInput {
	const {tree} = analysis;
	return {
		files: new FinalFileColumns(tree, tree.finalFiles({directories: false})),
		evidence: finalEvidence(tree, raw),
		layers: analysis.layers,
		history: analysis.history,
		config: raw.config,
		waste: analysis.waste,
	};
}

/**
A captured file's text counts only from the layer whose version is visible at the end: a lockfile that a
later layer deleted or replaced says nothing about the image that ships.
*/
function finalEvidence(tree: PathTree, raw: RawImage): Map<string, string> {
	const evidence = new Map<string, string>();
	for (const [layerIndex, layer] of raw.layers.entries()) {
		for (const captured of layer.captured) {
			const node = tree.find(captured.path);
			const visible = node === undefined ? undefined : tree.finalVersion(node);
			if (visible !== undefined && tree.layerOf(visible) === layerIndex) {
				evidence.set(captured.path, captured.text);
			}
		}
	}

	return evidence;
}

/**
A path as the filesystem stacked up to a layer shows it, for the per-layer package records: the one walk of
the tree's versions they need, kept here beside the final evidence.
*/
export function layerView(tree: PathTree): LayerView {
	const visibleVersion = (path: string, layer: number): VersionId | undefined => {
		const node = tree.find(path);
		return node === undefined ? undefined : tree.versionAt(node, layer);
	};

	return {
		visibleFrom(path, layer) {
			const version = visibleVersion(path, layer);
			return version === undefined ? -1 : tree.layerOf(version);
		},
		sizeAt(path, layer) {
			const version = visibleVersion(path, layer);
			return version !== undefined && tree.isFile(version) ? tree.size(version) : 0;
		},
	};
}

/** Looking a final file up by path: what the rules, the closure and the suggestion need of a map. */
export type FileLookup = {
	get(path: string): FinalFile | undefined;
	has(path: string): boolean;
};

/**
The final files by path. Over the engine's columns it asks the tree's own path index; over a plain list
(what-if edits, tests) it builds an open-addressing table of the path hashes: a Map of a million paths took
most of a second to fill and held ~60 MB.
*/
export class FileIndex implements FileLookup {
	/** Whether every path is listed once, so a file's position is its path's (see `positionOf`). */
	readonly unique: boolean;
	readonly #positionOf: (path: string) => number;

	constructor(private readonly files: FinalFileList) {
		if (files instanceof FinalFileColumns) {
			this.unique = true;
			this.#positionOf = (path) => files.positionOf(path);
			return;
		}

		const table = new ListedPaths(files);
		this.unique = table.unique;
		this.#positionOf = (path) => table.positionOf(path);
	}

	/** The position in the files of the file `path` names (the later one when listed twice), or -1. */
	positionOf(path: string): number {
		return this.#positionOf(path);
	}

	get(path: string): FinalFile | undefined {
		const position = this.positionOf(path);
		return position === -1 ? undefined : this.files.at(position);
	}

	has(path: string): boolean {
		return this.positionOf(path) !== -1;
	}
}

/** A list's paths in a hash table; when a path is listed twice, the later file wins. */
class ListedPaths {
	readonly unique: boolean;
	private readonly paths: string[];
	private readonly hashes: Uint32Array;
	private readonly index: PathIndex;
	private readonly ids: Int32Array;

	constructor(files: FinalFileList) {
		const count = files.length;
		this.paths = new Array<string>(count);
		this.hashes = new Uint32Array(count);
		this.ids = new Int32Array(count);
		this.index = new PathIndex(count);
		let unique = 0;
		for (let position = count - 1; position >= 0; position--) {
			const path = pathAt(files, position);
			const hash = pathHash(path);
			if (this.index.find(path, hash, this.paths, this.hashes) !== -1) continue;
			this.paths[unique] = path;
			this.hashes[unique] = hash;
			this.ids[unique] = position;
			this.index.insert(unique, hash, this.hashes);
			unique++;
		}

		this.unique = unique === count;
	}

	positionOf(path: string): number {
		const id = this.index.find(path, pathHash(path), this.paths, this.hashes);
		return id === -1 ? -1 : this.ids[id]!;
	}
}

const byPathOf = new WeakMap<object, FileIndex>();

/**
The final files by path, built once per input: the rules, the projection and the suggested Dockerfile
all look paths up.
*/
export function filesByPath(input: Pick<RuleInput, 'files'>): FileIndex {
	let byPath = byPathOf.get(input);
	if (byPath === undefined) {
		byPath = new FileIndex(input.files);
		byPathOf.set(input, byPath);
	}

	return byPath;
}
