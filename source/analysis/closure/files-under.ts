import {filesWhere} from '../final-file-list.js';
import type {FinalFile, FinalFileList} from '../types.js';

/** Work done by a prefix test, counted for the tests that bound it. */
export type PrefixWork = {comparisons: number};

/**
Whether a path lies below any of the directories, answered by binary search: the directories, with
those inside another dropped, are sorted, and only the greatest one not after the path can hold it (any
later one that sorted between would have to lie inside it). Log-time per path however many directories
ENV or a class path name.
*/
export function underAny(directories: readonly string[], work?: PrefixWork): (path: string) => boolean {
	if (directories.includes('')) return () => true;
	const sorted = [...new Set(directories.map((directory) => `${directory}/`))].sort();
	const outermost: string[] = [];
	for (const prefix of sorted) {
		// Sorted, a directory comes right after the ones it lies inside, so the last kept one is the only test.
		if (outermost.length === 0 || !prefix.startsWith(outermost.at(-1)!)) outermost.push(prefix);
	}

	return (path) => {
		let low = 0;
		let high = outermost.length - 1;
		let candidate = -1;
		while (low <= high) {
			const middle = (low + high) >> 1;
			if (work) work.comparisons++;
			if (outermost[middle]! <= path) {
				candidate = middle;
				low = middle + 1;
			} else high = middle - 1;
		}

		return candidate !== -1 && path.startsWith(outermost[candidate]!);
	};
}

/** Final files below any of the directories (a directory's own path excluded: it is not a file). */
export function filesUnder(files: FinalFileList, directories: string[], work?: PrefixWork): FinalFile[] {
	if (directories.length === 0) return [];
	const isUnder = underAny(directories, work);
	return filesWhere(files, (file) => isUnder(file.path));
}
