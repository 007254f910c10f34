import type {ImageComparison, LayerRef} from '../analysis/compare/types.js';
import type {Finding, LayerSummary} from '../analysis/types.js';
import {formatBytes, formatExactBytes} from '../shared/format-bytes.js';
import {categoryOrder, categoryTitles} from './category-labels.js';
import {diffHeadline, signedBytes} from './diff-markdown.js';
import {
	escapeHtml,
	escapeHtmlLines,
	escapeHtmlWithCode,
	htmlPage,
	htmlTable,
	type TreemapData,
	treemapSection,
} from './html-page.js';
import {diffMapCategories, imageMapCategories} from './image-size-map.js';
import type {ReportInput} from './report-input.js';
import type {SizeMap} from './size-map.js';

export type HtmlReportOptions = {toolVersion?: string; groupRows?: number; inefficiencyRows?: number};

const code = (text: string) => `<code>${escapeHtml(text)}</code>`;
const bytes = (value: number) => escapeHtml(formatBytes(value));

function percent(part: number, whole: number): string {
	return whole <= 0 ? '0%' : `${((part / whole) * 100).toFixed(1)}%`;
}

/**
One image as a page: summary and dive's figures, the treemap of its final filesystem, the layers, the
findings with their evidence and fixes, and the suggested Dockerfile with a copy button.
*/
export function toHtmlReport(report: ReportInput, map: SizeMap, options: HtmlReportOptions = {}): string {
	const data: TreemapData = {
		map,
		categories: imageMapCategories,
		layers: report.layers.map((layer) => layer.instruction),
		findings: report.findings.map((finding) => `${finding.ruleId} ${finding.title}`),
		measure: 'bytes',
	};
	const body = [
		`<h1>Image report: ${code(report.image.reference)}</h1>`,
		summarySection(report),
		treemapSection(
			'Where the bytes are',
			'Each rectangle is a file or directory of the final filesystem, its area its size, its colour, hatching and letter the category that claims it.',
			data,
		),
		layersSection(report),
		findingsSection(report, options.groupRows ?? 8),
		suggestionSection(report),
		diveSection(report, options.inefficiencyRows ?? 10),
		warningsSection(report.warnings),
	].join('\n');
	return htmlPage({
		title: `layerlens: ${report.image.reference}`,
		body,
		categories: imageMapCategories,
		...(options.toolVersion === undefined ? {} : {toolVersion: options.toolVersion}),
	});
}

function summarySection(report: ReportInput): string {
	const {image, waste, efficiency} = report;
	const platform = [image.os, image.architecture, image.variant].filter(Boolean).join('/');
	const findingBytes = (category: Finding['category']) =>
		report.findings.filter((finding) => finding.category === category).reduce((sum, f) => sum + f.bytes, 0);
	const rows: string[][] = [
		['Image', code(image.reference)],
		['Image ID', code(image.id.slice(0, image.id.indexOf(':') + 13))],
		['Platform', escapeHtml(platform)],
		['Layers', String(image.layerCount)],
		[
			'Uncompressed layer total',
			`${bytes(image.sizeBytes)} (${escapeHtml(formatExactBytes(image.sizeBytes))})`,
		],
		[
			'Final filesystem',
			`${bytes(image.finalSizeBytes)} (${escapeHtml(formatExactBytes(image.finalSizeBytes))})`,
		],
		[
			'Hidden by later layers (reclaimable)',
			`${bytes(waste.reclaimableBytes)} (${percent(waste.reclaimableBytes, image.sizeBytes)} of layers)`,
		],
		['Build-only files in the final filesystem', bytes(findingBytes('build-only'))],
		['Caches in the final filesystem', bytes(findingBytes('cache'))],
		['dive efficiency score', `${(efficiency.score * 100).toFixed(2)}%`],
	];
	if (report.suggestion) {
		const saved = image.finalSizeBytes - report.suggestion.projectedSizeBytes;
		rows.push([
			'Projected final filesystem after fixes',
			`${bytes(report.suggestion.projectedSizeBytes)} (saves ${bytes(saved)}, ${percent(saved, image.finalSizeBytes)})`,
		]);
	}

	return `<section id="summary"><h2>Summary</h2>${htmlTable(['Measure', 'Value'], rows, [1])}</section>`;
}

function layerFlags(layer: LayerSummary, findings: Finding[]): string {
	const flags: string[] = [];
	if (layer.wasteIntroducedBytes > 0) flags.push(`waste ${formatBytes(layer.wasteIntroducedBytes)}`);
	for (const category of ['build-only', 'cache', 'secret'] as const) {
		const matching = findings.filter(
			(finding) => finding.category === category && finding.layerIndex === layer.index,
		);
		if (matching.length > 0) {
			const total = matching.reduce((sum, finding) => sum + finding.bytes, 0);
			flags.push(category === 'secret' ? 'secret' : `${category} ${formatBytes(total)}`);
		}
	}

	return escapeHtml(flags.join(', '));
}

function layersSection(report: ReportInput): string {
	const rows = report.layers.map((layer) => [
		String(layer.index),
		code(layer.createdBy ?? layer.instruction),
		bytes(layer.sizeBytes),
		String(layer.fileCount),
		layerFlags(layer, report.findings),
	]);
	return `<section id="layers"><h2>Layers</h2>${htmlTable(['#', 'Instruction', 'Size', 'Files', 'Flags'], rows, [0, 2, 3])}</section>`;
}

function findingsSection(report: ReportInput, groupRows: number): string {
	if (report.findings.length === 0)
		return '<section id="findings"><h2>Findings</h2><p>No findings.</p></section>';
	const parts = ['<section id="findings"><h2>Findings</h2>'];
	const own = report.findings.filter((finding) => !finding.fromBase);
	const fromBase = report.findings.filter((finding) => finding.fromBase);
	const bySize = (a: Finding, b: Finding) => b.bytes - a.bytes || a.ruleId.localeCompare(b.ruleId);
	if (own.length === 0) parts.push('<p>No findings in your layers.</p>');
	for (const category of categoryOrder) {
		const findings = own.filter((finding) => finding.category === category).sort(bySize);
		if (findings.length === 0) continue;
		const total = findings.reduce((sum, finding) => sum + finding.bytes, 0);
		parts.push(
			`<h3>${escapeHtml(categoryTitles[category])}: ${findings.length} ${findings.length === 1 ? 'finding' : 'findings'}, ${bytes(total)}</h3>`,
			...findings.map((finding) => findingBlock(finding, report, groupRows)),
		);
	}

	if (fromBase.length > 0) {
		const total = fromBase.reduce((sum, finding) => sum + finding.bytes, 0);
		parts.push(
			`<h3>From the base image: ${fromBase.length} ${fromBase.length === 1 ? 'finding' : 'findings'}, ${bytes(total)}</h3>`,
			'<p>These files came with the base image: no step of your Dockerfile removes them; choose another base to drop them. They are not in the projection and do not fail <code>--ci</code> by default.</p>',
			...[...fromBase].sort(bySize).map((finding) => findingBlock(finding, report, groupRows)),
		);
	}

	parts.push('</section>');
	return parts.join('\n');
}

function findingBlock(finding: Finding, report: ReportInput, groupRows: number): string {
	const facts = [
		`Measured: ${bytes(finding.bytes)} (${escapeHtml(formatExactBytes(finding.bytes))}) in ${finding.paths.length} ${finding.paths.length === 1 ? 'file' : 'files'}, ${escapeHtml(finding.confidence)} confidence`,
	];
	const where: string[] = [];
	if (finding.layerIndex !== undefined) {
		const instruction = finding.instruction ?? report.layers[finding.layerIndex]?.instruction;
		where.push(`layer ${finding.layerIndex}${instruction ? ` ${code(instruction)}` : ''}`);
	}

	if (finding.dockerfileLine !== undefined) {
		where.push(code(`${report.dockerfilePath ?? 'Dockerfile'}:${finding.dockerfileLine}`));
	}

	if (where.length > 0) facts.push(`Added by: ${where.join(', ')}`);
	const parts = [
		`<article class="finding" data-rule="${escapeHtml(finding.ruleId)}"><h4>${code(finding.ruleId)} ${escapeHtml(finding.title)}</h4>`,
		`<ul>${facts.map((fact) => `<li>${fact}</li>`).join('')}</ul>`,
	];
	if (finding.evidence.length > 0) {
		parts.push(
			`<p>Evidence:</p><ul>${finding.evidence.map((line) => `<li>${escapeHtmlWithCode(line)}</li>`).join('')}</ul>`,
		);
	}

	if (finding.groups.length > 0) {
		const groups = [...finding.groups].sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path));
		parts.push(
			htmlTable(
				['Path', 'Files', 'Size'],
				groups
					.slice(0, groupRows)
					.map((group) => [code(group.path), String(group.count), bytes(group.bytes)]),
				[1, 2],
			),
		);
		if (groups.length > groupRows) parts.push(`<p>… and ${groups.length - groupRows} more path groups.</p>`);
	}

	parts.push(`<p>Fix: ${escapeHtmlWithCode(finding.fix)}</p></article>`);
	return parts.join('\n');
}

function suggestionSection(report: ReportInput): string {
	const {suggestion} = report;
	if (!suggestion) return '';
	const saved = report.image.finalSizeBytes - suggestion.projectedSizeBytes;
	const {low, high} = suggestion.projectedRange;
	const range = low === high ? '' : ` (${bytes(low)} to ${bytes(high)})`;
	const parts = [
		'<section id="suggestion"><h2>Suggested Dockerfile</h2>',
		`<p>${
			suggestion.basedOn === 'none'
				? `No builder stage needed: no finding proves a file of your layers build-only. Fixed in place, the findings take the final filesystem to ${bytes(suggestion.projectedSizeBytes)}, from ${bytes(report.image.finalSizeBytes)}.`
				: `Projected final filesystem of the runtime stage: ${bytes(suggestion.projectedSizeBytes)}${range}, down from ${bytes(report.image.finalSizeBytes)} (saves ${bytes(saved)}).`
		}</p>`,
	];
	if (suggestion.projectionParts.length > 0) {
		parts.push(
			htmlTable(
				['Runtime stage', 'Size'],
				[
					...suggestion.projectionParts.map((part) => [
						escapeHtml(part.estimated ? `${part.label} (estimated)` : part.label),
						bytes(part.bytes),
					]),
					...suggestion.removedParts.map((part) => [
						`left out: ${code(part.ruleId)} ${escapeHtml(part.title)}`,
						`−${bytes(part.bytes)}`,
					]),
				],
				[1],
			),
		);
	}

	if (suggestion.runtime.chain.length > 0) {
		parts.push(
			`<p>What the container runs (${escapeHtml(suggestion.runtime.kind)}), and what that needs:</p>`,
			`<ul>${suggestion.runtime.chain
				.slice(0, 12)
				.map((step) => `<li>${code(`/${step.path}`)}: ${escapeHtml(step.reason)}</li>`)
				.join('')}</ul>`,
		);
	}

	if (suggestion.notes.length > 0) {
		parts.push(
			`<p>Notes:</p><ul>${suggestion.notes.map((note) => `<li>${escapeHtmlWithCode(note)}</li>`).join('')}</ul>`,
		);
	}

	if (suggestion.dockerfile !== '') {
		parts.push(
			'<p><button type="button" class="copy" data-copy="dockerfile">Copy the Dockerfile</button> <span id="dockerfile-status" role="status"></span></p>',
			`<pre id="dockerfile">${escapeHtmlLines(suggestion.dockerfile)}</pre>`,
		);
	}

	if (suggestion.dockerignore.length > 0) {
		parts.push(
			'<h3>.dockerignore</h3><p>Add these lines so the build context stops carrying them:</p>',
			`<pre id="dockerignore">${escapeHtmlLines(suggestion.dockerignore.join('\n'))}</pre>`,
		);
	}

	parts.push('</section>');
	return parts.join('\n');
}

function diveSection(report: ReportInput, rows: number): string {
	const {efficiency} = report;
	const figures = htmlTable(
		['dive figure', 'Value'],
		[
			['Efficiency score', `${(efficiency.score * 100).toFixed(2)}%`],
			[
				'Wasted bytes',
				`${bytes(efficiency.wastedBytes)} (${escapeHtml(formatExactBytes(efficiency.wastedBytes))})`,
			],
			['User image size', bytes(efficiency.userSizeBytes)],
			['Wasted share of the user size', `${(efficiency.wastedUserPercent * 100).toFixed(2)}%`],
		],
		[1],
	);
	const top = [...efficiency.inefficiencies]
		.sort((a, b) => b.cumulativeSizeBytes - a.cumulativeSizeBytes || a.path.localeCompare(b.path))
		.slice(0, rows);
	const table =
		top.length === 0
			? ''
			: htmlTable(
					['Path', 'Count', 'Total space'],
					top.map((item) => [code(item.path), String(item.count), bytes(item.cumulativeSizeBytes)]),
					[1, 2],
				);
	return `<section id="dive"><h2>dive's figures</h2><p>As dive 0.13 computes them (its quirks included), to compare with a dive run.</p>${figures}${table}</section>`;
}

function warningsSection(warnings: string[]): string {
	if (warnings.length === 0) return '';
	return `<section id="warnings"><h2>Warnings</h2><ul>${warnings.map((warning) => `<li>${escapeHtml(warning)}</li>`).join('')}</ul></section>`;
}

function layerRows(layers: LayerRef[], side: string): string[][] {
	return layers.map((layer) => [
		escapeHtml(side),
		String(layer.index),
		code(layer.instruction),
		bytes(layer.sizeBytes),
		layer.sameContentAs === undefined
			? ''
			: `same content as layer ${layer.sameContentAs} of the other image`,
	]);
}

/** A signed count: `+3`, `-1`, `0`. */
function signedText(value: string, delta: number): string {
	return `${delta > 0 ? '+' : ''}${value}`;
}

/** The totals of both sides and their change. */
function diffTotalsTable(comparison: ImageComparison): string {
	const {a, b, delta} = comparison.totals;
	const bytesRow = (label: string, key: 'layerBytes' | 'finalBytes' | 'reclaimableBytes') => [
		label,
		bytes(a[key]),
		bytes(b[key]),
		escapeHtml(signedBytes(delta[key])),
	];
	const percent = (score: number) => (score * 100).toFixed(2);
	return htmlTable(
		['', 'A', 'B', 'Change'],
		[
			bytesRow('Layer bytes', 'layerBytes'),
			bytesRow('Final filesystem', 'finalBytes'),
			bytesRow('Reclaimable', 'reclaimableBytes'),
			[
				'dive efficiency',
				percent(a.efficiencyScore),
				percent(b.efficiencyScore),
				signedText(percent(delta.efficiencyScore), delta.efficiencyScore),
			],
			['Files', String(a.files), String(b.files), signedText(String(delta.files), delta.files)],
			['Layers', String(a.layers), String(b.layers), signedText(String(delta.layers), delta.layers)],
		],
		[1, 2, 3],
	);
}

function diffLayersSection(comparison: ImageComparison): string {
	return `<section id="layers"><h2>Layers</h2>${htmlTable(
		['Side', '#', 'Instruction', 'Size', 'Note'],
		[
			...layerRows(comparison.layers.shared, 'shared'),
			...layerRows(comparison.layers.onlyA, 'only A'),
			...layerRows(comparison.layers.onlyB, 'only B'),
		],
		[1, 3],
	)}</section>`;
}

/** A titled list of findings; nothing when there are none. */
function diffFindingList(title: string, findings: Finding[]): string {
	if (findings.length === 0) return '';
	return `<h3>${escapeHtml(title)}</h3><ul>${findings
		.map(
			(finding) => `<li>${code(finding.ruleId)} ${escapeHtml(finding.title)}: ${bytes(finding.bytes)}</li>`,
		)
		.join('')}</ul>`;
}

/** The findings per category on each side, then those new and resolved. */
function diffFindingsSection(comparison: ImageComparison): string {
	const findingRows = categoryOrder.map((category) => {
		const counts = comparison.findings.byCategory[category];
		return [
			escapeHtml(categoryTitles[category]),
			`${counts.countA} (${bytes(counts.bytesA)})`,
			`${counts.countB} (${bytes(counts.bytesB)})`,
		];
	});
	return `<section id="findings"><h2>Findings</h2>${htmlTable(['Category', 'A', 'B'], findingRows, [1, 2])}${diffFindingList(
		'New in B',
		comparison.findings.new,
	)}${diffFindingList('Resolved in B', comparison.findings.resolved)}</section>`;
}

/** `layerlens diff A B` as a page: the verdict, totals, the treemap of growth and shrinkage, the layers and findings. */
export function toDiffHtml(
	comparison: ImageComparison,
	map: SizeMap,
	options: HtmlReportOptions = {},
): string {
	const data: TreemapData = {
		map,
		categories: diffMapCategories,
		layers: [],
		findings: [],
		measure: 'bytes changed',
	};
	const body = [
		`<h1>Image diff: ${code(comparison.a.reference)} → ${code(comparison.b.reference)}</h1>`,
		`<section id="verdict"><h2>Verdict</h2><p><strong>B ${diffHeadline(comparison, code)}</strong></p>`,
		`<p>A: ${code(comparison.a.reference)} (${code(comparison.a.id.slice(0, 19))}), B: ${code(comparison.b.reference)} (${code(comparison.b.id.slice(0, 19))})</p>${diffTotalsTable(comparison)}</section>`,
		treemapSection(
			'Where the image grew and shrank',
			'Each rectangle is a path that changed between A and B, its area how many bytes it grew or shrank.',
			data,
		),
		diffLayersSection(comparison),
		diffFindingsSection(comparison),
	].join('\n');
	return htmlPage({
		title: `layerlens diff: ${comparison.a.reference} → ${comparison.b.reference}`,
		body,
		categories: diffMapCategories,
		...(options.toolVersion === undefined ? {} : {toolVersion: options.toolVersion}),
	});
}
