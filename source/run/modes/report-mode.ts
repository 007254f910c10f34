import {diveLayers} from '../../report/dive-json.js';
import {loadedImageSizeMap} from '../../report/image-size-map.js';
import {loadImage, loadReport} from '../load-image.js';
import type {CliOptions} from '../options.js';
import {createProgressLine} from '../progress-line.js';
import {assertReportDirectoriesExist, writeReports} from '../write-reports.js';

export async function runReportMode(options: CliOptions): Promise<number> {
	assertReportDirectoriesExist(options.reports, options);
	const progress = createProgressLine();
	try {
		// dive's export lists each layer's own files and the HTML report maps the final ones: only they need the image as read.
		const wantsDive = options.reports.some((target) => target.format === 'dive');
		const wantsHtml = options.reports.some((target) => target.format === 'html');
		if (wantsDive || wantsHtml) {
			const loaded = await loadImage(options, progress.update, undefined, progress.outline);
			progress.done();
			await writeReports(options.reports, {
				...loaded.report,
				...(wantsDive ? {diveLayers: diveLayers(loaded.raw, loaded.source.layerEntryNames?.())} : {}),
				...(wantsHtml ? {sizeMap: loadedImageSizeMap(loaded.report, loaded.tree, loaded.raw)} : {}),
			});
			return 0;
		}

		const loaded = await loadReport(options, progress.update, progress.outline);
		progress.done();
		await writeReports(options.reports, loaded.report);
		return 0;
	} finally {
		progress.done();
	}
}
