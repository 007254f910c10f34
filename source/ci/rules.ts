import type {Confidence, FindingCategory} from '../analysis/types.js';
import type {Baseline} from './baseline.js';
import type {Plan} from './plan.js';

/** A path glob whose matches are dropped from every finding, with the reason a reviewer can read later. */
export type IgnorePath = {path: string; reason: string};

/** Thresholds that compare one measured number with a limit; `undefined` means the rule is disabled. */
export type ThresholdRules = {
	/** dive: fails when the efficiency score is below this (0..1). */
	lowestEfficiency: number | undefined;
	/** dive: fails when dive's wasted bytes exceed this. */
	highestWastedBytes: number | undefined;
	/** dive: fails when wasted bytes / user-layer bytes exceed this (0..1). */
	highestUserWastedPercent: number | undefined;
	/** Fails when the uncompressed layer total exceeds this. */
	maxImageBytes: number | undefined;
	/** Fails when the bytes hidden by later layers exceed this. */
	maxReclaimableBytes: number | undefined;
	/** Fails when build-only findings (after ignores and baseline) add up to more than this. */
	maxBuildOnlyBytes: number | undefined;
};

export type CiRules = ThresholdRules & {
	/** Finding categories that fail the gate when any finding of them remains. */
	failOn: FindingCategory[];
	/** Findings below this confidence never fail `failOn`. */
	failOnConfidence: Confidence;
	/**
	Whether findings about the base image's files (`fromBase`) count in `failOn` and `maxBuildOnlyBytes`.
	Off by default: only another base removes them, so they should not fail the app's build.
	*/
	countBaseFindings?: boolean;
	ignorePaths: IgnorePath[];
	baseline: Baseline | undefined;
	/** Where the rules came from, for the report's first line (`built-in defaults`, a file path). */
	origin: string;
	/** The what-if plan (`plan:`): `--ci` checks its savings are still available. */
	plan?: Plan;
};

export const thresholdRuleNames = [
	'lowestEfficiency',
	'highestWastedBytes',
	'highestUserWastedPercent',
	'maxImageBytes',
	'maxReclaimableBytes',
	'maxBuildOnlyBytes',
] as const satisfies ReadonlyArray<keyof ThresholdRules>;

export type ThresholdRuleName = (typeof thresholdRuleNames)[number];

/** Which thresholds are fractions (0..1); the rest are byte sizes. */
export const fractionRules: ReadonlySet<ThresholdRuleName> = new Set([
	'lowestEfficiency',
	'highestUserWastedPercent',
]);

export const diveRuleNames = ['lowestEfficiency', 'highestWastedBytes', 'highestUserWastedPercent'] as const;

export const failOnCategories: readonly FindingCategory[] = ['secret', 'build-only', 'cache', 'waste'];

/**
Our defaults when no config file is found. A naive single-stage Node image fails them (devDependencies
and the npm cache are high-confidence build-only/cache findings) while a correct multi-stage image passes:
it has neither, and its few overwritten files keep dive's score above 0.9. `highestUserWastedPercent` is
off because it is noisy on small images (a 1 MB leftover on a 5 MB app layer is 20%) and meaningless on
single-layer ones; the byte thresholds are off because no size fits every image.
*/
export function defaultRules(): CiRules {
	return {
		lowestEfficiency: 0.9,
		highestWastedBytes: undefined,
		highestUserWastedPercent: undefined,
		maxImageBytes: undefined,
		maxReclaimableBytes: undefined,
		maxBuildOnlyBytes: undefined,
		failOn: ['secret', 'build-only', 'cache'],
		failOnConfidence: 'high',
		ignorePaths: [],
		baseline: undefined,
		origin: 'built-in defaults',
	};
}

/**
A `.dive-ci` file's starting point: dive's defaults for dive's three rules (what the file leaves out), and
layerlens' own rules at their defaults. A dive file cannot turn layerlens' rules off (it has no keys for
them), so it never silently weakens the gate; a `.layerlens.yml` can.
*/
export function diveDefaultRules(origin: string): CiRules {
	const layerlensRules = thresholdRuleNames.length + failOnCategories.length - diveRuleNames.length;
	return {
		...defaultRules(),
		lowestEfficiency: 0.9,
		highestWastedBytes: undefined,
		highestUserWastedPercent: 0.1,
		origin: `${origin} (rules: ${diveRuleNames.length} from ${origin}, ${layerlensRules} layerlens defaults)`,
	};
}
