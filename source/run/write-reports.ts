import {statSync} from 'node:fs';
import {dirname, resolve} from 'node:path';
import process from 'node:process';
import type {ReportTarget} from '../cli-options.js';
import {LayerlensError} from '../errors.js';
import {renderReport} from '../report/render-report.js';
import type {ReportInput} from '../report/report-input.js';
import {toolVersion} from '../version.js';
import {writeFileAtomic} from '../write-atomic.js';
import {markPhase} from './phase-timings.js';

/** Write every requested report: files atomically, the one without a path to stdout. */
export async function writeReports(targets: ReportTarget[], report: ReportInput): Promise<void> {
	for (const target of targets) {
		const text = renderReport(target.format, report, toolVersion);
		markPhase(`render ${target.format}`);
		if (target.path === undefined || target.path === '-') {
			await new Promise<void>((resolve, reject) => {
				process.stdout.write(text, (error) => (error ? reject(error) : resolve()));
			});
		} else {
			await writeFileAtomic(target.path, text);
		}

		markPhase(`write ${target.format}`);
	}
}

/**
Fail before the analysis, not after minutes of it, when a report could never be written because its
directory is missing. Permission and disk problems still surface at write time, atomically.
*/
export function assertReportDirectoriesExist(targets: ReportTarget[]): void {
	for (const target of targets) {
		if (target.path === undefined || target.path === '-') continue;
		const directory = dirname(resolve(target.path));
		let isDirectory = false;
		try {
			isDirectory = statSync(directory).isDirectory();
		} catch {}

		if (!isDirectory) {
			throw new LayerlensError(`Cannot write ${target.path}: ${directory} is not an existing directory`, {
				hint: 'Create the directory first or choose another path',
			});
		}
	}
}
