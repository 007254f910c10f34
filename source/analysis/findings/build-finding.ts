import type {Finding, PathGroup} from '../types.js';
import type {FindingDraft, RuleContext} from './rule-context.js';

/** Bytes a final file holds in the merged filesystem: hard links and non-files hold none of their own. */
export function visibleBytes(context: RuleContext, path: string): number {
	const file = context.byPath.get(path);
	return file?.type === 'file' ? file.size : 0;
}

/** Sum of distinct paths' visible bytes, so a path listed twice counts once. */
export function uniqueBytes(context: RuleContext, paths: Iterable<string>): number {
	let total = 0;
	for (const path of new Set(paths)) {
		total += visibleBytes(context, path);
	}

	return total;
}

function commonDirectory(paths: string[]): string {
	const first = paths[0]?.split('/') ?? [];
	let depth = first.length - 1;
	for (const path of paths) {
		const parts = path.split('/');
		let same = 0;
		while (same < depth && same < parts.length - 1 && parts[same] === first[same]) {
			same++;
		}

		depth = same;
	}

	return first.slice(0, depth).join('/');
}

/** Default grouping: one group per entry directly below the paths' common directory. */
function defaultGroupOf(paths: string[]): (path: string) => string {
	const base = commonDirectory(paths);
	const prefix = base === '' ? '' : `${base}/`;
	return (path) => {
		const rest = path.slice(prefix.length);
		const slash = rest.indexOf('/');
		return slash === -1 ? path : `${prefix}${rest.slice(0, slash)}/`;
	};
}

export function groupPaths(
	context: RuleContext,
	paths: string[],
	groupOf: (path: string) => string = defaultGroupOf(paths),
): PathGroup[] {
	const groups = new Map<string, PathGroup>();
	for (const path of paths) {
		const key = groupOf(path);
		const group = groups.get(key) ?? {path: key, count: 0, bytes: 0};
		group.count++;
		group.bytes += visibleBytes(context, path);
		groups.set(key, group);
	}

	return [...groups.values()].sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path));
}

/** The layer holding most of the paths' bytes (most paths when all are empty). */
function dominantLayer(context: RuleContext, paths: string[]): number | undefined {
	const bytesByLayer = new Map<number, number>();
	const countByLayer = new Map<number, number>();
	for (const path of paths) {
		const file = context.byPath.get(path);
		if (file === undefined) {
			continue;
		}

		bytesByLayer.set(file.layer, (bytesByLayer.get(file.layer) ?? 0) + visibleBytes(context, path));
		countByLayer.set(file.layer, (countByLayer.get(file.layer) ?? 0) + 1);
	}

	let best: number | undefined;
	for (const layer of bytesByLayer.keys()) {
		if (
			best === undefined ||
			bytesByLayer.get(layer)! > bytesByLayer.get(best)! ||
			(bytesByLayer.get(layer) === bytesByLayer.get(best) &&
				countByLayer.get(layer)! > countByLayer.get(best)!)
		) {
			best = layer;
		}
	}

	return best;
}

export function buildFinding(context: RuleContext, draft: FindingDraft): Finding {
	const paths = [...new Set(draft.paths)].sort();
	const layerIndex = draft.hidden ? draft.hidden.layerIndex : dominantLayer(context, paths);
	const instruction = layerIndex === undefined ? undefined : context.input.layers[layerIndex]?.instruction;
	const finding: Finding = {
		ruleId: draft.ruleId,
		category: draft.category,
		confidence: draft.confidence,
		title: draft.title,
		evidence: draft.evidence,
		groups: draft.hidden ? draft.hidden.groups : groupPaths(context, paths, draft.groupOf),
		paths,
		layerIndex,
		bytes: draft.hidden ? draft.hidden.bytes : uniqueBytes(context, paths),
		fix: draft.fix,
	};
	if (instruction !== undefined) {
		finding.instruction = instruction;
	}

	if (draft.fromBase) {
		finding.fromBase = true;
	}

	return finding;
}
