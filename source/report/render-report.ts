import {terminalSafeJson} from '../shared/sanitize-text.js';
import {goJsonEscapes, toDiveExport} from './dive-json.js';
import type {ReportFormat} from './formats.js';
import {toHtmlReport} from './html.js';
import {toJsonReport} from './json.js';
import {toMarkdown} from './markdown.js';
import type {ReportInput} from './report-input.js';
import {toSarif} from './sarif.js';

/** The text of one report; every format is rendered from the same analysis pass. */
export function renderReport(format: ReportFormat, report: ReportInput, toolVersion: string): string {
	switch (format) {
		case 'json': {
			return `${terminalSafeJson(toJsonReport(report, {toolVersion}))}\n`;
		}

		case 'markdown': {
			return toMarkdown(report, {toolVersion});
		}

		case 'sarif': {
			return `${terminalSafeJson(toSarif(report, {toolVersion}))}\n`;
		}

		case 'dive': {
			if (report.diveLayers === undefined) {
				throw new Error('the dive export needs the image layers (report.diveLayers)');
			}

			return `${goJsonEscapes(terminalSafeJson(toDiveExport(report.diveLayers, report.efficiency)))}\n`;
		}

		case 'html': {
			if (report.sizeMap === undefined) {
				throw new Error('the HTML report needs the final filesystem (report.sizeMap)');
			}

			return toHtmlReport(report, report.sizeMap, {toolVersion});
		}
	}
}
