/**
The stacked tree's columns read back as plain objects, in the shape the engine used before it kept them
as columns (`{path, name, versions: [{layer, kind, hiddenBy, hideCause, entry}], removedIn}`), so tests
can compare whole histories against literal expected values.
*/
import type {ChangeKind, HideCause, NodeId, PathTree, VersionId} from '../../source/engine/index.js';
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

/** One version as an object; undefined for no version. */
export function versionSnapshot(tree: PathTree, version: VersionId | undefined): VersionSnapshot | undefined {
	if (version === undefined) return undefined;
	const snapshot: VersionSnapshot = {
		layer: tree.layerOf(version),
		kind: tree.kind(version),
		hiddenBy: tree.hiddenIn(version) ?? -1,
		entry: tree.entry(version),
	};
	const cause = tree.cause(version);
	if (cause !== undefined) snapshot.hideCause = cause;
	return snapshot;
}

export function nodeSnapshot(tree: PathTree, node: NodeId): NodeSnapshot {
	const parent = tree.parentOf(node);
	return {
		path: tree.pathOf(node),
		name: tree.name(node),
		parent: parent === undefined ? undefined : tree.pathOf(parent),
		versions: tree.versions(node).map((version) => versionSnapshot(tree, version)!),
		removedIn: [...tree.removedIn(node)],
	};
}

/** The paths of the nodes a layer touched, in the order it touched them. */
export function layerNodePaths(tree: PathTree, layer: number): string[] {
	return tree.touchedIn(layer).map((node) => tree.pathOf(node));
}
