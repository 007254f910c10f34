import type {CliOptions} from '../cli-options.js';
import {loadReport} from './load-image.js';
import {createProgressLine} from './progress-line.js';
import {assertReportDirectoriesExist, writeReports} from './write-reports.js';

export async function runReportMode(options: CliOptions): Promise<number> {
	assertReportDirectoriesExist(options.reports, options);
	const progress = createProgressLine();
	try {
		const loaded = await loadReport(options, progress.update);
		progress.done();
		await writeReports(options.reports, loaded.report);
		return 0;
	} finally {
		progress.done();
	}
}
