import {none, type VersionId} from './ids.js';
import type {PathIndex} from './path-index.js';

/** How a path in one layer compares with the filesystem stacked from the layers below it. */
export type ChangeKind = 'added' | 'modified' | 'removed' | 'unchanged';

/** A layer's changes in non-directory paths (`PathTree.changeCounts`). */
export type LayerChangeCounts = {added: number; modified: number; removed: number};

/** Why bytes stored in a layer are not visible in the final filesystem. */
export type HideCause =
	/** A `.wh.<name>` whiteout deleted this file. */
	| 'deleted'
	/** A `.wh.<dir>` whiteout deleted a directory above this file. */
	| 'directory-deleted'
	/** A `.wh..wh..opq` marker hid the directory's lower contents. */
	| 'opaque-directory'
	/** An ancestor directory was replaced by a non-directory. */
	| 'parent-replaced'
	/** The same path was written again in a later layer. */
	| 'overwritten';

/** A change kind is stored as its index here. */
export const changeKinds: readonly ChangeKind[] = ['added', 'modified', 'removed', 'unchanged'];
export const addedCode = 0;
export const modifiedCode = 1;
export const unchangedCode = 3;

/** A hide cause is stored as its index here; 0 is "not hidden". */
export const hideCauses: readonly (HideCause | undefined)[] = [
	undefined,
	'deleted',
	'directory-deleted',
	'opaque-directory',
	'parent-replaced',
	'overwritten',
];
export const deletedCode = 1;
export const directoryDeletedCode = 2;
export const opaqueDirectoryCode = 3;
export const parentReplacedCode = 4;
export const overwrittenCode = 5;

/** The per-node columns (Int32), each with what a new node's slot holds: no parent, child, sibling or version. */
export const nodeColumnFills = {
	parents: none,
	firstChild: none,
	lastChild: none,
	nextSibling: none,
	lastVersion: none,
} as const;

/** The per-version columns and their element types. */
export const versionColumnTypes = {
	versionNode: Int32Array,
	versionLayer: Int32Array,
	versionRow: Int32Array,
	versionKind: Uint8Array,
	hiddenBy: Int32Array,
	hideCause: Uint8Array,
	previousVersion: Int32Array,
} as const;

export type NodeColumns = {-readonly [Name in keyof typeof nodeColumnFills]: Int32Array};
export type VersionColumns = {
	-readonly [Name in keyof typeof versionColumnTypes]: (typeof versionColumnTypes)[Name] extends Uint8ArrayConstructor
		? Uint8Array
		: Int32Array;
};

/** A stacked tree as the analysis cache stores it: its columns as they are, and the few paths no entry names. */
export type StoredTree = NodeColumns &
	VersionColumns & {
		nodeCount: number;
		versionCount: number;
		layerNodes: Int32Array[];
		removals: Array<[number, number[]]>;
		/** Paths of the nodes without a version (the root, directories only implied by their files), in node order. */
		versionlessPaths: string[];
	};

/** A stored tree that does not hold together. */
export class StoredTreeError extends Error {}

/**
The storage of a tree, shared by the builder (which fills it) and the tree (which only reads it); never
seen outside the engine. Per node: path, path hash, parent, first and last child, next sibling, newest
version. Per version: node, layer, entry row, change kind, the layer that hid it (-1: visible at the
end), why, and the next older version of its node.
*/
export type TreeColumns = Omit<StoredTree, 'removals' | 'versionlessPaths'> & {
	paths: string[];
	hashes: Uint32Array;
	index: PathIndex;
	removals: Map<number, number[]>;
};

/**
What a node shows in the filesystem as of one layer (`PathTree.statusAt`) or in one layer's own changes
(`PathTree.changeIn`): filled in place, so a walk over a million nodes allocates nothing per node.
*/
export type NodeStatus = {
	/** The version shown; for a removed path, the version that was removed; undefined for a directory only implied by its files. */
	version: VersionId | undefined;
	status: ChangeKind;
	/** Shown only as the way to a change below it (changes mode), not a change itself. */
	isContext: boolean;
	/** The version shown is hidden by a later layer: its bytes are stored for nothing. */
	hiddenLater: boolean;
};
