import {finalVersion} from '../path-node.js';
import type {PathNode} from '../types.js';
import type {ComparedFile} from './types.js';

/** The final filesystem of a stacked path tree, directories included, as the comparison reads it. */
export function finalFiles(root: PathNode): ComparedFile[] {
	const files: ComparedFile[] = [];
	const stack: PathNode[] = [root];
	while (stack.length > 0) {
		const node = stack.pop()!;
		if (node.children) {
			for (const child of node.children.values()) stack.push(child);
		}

		if (node === root) continue;
		const visible = finalVersion(node);
		if (visible === undefined) continue;
		const {type, size, mode, uid, gid, linkTarget, hash, mtime} = visible.entry;
		files.push({
			path: node.path,
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
