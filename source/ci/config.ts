import {existsSync} from 'node:fs';
import {basename, dirname, resolve} from 'node:path';
import {parse as parseYaml} from 'yaml';
import type {Confidence, FindingCategory} from '../analysis/types.js';
import {isLayerlensError, LayerlensError} from '../shared/errors.js';
import {configLimitBytes, readLocalFile} from '../shared/read-local-file.js';
import {readBaseline} from './baseline.js';
import {globProblem} from './glob.js';
import {parseByteSize} from './parse-size.js';
import {parsePlan} from './plan.js';
import {
	type CiRules,
	defaultRules,
	diveDefaultRules,
	diveRuleNames,
	failOnCategories,
	fractionRules,
	type IgnorePath,
	type ThresholdRuleName,
	thresholdRuleNames,
} from './rules.js';

/** Rule values given on the command line (`--lowestEfficiency 0.95`), as text, like dive's flags. */
export type RuleOverrides = Partial<Record<ThresholdRuleName, string>>;

export type CiRuleSources = {
	cwd: string;
	/** `--config PATH`; otherwise `.layerlens.yml`, `.layerlens.yaml` or dive's `.dive-ci` in `cwd`. */
	configPath?: string;
	/** `--ci-config PATH` (dive's flag): the file is dive's `.dive-ci` format whatever its name. */
	configIsDive?: boolean;
	/** `--baseline PATH`; wins over the config file's `baseline`. */
	baselinePath?: string;
	overrides?: RuleOverrides;
};

export const layerlensConfigNames = ['.layerlens.yml', '.layerlens.yaml'] as const;
export const diveConfigName = '.dive-ci';

// `diff` holds the budgets of `layerlens diff --ci`, read by ci/diff-budgets.ts.
// `plan` holds the explorer's what-if marks, read by ci/plan.ts.
const topLevelKeys = ['rules', 'ignorePaths', 'baseline', 'diff', 'plan'] as const;
const ruleKeys = [...thresholdRuleNames, 'failOn', 'failOnConfidence', 'countBaseFindings'] as const;
const confidences: readonly Confidence[] = ['high', 'medium', 'low'];
const disabledWords = new Set(['disabled', 'off', 'false', '']);

/** A rule or budget value that turns it off: `false`, or 'disabled', 'off', 'false' or '' in any case. */
export function isDisabledValue(value: unknown): boolean {
	return value === false || (typeof value === 'string' && disabledWords.has(value.trim().toLowerCase()));
}

function configError(origin: string, message: string, hint?: string): LayerlensError {
	return new LayerlensError(`${origin}: ${message}`, hint === undefined ? {} : {hint});
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
	return typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
}

function parseYamlDocument(text: string, origin: string): unknown {
	try {
		return parseYaml(text);
	} catch (error) {
		const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
		throw configError(origin, `not valid YAML (${reason})`, 'Fix the syntax or remove the file');
	}
}

function rejectUnknownKeys(
	record: Record<string, unknown>,
	known: readonly string[],
	where: string,
	origin: string,
) {
	for (const key of Object.keys(record)) {
		if (!known.includes(key)) {
			throw configError(origin, `unknown key '${where}${key}'`, `Known keys: ${known.join(', ')}`);
		}
	}
}

/**
One threshold from YAML or a flag. `disabled` (also `off`, `false`, empty, as dive accepts) turns it off.
Fractions must lie in 0..1; sizes take a number of bytes or `20MB` / `20MiB`.
*/
export function parseThreshold(name: ThresholdRuleName, value: unknown, origin: string): number | undefined {
	const where = `rules.${name}`;
	if (value === null || value === undefined) {
		throw configError(origin, `${where} has no value`, "Give a value, or 'disabled' to turn the rule off");
	}

	if (isDisabledValue(value)) {
		return undefined;
	}

	if (fractionRules.has(name)) {
		const number =
			typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
		if (typeof value !== 'number' && (typeof value !== 'string' || value.trim() === '')) {
			throw configError(origin, `${where} must be a number between 0 and 1, got ${describe(value)}`);
		}

		if (!Number.isFinite(number)) {
			throw configError(origin, `${where} must be a number between 0 and 1, got ${describe(value)}`);
		}

		if (number < 0 || number > 1) {
			throw configError(origin, `${where} must be between 0 and 1, got ${number}`, 'Write 0.9 for 90%');
		}

		return number;
	}

	const bytes =
		typeof value === 'number'
			? Number.isInteger(value)
				? value
				: Number.NaN
			: typeof value === 'string'
				? parseByteSize(value)
				: undefined;
	if (bytes === undefined || !Number.isFinite(bytes)) {
		throw configError(origin, `${where} must be a size such as 20MB or 20MiB, got ${describe(value)}`);
	}

	if (bytes < 0) {
		throw configError(origin, `${where} must not be negative, got ${bytes}`);
	}

	return bytes;
}

function parseFailOn(value: unknown, origin: string): FindingCategory[] {
	if (!Array.isArray(value)) {
		throw configError(
			origin,
			`rules.failOn must be a list, got ${describe(value)}`,
			`Use e.g. [${failOnCategories.join(', ')}]`,
		);
	}

	const categories: FindingCategory[] = [];
	for (const item of value) {
		if (typeof item !== 'string' || !(failOnCategories as readonly string[]).includes(item)) {
			throw configError(
				origin,
				`rules.failOn has ${describe(item)}`,
				`Use any of: ${failOnCategories.join(', ')}`,
			);
		}

		if (!categories.includes(item as FindingCategory)) {
			categories.push(item as FindingCategory);
		}
	}

	return categories;
}

function parseIgnorePaths(value: unknown, origin: string): IgnorePath[] {
	if (!Array.isArray(value)) {
		throw configError(
			origin,
			'ignorePaths must be a list of {path, reason}',
			'e.g. - {path: "app/assets/**", reason: "served at runtime"}',
		);
	}

	return value.map((item, index) => {
		const where = `ignorePaths[${index}]`;
		if (!isRecord(item)) {
			throw configError(origin, `${where} must be {path, reason}, got ${describe(item)}`);
		}

		rejectUnknownKeys(item, ['path', 'reason'], `${where}.`, origin);
		if (typeof item.path !== 'string') {
			throw configError(
				origin,
				`${where}.path must be a glob such as app/docs/**, got ${describe(item.path)}`,
			);
		}

		const problem = globProblem(item.path);
		if (problem !== undefined) {
			throw configError(origin, `${where}.path ${describe(item.path)} is not a valid glob: ${problem}`);
		}

		if (typeof item.reason !== 'string' || item.reason.trim() === '') {
			throw configError(origin, `${where} needs a reason`, 'Say why these paths may stay in the image');
		}

		return {path: item.path, reason: item.reason.trim()};
	});
}

/** A `.layerlens.yml` document. Keys it leaves out keep our defaults (see `defaultRules`). */
export function parseLayerlensConfig(
	text: string,
	origin: string,
): {rules: CiRules; baselinePath: string | undefined} {
	const document = parseYamlDocument(text, origin);
	const rules: CiRules = {...defaultRules(), origin};
	if (document === null || document === undefined) {
		return {rules, baselinePath: undefined};
	}

	if (!isRecord(document)) {
		throw configError(origin, 'must be a mapping with rules, ignorePaths and baseline');
	}

	rejectUnknownKeys(document, topLevelKeys, '', origin);
	let baselinePath: string | undefined;
	if (document.rules !== undefined && document.rules !== null) {
		if (!isRecord(document.rules)) {
			throw configError(origin, 'rules must be a mapping');
		}

		rejectUnknownKeys(document.rules, ruleKeys, 'rules.', origin);
		for (const name of thresholdRuleNames) {
			if (name in document.rules) {
				rules[name] = parseThreshold(name, document.rules[name], origin);
			}
		}

		if ('failOn' in document.rules) {
			rules.failOn = parseFailOn(document.rules.failOn, origin);
		}

		if ('failOnConfidence' in document.rules) {
			const value = document.rules.failOnConfidence;
			if (typeof value !== 'string' || !(confidences as readonly string[]).includes(value)) {
				throw configError(
					origin,
					`rules.failOnConfidence must be high, medium or low, got ${describe(value)}`,
				);
			}

			rules.failOnConfidence = value as Confidence;
		}

		if ('countBaseFindings' in document.rules) {
			const value = document.rules.countBaseFindings;
			if (typeof value !== 'boolean') {
				throw configError(origin, `rules.countBaseFindings must be true or false, got ${describe(value)}`);
			}

			rules.countBaseFindings = value;
		}
	}

	if (document.ignorePaths !== undefined) {
		rules.ignorePaths = parseIgnorePaths(document.ignorePaths, origin);
	}

	if (document.baseline !== undefined) {
		if (typeof document.baseline !== 'string' || document.baseline.trim() === '') {
			throw configError(origin, `baseline must be a file path, got ${describe(document.baseline)}`);
		}

		baselinePath = document.baseline;
	}

	if (document.plan !== undefined && document.plan !== null) {
		rules.plan = parsePlan(document.plan, origin);
	}

	return {rules, baselinePath};
}

/**
dive's `.dive-ci`: `rules:` with its three camelCase keys; what it leaves out keeps dive's defaults, and
layerlens' own rules keep theirs (see diveDefaultRules).
*/
export function parseDiveConfig(text: string, origin: string): CiRules {
	const document = parseYamlDocument(text, origin);
	const rules = diveDefaultRules(origin);
	if (document === null || document === undefined) {
		return rules;
	}

	if (!isRecord(document)) {
		throw configError(origin, 'must be a mapping with a rules key');
	}

	rejectUnknownKeys(document, ['rules'], '', origin);
	if (document.rules === undefined || document.rules === null) {
		return rules;
	}

	if (!isRecord(document.rules)) {
		throw configError(origin, 'rules must be a mapping');
	}

	for (const key of Object.keys(document.rules)) {
		if (!(diveRuleNames as readonly string[]).includes(key)) {
			const hint = (ruleKeys as readonly string[]).includes(key)
				? `${key} is a layerlens rule: put it in .layerlens.yml`
				: `Known keys: ${diveRuleNames.join(', ')}`;
			throw configError(origin, `unknown key 'rules.${key}'`, hint);
		}
	}

	for (const name of diveRuleNames) {
		if (name in document.rules) {
			rules[name] = parseThreshold(name, document.rules[name], origin);
		}
	}

	return rules;
}

/** Command-line values win over the file, rule by rule. */
export function applyRuleOverrides(rules: CiRules, overrides: RuleOverrides): CiRules {
	const next = {...rules};
	for (const name of thresholdRuleNames) {
		const value = overrides[name];
		if (value !== undefined) {
			// Name the flag as the user typed it: lowestEfficiency is --lowest-efficiency on the command line.
			next[name] = parseThreshold(
				name,
				value,
				`--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`,
			);
		}
	}

	return next;
}

/** Which config file applies: the one given, else the first of ours in `cwd`, else dive's, else none. */
export function findConfigFile(cwd: string, configPath: string | undefined): string | undefined {
	if (configPath !== undefined) {
		return resolve(cwd, configPath);
	}

	for (const name of [...layerlensConfigNames, diveConfigName]) {
		const candidate = resolve(cwd, name);
		if (existsSync(candidate)) {
			return candidate;
		}
	}

	return undefined;
}

/**
The rules for one CI run: config file (or defaults), then command-line overrides, then the baseline
(`--baseline` wins over the file's `baseline:`, which is relative to the config file). A file named
`.dive-ci` is read as dive's format with dive's defaults; any other file as `.layerlens.yml`.
*/
export async function loadCiRules(sources: CiRuleSources): Promise<CiRules> {
	const file = findConfigFile(sources.cwd, sources.configPath);
	let rules = defaultRules();
	let baselinePath: string | undefined;
	if (file !== undefined) {
		let text: string;
		try {
			text = (await readLocalFile(file, 'Config file', configLimitBytes)).toString('utf8');
		} catch (error) {
			if (isLayerlensError(error)) throw error;
			throw new LayerlensError(`Cannot read config file ${sources.configPath ?? file}`, {
				hint: `Check the ${sources.configIsDive ? '--ci-config' : '--config'} path`,
				cause: error,
			});
		}

		const origin = sources.configPath ?? basename(file);
		if (sources.configIsDive || basename(file) === diveConfigName) {
			rules = parseDiveConfig(text, origin);
		} else {
			// A .dive-ci beside it is not read: say so, the user may think its rules apply.
			const unread =
				sources.configPath === undefined && existsSync(resolve(sources.cwd, diveConfigName))
					? ` (${diveConfigName} not read: ${origin} holds every rule)`
					: '';
			const parsed = parseLayerlensConfig(text, `${origin}${unread}`);
			rules = parsed.rules;
			baselinePath =
				parsed.baselinePath === undefined ? undefined : resolve(dirname(file), parsed.baselinePath);
		}
	}

	rules = applyRuleOverrides(rules, sources.overrides ?? {});
	if (sources.baselinePath !== undefined) {
		baselinePath = resolve(sources.cwd, sources.baselinePath);
	}

	if (baselinePath !== undefined) {
		rules = {...rules, baseline: await readBaseline(baselinePath)};
	}

	return rules;
}
