import type {ChangeKind} from '../analysis/types.js';
import type {NodeId, PathTree, VersionId} from '../engine/index.js';

export type TreeMode = 'changes' | 'aggregated';
export type SortOrder = 'name' | 'size';

export type TreeOptions = {
	layer: number;
	mode: TreeMode;
	/** Regular expression source matched against `/path`; empty for no filter. */
	filter: string;
	sort: SortOrder;
	hidden: Readonly<Record<ChangeKind, boolean>>;
	wasteOnly: boolean;
	buildOnly: boolean;
	/** Only these final paths (and the directories above them): one package's files, from the package view. */
	only?: PathSubset;
};

/** A named set of paths (no leading slash); the name keys the view cache, so it must name the set. */
export type PathSubset = {label: string; paths: ReadonlySet<string>};

/** What a view shows when the explorer opens: the first layer's changes, by name, nothing hidden. */
export const defaultTreeOptions: Readonly<TreeOptions> = Object.freeze({
	layer: 0,
	mode: 'changes',
	filter: '',
	sort: 'name',
	hidden: Object.freeze({added: false, modified: false, removed: false, unchanged: false}),
	wasteOnly: false,
	buildOnly: false,
});

export type TreeRow = {
	/** The path's node in the analysis tree. */
	node: NodeId;
	/** The node's path, without a leading slash (the tree's own string: no copy). */
	path: string;
	depth: number;
	/** Box-drawing prefix (`│  ├─ `) drawn before the name. */
	prefix: string;
	isDirectory: boolean;
	/** True when the directory has rows below it in this view. */
	hasChildren: boolean;
	status: ChangeKind;
	/** The version shown: for removed rows, the version that was removed; undefined for a directory only implied by its files. */
	version: VersionId | undefined;
	/** Regular-file bytes of this row, aggregated for directories. */
	size: number;
	/** This version is hidden by a later layer (deleted or overwritten). */
	wasted: boolean;
	buildOnly: boolean;
	/** A file the running container is proven to need (the runtime closure: its programs and libraries). */
	runtime: boolean;
	/** Whether this row is only here as the parent of changed rows (changes mode). */
	isContext: boolean;
};

/** Every row of one view, fully expanded, pre-order; `subtreeEnd[i]` is one past the last row under row i. */
export type TreeView = {
	/** The tree the rows' nodes and versions belong to. */
	tree: PathTree;
	rows: TreeRow[];
	subtreeEnd: Int32Array;
	/** Why the path filter was ignored (an invalid regular expression). */
	filterError: string | undefined;
};

/** The last segment of a row's path, as the tree draws it. */
export function rowName(row: TreeRow): string {
	return row.path.slice(row.path.lastIndexOf('/') + 1);
}

export function compareRowNames(a: TreeRow, b: TreeRow): number {
	const nameA = rowName(a);
	const nameB = rowName(b);
	return nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
}

/** The status, waste and build-only filters for one row on its own (the path filter is separate). */
export function rowPasses(row: TreeRow, options: TreeOptions): boolean {
	if (options.hidden[row.status]) return false;
	if (options.wasteOnly && !row.wasted) return false;
	if (options.buildOnly && !row.buildOnly) return false;
	return true;
}
