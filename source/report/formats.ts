/** The one list of report formats: the CLI's `--format`, `--output`, the explorer's `e` and the renderers use it. */

/** `dive` is dive's own `--json` schema, for pipelines written against dive. */
export const reportFormats = ['json', 'markdown', 'sarif', 'dive', 'html'] as const;
export type ReportFormat = (typeof reportFormats)[number];

/** What the explorer's `e` offers, in the order it cycles through them (dive's schema is for pipelines). */
export const exportFormats = ['markdown', 'json', 'sarif', 'html'] as const satisfies readonly ReportFormat[];
export type ExportFormat = (typeof exportFormats)[number];

export const reportExtensions: Record<ReportFormat, string> = {
	json: '.json',
	markdown: '.md',
	sarif: '.sarif',
	dive: '.json',
	html: '.html',
};

/** The format a file name says by its extension, or undefined when it says none. */
export function formatOfPath(path: string): ReportFormat | undefined {
	if (/\.(md|markdown)$/i.test(path)) return 'markdown';
	if (/\.html?$/i.test(path)) return 'html';
	if (/\.sarif(\.json)?$/i.test(path)) return 'sarif';
	if (/\.json$/i.test(path)) return 'json';
	return undefined;
}

/** `base` with the format's extension, replacing one of the known report extensions the user already typed. */
export function reportPathFor(base: string, format: ReportFormat): string {
	const stem = base.replace(/\.(md|markdown|json|sarif|html)$/i, '');
	return `${stem}${reportExtensions[format]}`;
}
