import {fileViews} from '../final-file-list.js';
import {filesByPath} from '../rule-input.js';
import type {Finding, FindingCategory, RuleInput} from '../types.js';

export type SizeProjection = {
	/** Bytes of regular files visible in the final filesystem (hard links count once, as 0). */
	finalSizeBytes: number;
	/** finalSizeBytes minus every final-filesystem path any finding would remove, each path once. */
	projectedSizeBytes: number;
	/**
	Per category, the final-filesystem bytes it removes. A path in findings of two categories counts for
	the category of the larger finding only, so build-only + cache + secret + the waste part from
	duplicates add up to finalSizeBytes - projectedSizeBytes.
	*/
	byCategory: Record<FindingCategory, number>;
	/**
	Bytes stored in layers but hidden in the final filesystem that the waste findings would stop storing
	(deleted, overwritten, copy-ups). They shrink the image's layers, not the final filesystem, so they are
	not part of projectedSizeBytes.
	*/
	hiddenWasteBytes: number;
};

/** A waste finding about hidden bytes names paths whose stored copy is gone; its paths are not final files to remove. */
function removesFinalFiles(finding: Finding): boolean {
	return finding.category !== 'waste' || finding.ruleId === 'LL-WASTE-DUPLICATE';
}

export function projectSize(input: RuleInput, findings: Finding[]): SizeProjection {
	const byPath = filesByPath(input);
	let finalSizeBytes = 0;
	for (const file of fileViews(input.files)) {
		finalSizeBytes += file.type === 'file' ? file.size : 0;
	}

	const byCategory: Record<FindingCategory, number> = {'build-only': 0, cache: 0, waste: 0, secret: 0};
	const removed = new Set<string>();
	let hiddenWasteBytes = 0;
	const largestFirst = [...findings].sort((a, b) => b.bytes - a.bytes);
	for (const finding of largestFirst) {
		if (!removesFinalFiles(finding)) {
			hiddenWasteBytes += finding.bytes;
			continue;
		}

		for (const path of finding.paths) {
			if (removed.has(path)) {
				continue;
			}

			removed.add(path);
			const file = byPath.get(path);
			byCategory[finding.category] += file?.type === 'file' ? file.size : 0;
		}
	}

	const removedBytes = byCategory['build-only'] + byCategory.cache + byCategory.waste + byCategory.secret;
	return {finalSizeBytes, projectedSizeBytes: finalSizeBytes - removedBytes, byCategory, hiddenWasteBytes};
}
