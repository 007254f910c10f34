import type {Finding} from './types.js';

/** One name a finding is known by: its rule and one of its path groups (`*` when it has none). */
export type FindingKey = {ruleId: string; path: string};

/**
The keys a finding is known by: rule id plus each path group. Sizes and layer numbers are left out on
purpose, so a rebuild that moves bytes around keeps a finding (a CI baseline's accepted finding, a diff's
kept one) rather than resolving and raising it again.
*/
export function findingKeys(finding: Finding): FindingKey[] {
	if (finding.groups.length === 0) {
		return [{ruleId: finding.ruleId, path: '*'}];
	}

	return finding.groups.map((group) => ({ruleId: finding.ruleId, path: group.path}));
}

/** A key as one string, for maps and sets. */
export function findingKeyText(key: FindingKey): string {
	return `${key.ruleId}\u0000${key.path}`;
}
