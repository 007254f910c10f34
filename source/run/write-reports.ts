import process from 'node:process';
import type {ReportTarget} from '../cli-options.js';
import {renderReport} from '../report/render-report.js';
import type {ReportInput} from '../report/report-input.js';
import {toolVersion} from '../version.js';
import {writeFileAtomic} from '../write-atomic.js';

/** Write every requested report: files atomically, the one without a path to stdout. */
export async function writeReports(targets: ReportTarget[], report: ReportInput): Promise<void> {
	for (const target of targets) {
		const text = renderReport(target.format, report, toolVersion);
		if (target.path === undefined || target.path === '-') {
			await new Promise<void>((resolve, reject) => {
				process.stdout.write(text, (error) => (error ? reject(error) : resolve()));
			});
		} else {
			await writeFileAtomic(target.path, text);
		}
	}
}
