import {existsSync} from 'node:fs';
import {readFile} from 'node:fs/promises';
import {dirname, join, resolve} from 'node:path';
import {type PackageInventory, packageIndex} from '../../analysis/packages/index.js';
import {buildRuleInput} from '../../analysis/rule-input.js';
import type {ImageAnalysis} from '../../analysis/types.js';
import {type Plan, withPlan} from '../../ci/plan.js';
import {isStdinArgument} from '../../image/sources/archive/stdin-argument.js';
import type {ImageSource, RawImage} from '../../image/types.js';
import {loadedImageSizeMap} from '../../report/image-size-map.js';
import {renderReport} from '../../report/render-report.js';
import {LayerlensError} from '../../shared/errors.js';
import {toolVersion} from '../../shared/version.js';
import {writeFileAtomic} from '../../shared/write-atomic.js';
import {runExplorer} from '../../ui/run-explorer.js';
import {createFileReads} from '../file-reads.js';
import {loadImage} from '../load-image.js';
import {holdAnnouncements} from '../notices.js';
import type {CliOptions} from '../options.js';
import {assertOutputsSpareInputs} from '../output-identity.js';

/**
Who owns each final file, worked out on first call (the package view or the owner column opens). The report's
`packages` come from the same function over the same input, also when the report was read from the cache:
the view's figures are the JSON's.
*/
export function packageInventoryOf(analysis: ImageAnalysis, raw: RawImage): () => PackageInventory {
	let inventory: PackageInventory | undefined;
	return () => {
		inventory ??= packageIndex(buildRuleInput(analysis, raw));
		return inventory;
	};
}

/** `layerlens-myapp-prod` for `registry/myapp:prod`: a file name that says which image it describes. */
export function defaultExportName(reference: string): string {
	const name = reference.split('/').pop() ?? reference;
	const safe = name.replace(/[^a-zA-Z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
	return `layerlens-${safe || 'image'}`;
}

/**
Where `S` writes the what-if plan: the config file the user named (--config), else `.layerlens.yml` beside
the Dockerfile they named (--dockerfile); never anywhere they did not point at. undefined: no plan file.
*/
export function planFilePath(options: Pick<CliOptions, 'config' | 'dockerfile'>): string | undefined {
	if (options.config !== undefined) return resolve(options.config);
	return options.dockerfile === undefined
		? undefined
		: join(dirname(resolve(options.dockerfile)), '.layerlens.yml');
}

/** `keys`: where keys are read from when stdin carries the archive (the controlling terminal). */
export async function runExplorerMode(options: CliOptions, keys?: NodeJS.ReadStream): Promise<number> {
	const title =
		options.image === undefined
			? 'the demo image'
			: isStdinArgument(options.image)
				? 'standard input'
				: options.image;
	let loadedSource: ImageSource | undefined;
	const planPath = planFilePath(options);
	// Lines such as where the image is read from wait until the explorer has given the terminal back.
	const releaseAnnouncements = holdAnnouncements();
	const code = await runExplorer({
		title,
		...(keys ? {stdin: keys} : {}),
		async load(onProgress, signal, onOutline, stack) {
			const {source, report, tree, raw} = await loadImage(options, onProgress, signal, onOutline, stack);
			loadedSource = source;
			const files = createFileReads(source, report.image.id, tree.tree);
			const analysis = {...report, ...tree};
			return {
				analysis,
				packages: packageInventoryOf(analysis, raw),
				readFile: files.read,
				async exportReport(format, path, overwrite) {
					assertOutputsSpareInputs([path], [options.image, options.dockerfile]);
					if (!overwrite && existsSync(path)) {
						throw new LayerlensError(`${path} already exists (EEXIST)`, {hint: 'Confirm to overwrite it'});
					}

					const input =
						format === 'html' ? {...report, sizeMap: loadedImageSizeMap(report, tree, raw)} : report;
					await writeFileAtomic(path, renderReport(format, input, toolVersion));
				},
				...(report.suggestion ? {suggestion: report.suggestion} : {}),
				...(planPath === undefined
					? {}
					: {
							async savePlan(plan: Plan) {
								assertOutputsSpareInputs([planPath], [options.image, options.dockerfile]);
								const existing = existsSync(planPath) ? await readFile(planPath, 'utf8') : undefined;
								await writeFileAtomic(planPath, withPlan(existing, plan));
								return planPath;
							},
						}),
				defaultExportName: defaultExportName(report.image.reference),
			};
		},
	});
	releaseAnnouncements();
	// Only a finished load has anything to let go; not waiting otherwise keeps the exit as prompt as before, when
	// a load torn down by a quit must not get a tick to surface its AbortError.
	if (loadedSource?.dispose !== undefined) await disposeSource(loadedSource);
	return code;
}

/** How long the end of a session waits for a source to let go (remove a temporary container). */
const disposeTimeoutMs = 10_000;

/** Lets the source remove what it made for file reads; a daemon that stopped answering does not hold the exit. */
async function disposeSource(source: ImageSource | undefined): Promise<void> {
	if (source?.dispose === undefined) return;
	let timer: NodeJS.Timeout | undefined;
	await Promise.race([
		source.dispose().catch(() => undefined),
		new Promise<void>((resolve) => {
			timer = setTimeout(resolve, disposeTimeoutMs);
		}),
	]);
	clearTimeout(timer);
}
