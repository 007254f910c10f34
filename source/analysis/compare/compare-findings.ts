import {findingKeys, findingKeyText} from '../finding-identity.js';
import type {Finding, FindingCategory} from '../types.js';
import type {FindingComparison, FindingMatch} from './types.js';

const categories: readonly FindingCategory[] = ['secret', 'build-only', 'cache', 'waste'];

/** The keys a finding is known by: the same identity a CI baseline uses (see finding-identity.ts). */
function keysOf(finding: Finding): string[] {
	return findingKeys(finding).map(findingKeyText);
}

/**
Findings of B matched to A's by rule id and a shared path group: a match is kept (with both sizes), what
only A has is resolved, what only B has is new.
*/
export function compareFindings(
	findingsA: readonly Finding[],
	findingsB: readonly Finding[],
): FindingComparison {
	const byKeyA = new Map<string, Finding>();
	for (const finding of findingsA) {
		for (const key of keysOf(finding)) {
			if (!byKeyA.has(key)) byKeyA.set(key, finding);
		}
	}

	const matchedA = new Set<Finding>();
	const kept: FindingMatch[] = [];
	const added: Finding[] = [];
	for (const finding of findingsB) {
		const match = keysOf(finding)
			.map((key) => byKeyA.get(key))
			.find((candidate) => candidate !== undefined && !matchedA.has(candidate));
		if (match === undefined) {
			added.push(finding);
			continue;
		}

		matchedA.add(match);
		kept.push({
			ruleId: finding.ruleId,
			category: finding.category,
			title: finding.title,
			bytesA: match.bytes,
			bytesB: finding.bytes,
		});
	}

	const byCategory = Object.fromEntries(
		categories.map((category) => {
			const ofA = findingsA.filter((finding) => finding.category === category);
			const ofB = findingsB.filter((finding) => finding.category === category);
			const sum = (findings: Finding[]) => findings.reduce((total, finding) => total + finding.bytes, 0);
			return [category, {countA: ofA.length, countB: ofB.length, bytesA: sum(ofA), bytesB: sum(ofB)}];
		}),
	) as FindingComparison['byCategory'];
	return {
		resolved: findingsA.filter((finding) => !matchedA.has(finding)),
		new: added,
		kept,
		byCategory,
	};
}
