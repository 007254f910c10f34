import {type NodeId, type PathTree, rootNode} from '../../engine/index.js';
import type {ComparedFile} from './types.js';

/** The final filesystem of a stacked path tree, directories included, as the comparison reads it. */
export function finalFiles(tree: PathTree): ComparedFile[] {
	const files: ComparedFile[] = [];
	const stack: NodeId[] = [rootNode];
	while (stack.length > 0) {
		const node = stack.pop()!;
		for (const child of tree.childrenOf(node)) stack.push(child);
		if (node === rootNode) continue;
		const visible = tree.finalVersion(node);
		if (visible === undefined) continue;
		const {type, size, mode, uid, gid, linkTarget, hash, mtime} = tree.entry(visible);
		files.push({
			path: tree.pathOf(node),
			type,
			size,
			mode,
			uid,
			gid,
			mtime,
			...(linkTarget === undefined ? {} : {linkTarget}),
			...(hash === undefined ? {} : {hash}),
		});
	}

	return files;
}
