import type {ReportFormat} from '../cli-options.js';
import {goJsonEscapes, toDiveExport} from './dive-json.js';
import {toJsonReport} from './json.js';
import {toMarkdown} from './markdown.js';
import type {ReportInput} from './report-input.js';
import {toSarif} from './sarif.js';

export const reportExtensions: Record<ReportFormat, string> = {
	json: '.json',
	markdown: '.md',
	sarif: '.sarif',
	dive: '.json',
};

/**
JSON.stringify escapes C0 controls but writes DEL, the C1 controls (U+009B is a CSI on some terminals) and
the line separators raw; file names come from the image, so escape those too before the JSON reaches a terminal.
*/
function toTerminalSafeJson(value: unknown): string {
	return JSON.stringify(value, null, 2).replace(
		/[\u007f-\u009f\u2028\u2029]/g,
		(character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
	);
}

/** The text of one report; every format is rendered from the same analysis pass. */
export function renderReport(format: ReportFormat, report: ReportInput, toolVersion: string): string {
	switch (format) {
		case 'json': {
			return `${toTerminalSafeJson(toJsonReport(report, {toolVersion}))}\n`;
		}

		case 'markdown': {
			return toMarkdown(report, {toolVersion});
		}

		case 'sarif': {
			return `${toTerminalSafeJson(toSarif(report, {toolVersion}))}\n`;
		}

		case 'dive': {
			if (report.diveLayers === undefined) {
				throw new Error('the dive export needs the image layers (report.diveLayers)');
			}

			return `${goJsonEscapes(toTerminalSafeJson(toDiveExport(report.diveLayers, report.efficiency)))}\n`;
		}
	}
}
