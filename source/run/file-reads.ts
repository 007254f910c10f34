import type {PathTree} from '../engine/index.js';
import type {FileReadProgress, ImageSource} from '../image/types.js';

/** What the session keeps of files already read: a few large views, or many small ones. */
const memoBudgetBytes = 64 * 1024 * 1024;

type Remembered = {content: Buffer; limit: number};

/**
The size of the version of `path` stored in `layer` when it is the one visible in the final filesystem;
undefined when a later layer hides or replaces it (or the layer has no such version).
*/
export function finalVersionSize(tree: PathTree, layer: number, path: string): number | undefined {
	const node = tree.find(path);
	if (node === undefined) return undefined;
	const version = tree.versionIn(node, layer);
	return version !== undefined && version === tree.finalVersion(node) ? tree.size(version) : undefined;
}

export type FileReads = {
	read(layer: number, path: string, limit: number, onProgress?: FileReadProgress): Promise<Buffer>;
};

/**
The explorer's file reads (`v`, `x`) for one loaded image: a final version goes through the source's cheap
way to it when it has one (a daemon's container archive) and falls back to the layer when that fails; and a
file read once is answered from memory when viewed or extracted again.
*/
export function createFileReads(source: ImageSource, imageId: string, tree: PathTree): FileReads {
	const memo = new Map<string, Remembered>();
	let memoBytes = 0;
	const remember = (key: string, entry: Remembered): void => {
		if (entry.content.length > memoBudgetBytes) return;
		memo.delete(key);
		memo.set(key, entry);
		memoBytes += entry.content.length;
		// Oldest first: a Map iterates in insertion order.
		for (const [oldKey, old] of memo) {
			if (memoBytes <= memoBudgetBytes) break;
			memo.delete(oldKey);
			memoBytes -= old.content.length;
		}
	};

	return {
		async read(layer, path, limit, onProgress) {
			const key = `${imageId}\0${layer}\0${path}`;
			const known = memo.get(key);
			// A copy read with a larger limit, or one shorter than its limit (the whole file), answers any limit.
			if (known && (known.limit >= limit || known.content.length < known.limit)) {
				return known.content.subarray(0, limit);
			}

			const finalSize = source.readFinalFile ? finalVersionSize(tree, layer, path) : undefined;
			let content: Buffer | undefined;
			if (finalSize !== undefined && source.readFinalFile) {
				content = await source.readFinalFile(path, limit, finalSize).catch(() => undefined);
			}

			content ??= await source.readFile(layer, path, limit, onProgress);
			remember(key, {content, limit});
			return content;
		},
	};
}
