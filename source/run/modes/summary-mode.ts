import process from 'node:process';
import {formatPlainSummary} from '../../report/plain-summary.js';
import {loadReport} from '../load-image.js';
import type {CliOptions} from '../options.js';
import {createProgressLine} from '../progress-line.js';

/** stdout is not a terminal: never try raw mode, print a plain summary instead. */
export async function runSummaryMode(options: CliOptions): Promise<number> {
	const progress = createProgressLine();
	try {
		const loaded = await loadReport(options, progress.update, progress.outline);
		progress.done();
		process.stdout.write(formatPlainSummary(loaded.report));
		return 0;
	} finally {
		progress.done();
	}
}
