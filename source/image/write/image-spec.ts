import type {RuntimeConfig} from '../types.js';

/**
A description of an image to write as an archive: used by the built-in demo, the test fixtures and the
benchmark, so all three go through the same reader as a real `docker save`.
*/

export type FileSpec = {
	path: string;
	/** Default `file`. `whiteout` deletes `path`; `opaque` marks directory `path` opaque. */
	type?: 'file' | 'dir' | 'symlink' | 'hardlink' | 'whiteout' | 'opaque' | 'fifo' | 'char' | 'block';
	/** Exact content of a regular file. */
	content?: string | Uint8Array;
	/** Size of generated filler content when `content` is not given (deterministic from `seed`/path). */
	size?: number;
	/** Changes the generated filler so two files of one size can differ, or match when seeds are equal. */
	seed?: number;
	mode?: number;
	uid?: number;
	gid?: number;
	linkTarget?: string;
	/** Seconds since the epoch; default a fixed date so archives are byte-identical run to run. */
	mtime?: number;
	/** Raw tar name to write instead of `path` (for hostile-input tests: `../x`, `/abs`, control characters). */
	rawName?: string;
};

export type LayerSpec = {
	/** The history `created_by` of the instruction that made this layer. */
	createdBy?: string;
	files: FileSpec[];
	/**
	The layer's exact tar bytes instead of a tar of `files` (hostile-input tests: headers no writer
	produces). `files` is then ignored.
	*/
	rawTar?: Uint8Array;
};

/** An instruction that made no layer (ENV, CMD, LABEL ...), placed before `beforeLayer` (or at the end). */
export type EmptyHistorySpec = {
	createdBy: string;
	/** Index of the layer it precedes; omitted = after the last layer. */
	beforeLayer?: number;
};

export type ImageSpec = {
	layers: LayerSpec[];
	emptyHistory?: EmptyHistorySpec[];
	/** Drop the history entirely, or keep only the first N entries (tests of missing history). */
	historyLimit?: number;
	os?: string;
	architecture?: string;
	variant?: string;
	config?: Partial<RuntimeConfig>;
	repoTags?: string[];
	created?: string;
};
