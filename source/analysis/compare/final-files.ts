import type {PathTree} from '../../engine/index.js';
import type {ComparedFile} from './types.js';

/**
The final filesystem of a stacked path tree, directories included, as the comparison reads it: the
engine's one final-files view, each path as plain data. The comparison matches paths and sorts its
changes, so the view's order is not part of its result.
*/
export function finalFiles(tree: PathTree): ComparedFile[] {
	const view = tree.finalFiles({directories: true});
	const files: ComparedFile[] = [];
	for (let index = 0; index < view.count; index++) {
		const {type, size, mode, uid, gid, linkTarget, hash, mtime} = view.entry(index);
		files.push({
			path: view.path(index),
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
