import {existsSync} from 'node:fs';
import type {CliOptions} from '../cli-options.js';
import {LayerlensError} from '../errors.js';
import {isStdinArgument} from '../image/stdin-argument.js';
import {renderReport} from '../report/render-report.js';
import {runExplorer} from '../ui/run-explorer.js';
import {toolVersion} from '../version.js';
import {writeFileAtomic} from '../write-atomic.js';
import {loadImage} from './load-image.js';
import {assertOutputsSpareInputs} from './output-identity.js';

/** `layerlens-myapp-prod` for `registry/myapp:prod`: a file name that says which image it describes. */
export function defaultExportName(reference: string): string {
	const name = reference.split('/').pop() ?? reference;
	const safe = name.replace(/[^a-zA-Z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
	return `layerlens-${safe || 'image'}`;
}

/** `keys`: where keys are read from when stdin carries the archive (the controlling terminal). */
export async function runExplorerMode(options: CliOptions, keys?: NodeJS.ReadStream): Promise<number> {
	const title =
		options.image === undefined
			? 'the demo image'
			: isStdinArgument(options.image)
				? 'standard input'
				: options.image;
	return runExplorer({
		title,
		...(keys ? {stdin: keys} : {}),
		async load(onProgress, signal) {
			const {source, report, tree} = await loadImage(options, onProgress, signal);
			return {
				analysis: {...report, ...tree},
				readFile: (layerIndex, path, limit) => source.readFile(layerIndex, path, limit),
				async exportReport(format, path, overwrite) {
					assertOutputsSpareInputs([path], [options.image, options.dockerfile]);
					if (!overwrite && existsSync(path)) {
						throw new LayerlensError(`${path} already exists (EEXIST)`, {hint: 'Confirm to overwrite it'});
					}

					await writeFileAtomic(path, renderReport(format, report, toolVersion));
				},
				...(report.suggestion ? {suggestion: report.suggestion} : {}),
				defaultExportName: defaultExportName(report.image.reference),
			};
		},
	});
}
