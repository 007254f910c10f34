import {statSync} from 'node:fs';
import {dirname, resolve} from 'node:path';
import process from 'node:process';
import {renderReport} from '../report/render-report.js';
import type {ReportInput} from '../report/report-input.js';
import {LayerlensError} from '../shared/errors.js';
import {toolVersion} from '../shared/version.js';
import {writeFilesTogether} from '../shared/write-atomic.js';
import type {CliOptions, ReportTarget} from './options.js';
import {assertOutputsSpareInputs} from './output-identity.js';
import {markPhase} from './phase-timings.js';
import {describeStdoutError} from './stdout-state.js';

/**
Write every requested report. Files go all or nothing (every one staged in a temporary file, then renamed
together), before anything reaches stdout, so a report that cannot be written leaves no other behind.
*/
export async function writeReports(targets: ReportTarget[], report: ReportInput): Promise<void> {
	const rendered = targets.map((target) => {
		const text = renderReport(target.format, report, toolVersion);
		markPhase(`render ${target.format}`);
		return {target, text};
	});
	await writeFilesTogether(
		rendered
			.filter(({target}) => target.path !== undefined && target.path !== '-')
			.map(({target, text}) => ({path: target.path!, content: text})),
	);
	markPhase('write files');
	for (const {target, text} of rendered) {
		if (target.path !== undefined && target.path !== '-') continue;
		await new Promise<void>((resolve, reject) => {
			process.stdout.write(text, (error) =>
				error ? reject(describeStdoutError(error as NodeJS.ErrnoException)) : resolve(),
			);
		});
		markPhase(`write ${target.format}`);
	}
}

/**
Fail before the analysis, not after minutes of it, when a report could never be written because its
directory is missing or because it would overwrite what is being read. Permission and disk problems
still surface at write time, atomically.
*/
export function assertReportDirectoriesExist(targets: ReportTarget[], options?: CliOptions): void {
	if (options !== undefined) {
		assertOutputsSpareInputs(
			targets.map((target) => target.path),
			[options.image, options.dockerfile, options.config, options.baseline],
		);
	}

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
