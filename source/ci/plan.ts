import {isMap, parseDocument} from 'yaml';
import type {Finding, LayerSummary} from '../analysis/types.js';
import {
	normaliseMarkPath,
	type WhatIfAction,
	type WhatIfMark,
	whatIfActions,
} from '../analysis/what-if/marks.js';
import type {WhatIfModel} from '../analysis/what-if/what-if-model.js';
import {LayerlensError} from '../shared/errors.js';
import {parseByteSize} from './parse-size.js';

/**
One planned change, as `.layerlens.yml` keeps it under `plan.entries`: what (a path, a layer, a finding's
rule or a package's files), whether it leaves the image or moves to a builder stage, and the final-filesystem
bytes it saved by itself when the plan was written (`saves`), which `--ci` checks are still there.
*/
export type PlanEntry = {action: WhatIfAction; saves?: number} & (
	| {path: string}
	| {layer: number; instruction?: string}
	| {finding: string}
	| {package: string; paths: string[]}
);

export type Plan = {
	/** How far below its recorded `saves` an entry's saving may fall before `--ci` fails (a fraction, default 0.05). */
	tolerance: number;
	entries: PlanEntry[];
};

export const defaultPlanTolerance = 0.05;

const entryTargets = ['path', 'layer', 'finding', 'package'] as const;
const entryKeys = ['action', 'saves', ...entryTargets, 'instruction', 'paths'];

export function planError(origin: string, message: string, hint?: string): LayerlensError {
	return new LayerlensError(`${origin}: ${message}`, hint === undefined ? {} : {hint});
}

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const shown = (value: unknown): string => JSON.stringify(value) ?? String(value);

/** `plan:` of a `.layerlens.yml`, checked: any bad entry is one line naming it. */
export function parsePlan(value: unknown, origin: string): Plan {
	if (!isRecord(value)) throw planError(origin, 'plan must be a mapping with entries (and tolerance)');
	for (const key of Object.keys(value)) {
		if (key !== 'entries' && key !== 'tolerance')
			throw planError(origin, `unknown key 'plan.${key}'`, 'Known keys: entries, tolerance');
	}

	let tolerance = defaultPlanTolerance;
	if (value.tolerance !== undefined) {
		if (typeof value.tolerance !== 'number' || !(value.tolerance >= 0 && value.tolerance <= 1))
			throw planError(
				origin,
				`plan.tolerance must be a number between 0 and 1, got ${shown(value.tolerance)}`,
			);
		tolerance = value.tolerance;
	}

	if (!Array.isArray(value.entries))
		throw planError(origin, 'plan.entries must be a list', 'e.g. - {action: remove, path: /app/docs}');
	return {
		tolerance,
		entries: value.entries.map((entry, index) => parseEntry(entry, `plan.entries[${index}]`, origin)),
	};
}

function parseEntry(entry: unknown, where: string, origin: string): PlanEntry {
	if (!isRecord(entry)) throw planError(origin, `${where} must be a mapping, got ${shown(entry)}`);
	for (const key of Object.keys(entry)) {
		if (!entryKeys.includes(key))
			throw planError(origin, `unknown key '${where}.${key}'`, `Known keys: ${entryKeys.join(', ')}`);
	}

	const action = entry.action ?? 'remove';
	if (typeof action !== 'string' || !(whatIfActions as readonly string[]).includes(action))
		throw planError(origin, `${where}.action must be remove or builder, got ${shown(entry.action)}`);
	const targets = entryTargets.filter((key) => entry[key] !== undefined);
	if (targets.length !== 1)
		throw planError(origin, `${where} must name exactly one of ${entryTargets.join(', ')}`);
	let saves: number | undefined;
	if (entry.saves !== undefined) {
		const bytes =
			typeof entry.saves === 'number'
				? entry.saves
				: typeof entry.saves === 'string'
					? parseByteSize(entry.saves)
					: undefined;
		if (bytes === undefined || !Number.isInteger(bytes) || bytes < 0)
			throw planError(
				origin,
				`${where}.saves must be a size such as 20MB or a number of bytes, got ${shown(entry.saves)}`,
			);
		saves = bytes;
	}

	const base = {action: action as WhatIfAction, ...(saves === undefined ? {} : {saves})};
	const text = (key: string): string => {
		const item = entry[key];
		if (typeof item !== 'string' || item.trim() === '')
			throw planError(origin, `${where}.${key} must be a non-empty string, got ${shown(item)}`);
		return item;
	};

	switch (targets[0]!) {
		case 'path':
			return {...base, path: normaliseMarkPath(text('path'))};
		case 'layer': {
			if (typeof entry.layer !== 'number' || !Number.isInteger(entry.layer) || entry.layer < 0)
				throw planError(
					origin,
					`${where}.layer must be a layer index (0, 1, ...), got ${shown(entry.layer)}`,
				);
			return {
				...base,
				layer: entry.layer,
				...(entry.instruction === undefined ? {} : {instruction: text('instruction')}),
			};
		}

		case 'finding':
			return {...base, finding: text('finding')};
		case 'package': {
			const paths = entry.paths;
			if (!Array.isArray(paths) || paths.some((path) => typeof path !== 'string' || path === ''))
				throw planError(origin, `${where}.paths must list the package's files`);
			return {...base, package: text('package'), paths: (paths as string[]).map(normaliseMarkPath)};
		}
	}
}

/** A mark as a plan entry (what the explorer writes). */
export function entryOfMark(mark: WhatIfMark, layers: readonly LayerSummary[], saves: number): PlanEntry {
	const base = {action: mark.action, saves};
	switch (mark.kind) {
		case 'path':
			return {...base, path: `/${mark.path}`};
		case 'layer':
			return {...base, layer: mark.layer, instruction: layers[mark.layer]?.instruction ?? 'unknown'};
		case 'finding':
			return {...base, finding: mark.ruleId};
		case 'package':
			return {...base, package: mark.name, paths: mark.paths.map((path) => `/${path}`)};
	}
}

/** The mark an entry stands for on this image, or why it cannot be one (the target is gone). */
export function markOfEntry(
	entry: PlanEntry,
	findings: readonly Finding[],
	layers: readonly LayerSummary[],
	hasPath: (path: string) => boolean,
): WhatIfMark | {missing: string} {
	const {action} = entry;
	if ('path' in entry) {
		return hasPath(entry.path)
			? {kind: 'path', path: entry.path, action}
			: {missing: `/${entry.path} is not in the image`};
	}

	if ('layer' in entry) {
		const layer = layers[entry.layer];
		if (layer === undefined) return {missing: `the image has no layer ${entry.layer}`};
		if (entry.instruction !== undefined && layer.instruction !== entry.instruction)
			return {
				missing: `layer ${entry.layer} is now \`${layer.instruction}\`, the plan named \`${entry.instruction}\``,
			};
		return {kind: 'layer', layer: entry.layer, action};
	}

	if ('finding' in entry) {
		const matching = findings.filter((finding) => finding.ruleId === entry.finding);
		if (matching.length === 0) return {missing: `no finding ${entry.finding} any more`};
		const paths = [...new Set(matching.flatMap((finding) => finding.paths))];
		return {kind: 'finding', ruleId: entry.finding, title: matching[0]!.title, paths, action};
	}

	const present = entry.paths.filter(hasPath);
	if (present.length === 0) return {missing: `none of the package ${entry.package}'s files is in the image`};
	return {kind: 'package', name: entry.package, paths: present, action};
}

/** Where an entry's target is named in a CI line: `/app/docs`, `layer 3`, `finding LL-X`, `package typescript`. */
export function entryLabel(entry: PlanEntry): string {
	if ('path' in entry) return `/${entry.path}`;
	if ('layer' in entry) return `layer ${entry.layer}`;
	if ('finding' in entry) return `finding ${entry.finding}`;
	return `package ${entry.package}`;
}

export type PlanCheck = {ok: boolean; lines: string[]};

/**
`--ci`'s check that the plan's savings are still available: every entry's target is still in the image,
and what it saves by itself (final-filesystem bytes, the model applied to it alone) is at least its
recorded `saves` less the tolerance.
*/
export function checkPlan(
	plan: Plan,
	model: WhatIfModel,
	findings: readonly Finding[],
	layers: readonly LayerSummary[],
	hasPath: (path: string) => boolean,
	format: (bytes: number) => string,
): PlanCheck {
	const lines: string[] = [];
	let ok = true;
	for (const entry of plan.entries) {
		const mark = markOfEntry(entry, findings, layers, hasPath);
		if ('missing' in mark) {
			ok = false;
			lines.push(`plan: ${entry.action} ${entryLabel(entry)}: ${mark.missing}`);
			continue;
		}

		const saves = model.apply([mark]).finalSavedBytes;
		const floor = entry.saves === undefined ? undefined : Math.floor(entry.saves * (1 - plan.tolerance));
		if (floor !== undefined && saves < floor) {
			ok = false;
			lines.push(
				`plan: ${entry.action} ${entryLabel(entry)} now saves ${format(saves)}, below the ${format(entry.saves!)} recorded (tolerance ${Math.round(plan.tolerance * 100)}%)`,
			);
		} else {
			lines.push(`plan: ${entry.action} ${entryLabel(entry)} still saves ${format(saves)}`);
		}
	}

	model.apply([]);
	return {ok, lines};
}

/**
A config file's text with `plan:` set to these entries: the rest of the file (rules, comments) kept as it
was; an empty or missing file becomes a file with the plan only.
*/
export function withPlan(existing: string | undefined, plan: Plan): string {
	const document = parseDocument(existing ?? '');
	if (document.errors.length > 0) {
		throw new LayerlensError(
			`the config file is not valid YAML (${document.errors[0]!.message.split('\n')[0]})`,
			{
				hint: 'Fix it, or save the plan to another file',
			},
		);
	}

	if (document.contents !== null && !isMap(document.contents)) {
		throw new LayerlensError('the config file is not a mapping', {hint: 'Save the plan to another file'});
	}

	const entries = plan.entries.map((entry) => ({...entry}));
	document.set('plan', {tolerance: plan.tolerance, entries});
	return document.toString({lineWidth: 0});
}
