import type {FileVersion, PathNode} from './types.js';

/** The node at a normalised path (`usr/bin/env`), or undefined when no layer ever had it. */
export function findNode(root: PathNode, path: string): PathNode | undefined {
	if (path === '') {
		return root;
	}

	let node: PathNode | undefined = root;
	for (const name of path.split('/')) {
		node = node.children?.get(name);
		if (!node) {
			return undefined;
		}
	}

	return node;
}

/** The version visible in the filesystem stacked from layers 0..layerIndex, if the path exists there. */
export function versionAt(node: PathNode, layerIndex: number): FileVersion | undefined {
	for (let position = node.versions.length - 1; position >= 0; position--) {
		const version = node.versions[position]!;
		if (version.layer <= layerIndex) {
			return version.hiddenBy === -1 || version.hiddenBy > layerIndex ? version : undefined;
		}
	}

	return undefined;
}

/** The version visible in the final filesystem. */
export function finalVersion(node: PathNode): FileVersion | undefined {
	const last = node.versions.at(-1);
	return last && last.hiddenBy === -1 ? last : undefined;
}
