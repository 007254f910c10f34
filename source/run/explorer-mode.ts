import {existsSync} from 'node:fs';
import type {CliOptions} from '../cli-options.js';
import {LayerlensError} from '../errors.js';
import {loadedImageSizeMap} from '../report/image-size-map.js';
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

export async function runExplorerMode(options: CliOptions): Promise<number> {
	const title = options.image ?? 'the demo image';
	return runExplorer({
		title,
		async load(onProgress, signal) {
			const {source, report, tree, raw} = await loadImage(options, onProgress, signal);
			return {
				analysis: {...report, ...tree},
				readFile: (layerIndex, path, limit) => source.readFile(layerIndex, path, limit),
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
				defaultExportName: defaultExportName(report.image.reference),
			};
		},
	});
}
