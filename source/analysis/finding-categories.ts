import type {FindingCategory} from './types.js';

/**
A finding about files the build made or left behind (build-only files, caches): what the runtime plan keeps
out, what a path the program needs at run time can never be, and what the explorer marks in the tree.
*/
export function isBuildOnlyOrCache(finding: {readonly category: FindingCategory}): boolean {
	return finding.category === 'build-only' || finding.category === 'cache';
}
