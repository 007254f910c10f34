import {none, type PathTree, rootNode} from '../../engine/index.js';
import type {ComparedFile} from './types.js';

/** The final filesystem of a stacked path tree, directories included, as the comparison reads it. */
export function finalFiles(tree: PathTree): ComparedFile[] {
	const files: ComparedFile[] = [];
	const stack: number[] = [rootNode];
	while (stack.length > 0) {
		const node = stack.pop()!;
		for (let child = tree.firstChild[node]!; child !== none; child = tree.nextSibling[child]!)
			stack.push(child);
		if (node === rootNode) continue;
		const visible = tree.finalVersion(node);
		if (visible === none) continue;
		const {type, size, mode, uid, gid, linkTarget, hash, mtime} = tree.entry(visible);
		files.push({
			path: tree.paths[node]!,
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
