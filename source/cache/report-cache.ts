import {basename} from 'node:path';
import {
	ecosystems,
	type LayerPackages,
	type PackageChange,
	type PackageReport,
	type PackageSummary,
} from '../analysis/packages/index.js';
import type {
	DiveEfficiency,
	DuplicateGroup,
	Finding,
	HistoryEntry,
	ImageInfo,
	LayerSummary,
	PathGroup,
	WasteItem,
	WasteSummary,
} from '../analysis/types.js';
import type {ReportInput, ReportSuggestion} from '../report/report-input.js';
import {toolVersion} from '../shared/version.js';
import {writeFileAtomic} from '../shared/write-atomic.js';
import {
	cacheMaxBytes,
	cacheSeal,
	evictCacheFiles,
	isSealed,
	prepareCacheDirectory,
	readCacheFile,
} from './cache-files.js';
import {
	arrayOf,
	count,
	either,
	finite,
	flag,
	integer,
	object,
	oneOf,
	optional,
	recordOf,
	type Shape,
	text,
} from './cache-shape.js';
import {imageCacheFormatVersion, imageCachePath} from './image-cache.js';
import {runtimeConfigShape, sourceKindShape} from './image-cache-header.js';

/**
The second half of the analysis cache: the finished report (layers, waste, dive figures, findings, the
suggested Dockerfile) beside the image's entries, so a report of an image already analysed is a file
read and a JSON parse (tens of milliseconds) instead of the stacking and the rules (a second or more on
100k files). Keyed by the image's cache key and the tool version: other rules give other findings.

The file is JSON whose last member is the seal of every byte before it (see cache-files.ts), checked
before the JSON is parsed; then every field is checked against its type and every layer or history index
against the report's own lists. Anything that does not check out is a miss: the report is recomputed.
*/

/** What the cache keeps of a report: the plain data, never the per-run repository files or Dockerfile. */
type CachedReportBody = Pick<
	ReportInput,
	| 'image'
	| 'layers'
	| 'history'
	| 'efficiency'
	| 'waste'
	| 'findings'
	| 'warnings'
	| 'suggestion'
	| 'packages'
>;

type StoredReport = {
	format: 'layerlens-report-cache';
	version: number;
	toolVersion: string;
	key: string;
	report: CachedReportBody;
	seal: string;
};

/** `,"seal":"<64 hex digits>"}`: the end of every stored report. */
const sealTail = /^,"seal":"([0-9a-f]{64})"\}$/;
const sealTailLength = ',"seal":""}'.length + 64;

export function reportCacheKey(imageKey: string): string {
	return `${imageKey}\nreport layerlens ${toolVersion}`;
}

function reportCachePath(directory: string, key: string): string {
	return imageCachePath(directory, key).replace(/\.bin$/, '.report.json');
}

const stringList = arrayOf(text);
const nullValue: Shape<null> = (value): value is null => value === null;
/** Projected bytes may be estimates: any number of bytes, not necessarily whole. */
const bytes: Shape<number> = (value): value is number => finite(value) && value >= 0;

const suggestionShape = object<ReportSuggestion>({
	dockerfile: text,
	dockerignore: stringList,
	projectedSizeBytes: bytes,
	projectedRange: object<ReportSuggestion['projectedRange']>({low: bytes, high: bytes}),
	projectionParts: arrayOf(
		object<ReportSuggestion['projectionParts'][number]>({label: text, bytes, estimated: optional(flag)}),
	),
	removedParts: arrayOf(
		object<ReportSuggestion['removedParts'][number]>({ruleId: text, title: text, category: text, bytes}),
	),
	byCategory: recordOf(bytes),
	basedOn: oneOf('dockerfile', 'history', 'none'),
	notes: stringList,
	runtime: object<ReportSuggestion['runtime']>({
		kind: text,
		argv: stringList,
		chain: arrayOf(object<ReportSuggestion['runtime']['chain'][number]>({path: text, reason: text})),
		paths: stringList,
		copies: stringList,
		packages: stringList,
		installedPackages: stringList,
		unresolved: stringList,
	}),
});

const ecosystemShape = oneOf(...ecosystems);
const layerNumber: Shape<number> = (value): value is number => integer(value) && value >= -1;
const packageChangeShape = object<PackageChange>({
	ecosystem: ecosystemShape,
	name: text,
	version: text,
	fromVersion: optional(text),
	location: optional(text),
	bytes: count,
});
const packagesShape = object<PackageReport>({
	ownedBytes: count,
	unownedBytes: count,
	ecosystems: arrayOf(
		object<PackageReport['ecosystems'][number]>({ecosystem: ecosystemShape, count, bytes: count}),
	),
	packages: arrayOf(
		object<PackageSummary>({
			ecosystem: ecosystemShape,
			name: text,
			version: text,
			location: optional(text),
			bytes: count,
			fileCount: count,
			layer: layerNumber,
			dev: optional(oneOf(true)),
		}),
	),
	layers: arrayOf(
		object<LayerPackages>({
			layer: count,
			installed: arrayOf(packageChangeShape),
			removed: arrayOf(packageChangeShape),
			upgraded: arrayOf(packageChangeShape),
		}),
	),
});

const reportShape = object<CachedReportBody>({
	image: object<ImageInfo>({
		reference: text,
		id: text,
		source: sourceKindShape,
		os: text,
		architecture: text,
		variant: optional(text),
		created: optional(text),
		repoTags: stringList,
		sizeBytes: count,
		finalSizeBytes: count,
		layerCount: count,
		config: runtimeConfigShape,
	}),
	layers: arrayOf(
		object<LayerSummary>({
			index: count,
			diffId: text,
			digest: optional(text),
			compression: oneOf('none', 'gzip', 'zstd'),
			compressedSizeBytes: optional(count),
			tarSizeBytes: count,
			instruction: text,
			createdBy: optional(text),
			historyIndex: optional(count),
			sizeBytes: count,
			fileCount: count,
			added: count,
			modified: count,
			removed: count,
			wasteIntroducedBytes: count,
			wasteHiddenBytes: count,
		}),
	),
	history: arrayOf(
		object<HistoryEntry>({
			createdBy: text,
			instruction: text,
			instructionKind: text,
			emptyLayer: flag,
			layerIndex: either(count, nullValue),
			afterLayerIndex: integer,
			created: optional(text),
			comment: optional(text),
		}),
	),
	efficiency: object<DiveEfficiency>({
		score: finite,
		wastedBytes: count,
		userSizeBytes: count,
		wastedUserPercent: finite,
		inefficiencies: arrayOf(
			object<DiveEfficiency['inefficiencies'][number]>({path: text, count, cumulativeSizeBytes: count}),
		),
	}),
	waste: object<WasteSummary>({
		reclaimableBytes: count,
		sameContentBytes: count,
		duplicateBytes: count,
		items: arrayOf(
			object<WasteItem>({
				path: text,
				bytes: count,
				cause: oneOf('deleted', 'directory-deleted', 'opaque-directory', 'parent-replaced', 'overwritten'),
				addedInLayer: count,
				hiddenInLayer: count,
				sameContent: flag,
			}),
		),
		duplicates: arrayOf(
			object<DuplicateGroup>({hash: text, sizeBytes: count, paths: stringList, duplicateBytes: count}),
		),
	}),
	findings: arrayOf(
		object<Finding>({
			ruleId: text,
			category: oneOf('build-only', 'cache', 'waste', 'secret'),
			confidence: oneOf('high', 'medium', 'low'),
			title: text,
			evidence: stringList,
			groups: arrayOf(object<PathGroup>({path: text, count, bytes: count})),
			paths: stringList,
			layerIndex: optional(count),
			instruction: optional(text),
			dockerfileLine: optional(count),
			bytes: count,
			fix: text,
			fromBase: optional(oneOf(true)),
			package: optional(
				object<NonNullable<Finding['package']>>({ecosystem: text, name: text, version: text}),
			),
		}),
	),
	warnings: stringList,
	suggestion: optional(suggestionShape),
	packages: optional(packagesShape),
});

const storedShape = object<StoredReport>({
	format: oneOf('layerlens-report-cache'),
	version: count,
	toolVersion: text,
	key: text,
	report: reportShape,
	seal: text,
});

/** Every layer and history index the report holds points into its own lists. */
function indicesHold(report: CachedReportBody): boolean {
	const layers = report.layers.length;
	const history = report.history.length;
	const isLayer = (index: number | undefined): boolean => index === undefined || index < layers;
	return (
		report.image.layerCount === layers &&
		report.layers.every(
			(layer, index) =>
				layer.index === index && (layer.historyIndex === undefined || layer.historyIndex < history),
		) &&
		report.history.every(
			(entry) =>
				isLayer(entry.layerIndex ?? undefined) &&
				entry.afterLayerIndex >= -1 &&
				entry.afterLayerIndex < layers,
		) &&
		report.waste.items.every((item) => isLayer(item.addedInLayer) && isLayer(item.hiddenInLayer)) &&
		report.findings.every((finding) => isLayer(finding.layerIndex)) &&
		(report.packages === undefined ||
			(report.packages.packages.every((owned) => owned.layer < layers) &&
				report.packages.layers.every((entry) => entry.layer < layers)))
	);
}

/** The stored report of `key` from the file's bytes, or undefined when anything does not check out. */
export function decodeCachedReport(
	bytes: Buffer,
	key: string,
	env: NodeJS.ProcessEnv = process.env,
): CachedReportBody | undefined {
	if (bytes.length <= sealTailLength) {
		return undefined;
	}

	const contentEnd = bytes.length - sealTailLength;
	const tail = sealTail.exec(bytes.toString('latin1', contentEnd));
	if (tail === null || !isSealed(bytes.subarray(0, contentEnd), Buffer.from(tail[1]!, 'hex'), key, env)) {
		return undefined;
	}

	let stored: unknown;
	try {
		stored = JSON.parse(bytes.toString('utf8'));
	} catch {
		return undefined;
	}

	return storedShape(stored) &&
		stored.version === imageCacheFormatVersion &&
		stored.toolVersion === toolVersion &&
		stored.key === key &&
		indicesHold(stored.report)
		? stored.report
		: undefined;
}

/** The bytes of the stored report of `key`: its JSON, closed by the seal of everything before it. */
export function encodeCachedReport(
	key: string,
	report: ReportInput,
	env: NodeJS.ProcessEnv = process.env,
): Buffer {
	const {image, layers, history, efficiency, waste, findings, warnings, suggestion, packages} = report;
	const stored: Omit<StoredReport, 'seal'> = {
		format: 'layerlens-report-cache',
		version: imageCacheFormatVersion,
		toolVersion,
		key,
		report: {
			image,
			layers,
			history,
			efficiency,
			waste,
			findings,
			warnings,
			...(suggestion === undefined ? {} : {suggestion}),
			...(packages === undefined ? {} : {packages}),
		},
	};
	const json = JSON.stringify(stored);
	// The object without its closing brace, then the seal as its last member.
	const content = Buffer.from(json.slice(0, -1), 'utf8');
	const seal = cacheSeal(content, key, env).toString('hex');
	return Buffer.concat([content, Buffer.from(`,"seal":"${seal}"}`, 'latin1')]);
}

/** The cached report, or undefined when there is none or it cannot be proven (never fatal). */
export async function readCachedReport(
	directory: string,
	key: string,
	env: NodeJS.ProcessEnv = process.env,
): Promise<ReportInput | undefined> {
	const bytes = await readCacheFile(directory, basename(reportCachePath(directory, key)), cacheMaxBytes(env));
	return bytes === undefined ? undefined : decodeCachedReport(bytes, key, env);
}

/** Store the plain-data part of a report (never the path tree); failures are ignored like the entries'. */
export async function writeCachedReport(
	directory: string,
	key: string,
	report: ReportInput,
	env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
	try {
		const bytes = encodeCachedReport(key, report, env);
		if (!(await prepareCacheDirectory(directory))) {
			return;
		}

		await writeFileAtomic(reportCachePath(directory, key), bytes, {replaceSpecialFiles: true});
		await evictCacheFiles(directory, cacheMaxBytes(env));
	} catch {
		// A read-only home or a full disk costs the next run time, nothing else.
	}
}
