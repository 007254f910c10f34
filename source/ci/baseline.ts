import {findingKeyText as entryKey, type FindingKey, findingKeys} from '../analysis/finding-identity.js';
import type {Finding} from '../analysis/types.js';
import {isLayerlensError, LayerlensError} from '../shared/errors.js';
import {baselineLimitBytes, readLocalFile} from '../shared/read-local-file.js';
import {writeFileAtomic} from '../shared/write-atomic.js';

/** One known finding: its rule and one of its path groups (or `*` when it has none). */
export type BaselineEntry = FindingKey;

export type Baseline = {
	layerlensBaseline: 1;
	/** The image the baseline was taken from, for humans reading the file. */
	image?: string;
	entries: BaselineEntry[];
};

/** Every current finding as accepted; sorted and deduplicated so the file diffs cleanly. */
export function createBaseline(findings: Finding[], image?: string): Baseline {
	const byKey = new Map<string, BaselineEntry>();
	for (const finding of findings) {
		for (const entry of findingKeys(finding)) {
			byKey.set(entryKey(entry), entry);
		}
	}

	const entries = [...byKey.values()].sort(
		(a, b) => a.ruleId.localeCompare(b.ruleId) || a.path.localeCompare(b.path),
	);
	return {layerlensBaseline: 1, ...(image === undefined ? {} : {image}), entries};
}

/** A finding is known when the baseline holds every one of its keys; a new path group makes it new. */
export function isKnownFinding(finding: Finding, baseline: Baseline): boolean {
	const known = new Set(baseline.entries.map(entryKey));
	return findingKeys(finding).every((entry) => known.has(entryKey(entry)));
}

export function formatBaseline(baseline: Baseline): string {
	return `${JSON.stringify(baseline, null, '\t')}\n`;
}

export function parseBaseline(text: string, file: string): Baseline {
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch {
		throw new LayerlensError(`Baseline ${file} is not valid JSON`, {
			hint: 'Write a new one with --write-baseline',
		});
	}

	const invalid = () =>
		new LayerlensError(`Baseline ${file} is not a layerlens baseline`, {
			hint: 'Expected {"layerlensBaseline": 1, "entries": [{"ruleId", "path"}]}; write one with --write-baseline',
		});
	if (typeof data !== 'object' || data === null || Array.isArray(data)) {
		throw invalid();
	}

	const record = data as Record<string, unknown>;
	if (record.layerlensBaseline !== 1 || !Array.isArray(record.entries)) {
		throw invalid();
	}

	const entries: BaselineEntry[] = [];
	for (const entry of record.entries as unknown[]) {
		const item = entry as Record<string, unknown> | null;
		if (
			typeof item !== 'object' ||
			item === null ||
			typeof item.ruleId !== 'string' ||
			typeof item.path !== 'string'
		) {
			throw invalid();
		}

		entries.push({ruleId: item.ruleId, path: item.path});
	}

	return {layerlensBaseline: 1, ...(typeof record.image === 'string' ? {image: record.image} : {}), entries};
}

export async function readBaseline(file: string): Promise<Baseline> {
	let text: string;
	try {
		text = (await readLocalFile(file, 'Baseline', baselineLimitBytes)).toString('utf8');
	} catch (error) {
		if (isLayerlensError(error)) throw error;
		throw new LayerlensError(`Cannot read baseline ${file}`, {
			hint: 'Check the path, or create it with --write-baseline',
			cause: error,
		});
	}

	return parseBaseline(text, file);
}

/** For `--write-baseline PATH`: accept every current finding. Returns what was written. */
export async function writeBaselineFile(
	file: string,
	findings: Finding[],
	image?: string,
): Promise<Baseline> {
	const baseline = createBaseline(findings, image);
	await writeFileAtomic(file, formatBaseline(baseline));
	return baseline;
}
