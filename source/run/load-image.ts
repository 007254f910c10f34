import process from 'node:process';
import {analyzeImage} from '../analysis/analyze-image.js';
import {runtimeClosure} from '../analysis/closure/runtime-closure.js';
import {attachDockerfileLines, mapLayersToDockerfile, readDockerfile} from '../analysis/dockerfile/index.js';
import {baseLayersOfMapping, findFindings, projectSize} from '../analysis/findings/index.js';
import {buildRuleInput} from '../analysis/rule-input.js';
import {toReportSuggestion} from '../analysis/suggestion/report-suggestion.js';
import {suggestDockerfile} from '../analysis/suggestion/suggest-dockerfile.js';
import type {ImageTree} from '../analysis/types.js';
import {verdictTrustsCache} from '../cache/cache-files.js';
import {imageCacheDirectory, imageCacheKey, loadWithCacheKey} from '../cache/image-cache.js';
import {readCachedReport, reportCacheKey, writeCachedReport} from '../cache/report-cache.js';
import type {CliOptions} from '../cli-options.js';
import {stackLayers} from '../engine/index.js';
import {resolveImageSource} from '../image/open-source.js';
import {parsePlatform} from '../image/platform.js';
import {flagCredentials} from '../image/registry/flag-credentials.js';
import type {ImageSource, LoadProgress, RawImage} from '../image/types.js';
import type {ReportInput} from '../report/report-input.js';
import {markPhase} from './phase-timings.js';
import {findRepositoryFiles} from './repository-files.js';

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
One analysis pass: read the image, stack it, find what does not belong, and propose the Dockerfile.
An image analysed before is answered from the cache: its report as stored, and its tree (when needed)
stacked again from the cached entries.
*/
async function load(
	options: CliOptions,
	onProgress: ((progress: LoadProgress) => void) | undefined,
	needsTree: boolean,
	signal?: AbortSignal,
): Promise<LoadedReport & {tree?: ImageTree; raw?: RawImage}> {
	// A missing or unreadable Dockerfile fails before the image is read, not after.
	const dockerfile = options.dockerfile ? await readDockerfile(options.dockerfile) : undefined;
	const source = await openImageSource(options);
	const imageKey = await imageCacheKey(source, options);
	// A Dockerfile changes the findings' lines and the suggestion: such runs are not served from the cache.
	const reportKey = imageKey === undefined || dockerfile !== undefined ? undefined : reportCacheKey(imageKey);
	const directory = imageCacheDirectory();
	markPhase('start-up');
	const cachedReport = reportKey === undefined ? undefined : await readCachedReport(directory, reportKey);
	if (cachedReport !== undefined) {
		// The image answers to the name it is opened by now.
		const report = {
			...(options.image === undefined
				? cachedReport
				: {...cachedReport, image: {...cachedReport.image, reference: options.image}}),
			repositoryFiles: findRepositoryFiles(options),
		};
		markPhase('cached report');
		if (!needsTree) {
			return {source, report};
		}

		const loaded = await loadWithCacheKey(source, imageKey, {
			...(onProgress ? {onProgress} : {}),
			...(signal ? {signal} : {}),
		});
		markPhase('read (or cache load)');
		// The tree as stored with the entries; stacked again only from an older cache file without one.
		const tree = loaded.tree ?? loaded.stacked ?? stackLayers(loaded.raw.layers);
		markPhase('stack');
		return {source, report, tree: {tree}, raw: loaded.raw};
	}

	const loaded = await loadWithCacheKey(source, imageKey, {
		...(options.image === undefined ? {} : {reference: options.image}),
		...(onProgress ? {onProgress} : {}),
		...(signal ? {signal} : {}),
	});
	const {raw} = loaded;
	markPhase('read (or cache load)');
	// A tree restored from the cache carries no per-entry links (dive's figures need them): stacked again then.
	const analysis = analyzeImage(raw, loaded.stacked ?? stackLayers(raw.layers));
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

	const {tree, ...plain} = analysis;
	plain.findings = findings;
	const projection = projectSize(ruleInput, findings);
	const suggestion = suggestDockerfile(ruleInput, findings, {
		closure,
		...(dockerfile === undefined ? {} : {dockerfile: {parsed: dockerfile, text: dockerfile.text}}),
		...(baseLayers === undefined ? {} : {baseLayers}),
	});
	markPhase('projection, suggestion');
	const report: ReportInput = {
		...plain,
		suggestion: toReportSuggestion(suggestion, projection.byCategory),
		...(options.dockerfile ? {dockerfilePath: options.dockerfile} : {}),
		repositoryFiles: findRepositoryFiles(options),
	};
	if (reportKey !== undefined && signal?.aborted !== true) {
		await writeCachedReport(directory, reportKey, report);
	}

	return {source, report, tree: {tree}, raw};
}

/** The report only (the JSON, Markdown and SARIF exports, the plain summary). */
export function loadReport(
	options: CliOptions,
	onProgress?: (progress: LoadProgress) => void,
): Promise<LoadedReport> {
	return load(options, onProgress, false);
}

/** The report and the path tree. */
export async function loadImage(
	options: CliOptions,
	onProgress?: (progress: LoadProgress) => void,
	signal?: AbortSignal,
): Promise<LoadedImage> {
	const loaded = await load(options, onProgress, true, signal);
	if (loaded.tree === undefined || loaded.raw === undefined) {
		throw new Error('the image was loaded without its path tree');
	}

	return {...loaded, tree: loaded.tree, raw: loaded.raw};
}
