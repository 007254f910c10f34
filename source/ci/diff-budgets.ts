import {basename} from 'node:path';
import {parse as parseYaml} from 'yaml';
import type {ImageComparison} from '../analysis/compare/types.js';
import type {Finding, FindingCategory} from '../analysis/types.js';
import {isLayerlensError, LayerlensError} from '../shared/errors.js';
import {formatBytes} from '../shared/format-bytes.js';
import {configLimitBytes, readLocalFile} from '../shared/read-local-file.js';
import {diveConfigName, findConfigFile, isDisabledValue} from './config.js';
import type {CiResult, CiRuleResult} from './evaluate.js';
import {parseByteSize} from './parse-size.js';
import {failOnCategories} from './rules.js';

/** What `layerlens diff BASE NEW --ci` judges; `undefined` turns a budget off. */
export type DiffBudgets = {
	/** Fails when B's layers are more than this many bytes larger than A's. */
	maxGrowthBytes: number | undefined;
	/** Fails when B's layers are more than this many percent larger than A's (5 = 5 %). */
	maxGrowthPercent: number | undefined;
	/** Fails when B has a high-confidence finding of one of these categories that A did not have. */
	failOnNew: FindingCategory[];
	origin: string;
};

export type DiffBudgetText = {
	maxGrowthBytes?: unknown;
	maxGrowthPercent?: unknown;
	failOnNew?: unknown;
};

/** Without a config: no size budget, and a new secret, build-only or cache finding fails, as `--ci` does. */
export function defaultDiffBudgets(): DiffBudgets {
	return {
		maxGrowthBytes: undefined,
		maxGrowthPercent: undefined,
		failOnNew: ['secret', 'build-only', 'cache'],
		origin: 'built-in defaults',
	};
}

function budgetError(origin: string, message: string, hint?: string): LayerlensError {
	return new LayerlensError(`${origin}: ${message}`, hint === undefined ? {} : {hint});
}

/** Budgets from a `diff:` mapping (`.layerlens.yml`) or from flags, over `base`; `where` names the key. */
export function applyDiffBudgets(
	base: DiffBudgets,
	values: DiffBudgetText,
	origin: string,
	where: (key: string) => string,
): DiffBudgets {
	const next = {...base};
	if (values.maxGrowthBytes !== undefined) {
		const value = values.maxGrowthBytes;
		if (isDisabledValue(value)) {
			next.maxGrowthBytes = undefined;
		} else {
			const bytes =
				typeof value === 'number' && Number.isInteger(value) && value >= 0
					? value
					: typeof value === 'string'
						? parseByteSize(value)
						: undefined;
			if (bytes === undefined) {
				throw budgetError(
					origin,
					`${where('maxGrowthBytes')} must be a size such as 20MB or 20MiB, got ${JSON.stringify(value)}`,
				);
			}

			next.maxGrowthBytes = bytes;
		}
	}

	if (values.maxGrowthPercent !== undefined) {
		const value = values.maxGrowthPercent;
		if (isDisabledValue(value)) {
			next.maxGrowthPercent = undefined;
		} else {
			const number =
				typeof value === 'number'
					? value
					: typeof value === 'string' && /^\s*\d+(\.\d+)?\s*%?\s*$/.test(value)
						? Number.parseFloat(value)
						: Number.NaN;
			if (!Number.isFinite(number) || number < 0) {
				throw budgetError(
					origin,
					`${where('maxGrowthPercent')} must be a percentage such as 5 or 2.5%, got ${JSON.stringify(value)}`,
				);
			}

			next.maxGrowthPercent = number;
		}
	}

	if (values.failOnNew !== undefined) {
		const list = values.failOnNew;
		if (
			!Array.isArray(list) ||
			list.some((item) => !(failOnCategories as readonly unknown[]).includes(item))
		) {
			throw budgetError(
				origin,
				`${where('failOnNew')} must list categories, got ${JSON.stringify(list)}`,
				`Use any of: ${failOnCategories.join(', ')}`,
			);
		}

		next.failOnNew = [...new Set(list as FindingCategory[])];
	}

	next.origin = origin;
	return next;
}

/** The `diff:` mapping of a `.layerlens.yml` document (config.ts accepts the key and leaves it to us). */
export function parseDiffConfig(text: string, origin: string): DiffBudgets {
	let document: unknown;
	try {
		document = parseYaml(text);
	} catch (error) {
		const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
		throw budgetError(origin, `not valid YAML (${reason})`, 'Fix the syntax or remove the file');
	}

	const diff =
		typeof document === 'object' && document !== null
			? (document as Record<string, unknown>).diff
			: undefined;
	if (diff === undefined || diff === null) return {...defaultDiffBudgets(), origin};
	if (typeof diff !== 'object' || Array.isArray(diff)) {
		throw budgetError(origin, 'diff must be a mapping with maxGrowthBytes, maxGrowthPercent and failOnNew');
	}

	const known = ['maxGrowthBytes', 'maxGrowthPercent', 'failOnNew'];
	for (const key of Object.keys(diff)) {
		if (!known.includes(key)) {
			throw budgetError(origin, `unknown key 'diff.${key}'`, `Known keys: ${known.join(', ')}`);
		}
	}

	return applyDiffBudgets(defaultDiffBudgets(), diff as DiffBudgetText, origin, (key) => `diff.${key}`);
}

/** The config file (as `--ci` finds it), then the flags over it. dive's `.dive-ci` has no diff budgets. */
export async function loadDiffBudgets(sources: {
	cwd: string;
	configPath?: string;
	overrides: DiffBudgetText;
}): Promise<DiffBudgets> {
	const file = findConfigFile(sources.cwd, sources.configPath);
	let budgets = defaultDiffBudgets();
	if (file !== undefined && basename(file) !== diveConfigName) {
		let text: string;
		try {
			// Bounded and non-blocking as --ci reads it: /dev/urandom is refused, a FIFO stays interruptible.
			text = (await readLocalFile(file, 'Config file', configLimitBytes)).toString('utf8');
		} catch (error) {
			if (isLayerlensError(error)) throw error;
			throw new LayerlensError(`Cannot read config file ${sources.configPath ?? file}`, {
				hint: 'Check the --config path',
				cause: error,
			});
		}

		budgets = parseDiffConfig(text, sources.configPath ?? basename(file));
	}

	const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
	const hasOverrides = Object.values(sources.overrides).some((value) => value !== undefined);
	return hasOverrides
		? {
				...applyDiffBudgets(budgets, sources.overrides, 'command line', flagName),
				origin:
					budgets.origin === 'built-in defaults' ? 'command line' : `${budgets.origin} and the command line`,
			}
		: budgets;
}

function bytesText(bytes: number): string {
	return `${bytes < 0 ? '' : '+'}${formatBytes(bytes)} (${bytes} B)`;
}

/** Judge a comparison against the budgets, in the shape `--ci` prints and exits by. */
export function evaluateDiffBudgets(comparison: ImageComparison, budgets: DiffBudgets): CiResult {
	const growth = comparison.totals.delta.layerBytes;
	const before = comparison.totals.a.layerBytes;
	const results: CiRuleResult[] = [];
	results.push(
		budgets.maxGrowthBytes === undefined
			? {rule: 'maxGrowthBytes', status: 'SKIP', measured: '-', threshold: 'disabled'}
			: {
					rule: 'maxGrowthBytes',
					status: growth > budgets.maxGrowthBytes ? 'FAIL' : 'PASS',
					measured: bytesText(growth),
					threshold: bytesText(budgets.maxGrowthBytes),
				},
	);
	if (budgets.maxGrowthPercent === undefined) {
		results.push({rule: 'maxGrowthPercent', status: 'SKIP', measured: '-', threshold: 'disabled'});
	} else if (before === 0) {
		results.push({
			rule: 'maxGrowthPercent',
			status: 'SKIP',
			measured: '-',
			threshold: `${budgets.maxGrowthPercent}%`,
			detail: 'the base image has no bytes to grow from',
		});
	} else {
		const percent = (growth / before) * 100;
		results.push({
			rule: 'maxGrowthPercent',
			status: percent > budgets.maxGrowthPercent ? 'FAIL' : 'PASS',
			measured: `${percent >= 0 ? '+' : ''}${percent.toFixed(2)}%`,
			threshold: `${budgets.maxGrowthPercent}%`,
		});
	}

	const failing: Finding[] = comparison.findings.new.filter(
		(finding) => budgets.failOnNew.includes(finding.category) && finding.confidence === 'high',
	);
	results.push(
		budgets.failOnNew.length === 0
			? {rule: 'failOnNew', status: 'SKIP', measured: '-', threshold: 'disabled'}
			: {
					rule: 'failOnNew',
					status: failing.length > 0 ? 'FAIL' : 'PASS',
					measured: `${failing.length} new`,
					threshold: budgets.failOnNew.join(', '),
					...(failing.length > 0
						? {
								detail: failing
									.map((finding) => `${finding.ruleId} (${formatBytes(finding.bytes)})`)
									.join(', '),
							}
						: {}),
				},
	);
	return {
		results,
		passed: results.every((result) => result.status !== 'FAIL'),
		origin: budgets.origin,
		ignored: [],
		baselined: [],
		findings: comparison.findings.new,
	};
}
