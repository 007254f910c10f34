/**
The stacked tree's columns read back as plain objects, in the shape the engine used before it kept them
as columns (`{path, name, versions: [{layer, kind, hiddenBy, hideCause, entry}], removedIn}`), so tests
can compare whole histories against literal expected values.
*/
import {type ChangeKind, type HideCause, none, type PathTree} from '../../source/engine/index.js';
import type {TarEntry} from '../../source/image/types.js';

export type VersionSnapshot = {
	layer: number;
	kind: ChangeKind;
	/** Index of the layer that hid this version, or -1 when it is visible in the final filesystem. */
	hiddenBy: number;
	hideCause?: HideCause;
	entry: TarEntry;
};

export type NodeSnapshot = {
	path: string;
	name: string;
	/** The parent's path; undefined for the root. */
	parent: string | undefined;
	versions: VersionSnapshot[];
	removedIn: number[];
};

/** One version as an object; undefined for -1 (no version). */
export function versionSnapshot(tree: PathTree, version: number): VersionSnapshot | undefined {
	if (version === none) return undefined;
	const snapshot: VersionSnapshot = {
		layer: tree.versionLayer[version]!,
		kind: tree.kind(version),
		hiddenBy: tree.hiddenBy[version]!,
		entry: tree.entry(version),
	};
	const cause = tree.cause(version);
	if (cause !== undefined) snapshot.hideCause = cause;
	return snapshot;
}

export function nodeSnapshot(tree: PathTree, node: number): NodeSnapshot {
	const parent = tree.parents[node]!;
	return {
		path: tree.paths[node]!,
		name: tree.name(node),
		parent: parent === none ? undefined : tree.paths[parent],
		versions: tree.versions(node).map((version) => versionSnapshot(tree, version)!),
		removedIn: [...tree.removedIn(node)],
	};
}

/** The node at `path` as an object, or undefined when the tree has no such path. */
export function findSnapshot(tree: PathTree, path: string): NodeSnapshot | undefined {
	const node = tree.find(path);
	return node === none ? undefined : nodeSnapshot(tree, node);
}

/** The paths of the nodes a layer touched, in the order it touched them. */
export function layerNodePaths(tree: PathTree, layer: number): string[] {
	return [...tree.layerNodes[layer]!].map((node) => tree.paths[node]!);
}
