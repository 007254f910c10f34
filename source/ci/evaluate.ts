import type {Finding, FindingCategory, ImageAnalysis} from '../analysis/types.js';
import {WhatIfModel} from '../analysis/what-if/what-if-model.js';
import {confidenceRank} from '../report/category-labels.js';
import {formatBytes} from '../shared/format-bytes.js';
import {isKnownFinding} from './baseline.js';
import {
	applyIgnorePaths,
	finalSizeLookup,
	type IgnoredSummary,
	keptWasteItems,
	type SizeOf,
} from './ignore-paths.js';
import {checkPlan, type Plan} from './plan.js';
import {type CiRules, failOnCategories, type ThresholdRuleName} from './rules.js';

export type CiStatus = 'PASS' | 'FAIL' | 'SKIP';

export type CiRuleResult = {
	rule: string;
	status: CiStatus;
	measured: string;
	threshold: string;
	detail?: string;
};

export type CiResult = {
	results: CiRuleResult[];
	passed: boolean;
	/** Where the rules came from. */
	origin: string;
	/** What each ignorePaths entry removed, with its reason. */
	ignored: IgnoredSummary[];
	/** Findings left out because the baseline already knows them. */
	baselined: Finding[];
	/** The findings the rules judged: after ignorePaths and the baseline. */
	findings: Finding[];
};

function bytesText(bytes: number): string {
	return `${formatBytes(bytes)} (${bytes} B)`;
}

function decimals(value: number): number {
	return /\.(\d+)$/.exec(String(value))?.[1]?.length ?? 0;
}

/** A measured fraction: 4 decimals, or one more than the limit has, so the figure never rounds onto the limit. */
function fraction(value: number, limit = 0): string {
	return String(Number(value.toFixed(Math.min(15, Math.max(4, decimals(limit) + 1)))));
}

/** A limit as the user wrote it: 0.99999 stays 0.99999 (rounding it to "1" would misstate the rule). */
function limitAsGiven(value: number): string {
	return String(value);
}

type Threshold = {
	name: ThresholdRuleName;
	measure: (limit: number) => {value: number; text: string} | {skip: string};
	/** Whether the measured value breaks the limit (dive's comparisons, strict). */
	fails: (value: number, limit: number) => boolean;
	limitText: (limit: number) => string;
};

/** The findings the rules judge: ignorePaths apply first, then the baseline removes the known ones. */
function judgedFindings(
	analysis: ImageAnalysis,
	rules: CiRules,
	sizeOf: SizeOf,
): {findings: Finding[]; ignored: IgnoredSummary[]; baselined: Finding[]; counted: Finding[]} {
	const {findings: afterIgnore, ignored} = applyIgnorePaths(analysis.findings, rules.ignorePaths, sizeOf);
	const baselined = rules.baseline
		? afterIgnore.filter((finding) => isKnownFinding(finding, rules.baseline!))
		: [];
	const findings = afterIgnore.filter((finding) => !baselined.includes(finding));
	// Findings about the base image's files are another base's business: they fail the gate only on request.
	const counted = rules.countBaseFindings ? findings : findings.filter((finding) => !finding.fromBase);
	return {findings, ignored, baselined, counted};
}

/** The reclaimable bytes the gate measures: the waste items ignorePaths keep. */
function reclaimableBytesAfterIgnore(analysis: ImageAnalysis, rules: CiRules): number {
	if (rules.ignorePaths.length === 0) return analysis.waste.reclaimableBytes;
	return keptWasteItems(analysis.waste.items, rules.ignorePaths).reduce((sum, item) => sum + item.bytes, 0);
}

/** A byte-count rule: fails above its limit. */
function byteThreshold(name: ThresholdRuleName, bytes: number): Threshold {
	return {
		name,
		measure: () => ({value: bytes, text: bytesText(bytes)}),
		fails: (value, limit) => value > limit,
		limitText: bytesText,
	};
}

/** The dive thresholds and the byte limits, measured on this analysis. */
function thresholdRules(
	analysis: ImageAnalysis,
	reclaimableBytes: number,
	buildOnlyBytes: number,
): Threshold[] {
	const {efficiency} = analysis;
	return [
		{
			name: 'lowestEfficiency',
			measure: (limit) => ({value: efficiency.score, text: fraction(efficiency.score, limit)}),
			fails: (value, limit) => limit > value,
			limitText: limitAsGiven,
		},
		byteThreshold('highestWastedBytes', efficiency.wastedBytes),
		{
			name: 'highestUserWastedPercent',
			measure: (limit) =>
				// dive divides by zero here and silently passes; say why the rule could not run instead.
				efficiency.userSizeBytes > 0 && Number.isFinite(efficiency.wastedUserPercent)
					? {value: efficiency.wastedUserPercent, text: fraction(efficiency.wastedUserPercent, limit)}
					: {skip: 'no layers above the base layer to measure'},
			fails: (value, limit) => value > limit,
			limitText: limitAsGiven,
		},
		byteThreshold('maxImageBytes', analysis.image.sizeBytes),
		byteThreshold('maxReclaimableBytes', reclaimableBytes),
		byteThreshold('maxBuildOnlyBytes', buildOnlyBytes),
	];
}

/** One threshold's row: SKIP when the rule is off or cannot be measured, else PASS or FAIL. */
function thresholdResult(threshold: Threshold, limit: number | undefined): CiRuleResult {
	if (limit === undefined) {
		return {rule: threshold.name, status: 'SKIP', measured: '-', threshold: 'disabled'};
	}

	const measured = threshold.measure(limit);
	if ('skip' in measured) {
		return {
			rule: threshold.name,
			status: 'SKIP',
			measured: '-',
			threshold: threshold.limitText(limit),
			detail: measured.skip,
		};
	}

	return {
		rule: threshold.name,
		status: threshold.fails(measured.value, limit) ? 'FAIL' : 'PASS',
		measured: measured.text,
		threshold: threshold.limitText(limit),
	};
}

/**
Judges one analysis against the rules. Pure: the baseline is already loaded into `rules`. ignorePaths
apply first (to findings and to the reclaimable bytes), then the baseline removes known findings; the
dive thresholds and maxImageBytes read the whole image and are untouched by both.
*/
export function evaluateCi(
	analysis: ImageAnalysis,
	rules: CiRules,
	sizeOf: SizeOf = finalSizeLookup(analysis),
): CiResult {
	const {findings, ignored, baselined, counted} = judgedFindings(analysis, rules, sizeOf);
	const buildOnlyBytes = counted
		.filter((finding) => finding.category === 'build-only')
		.reduce((sum, finding) => sum + finding.bytes, 0);
	const thresholds = thresholdRules(analysis, reclaimableBytesAfterIgnore(analysis, rules), buildOnlyBytes);
	const results = thresholds.map((threshold) => thresholdResult(threshold, rules[threshold.name]));
	const notCounted = findings.filter((finding) => !counted.includes(finding));
	for (const category of failOnCategories) {
		results.push(failOnResult(category, counted, baselined, rules, notCounted));
	}

	if (rules.plan !== undefined) results.push(planResult(analysis, rules.plan));

	return {
		results,
		passed: results.every((result) => result.status !== 'FAIL'),
		origin: rules.origin,
		ignored,
		baselined,
		findings,
	};
}

function failOnResult(
	category: FindingCategory,
	findings: Finding[],
	baselined: Finding[],
	rules: CiRules,
	notCounted: Finding[],
): CiRuleResult {
	const rule = `failOn:${category}`;
	if (!rules.failOn.includes(category)) {
		return {rule, status: 'SKIP', measured: '-', threshold: 'not in failOn'};
	}

	const minimum = confidenceRank[rules.failOnConfidence];
	const inCategory = findings.filter((finding) => finding.category === category);
	const failing = inCategory
		.filter((finding) => confidenceRank[finding.confidence] >= minimum)
		.sort((a, b) => b.bytes - a.bytes || a.ruleId.localeCompare(b.ruleId));
	const bytes = failing.reduce((sum, finding) => sum + finding.bytes, 0);
	const noun = failing.length === 1 ? 'finding' : 'findings';
	const notes: string[] = [];
	if (failing.length > 0) {
		notes.push(failing.map((finding) => `${finding.ruleId} ${formatBytes(finding.bytes)}`).join(', '));
	}

	const below = inCategory.length - failing.length;
	if (below > 0) {
		notes.push(`${below} below ${rules.failOnConfidence} confidence not counted`);
	}

	const known = baselined.filter((finding) => finding.category === category).length;
	if (known > 0) {
		notes.push(`${known} known from the baseline`);
	}

	const fromBase = notCounted.filter((finding) => finding.category === category).length;
	if (fromBase > 0) {
		notes.push(`${fromBase} from the base image not counted (rules.countBaseFindings: true counts them)`);
	}

	return {
		rule,
		status: failing.length > 0 ? 'FAIL' : 'PASS',
		measured: `${failing.length} ${noun}${failing.length > 0 ? `, ${formatBytes(bytes)}` : ''}`,
		threshold: `0 at ${rules.failOnConfidence} confidence${rules.failOnConfidence === 'high' ? '' : ' or above'}`,
		...(notes.length > 0 ? {detail: notes.join('; ')} : {}),
	};
}

/** The plan's row: PASS while every planned target is there and still saves what it did, less the tolerance. */
function planResult(analysis: ImageAnalysis, plan: Plan): CiRuleResult {
	const {tree} = analysis;
	const model = new WhatIfModel({
		tree,
		layers: analysis.layers,
		finalSizeBytes: analysis.image.finalSizeBytes,
		findings: analysis.findings,
	});
	const hasPath = (path: string) => {
		const node = tree.find(path);
		return node !== undefined && (tree.finalVersion(node) !== undefined || tree.hasChildren(node));
	};
	const check = checkPlan(plan, model, analysis.findings, analysis.layers, hasPath, formatBytes);
	const failing = check.lines.filter((line) => !line.includes(' still saves '));
	const count = plan.entries.length;
	return {
		rule: 'plan',
		status: check.ok ? 'PASS' : 'FAIL',
		measured: `${count - failing.length} of ${count} planned ${count === 1 ? 'saving' : 'savings'} still available`,
		threshold: `each target present, saving ≥ recorded less ${Math.round(plan.tolerance * 100)}%`,
		...(failing.length > 0 ? {detail: failing.map((line) => line.replace(/^plan: /, '')).join('; ')} : {}),
	};
}
