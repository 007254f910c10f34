import process from 'node:process';
import {writeBaselineFile} from '../../ci/baseline.js';
import {loadCiRules} from '../../ci/config.js';
import {evaluateCi} from '../../ci/evaluate.js';
import {ciExitCode} from '../../ci/exit-code.js';
import {formatCiReport} from '../../ci/format-ci-report.js';
import {diveLayers} from '../../report/dive-json.js';
import {sanitize, sanitizeKeepingLineBreaks} from '../../shared/sanitize-text.js';
import {loadImage, loadReport, verdictOptions} from '../load-image.js';
import type {CliOptions} from '../options.js';
import {assertOutputsSpareInputs} from '../output-identity.js';
import {createProgressLine} from '../progress-line.js';
import {assertReportDirectoriesExist, writeReports} from '../write-reports.js';

/** Rules are read before the image so a bad config fails fast with exit 2, before any export starts. */
export async function runCiMode(options: CliOptions): Promise<number> {
	const rules = await loadCiRules({
		cwd: process.cwd(),
		...(options.config === undefined ? {} : {configPath: options.config}),
		...(options.configIsDive ? {configIsDive: true} : {}),
		...(options.baseline === undefined ? {} : {baselinePath: options.baseline}),
		overrides: options.ruleOverrides,
	});
	assertReportDirectoriesExist(options.reports, options);
	const progress = createProgressLine();
	const loaded = await loadImage(verdictOptions(options), progress.update, undefined, progress.outline);
	progress.done();
	const result = evaluateCi({...loaded.report, ...loaded.tree}, rules);
	// Ignore paths and reasons come from the config, details from the image: no raw control bytes.
	process.stdout.write(`${sanitizeKeepingLineBreaks(formatCiReport(result))}
`);
	const files = options.reports.filter((target) => target.path !== undefined);
	await writeReports(
		files,
		files.some((target) => target.format === 'dive')
			? {...loaded.report, diveLayers: diveLayers(loaded.raw, loaded.source.layerEntryNames?.())}
			: loaded.report,
	);
	return ciExitCode(result);
}

/**
A baseline accepts every finding it lists for every later verdict, so it is loaded as a verdict is: from
the image itself, never from a cache a forger could have added findings to (see verdictOptions).
*/
export async function runWriteBaselineMode(options: CliOptions): Promise<number> {
	const path = options.writeBaseline!;
	assertOutputsSpareInputs([path], [options.image, options.dockerfile, options.config]);
	const progress = createProgressLine();
	const loaded = await loadReport(verdictOptions(options), progress.update, progress.outline);
	progress.done();
	await writeBaselineFile(path, loaded.report.findings, loaded.report.image.reference);
	process.stdout.write(`Wrote ${loaded.report.findings.length} known findings to ${sanitize(path)}\n`);
	return 0;
}
