import type {PackageChange} from '../analysis/packages/index.js';
import type {Finding, ImageReport, LayerSummary, WasteItem} from '../analysis/types.js';
import {formatBytes, formatExactBytes} from '../shared/format-bytes.js';
import {categoryOrder, categoryTitles, describeHideCause} from './category-labels.js';
import {escapeText, escapeTextWithCode, fencedBlock, inlineCode, table, truncate} from './markdown-text.js';
import type {ReportInput} from './report-input.js';

export type MarkdownReportOptions = {
	/** Rows in the top-waste table. */
	wasteRows?: number;
	/** Path groups shown per finding. */
	groupRows?: number;
	/** Rows in the largest-packages table. */
	packageRows?: number;
	toolVersion?: string;
};

const instructionLimit = 100;

/**
The report for a pull-request comment or a wiki page: GitHub-flavoured Markdown, no raw HTML, tables with a
fixed cell count, deterministic for a given analysis (no timestamps).
*/
export function toMarkdown(analysis: ReportInput, options: MarkdownReportOptions = {}): string {
	const sections = [
		titleSection(analysis),
		summarySection(analysis),
		layersSection(analysis),
		wasteSection(analysis, options.wasteRows ?? 10),
		findingsSection(analysis, options.groupRows ?? 5),
		packagesSection(analysis, options.packageRows ?? 10),
		suggestionSection(analysis),
		warningsSection(analysis),
		footer(options.toolVersion),
	];
	return `${sections.filter((section) => section !== '').join('\n\n')}\n`;
}

function titleSection(analysis: ImageReport): string {
	return `# Image report: ${inlineCode(analysis.image.reference, {inTable: false})}`;
}

function bytesCell(bytes: number): string {
	return formatBytes(bytes);
}

function percent(part: number, whole: number): string {
	if (whole <= 0) {
		return '0%';
	}

	return `${((part / whole) * 100).toFixed(1)}%`;
}

function summarySection(analysis: ReportInput): string {
	const {image, waste, efficiency} = analysis;
	const platform = [image.os, image.architecture, image.variant].filter(Boolean).join('/');
	const findingBytes = (category: Finding['category']) =>
		analysis.findings.filter((finding) => finding.category === category).reduce((sum, f) => sum + f.bytes, 0);
	const rows: string[][] = [
		['Image', inlineCode(image.reference, {inTable: true})],
		['Image ID', inlineCode(shortId(image.id), {inTable: true})],
		['Platform', escapeText(platform)],
		['Layers', String(image.layerCount)],
		['Uncompressed layer total', `${bytesCell(image.sizeBytes)} (${formatExactBytes(image.sizeBytes)})`],
		['Final filesystem', `${bytesCell(image.finalSizeBytes)} (${formatExactBytes(image.finalSizeBytes)})`],
		[
			'Hidden by later layers (reclaimable)',
			`${bytesCell(waste.reclaimableBytes)} (${percent(waste.reclaimableBytes, image.sizeBytes)} of layers)`,
		],
		['Build-only files in the final filesystem', bytesCell(findingBytes('build-only'))],
		['Caches in the final filesystem', bytesCell(findingBytes('cache'))],
		['dive efficiency score', `${(efficiency.score * 100).toFixed(2)}%`],
	];
	if (analysis.suggestion) {
		const saved = image.finalSizeBytes - analysis.suggestion.projectedSizeBytes;
		rows.push([
			'Projected final filesystem after fixes',
			`${bytesCell(analysis.suggestion.projectedSizeBytes)} (saves ${bytesCell(saved)}, ${percent(saved, image.finalSizeBytes)})`,
		]);
	}

	return ['## Summary', table(['Measure', 'Value'], ['left', 'right'], rows)].join('\n\n');
}

function shortId(id: string): string {
	const [algorithm, hex] = id.includes(':') ? id.split(':', 2) : ['', id];
	return `${algorithm ? `${algorithm}:` : ''}${(hex ?? '').slice(0, 12)}`;
}

function layerFlags(layer: LayerSummary, findings: Finding[]): string {
	const flags: string[] = [];
	if (layer.wasteIntroducedBytes > 0) {
		flags.push(`waste ${formatBytes(layer.wasteIntroducedBytes)}`);
	}

	for (const category of ['build-only', 'cache', 'secret'] as const) {
		const bytes = findings
			.filter((finding) => finding.category === category && finding.layerIndex === layer.index)
			.reduce((sum, finding) => sum + finding.bytes, 0);
		const count = findings.filter(
			(finding) => finding.category === category && finding.layerIndex === layer.index,
		).length;
		if (count > 0) {
			flags.push(category === 'secret' ? 'secret' : `${category} ${formatBytes(bytes)}`);
		}
	}

	return flags.join(', ');
}

function layersSection(analysis: ImageReport): string {
	const rows = analysis.layers.map((layer) => [
		String(layer.index),
		inlineCode(truncate(layer.instruction, instructionLimit), {inTable: true}),
		bytesCell(layer.sizeBytes),
		layerFlags(layer, analysis.findings),
	]);
	return [
		'## Layers',
		table(['#', 'Instruction', 'Size', 'Flags'], ['right', 'left', 'right', 'left'], rows),
	].join('\n\n');
}

function wasteSection(analysis: ImageReport, limit: number): string {
	const {waste} = analysis;
	if (waste.items.length === 0) {
		return '## Top waste\n\nNo file is hidden by a later layer.';
	}

	const sorted = [...waste.items].sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path));
	const shown = sorted.slice(0, limit);
	const rows = shown.map((item) => [
		inlineCode(item.path, {inTable: true}),
		bytesCell(item.bytes),
		escapeText(wasteCause(item)),
		String(item.addedInLayer),
		String(item.hiddenInLayer),
	]);
	const parts = [
		'## Top waste',
		`Bytes stored in a layer but hidden in the final filesystem: ${formatBytes(waste.reclaimableBytes)} in ${waste.items.length} ${waste.items.length === 1 ? 'file' : 'files'}.`,
		table(
			['Path', 'Size', 'Cause', 'Added in layer', 'Hidden by layer'],
			['left', 'right', 'left', 'right', 'right'],
			rows,
		),
	];
	const rest = sorted.slice(limit);
	if (rest.length > 0) {
		const restBytes = rest.reduce((sum, item) => sum + item.bytes, 0);
		parts.push(`… and ${rest.length} more (${formatBytes(restBytes)}).`);
	}

	return parts.join('\n\n');
}

/** Names in a cell: the largest few, then how many more. */
function changeCell(changes: PackageChange[], upgraded = false): string {
	if (changes.length === 0) return '';
	const bytes = changes.reduce((sum, change) => sum + change.bytes, 0);
	const named = changes
		.slice(0, 5)
		.map((change) =>
			upgraded
				? `${change.name} ${change.fromVersion} → ${change.version}`
				: `${change.name} ${change.version} (${formatBytes(change.bytes)})`,
		);
	const more = changes.length > 5 ? `, … ${changes.length - 5} more` : '';
	return escapeText(`${changes.length}, ${formatBytes(bytes)}: ${named.join(', ')}${more}`);
}

function packagesSection(analysis: ImageReport, limit: number): string {
	const report = analysis.packages;
	if (report === undefined) return '';
	const total = report.ownedBytes + report.unownedBytes;
	const parts = [
		'## Packages',
		report.packages.length === 0
			? `No package manager's records name a file: all ${formatBytes(total)} are the image's own.`
			: `${report.packages.length} packages own ${formatBytes(report.ownedBytes)} of the final ${formatBytes(total)} (${percent(report.ownedBytes, total)}); ${formatBytes(report.unownedBytes)} are files no package names (the image's own). Sizes are the files on disk, not a package database's estimate.`,
	];
	if (report.packages.length === 0) return parts.join('\n\n');
	parts.push(
		table(
			['Ecosystem', 'Packages', 'Size'],
			['left', 'right', 'right'],
			report.ecosystems.map((entry) => [entry.ecosystem, String(entry.count), bytesCell(entry.bytes)]),
		),
		table(
			['Package', 'Version', 'Ecosystem', 'Layer', 'Size'],
			['left', 'left', 'left', 'right', 'right'],
			report.packages
				.slice(0, limit)
				.map((owned) => [
					inlineCode(owned.location ?? owned.name, {inTable: true}),
					owned.version === '' ? '' : inlineCode(owned.version, {inTable: true}),
					owned.dev ? `${owned.ecosystem} (dev)` : owned.ecosystem,
					owned.layer < 0 ? '' : String(owned.layer),
					bytesCell(owned.bytes),
				]),
		),
	);
	if (report.packages.length > limit) parts.push(`… and ${report.packages.length - limit} more.`);
	if (report.layers.length > 0) {
		parts.push(
			'### Packages per layer',
			table(
				['Layer', 'Installed', 'Removed', 'Upgraded'],
				['right', 'left', 'left', 'left'],
				report.layers.map((entry) => [
					String(entry.layer),
					changeCell(entry.installed),
					changeCell(entry.removed),
					changeCell(entry.upgraded, true),
				]),
			),
		);
	}

	return parts.join('\n\n');
}

function wasteCause(item: WasteItem): string {
	const cause = describeHideCause(item.cause);
	return item.sameContent ? `${cause} (same content, e.g. chmod/chown)` : cause;
}

function findingsSection(analysis: ReportInput, groupRows: number): string {
	if (analysis.findings.length === 0) {
		return '## Findings\n\nNo findings.';
	}

	const parts = ['## Findings'];
	const own = analysis.findings.filter((finding) => !finding.fromBase);
	const fromBase = analysis.findings.filter((finding) => finding.fromBase);
	if (own.length === 0) {
		parts.push('No findings in your layers.');
	}

	for (const category of categoryOrder) {
		const findings = own
			.filter((finding) => finding.category === category)
			.sort((a, b) => b.bytes - a.bytes || a.ruleId.localeCompare(b.ruleId));
		if (findings.length === 0) {
			continue;
		}

		const total = findings.reduce((sum, finding) => sum + finding.bytes, 0);
		const noun = findings.length === 1 ? 'finding' : 'findings';
		parts.push(`### ${categoryTitles[category]}: ${findings.length} ${noun}, ${formatBytes(total)}`);
		for (const finding of findings) {
			parts.push(findingBlock(finding, analysis, groupRows));
		}
	}

	// The base image's files: only another base removes them, so they are apart from what the Dockerfile can fix.
	if (fromBase.length > 0) {
		const total = fromBase.reduce((sum, finding) => sum + finding.bytes, 0);
		const noun = fromBase.length === 1 ? 'finding' : 'findings';
		parts.push(
			`### From the base image: ${fromBase.length} ${noun}, ${formatBytes(total)}`,
			'These files came with the base image: no step of your Dockerfile removes them; choose another base to drop them. They are not in the projection and do not fail `--ci` by default.',
		);
		for (const finding of [...fromBase].sort(
			(a, b) => b.bytes - a.bytes || a.ruleId.localeCompare(b.ruleId),
		)) {
			parts.push(findingBlock(finding, analysis, groupRows));
		}
	}

	return parts.join('\n\n');
}

function findingBlock(finding: Finding, analysis: ReportInput, groupRows: number): string {
	const heading = `#### ${inlineCode(finding.ruleId, {inTable: false})} ${escapeText(finding.title)}`;
	const facts = [
		`- Measured: ${formatBytes(finding.bytes)} (${formatExactBytes(finding.bytes)}) in ${finding.paths.length} ${finding.paths.length === 1 ? 'file' : 'files'}, ${finding.confidence} confidence`,
	];
	const where: string[] = [];
	if (finding.layerIndex !== undefined) {
		const instruction = finding.instruction ?? analysis.layers[finding.layerIndex]?.instruction;
		where.push(
			`layer ${finding.layerIndex}${instruction ? ` ${inlineCode(truncate(instruction, instructionLimit), {inTable: false})}` : ''}`,
		);
	}

	if (finding.dockerfileLine !== undefined) {
		where.push(
			inlineCode(`${analysis.dockerfilePath ?? 'Dockerfile'}:${finding.dockerfileLine}`, {inTable: false}),
		);
	}

	if (where.length > 0) {
		facts.push(`- Added by: ${where.join(', ')}`);
	}

	const parts = [heading, facts.join('\n')];
	if (finding.evidence.length > 0) {
		parts.push(
			['Evidence:', '', ...finding.evidence.map((line) => `- ${escapeTextWithCode(line)}`)].join('\n'),
		);
	}

	if (finding.groups.length > 0) {
		const groups = [...finding.groups].sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path));
		const rows = groups
			.slice(0, groupRows)
			.map((group) => [inlineCode(group.path, {inTable: true}), String(group.count), bytesCell(group.bytes)]);
		parts.push(table(['Path', 'Files', 'Size'], ['left', 'right', 'right'], rows));
		if (groups.length > groupRows) {
			parts.push(`… and ${groups.length - groupRows} more path groups.`);
		}
	}

	parts.push(`Fix: ${escapeTextWithCode(finding.fix)}`);
	return parts.join('\n\n');
}

function suggestionSection(analysis: ReportInput): string {
	const {suggestion} = analysis;
	if (!suggestion) {
		return '';
	}

	const saved = analysis.image.finalSizeBytes - suggestion.projectedSizeBytes;
	const {low, high} = suggestion.projectedRange;
	const range = low === high ? '' : ` (${formatBytes(low)} to ${formatBytes(high)})`;
	const parts = [
		'## Suggested Dockerfile',
		suggestion.basedOn === 'none'
			? `No builder stage needed: no finding proves a file of your layers build-only. Fixed in place, the findings take the final filesystem to ${formatBytes(suggestion.projectedSizeBytes)}, from ${formatBytes(analysis.image.finalSizeBytes)}.`
			: `Projected final filesystem of the runtime stage: ${formatBytes(suggestion.projectedSizeBytes)}${range}, down from ${formatBytes(analysis.image.finalSizeBytes)} (saves ${formatBytes(saved)}).`,
	];
	if (suggestion.projectionParts.length > 0) {
		parts.push(
			table(
				['Runtime stage', 'Size'],
				['left', 'right'],
				[
					...suggestion.projectionParts.map((part) => [
						escapeText(part.estimated ? `${part.label} (estimated)` : part.label),
						bytesCell(part.bytes),
					]),
					// The reconciliation: every byte left out names the finding that proves it removable.
					...suggestion.removedParts.map((part) => [
						`left out: ${inlineCode(part.ruleId, {inTable: true})} ${escapeText(part.title)}`,
						`−${bytesCell(part.bytes)}`,
					]),
				],
			),
		);
	}

	if (suggestion.runtime.chain.length > 0) {
		const chain = suggestion.runtime.chain
			.slice(0, 12)
			.map((step) => `- ${inlineCode(`/${step.path}`, {inTable: false})}: ${escapeText(step.reason)}`);
		parts.push(
			`What the container runs (${escapeText(suggestion.runtime.kind)}), and what that needs:`,
			chain.join('\n'),
		);
	}

	if (suggestion.notes.length > 0) {
		parts.push('Notes:', suggestion.notes.map((note) => `- ${escapeTextWithCode(note)}`).join('\n'));
	}
	const categories = categoryOrder.filter((category) => (suggestion.byCategory[category] ?? 0) > 0);
	const others = Object.keys(suggestion.byCategory)
		.filter(
			(key) => !(categoryOrder as readonly string[]).includes(key) && (suggestion.byCategory[key] ?? 0) > 0,
		)
		.sort();
	const rows = [
		...categories.map((category) => [
			categoryTitles[category],
			bytesCell(suggestion.byCategory[category] ?? 0),
		]),
		...others.map((key) => [escapeText(key), bytesCell(suggestion.byCategory[key] ?? 0)]),
	];
	if (rows.length > 0) {
		parts.push(table(['Saved by removing', 'Size'], ['left', 'right'], rows));
	}

	if (suggestion.dockerfile !== '') {
		parts.push(fencedBlock(suggestion.dockerfile, 'dockerfile'));
	}
	if (suggestion.dockerignore.length > 0) {
		parts.push('### .dockerignore', 'Add these lines so the build context stops carrying them:');
		parts.push(fencedBlock(suggestion.dockerignore.join('\n'), 'gitignore'));
	}

	return parts.join('\n\n');
}

function warningsSection(analysis: ImageReport): string {
	if (analysis.warnings.length === 0) {
		return '';
	}

	return ['## Warnings', analysis.warnings.map((warning) => `- ${escapeText(warning)}`).join('\n')].join(
		'\n\n',
	);
}

function footer(toolVersion: string | undefined): string {
	const sizes = 'Sizes use decimal units (1 kB = 1000 B).';
	return toolVersion ? `${sizes} Generated by layerlens ${escapeText(toolVersion)}.` : sizes;
}
