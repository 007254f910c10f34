import {basename} from 'node:path';
import type {ReportInput} from '../report/report-input.js';
import {toolVersion} from '../version.js';
import {writeFileAtomic} from '../write-atomic.js';
import {cacheMaxBytes, evictCacheFiles, prepareCacheDirectory, readCacheFile} from './cache-files.js';
import {imageCachePath} from './image-cache.js';

/**
The second half of the analysis cache: the finished report (layers, waste, dive figures, findings, the
suggested Dockerfile) beside the image's entries, so a report of an image already analysed is a file
read and a JSON parse (tens of milliseconds) instead of the stacking and the rules (a second or more on
100k files). Keyed by the image's cache key and the tool version: other rules give other findings.
*/
const reportCacheFormatVersion = 1;

type StoredReport = {
	format: 'layerlens-report-cache';
	version: number;
	key: string;
	report: ReportInput;
};

export function reportCacheKey(imageKey: string): string {
	return `${imageKey}\nreport v${reportCacheFormatVersion} layerlens ${toolVersion}`;
}

function reportCachePath(directory: string, key: string): string {
	return imageCachePath(directory, key).replace(/\.bin$/, '.report.json');
}

function isStoredReport(value: unknown, key: string): value is StoredReport {
	const stored = value as Partial<StoredReport> | null;
	const report = stored?.report as Partial<ReportInput> | undefined;
	return (
		stored?.format === 'layerlens-report-cache' &&
		stored.version === reportCacheFormatVersion &&
		stored.key === key &&
		typeof report?.image === 'object' &&
		Array.isArray(report.layers) &&
		Array.isArray(report.history) &&
		Array.isArray(report.findings) &&
		Array.isArray(report.warnings) &&
		typeof report.efficiency === 'object' &&
		typeof report.waste === 'object'
	);
}

/** The cached report, or undefined when there is none or it cannot be read (never fatal). */
export async function readCachedReport(directory: string, key: string): Promise<ReportInput | undefined> {
	const bytes = await readCacheFile(directory, basename(reportCachePath(directory, key)), cacheMaxBytes());
	if (bytes === undefined) {
		return undefined;
	}

	try {
		const stored: unknown = JSON.parse(bytes.toString('utf8'));
		return isStoredReport(stored, key) ? stored.report : undefined;
	} catch {
		return undefined;
	}
}

/** Store the plain-data part of a report (never the path tree); failures are ignored like the entries'. */
export async function writeCachedReport(directory: string, key: string, report: ReportInput): Promise<void> {
	const {image, layers, history, efficiency, waste, findings, warnings, suggestion} = report;
	const stored: StoredReport = {
		format: 'layerlens-report-cache',
		version: reportCacheFormatVersion,
		key,
		report: {
			image,
			layers,
			history,
			efficiency,
			waste,
			findings,
			warnings,
			...(suggestion === undefined ? {} : {suggestion}),
		},
	};
	try {
		if (!(await prepareCacheDirectory(directory))) {
			return;
		}

		await writeFileAtomic(reportCachePath(directory, key), JSON.stringify(stored), {
			replaceSpecialFiles: true,
		});
		await evictCacheFiles(directory, cacheMaxBytes());
	} catch {
		// A read-only home or a full disk costs the next run time, nothing else.
	}
}
