import type {ImageComparison} from '../analysis/compare/types.js';
import {terminalSafeJson} from '../shared/sanitize-text.js';
import {type JsonReportFinding, toJsonFinding} from './json.js';

/** Bumped on any change that can break a consumer (a removed or renamed field, a changed meaning). */
export const jsonDiffSchemaVersion = 2;

export type JsonDiffReport = Omit<ImageComparison, 'findings'> & {
	kind: 'layerlens-diff';
	schemaVersion: typeof jsonDiffSchemaVersion;
	tool: {name: 'layerlens'; version: string};
	timestamps: boolean;
	findings: Omit<ImageComparison['findings'], 'resolved' | 'new'> & {
		resolved: JsonReportFinding[];
		new: JsonReportFinding[];
	};
};

/**
What `layerlens diff A B --json` writes, described by layerlens-diff.schema.json: the comparison as it is,
every changed path included, findings without their full path lists (their groups say the same).
*/
export function toJsonDiffReport(
	comparison: ImageComparison,
	options: {toolVersion: string; timestamps: boolean},
): JsonDiffReport {
	const finite = (value: number) => (Number.isFinite(value) ? value : 0);
	const totals = (side: ImageComparison['totals']['a']) => ({
		...side,
		efficiencyScore: finite(side.efficiencyScore),
	});
	return {
		kind: 'layerlens-diff',
		schemaVersion: jsonDiffSchemaVersion,
		tool: {name: 'layerlens', version: options.toolVersion},
		timestamps: options.timestamps,
		a: {...comparison.a},
		b: {...comparison.b},
		identical: comparison.identical,
		totals: {
			a: totals(comparison.totals.a),
			b: totals(comparison.totals.b),
			delta: totals(comparison.totals.delta),
		},
		layers: comparison.layers,
		files: comparison.files,
		findings: {
			resolved: comparison.findings.resolved.map(toJsonFinding),
			new: comparison.findings.new.map(toJsonFinding),
			kept: comparison.findings.kept,
			byCategory: comparison.findings.byCategory,
		},
		...(comparison.packages === undefined ? {} : {packages: comparison.packages}),
	};
}

export function renderDiffJson(
	comparison: ImageComparison,
	options: {toolVersion: string; timestamps: boolean},
): string {
	return `${terminalSafeJson(toJsonDiffReport(comparison, options))}\n`;
}
