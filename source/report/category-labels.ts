import type {Confidence, FindingCategory, HideCause} from '../analysis/types.js';

/** Report order: what must never ship first, then what a builder stage removes, then leftovers. */
export const categoryOrder: readonly FindingCategory[] = ['secret', 'build-only', 'cache', 'waste'];

export const categoryTitles: Record<FindingCategory, string> = {
	secret: 'Secrets',
	'build-only': 'Build-only files',
	cache: 'Caches',
	waste: 'Waste',
};

export const confidenceRank: Record<Confidence, number> = {high: 3, medium: 2, low: 1};

/** How a hidden file became waste, in words, for the waste tables. */
export function describeHideCause(cause: HideCause): string {
	switch (cause) {
		case 'deleted': {
			return 'deleted';
		}

		case 'directory-deleted': {
			return 'directory deleted';
		}

		case 'opaque-directory': {
			return 'directory replaced';
		}

		case 'parent-replaced': {
			return 'parent replaced';
		}

		case 'overwritten': {
			return 'overwritten';
		}
	}
}
