import type {CliOptions} from '../cli-options.js';
import {diveLayers} from '../report/dive-json.js';
import {loadImage, loadReport} from './load-image.js';
import {createProgressLine} from './progress-line.js';
import {assertReportDirectoriesExist, writeReports} from './write-reports.js';

export async function runReportMode(options: CliOptions): Promise<number> {
	assertReportDirectoriesExist(options.reports, options);
	const progress = createProgressLine();
	try {
		// dive's export lists each layer's own files: only it needs the layers as read.
		if (options.reports.some((target) => target.format === 'dive')) {
			const loaded = await loadImage(options, progress.update);
			progress.done();
			const layers = diveLayers(loaded.raw, loaded.source.layerEntryNames?.());
			await writeReports(options.reports, {...loaded.report, diveLayers: layers});
			return 0;
		}

		const loaded = await loadReport(options, progress.update);
		progress.done();
		await writeReports(options.reports, loaded.report);
		return 0;
	} finally {
		progress.done();
	}
}
