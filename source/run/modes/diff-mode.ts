import process from 'node:process';
import {compareImages} from '../../analysis/compare/compare-images.js';
import {finalFiles} from '../../analysis/compare/final-files.js';
import type {ComparisonSide, ImageComparison} from '../../analysis/compare/types.js';
import type {ImageOutline} from '../../analysis/image-outline.js';
import {evaluateDiffBudgets, loadDiffBudgets} from '../../ci/diff-budgets.js';
import {ciExitCode} from '../../ci/exit-code.js';
import {formatCiReport} from '../../ci/format-ci-report.js';
import type {IncrementalStack, PathTree} from '../../engine/index.js';
import type {ImagePreview, LoadProgress} from '../../image/types.js';
import {renderDiffJson} from '../../report/diff-json.js';
import {renderDiffMarkdown} from '../../report/diff-markdown.js';
import {formatDiffSummary} from '../../report/diff-summary.js';
import {toDiffHtml} from '../../report/html.js';
import {diffSizeMap} from '../../report/image-size-map.js';
import {LayerlensError} from '../../shared/errors.js';
import {sanitizeKeepingLineBreaks} from '../../shared/sanitize-text.js';
import {toolVersion} from '../../shared/version.js';
import {writeFileAtomic} from '../../shared/write-atomic.js';
import type {DiffOutline} from '../../ui/diff/diff-layers-first.js';
import type {DiffFill} from '../../ui/diff/run-diff-explorer.js';
import {loadImage, previewImage, verdictOptions} from '../load-image.js';
import {holdAnnouncements} from '../notices.js';
import type {DiffOptions} from '../options.js';
import {type CliOptions, pickMode, type ReportTarget} from '../options.js';
import {createProgressLine} from '../progress-line.js';
import {assertReportDirectoriesExist} from '../write-reports.js';

export type DiffEnvironment = {ci: boolean; stdoutIsTty: boolean; stdinIsTty: boolean};

/** One side, analysed by the same engine and cache as `layerlens IMAGE`. */
async function loadSide(
	options: CliOptions,
	onProgress?: (progress: LoadProgress) => void,
	signal?: AbortSignal,
	onOutline?: (outline: ImageOutline, preview: ImagePreview) => void,
	stack?: IncrementalStack,
	onTree?: (tree: PathTree) => void,
): Promise<ComparisonSide> {
	const {report, tree} = await loadImage(options, onProgress, signal, onOutline, stack);
	onTree?.(tree.tree);
	return {report, files: finalFiles(tree.tree)};
}

/**
Both sides one after the other (two parses at once would only fight over the same cores), then the comparison.
`onOutline` hears both images' layers as soon as their sources describe them (the second's asked for at once,
beside the first's read), with the preview of the side being read. `fill`: the stacks the diff view fills while
each side reads (each load finishes its side's stack), and where each side's whole tree goes once it is loaded.
*/
export async function loadComparison(
	options: DiffOptions,
	onProgress?: (side: 'A' | 'B', progress: LoadProgress) => void,
	onOutline?: (outline: DiffOutline, preview: ImagePreview | undefined) => void,
	signal?: AbortSignal,
	fill?: DiffFill,
): Promise<ImageComparison> {
	let outline: DiffOutline = {reading: 'A'};
	const previews: {A?: ImagePreview; B?: ImagePreview} = {};
	const tell = () => onOutline?.(outline, previews[outline.reading]);
	const heard = (side: 'A' | 'B') => (sideOutline: ImageOutline, preview: ImagePreview) => {
		previews[side] = preview;
		outline = side === 'A' ? {...outline, a: sideOutline} : {...outline, b: sideOutline};
		tell();
	};
	if (onOutline) {
		void previewImage(options.b, signal).then((found) => {
			if (found !== undefined && outline.b === undefined) heard('B')(found.outline, found.preview);
		});
	}

	const a = await loadSide(
		options.a,
		onProgress && ((progress) => onProgress('A', progress)),
		signal,
		onOutline && heard('A'),
		fill?.stacks.A,
		fill && ((tree) => fill.onTree('A', tree)),
	);
	outline = {...outline, reading: 'B'};
	tell();
	// B's read starts from nothing: A's last progress must not be read against B's layers (a shared base would
	// show as read before B has sent a byte).
	onProgress?.('B', {bytesRead: 0, layersDone: 0});
	const b = await loadSide(
		options.b,
		onProgress && ((progress) => onProgress('B', progress)),
		signal,
		onOutline && heard('B'),
		fill?.stacks.B,
		fill && ((tree) => fill.onTree('B', tree)),
	);
	return compareImages(a, b, {timestamps: options.timestamps});
}

function renderTarget(target: ReportTarget, comparison: ImageComparison, options: DiffOptions): string {
	switch (target.format) {
		case 'json':
			return renderDiffJson(comparison, {toolVersion, timestamps: options.timestamps});
		case 'markdown':
			return renderDiffMarkdown(comparison);
		case 'html':
			return toDiffHtml(comparison, diffSizeMap(comparison.files.changes), {toolVersion});
		case 'sarif':
		case 'dive':
			throw new LayerlensError(`layerlens diff writes json, markdown or html, not ${target.format}`, {
				hint: `Run layerlens NEW --format ${target.format} for one image`,
			});
	}
}

async function writeDiffReports(targets: ReportTarget[], comparison: ImageComparison, options: DiffOptions) {
	// Every report is rendered before the first is written: a bad format leaves no partial set of files.
	const rendered = targets.map((target) => ({target, text: renderTarget(target, comparison, options)}));
	for (const {target, text} of rendered) {
		if (target.path === undefined || target.path === '-') {
			await new Promise<void>((resolve, reject) => {
				process.stdout.write(text, (error) => (error ? reject(error) : resolve()));
			});
		} else {
			await writeFileAtomic(target.path, text);
		}
	}
}

/** The stderr line of a report-mode diff: the side being read, measured against that side's outline. */
function progressLine(): {
	update: (side: 'A' | 'B', progress: LoadProgress) => void;
	outline: (outline: DiffOutline, preview: ImagePreview | undefined) => void;
	done: () => void;
} {
	const line = createProgressLine();
	return {
		update: (_side, progress) => line.update(progress),
		outline: (outline, preview) => {
			const side = outline.reading === 'A' ? outline.a : outline.b;
			line.outline(side, side === undefined ? undefined : preview);
		},
		done: line.done,
	};
}

/** `layerlens diff A B`: the explorer in a terminal, else reports, a CI verdict or a plain summary. */
export async function runDiffMode(
	options: DiffOptions,
	environment: DiffEnvironment,
	/** Where the explorer reads keys when stdin carries one side's archive: the controlling terminal. */
	keys?: NodeJS.ReadStream,
): Promise<number> {
	const mode = pickMode(options.common, environment);
	const oneImageReport = options.common.reports.find(
		(target) => target.format === 'sarif' || target.format === 'dive',
	);
	if (oneImageReport !== undefined) {
		throw new LayerlensError(`layerlens diff writes json, markdown or html, not ${oneImageReport.format}`, {
			hint: `Run layerlens NEW --format ${oneImageReport.format} for one image`,
		});
	}

	if (mode === 'explorer') {
		const {runDiffExplorer} = await import('../../ui/diff/run-diff-explorer.js');
		const releaseAnnouncements = holdAnnouncements();
		const code = await runDiffExplorer({
			title: `${options.a.image} → ${options.b.image}`,
			load: (onProgress, signal, onOutline, fill) =>
				loadComparison(options, (_side, progress) => onProgress(progress), onOutline, signal, fill),
			...(keys === undefined ? {} : {stdin: keys}),
		});
		releaseAnnouncements();
		// A quit while the images load must not wait for the loads (or let them write the cache) afterwards.
		return process.exit(code);
	}

	const budgets =
		mode === 'ci'
			? await loadDiffBudgets({
					cwd: process.cwd(),
					...(options.common.config === undefined ? {} : {configPath: options.common.config}),
					overrides: options.budgets,
				})
			: undefined;
	assertReportDirectoriesExist(options.common.reports);
	const progress = progressLine();
	let comparison: ImageComparison;
	try {
		// A verdict is the images' own answer (see verdictOptions).
		const loadOptions =
			budgets === undefined
				? options
				: {...options, a: verdictOptions(options.a), b: verdictOptions(options.b)};
		comparison = await loadComparison(loadOptions, progress.update, progress.outline);
	} finally {
		progress.done();
	}

	if (budgets !== undefined) {
		const result = evaluateDiffBudgets(comparison, budgets);
		// Budget lines name findings from the image: no raw control or bidi characters, as in ci-mode.
		process.stdout.write(
			`${formatDiffSummary(comparison)}\n${sanitizeKeepingLineBreaks(formatCiReport(result))}`,
		);
		await writeDiffReports(
			options.common.reports.filter((target) => target.path !== undefined),
			comparison,
			options,
		);
		return ciExitCode(result);
	}

	if (mode === 'summary') {
		process.stdout.write(formatDiffSummary(comparison));
		return 0;
	}

	await writeDiffReports(options.common.reports, comparison, options);
	return 0;
}
