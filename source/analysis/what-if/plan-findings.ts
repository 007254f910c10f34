import type {PathTree} from '../../engine/index.js';
import type {Finding} from '../types.js';
import {describeMark, finalPathsOf, type WhatIfMark} from './marks.js';

export const plannedRuleIds = {remove: 'LL-PLAN-REMOVE', builder: 'LL-PLAN-BUILDER'} as const;

/**
The plan's marks as the suggester reads removals: one finding per action, naming the final files the marks
take out. They are handed to the suggestion only, never reported as findings: the runtime stage leaves the
planned files out (a builder-stage mark as build-only, so the builder stage keeps them) and says why.
*/
export function plannedFindings(marks: readonly WhatIfMark[], tree: PathTree, origin: string): Finding[] {
	const findings: Finding[] = [];
	for (const action of ['builder', 'remove'] as const) {
		const chosen = marks.filter((mark) => mark.action === action);
		if (chosen.length === 0) continue;
		const paths = [...new Set(chosen.flatMap((mark) => finalPathsOf(mark, tree)))];
		let bytes = 0;
		for (const path of paths) {
			const version = tree.finalVersion(tree.find(path)!);
			if (version !== undefined && tree.isFile(version)) bytes += tree.size(version);
		}

		findings.push({
			ruleId: plannedRuleIds[action],
			category: action === 'builder' ? 'build-only' : 'cache',
			confidence: 'high',
			title: `Planned in ${origin}: ${action === 'builder' ? 'moved to the builder stage' : 'removed'}`,
			evidence: chosen.map(describeMark),
			groups: [],
			paths,
			layerIndex: undefined,
			bytes,
			fix: `Follow the plan in ${origin}`,
		});
	}

	return findings;
}
