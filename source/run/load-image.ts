import {analyzeImage} from '../analysis/analyze-image.js';
import {attachDockerfileLines, mapLayersToDockerfile, readDockerfile} from '../analysis/dockerfile/index.js';
import {findFindings, projectSize, suggestDockerfile} from '../analysis/findings/index.js';
import {buildRuleInput} from '../analysis/rule-input.js';
import type {CliOptions} from '../cli-options.js';
import {createDemoSource} from '../demo/demo-source.js';
import {resolveImageSource} from '../image/open-source.js';
import {parsePlatform} from '../image/platform.js';
import type {ImageSource, LoadProgress, RawImage} from '../image/types.js';
import type {ReportInput} from '../report/report-input.js';
import {loadWithCache} from './image-cache.js';

export type LoadedImage = {
	source: ImageSource;
	raw: RawImage;
	/** The analysis with findings, the suggested Dockerfile and the Dockerfile path: what every output reads. */
	report: ReportInput;
};

export async function openImageSource(options: CliOptions): Promise<ImageSource> {
	if (options.image === undefined) {
		return createDemoSource();
	}

	return resolveImageSource(options.image, {
		...(options.source === undefined ? {} : {source: options.source}),
		...(options.platform === undefined ? {} : {platform: parsePlatform(options.platform)}),
		...(options.maxLayerBytes === undefined ? {} : {maxLayerBytes: options.maxLayerBytes}),
	});
}

/** One analysis pass: read the image, stack it, find what does not belong, and propose the Dockerfile. */
export async function loadImage(
	options: CliOptions,
	onProgress?: (progress: LoadProgress) => void,
): Promise<LoadedImage> {
	// A missing or unreadable Dockerfile fails before the image is read, not after.
	const dockerfile = options.dockerfile ? await readDockerfile(options.dockerfile) : undefined;
	const source = await openImageSource(options);
	const raw = await loadWithCache(source, {
		cache: options.cache,
		...(options.image === undefined ? {} : {reference: options.image}),
		...(onProgress ? {onProgress} : {}),
	});
	const analysis = analyzeImage(raw);
	const ruleInput = buildRuleInput(analysis, raw);
	let findings = findFindings(ruleInput);
	if (dockerfile) {
		const mapping = mapLayersToDockerfile(dockerfile, analysis.layers, analysis.history);
		if (mapping.mismatch) {
			analysis.warnings.push(`${options.dockerfile} does not match the image's history: ${mapping.mismatch}`);
		} else {
			findings = attachDockerfileLines(findings, mapping);
		}
	}

	analysis.findings = findings;
	const projection = projectSize(ruleInput, findings);
	const suggestion = suggestDockerfile(ruleInput, findings);
	const report: ReportInput = {
		...analysis,
		suggestion: {
			dockerfile: suggestion.dockerfile,
			dockerignore: suggestion.dockerignore,
			projectedSizeBytes: projection.projectedSizeBytes,
			byCategory: projection.byCategory,
		},
		...(options.dockerfile ? {dockerfilePath: options.dockerfile} : {}),
	};
	return {source, raw, report};
}
