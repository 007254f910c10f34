import {existsSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import process from 'node:process';
import {analyzeImage} from '../analysis/analyze-image.js';
import {runtimeClosure} from '../analysis/closure/runtime-closure.js';
import {
	attachDockerfileLines,
	mapLayersToDockerfile,
	type ParsedDockerfile,
	readDockerfile,
} from '../analysis/dockerfile/index.js';
import {baseLayersOfMapping, findFindings, projectSize} from '../analysis/findings/index.js';
import {type ImageOutline, outlineImage} from '../analysis/image-outline.js';
import {
	layerPackageChanges,
	locatePackageFindings,
	packageIndex,
	packageReport,
} from '../analysis/packages/index.js';
import {buildRuleInput, filesByPath, layerView} from '../analysis/rule-input.js';
import {toReportSuggestion} from '../analysis/suggestion/report-suggestion.js';
import {suggestDockerfile} from '../analysis/suggestion/suggest-dockerfile.js';
import type {Finding, ImageAnalysis, ImageTree} from '../analysis/types.js';
import type {WhatIfMark} from '../analysis/what-if/marks.js';
import {plannedFindings} from '../analysis/what-if/plan-findings.js';
import {verdictTrustsCache} from '../cache/cache-files.js';
import {type ImageModel, imageCacheDirectory, imageCacheKey, loadImageModel} from '../cache/image-cache.js';
import {readCachedReport, reportCacheKey, writeCachedReport} from '../cache/report-cache.js';
import {markOfEntry, type Plan} from '../ci/plan.js';
import {readPlan} from '../ci/plan-file.js';
import type {IncrementalStack, PathTree} from '../engine/index.js';
import {parsePlatform} from '../image/formats/platform.js';
import {isStdinArgument} from '../image/sources/archive/stdin-argument.js';
import {resolveImageSource} from '../image/sources/open-source.js';
import {flagCredentials} from '../image/sources/registry/flag-credentials.js';
import type {ImagePreview, ImageSource, LoadProgress, RawImage} from '../image/types.js';
import type {ReportInput} from '../report/report-input.js';
import {formatBytes} from '../shared/format-bytes.js';
import {announce} from './notices.js';
import type {CliOptions} from './options.js';
import {markPhase} from './phase-timings.js';
import {findRepositoryFiles} from './repository-files.js';
import {stackWhileReading} from './stack-while-reading.js';

export type LoadedReport = {
	source: ImageSource;
	/** The analysis with findings, the suggested Dockerfile and the Dockerfile path: what every output reads. */
	report: ReportInput;
};

export type LoadedImage = LoadedReport & {
	/** The stacked path tree (the explorer, CI's ignore paths). */
	tree: ImageTree;
	/** The image as read (or restored from the cache): dive's export lists each layer's own files. */
	raw: RawImage;
};

export async function openImageSource(options: CliOptions): Promise<ImageSource> {
	if (options.image === undefined) {
		// The demo's generator (tar-stream and the image spec) is only loaded when the demo runs.
		const {createDemoSource} = await import('../demo/demo-source.js');
		return createDemoSource();
	}

	const registry = options.registry ?? {passwordStdin: false, insecureHosts: []};
	const credentials = await flagCredentials(registry);
	return resolveImageSource(options.image, {
		registry: {insecureHosts: registry.insecureHosts, ...(credentials ? {flagCredentials: credentials} : {})},
		...(registry.mirrors === undefined ? {} : {mirrors: registry.mirrors}),
		...(options.pull === undefined ? {} : {pull: options.pull}),
		announce,
		...(options.source === undefined ? {} : {source: options.source}),
		...(options.platform === undefined ? {} : {platform: parsePlatform(options.platform)}),
		...(options.maxLayerBytes === undefined ? {} : {maxLayerBytes: options.maxLayerBytes}),
	});
}

/**
The options a verdict (`--ci`, `diff --ci`, `--write-baseline`) loads with. Its answer must be the one the image gives, and a
cache file proves nothing against someone who could write the cache directory (a restored CI cache, a
poisoned one) unless it is sealed with LAYERLENS_CACHE_SECRET, which lives outside it: without the secret
a verdict neither reads nor writes the cache, as with `--no-cache`.
*/
export function verdictOptions(options: CliOptions, env: NodeJS.ProcessEnv = process.env): CliOptions {
	return options.cache && !verdictTrustsCache(env) ? {...options, cache: false} : options;
}

/**
One analysis pass: the image's model from the image store (read and stacked, or restored from the cache),
then the report, from the report cache (a memo keyed by the image's cache key) or worked out from the
model: what does not belong, and the proposed Dockerfile. A report answered from the cache loads no model
unless the caller needs the tree.
*/
async function load(
	options: CliOptions,
	onProgress: ((progress: LoadProgress) => void) | undefined,
	needsModel: boolean,
	signal?: AbortSignal,
	onOutline?: (outline: ImageOutline, preview: ImagePreview) => void,
	stack?: IncrementalStack,
): Promise<LoadedReport & {model?: ImageModel}> {
	// A missing or unreadable Dockerfile (or a bad plan) fails before the image is read, not after.
	const dockerfile = options.dockerfile ? await readDockerfile(options.dockerfile) : undefined;
	// The plan is where the explorer saves it: the --config file, else beside the --dockerfile, else the one here.
	const besideDockerfile =
		options.dockerfile === undefined
			? undefined
			: join(dirname(resolve(options.dockerfile)), '.layerlens.yml');
	const plan = await readPlan(
		process.cwd(),
		options.config ??
			(besideDockerfile !== undefined && existsSync(besideDockerfile) ? besideDockerfile : undefined),
	);
	const source = await openImageSource(options);
	const imageKey = await imageCacheKey(source, options);
	if (onOutline) announceOutline(source, options, dockerfile, onOutline, signal);
	// A Dockerfile changes the findings' lines and the suggestion, a plan the suggestion: such runs are not served from the cache.
	const reportKey =
		imageKey === undefined || dockerfile !== undefined || plan !== undefined
			? undefined
			: reportCacheKey(imageKey);
	const directory = imageCacheDirectory();
	markPhase('start-up');
	const cachedReport = reportKey === undefined ? undefined : await readCachedReport(directory, reportKey);
	if (cachedReport !== undefined) markPhase('cached report');
	if (cachedReport !== undefined && !needsModel) {
		return {source, report: answeredFromCache(cachedReport, options)};
	}

	// An archive on stdin is read once: its preview would take the input the load needs.
	const reading =
		stack === undefined && !(options.image !== undefined && isStdinArgument(options.image))
			? stackWhileReading(source, signal)
			: undefined;
	const progress =
		reading === undefined
			? onProgress
			: (update: LoadProgress) => {
					reading.onProgress(update);
					onProgress?.(update);
				};
	const model = await loadImageModel(source, imageKey, {
		...(options.image === undefined ? {} : {reference: options.image}),
		...(progress ? {onProgress: progress} : {}),
		...(signal ? {signal} : {}),
		...((stack ?? reading?.stack) ? {stack: stack ?? reading?.stack} : {}),
	});
	markPhase('read (or cache load)');
	if (cachedReport !== undefined) {
		return {source, report: answeredFromCache(cachedReport, options), model};
	}

	const report = analyseModel(model, options, dockerfile, plan);
	if (reportKey !== undefined && signal?.aborted !== true) {
		await writeCachedReport(directory, reportKey, report);
	}

	return {source, report, model};
}

/**
Asks the source for its preview (the daemon's inspect and history, milliseconds) beside the read, and hands on
the outline made of it. A source without one, or one that fails, leaves the read to name the layers.
*/
function announceOutline(
	source: ImageSource,
	options: CliOptions,
	dockerfile: ParsedDockerfile | undefined,
	onOutline: (outline: ImageOutline, preview: ImagePreview) => void,
	signal: AbortSignal | undefined,
): void {
	source.preview?.(signal).then(
		(preview) => {
			if (preview === undefined || signal?.aborted) return;
			onOutline(outlineImage(options.image ?? 'demo', preview, dockerfile), preview);
		},
		() => undefined,
	);
}

/**
The outline of an image without reading it, from a source of its own: what `layerlens diff` shows of its second
image while the first is read. Undefined when the source has no preview, or reading it would take the input
(an archive on stdin, a password on stdin).
*/
export async function previewImage(
	options: CliOptions,
	signal?: AbortSignal,
): Promise<{outline: ImageOutline; preview: ImagePreview} | undefined> {
	if (options.image === undefined || isStdinArgument(options.image) || options.registry?.passwordStdin) {
		return undefined;
	}

	try {
		const dockerfile = options.dockerfile ? await readDockerfile(options.dockerfile) : undefined;
		const source = await openImageSource(options);
		const preview = await source.preview?.(signal);
		await source.dispose?.();
		return preview === undefined
			? undefined
			: {outline: outlineImage(options.image, preview, dockerfile), preview};
	} catch {
		// The read itself reports what is wrong with the image, in its own words.
		return undefined;
	}
}

/** A stored report as this run gives it: the image answers to the name it is opened by now. */
function answeredFromCache(cachedReport: ReportInput, options: CliOptions): ReportInput {
	return {
		...(options.image === undefined
			? cachedReport
			: {...cachedReport, image: {...cachedReport.image, reference: options.image}}),
		repositoryFiles: findRepositoryFiles(options),
	};
}

/** The report of a model: its analysis, the findings (placed on the Dockerfile's lines when given), the projection and the suggestion. */
function analyseModel(
	model: ImageModel,
	options: CliOptions,
	dockerfile: ParsedDockerfile | undefined,
	plan?: {plan: Plan; origin: string},
): ReportInput {
	const {raw} = model;
	const analysis = analyzeImage(raw, model.tree);
	markPhase('stack, waste, efficiency');
	const ruleInput = buildRuleInput(analysis, raw);
	// A Dockerfile that maps onto the history says exactly which layers are the base image's.
	const mapping = dockerfile && mapLayersToDockerfile(dockerfile, analysis.layers, analysis.history);
	const baseLayers = mapping ? baseLayersOfMapping(mapping) : undefined;
	// What the container needs is worked out first: no finding may call a file of it build-only.
	const closure = runtimeClosure(ruleInput);
	let findings = findFindings(ruleInput, {...(baseLayers ? {baseLayers} : {}), runtimePaths: closure.proven});
	markPhase('findings');
	if (mapping) {
		if (mapping.mismatch) {
			analysis.warnings.push(`${options.dockerfile} does not match the image's history: ${mapping.mismatch}`);
		} else {
			findings = attachDockerfileLines(findings, mapping);
		}
	}

	const {tree: _tree, ...plain} = analysis;
	plain.findings = findings;
	const inventory = packageIndex(ruleInput);
	const packageChanges = layerPackageChanges(
		raw.layers,
		layerView(model.tree),
		filesByPath(ruleInput),
		inventory,
	);
	plain.packages = packageReport(inventory, packageChanges);
	plain.findings = locatePackageFindings(
		plain.findings,
		inventory,
		filesByPath(ruleInput),
		packageChanges,
		mapping && !mapping.mismatch && dockerfile
			? {lines: dockerfile.text.split(/\r?\n/), layerLines: mapping.lines}
			: undefined,
	);
	markPhase('packages');
	const projection = projectSize(ruleInput, findings);
	const planned = plan === undefined ? [] : plannedMarks(plan, plain.findings, analysis, model.tree);
	const suggestion = suggestDockerfile(ruleInput, [...findings, ...planned], {
		closure,
		...(dockerfile === undefined ? {} : {dockerfile: {parsed: dockerfile, text: dockerfile.text}}),
		...(baseLayers === undefined ? {} : {baseLayers}),
	});
	markPhase('projection, suggestion');
	if (plan !== undefined)
		suggestion.notes.push(...planNotes(planned, plan, closure.proven, suggestion.projection.removed));
	return {
		...plain,
		suggestion: toReportSuggestion(suggestion, projection.byCategory),
		...(options.dockerfile ? {dockerfilePath: options.dockerfile} : {}),
		repositoryFiles: findRepositoryFiles(options),
	};
}

/** The report only (the JSON, Markdown and SARIF exports, the plain summary). */
export function loadReport(
	options: CliOptions,
	onProgress?: (progress: LoadProgress) => void,
	onOutline?: (outline: ImageOutline, preview: ImagePreview) => void,
): Promise<LoadedReport> {
	return load(options, onProgress, false, undefined, onOutline);
}

/** The report and the path tree; `stack`: the layers stacked while the read went on, finished rather than stacked again. */
export async function loadImage(
	options: CliOptions,
	onProgress?: (progress: LoadProgress) => void,
	signal?: AbortSignal,
	onOutline?: (outline: ImageOutline, preview: ImagePreview) => void,
	stack?: IncrementalStack,
): Promise<LoadedImage> {
	const {model, ...loaded} = await load(options, onProgress, true, signal, onOutline, stack);
	if (model === undefined) {
		throw new Error('the image was loaded without its model');
	}

	return {...loaded, tree: {tree: model.tree}, raw: model.raw};
}

/** The plan's entries as the suggester's removals (entries whose target is gone are left out: `--ci` says so). */
function plannedMarks(
	plan: {plan: Plan; origin: string},
	findings: Finding[],
	analysis: ImageAnalysis,
	tree: PathTree,
): Finding[] {
	const hasPath = (path: string) => tree.find(path) !== undefined;
	const marks = plan.plan.entries
		.map((entry) => markOfEntry(entry, findings, analysis.layers, hasPath))
		.filter((mark): mark is WhatIfMark => !('missing' in mark));
	return plannedFindings(marks, tree, plan.origin);
}

/**
What the suggestion says of the plan: what it leaves out, what it cannot (the base image's files, a
reinstalled package's, files a finding already removes), and any planned file the runtime closure needs.
*/
function planNotes(
	planned: Finding[],
	plan: {origin: string},
	proven: ReadonlySet<string>,
	removed: ReadonlyArray<{ruleId: string; bytes: number}>,
): string[] {
	return planned.map((finding) => {
		const needed = finding.paths.filter((path) => proven.has(path));
		const verb = finding.ruleId === 'LL-PLAN-BUILDER' ? 'moves to the builder stage' : 'removes';
		const left = removed.find((part) => part.ruleId === finding.ruleId)?.bytes ?? 0;
		const kept =
			left < finding.bytes
				? `; ${formatBytes(finding.bytes - left)} of them stay (the base image's files, a reinstalled package's, or already left out by a finding)`
				: '';
		const closure =
			needed.length > 0
				? `; the runtime closure says the entrypoint needs ${needed
						.slice(0, 3)
						.map((path) => `/${path}`)
						.join(', ')}${needed.length > 3 ? ' and more' : ''}`
				: '';
		return `The plan in ${plan.origin} ${verb} ${finding.paths.length} files (${formatBytes(finding.bytes)}): the runtime stage leaves ${formatBytes(left)} of them out${kept}${closure}`;
	});
}
