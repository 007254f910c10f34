import type {FindingCategory} from '../analysis/types.js';
import type {DiffOptions} from '../run/options.js';
import type {CliFlags} from './argv.js';
import {parseCliOptions} from './options.js';

export type {DiffOptions};

import {LayerlensError} from '../shared/errors.js';

export type DiffFlags = {
	maxGrowthBytes?: string;
	maxGrowthPercent?: string;
	failOnNew?: string[];
	timestamps?: boolean;
};

export const diffFailOnCategories: readonly FindingCategory[] = ['secret', 'build-only', 'cache', 'waste'];

/** `layerlens IMAGE --max-growth-bytes 1MB` would silently ignore the budget: say so instead. */
export function assertNoDiffFlags(flags: DiffFlags): void {
	const given = [
		flags.maxGrowthBytes === undefined ? undefined : '--max-growth-bytes',
		flags.maxGrowthPercent === undefined ? undefined : '--max-growth-percent',
		(flags.failOnNew ?? []).length === 0 ? undefined : '--fail-on-new',
		flags.timestamps ? '--timestamps' : undefined,
	].filter((name) => name !== undefined);
	if (given.length > 0) {
		throw new LayerlensError(`${given[0]} only applies to layerlens diff`, {
			hint: 'Run layerlens diff BASE NEW with it',
		});
	}
}

/** `layerlens diff A B [flags]`: `input` is what follows `diff`. */
export function parseDiffOptions(input: string[], flags: CliFlags & DiffFlags): DiffOptions {
	if (input.length !== 2) {
		throw new LayerlensError(`layerlens diff compares two images, got ${input.length}`, {
			hint: 'Run layerlens diff BASE NEW, e.g. layerlens diff myapp:prod myapp:slim',
		});
	}

	const [imageA, imageB] = input as [string, string];
	if (imageA === '-' && imageB === '-') {
		throw new LayerlensError('Only one side of layerlens diff can be read from stdin', {
			hint: 'Save the other image to a file first',
		});
	}

	for (const [flag, given] of [
		['--demo', flags.demo],
		['--dockerfile', flags.dockerfile !== undefined],
		['--baseline', flags.baseline !== undefined],
		['--write-baseline', flags.writeBaseline !== undefined],
	] as const) {
		if (given) {
			throw new LayerlensError(`${flag} does not apply to layerlens diff`, {
				hint: 'Drop it, or run layerlens IMAGE for one image',
			});
		}
	}

	// Each side is read as `layerlens IMAGE` reads its argument (dive's prefixes, `-` for stdin).
	const common = parseCliOptions([imageA], flags);
	const b = parseCliOptions([imageB], flags);
	for (const category of flags.failOnNew ?? []) {
		if (!(diffFailOnCategories as readonly string[]).includes(category)) {
			throw new LayerlensError(`Unknown finding category '${category}' for --fail-on-new`, {
				hint: `Use one of: ${diffFailOnCategories.join(', ')}`,
			});
		}
	}

	return {
		common,
		a: common,
		b,
		timestamps: flags.timestamps ?? false,
		budgets: {
			...(flags.maxGrowthBytes === undefined ? {} : {maxGrowthBytes: flags.maxGrowthBytes}),
			...(flags.maxGrowthPercent === undefined ? {} : {maxGrowthPercent: flags.maxGrowthPercent}),
			...((flags.failOnNew ?? []).length === 0 ? {} : {failOnNew: flags.failOnNew}),
		},
	};
}
