import {indexPackages} from '../analysis/closure/package-owners.js';
import type {FileChange} from '../analysis/compare/types.js';
import {baseLayersOfHistory} from '../analysis/findings/base-image.js';
import {buildRuleInput} from '../analysis/rule-input.js';
import type {FinalFileList, Finding, FindingCategory, ImageTree} from '../analysis/types.js';
import type {RawImage} from '../image/types.js';
import {formatBytes} from '../shared/format-bytes.js';
import type {ReportInput} from './report-input.js';
import {buildSizeMap, type SizeMap, type SizeMapEntry} from './size-map.js';

/**
How a treemap category is shown: a colour, and for reading without colour a letter on the rectangle and a
hatching pattern. The legend, the rectangles and the README read this one table.
*/
export type MapCategory = {id: string; label: string; letter: string; colour: string; pattern: string};

/** Image map categories, in the order a file is claimed: a secret first, then a finding, then what runs, then the base. */
export const imageMapCategories: readonly MapCategory[] = [
	{id: 'secret', label: 'Secret', letter: 'S', colour: '#d7263d', pattern: 'cross'},
	{id: 'build-only', label: 'Build-only', letter: 'B', colour: '#1fa2b8', pattern: 'diagonal'},
	{id: 'cache', label: 'Cache', letter: 'C', colour: '#e0a100', pattern: 'dots'},
	{id: 'waste', label: 'Waste', letter: 'W', colour: '#b83fb8', pattern: 'back-diagonal'},
	{id: 'runtime', label: 'Runtime (the container needs it)', letter: 'R', colour: '#3b6fd4', pattern: 'none'},
	{id: 'base', label: 'Base image', letter: 'I', colour: '#8a8f98', pattern: 'horizontal'},
	{id: 'app', label: 'Your layers, other files', letter: 'A', colour: '#4f9d5d', pattern: 'vertical'},
];

export const diffMapCategories: readonly MapCategory[] = [
	{id: 'grow', label: 'Grew (added or larger in B)', letter: '+', colour: '#d0553b', pattern: 'diagonal'},
	{
		id: 'shrink',
		label: 'Shrank (removed or smaller in B)',
		letter: '-',
		colour: '#3b8fd0',
		pattern: 'horizontal',
	},
];

const findingCategoryIndex: Record<FindingCategory, number> = {
	secret: 0,
	'build-only': 1,
	cache: 2,
	waste: 3,
};
const runtimeIndex = 4;
const baseIndex = 5;
const appIndex = 6;

/** `npm typescript` for a file under `node_modules/typescript/`, the innermost package. */
function npmPackage(path: string): string | undefined {
	const at = path.lastIndexOf('node_modules/');
	if (at === -1 || (at > 0 && path[at - 1] !== '/')) return undefined;
	const match = /^((?:@[^/]+\/)?[^/]+)\//.exec(path.slice(at + 'node_modules/'.length));
	return match ? `npm ${match[1]}` : undefined;
}

export type ImageMapInput = {
	files: FinalFileList;
	/** Final path → the Debian package that lists it, when the image has dpkg's database. */
	debianOwners?: ReadonlyMap<string, string>;
};

/**
The final filesystem as a treemap: each file sized by its bytes and put in the category that claims it
(a finding's, else the runtime closure's, else the base image's or the app's by the layer it came from).
*/
export function imageSizeMap(report: ReportInput, input: ImageMapInput): SizeMap {
	const claimed = new Map<string, number>();
	// Findings in category order, so a path two findings name gets the stronger category.
	const ranked = report.findings
		.map((finding, index) => ({finding, index}))
		.sort(
			(left, right) =>
				findingCategoryIndex[left.finding.category] - findingCategoryIndex[right.finding.category] ||
				left.index - right.index,
		);
	for (const {finding, index} of ranked) {
		for (const path of finding.paths) if (!claimed.has(path)) claimed.set(path, index);
	}

	const runtime = new Set(report.suggestion?.runtime.paths ?? []);
	const baseLayers = baseLayersOfHistory(report.history);
	const findings: readonly Finding[] = report.findings;
	function* entries(): Generator<SizeMapEntry> {
		for (const file of input.files) {
			const findingIndex = claimed.get(file.path);
			const category =
				findingIndex !== undefined
					? findingCategoryIndex[findings[findingIndex]!.category]
					: runtime.has(file.path)
						? runtimeIndex
						: baseLayers.has(file.layer)
							? baseIndex
							: appIndex;
			const owner = input.debianOwners?.get(file.path) ?? npmPackage(file.path);
			const ownerText = [
				owner?.startsWith('npm ') === false ? `deb ${owner}` : owner,
				file.uid !== 0 || file.gid !== 0 ? `uid ${file.uid}, gid ${file.gid}` : undefined,
			]
				.filter((part) => part !== undefined)
				.join(' · ');
			yield {
				path: file.path,
				bytes: file.type === 'file' ? file.size : 0,
				category,
				layer: file.layer,
				...(ownerText === '' ? {} : {owner: ownerText}),
				...(findingIndex === undefined ? {} : {finding: findingIndex}),
			};
		}
	}

	return buildSizeMap(entries(), {
		categories: imageMapCategories.length,
		alwaysShown: [findingCategoryIndex.secret],
	});
}

/** A diff as a treemap: every changed non-directory path sized by how much it grew or shrank. */
export function diffSizeMap(changes: readonly FileChange[]): SizeMap {
	function* entries(): Generator<SizeMapEntry> {
		for (const change of changes) {
			if (change.type === 'dir' || change.deltaBytes === 0) continue;
			yield {
				path: change.path,
				bytes: Math.abs(change.deltaBytes),
				category: change.deltaBytes > 0 ? 0 : 1,
				note: `${change.kind}, ${change.deltaBytes > 0 ? '+' : '-'}${formatBytes(Math.abs(change.deltaBytes))} (${formatBytes(change.sizeA)} → ${formatBytes(change.sizeB)})`,
			};
		}
	}

	return buildSizeMap(entries(), {categories: diffMapCategories.length});
}

/** The treemap of a loaded image: its final files as the rules read them, with dpkg's owners when it has them. */
export function loadedImageSizeMap(report: ReportInput, tree: ImageTree, raw: RawImage): SizeMap {
	const ruleInput = buildRuleInput({...report, ...tree}, raw);
	const debianOwners = indexPackages(ruleInput, baseLayersOfHistory(report.history)).ownerOf;
	return imageSizeMap(report, {files: ruleInput.files, debianOwners});
}
