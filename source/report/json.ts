import type {PackageReport} from '../analysis/packages/index.js';
import type {
	DiveEfficiency,
	Finding,
	HistoryEntry,
	ImageReport,
	LayerSummary,
	PathGroup,
	WasteSummary,
} from '../analysis/types.js';
import type {ReportInput, ReportSuggestion} from './report-input.js';

/** Bumped on any change that can break a consumer (a removed or renamed field, a changed meaning). */
export const jsonReportSchemaVersion = 2;

export type JsonReportOptions = {
	toolVersion: string;
};

export type JsonReportFinding = Omit<Finding, 'paths'> & {pathCount: number};

export type JsonReport = {
	schemaVersion: typeof jsonReportSchemaVersion;
	tool: {name: 'layerlens'; version: string};
	image: {
		reference: string;
		id: string;
		source: string;
		os: string;
		architecture: string;
		variant?: string;
		created?: string;
		repoTags: string[];
		sizeBytes: number;
		finalSizeBytes: number;
		layerCount: number;
		config: ImageReport['image']['config'];
	};
	layers: LayerSummary[];
	history: HistoryEntry[];
	efficiency: DiveEfficiency;
	waste: WasteSummary;
	findings: JsonReportFinding[];
	warnings: string[];
	/** The multi-stage rewrite and what it would save; absent when the analysis made none. */
	suggestion?: JsonReportSuggestion;
	/** Who owns the image's bytes and what each layer installed, removed or upgraded (schema 2). */
	packages?: PackageReport;
};

export type JsonReportSuggestion = {
	projectedSizeBytes: number;
	projectedRange: {low: number; high: number};
	projectionParts: {label: string; bytes: number; estimated?: boolean}[];
	removedParts: {ruleId: string; title: string; category: string; bytes: number}[];
	byCategory: Record<string, number>;
	basedOn: 'dockerfile' | 'history' | 'none';
	dockerfile: string;
	dockerignore: string[];
	notes: string[];
	runtime: ReportSuggestion['runtime'];
};

/**
The machine-readable report (`--json`), described by layerlens-report.schema.json. A plain object with
keys in a fixed order and no timestamps of its own, so the same image always gives the same bytes.
The tree is left out: it is the raw material, the report carries what was learnt from it.
*/
export function toJsonReport(analysis: ImageReport | ReportInput, options: JsonReportOptions): JsonReport {
	const {image} = analysis;
	return {
		schemaVersion: jsonReportSchemaVersion,
		tool: {name: 'layerlens', version: options.toolVersion},
		image: {
			reference: image.reference,
			id: image.id,
			source: image.source,
			os: image.os,
			architecture: image.architecture,
			...(image.variant === undefined ? {} : {variant: image.variant}),
			...(image.created === undefined ? {} : {created: image.created}),
			repoTags: [...image.repoTags],
			sizeBytes: image.sizeBytes,
			finalSizeBytes: image.finalSizeBytes,
			layerCount: image.layerCount,
			config: image.config,
		},
		layers: analysis.layers.map((layer) => ({...layer})),
		history: analysis.history.map((entry) => ({...entry})),
		efficiency: {
			score: finite(analysis.efficiency.score),
			wastedBytes: analysis.efficiency.wastedBytes,
			userSizeBytes: analysis.efficiency.userSizeBytes,
			wastedUserPercent: finite(analysis.efficiency.wastedUserPercent),
			inefficiencies: analysis.efficiency.inefficiencies.map((item) => ({...item})),
		},
		waste: {
			reclaimableBytes: analysis.waste.reclaimableBytes,
			sameContentBytes: analysis.waste.sameContentBytes,
			duplicateBytes: analysis.waste.duplicateBytes,
			items: analysis.waste.items.map((item) => ({...item})),
			duplicates: analysis.waste.duplicates.map((group) => ({...group, paths: [...group.paths]})),
		},
		findings: analysis.findings.map(toJsonFinding),
		warnings: [...analysis.warnings],
		...(analysis.packages === undefined ? {} : {packages: structuredClone(analysis.packages)}),
		// The Markdown report shows the projection and the Dockerfile; a script must not have to scrape it.
		...('suggestion' in analysis && analysis.suggestion
			? {
					suggestion: {
						projectedSizeBytes: analysis.suggestion.projectedSizeBytes,
						projectedRange: {...analysis.suggestion.projectedRange},
						projectionParts: analysis.suggestion.projectionParts.map((part) => ({...part})),
						removedParts: analysis.suggestion.removedParts.map((part) => ({...part})),
						byCategory: {...analysis.suggestion.byCategory},
						basedOn: analysis.suggestion.basedOn,
						dockerfile: analysis.suggestion.dockerfile,
						dockerignore: [...analysis.suggestion.dockerignore],
						notes: [...analysis.suggestion.notes],
						runtime: {
							...analysis.suggestion.runtime,
							argv: [...analysis.suggestion.runtime.argv],
							chain: analysis.suggestion.runtime.chain.map((step) => ({...step})),
							paths: [...analysis.suggestion.runtime.paths],
							copies: [...analysis.suggestion.runtime.copies],
							packages: [...analysis.suggestion.runtime.packages],
							installedPackages: [...analysis.suggestion.runtime.installedPackages],
							unresolved: [...analysis.suggestion.runtime.unresolved],
						},
					},
				}
			: {}),
	};
}

/** The full path list can be hundreds of thousands of lines; the groups say the same in a few. */
export function toJsonFinding(finding: Finding): JsonReportFinding {
	const {paths, groups, ...rest} = finding;
	return {
		...rest,
		groups: groups.map((group: PathGroup) => ({...group})),
		pathCount: paths.length,
	};
}

/** JSON has no NaN or Infinity; `JSON.stringify` would silently write null. */
function finite(value: number): number {
	return Number.isFinite(value) ? value : 0;
}
