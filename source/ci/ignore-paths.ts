import type {Finding, ImageAnalysis, PathGroup, WasteItem} from '../analysis/types.js';
import {compileGlob, normalizePath} from './glob.js';
import type {IgnorePath} from './rules.js';

/** What one ignore entry removed, so the CI report can say it (with the reason) instead of hiding it. */
export type IgnoredSummary = {
	ignore: IgnorePath;
	/** Distinct finding paths it matched. */
	paths: number;
	/** Final-filesystem bytes of those paths. */
	bytes: number;
	/** Findings that lost every path and were dropped. */
	droppedFindings: string[];
};

export type SizeOf = (path: string) => number;

/** Size of a path in the final filesystem from the analysis tree; 0 when the tree does not have it. */
export function finalSizeLookup(analysis: ImageAnalysis): SizeOf {
	return (path) => {
		const {tree} = analysis;
		const node = tree.find(normalizePath(path));
		const version = node === undefined ? undefined : tree.finalVersion(node);
		return version !== undefined && tree.isFile(version) ? tree.size(version) : 0;
	};
}

/**
Drops every path matching an ignore glob from each finding and recomputes what is left: `bytes` loses
the final-filesystem size of each dropped path (a finding's bytes already count each path once), and
each dropped path leaves the path group it sits under (longest matching prefix). A finding left with no
path is removed. Findings that list no paths are kept as they are: nothing can be matched against them.
*/
export function applyIgnorePaths(
	findings: Finding[],
	ignorePaths: IgnorePath[],
	sizeOf: SizeOf,
): {findings: Finding[]; ignored: IgnoredSummary[]} {
	const matchers = ignorePaths.map((ignore) => ({ignore, matches: compileGlob(ignore.path)}));
	const ignored = new Map<IgnorePath, IgnoredSummary>(
		ignorePaths.map((ignore) => [ignore, {ignore, paths: 0, bytes: 0, droppedFindings: []}]),
	);
	const seenPerIgnore = new Map<IgnorePath, Set<string>>(ignorePaths.map((ignore) => [ignore, new Set()]));
	const kept: Finding[] = [];
	for (const finding of findings) {
		if (matchers.length === 0 || finding.paths.length === 0) {
			kept.push(finding);
			continue;
		}

		const remaining: string[] = [];
		const removed: Array<{path: string; size: number}> = [];
		for (const path of finding.paths) {
			const normalized = normalizePath(path);
			const matcher = matchers.find(({matches}) => matches(normalized));
			if (!matcher) {
				remaining.push(path);
				continue;
			}

			const size = sizeOf(path);
			removed.push({path, size});
			const seen = seenPerIgnore.get(matcher.ignore)!;
			if (!seen.has(normalized)) {
				seen.add(normalized);
				const summary = ignored.get(matcher.ignore)!;
				summary.paths++;
				summary.bytes += size;
			}
		}

		if (removed.length === 0) {
			kept.push(finding);
			continue;
		}

		if (remaining.length === 0) {
			for (const {path} of removed) {
				const matcher = matchers.find(({matches}) => matches(normalizePath(path)))!;
				const dropped = ignored.get(matcher.ignore)!.droppedFindings;
				if (!dropped.includes(finding.ruleId)) {
					dropped.push(finding.ruleId);
				}
			}

			continue;
		}

		const removedBytes = removed.reduce((sum, {size}) => sum + size, 0);
		kept.push({
			...finding,
			paths: remaining,
			bytes: Math.max(0, finding.bytes - removedBytes),
			groups: shrinkGroups(finding.groups, removed),
		});
	}

	return {findings: kept, ignored: [...ignored.values()]};
}

function shrinkGroups(groups: PathGroup[], removed: Array<{path: string; size: number}>): PathGroup[] {
	const next = groups.map((group) => ({...group}));
	for (const {path, size} of removed) {
		const normalized = normalizePath(path);
		const owner = next
			.filter((group) => {
				const prefix = normalizePath(group.path);
				return normalized === prefix || normalized.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
			})
			.sort((a, b) => b.path.length - a.path.length)[0];
		if (owner) {
			owner.count--;
			owner.bytes = Math.max(0, owner.bytes - size);
		}
	}

	return next.filter((group) => group.count > 0);
}

/** Waste items whose path no ignore glob matches, for the reclaimable-bytes rule. */
export function keptWasteItems(items: WasteItem[], ignorePaths: IgnorePath[]): WasteItem[] {
	const matchers = ignorePaths.map((ignore) => compileGlob(ignore.path));
	return items.filter((item) => !matchers.some((matches) => matches(item.path)));
}
