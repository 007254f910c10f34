import {indexPackages, type PackageIndex, type PackagePlan, planPackages} from '../closure/package-owners.js';
import type {RuntimeClosure} from '../closure/runtime-closure.js';
import {type FileIndex, filesByPath} from '../rule-input.js';
import type {FinalFile, Finding, RuleInput} from '../types.js';
import {type RuntimeCopy, runtimeCopies} from './runtime-copies.js';
import {type Placements, placeContext, placeFiles, removalIndex, removesFiles} from './runtime-placements.js';
import {type RuntimeProjection, reconcile, sizeOf} from './runtime-projection.js';

export type {RuntimeCopy} from './runtime-copies.js';
export type {ProjectionPart, RemovedPart, RuntimeProjection} from './runtime-projection.js';

export type RuntimePlan = {
	copies: RuntimeCopy[];
	/** Packages the runtime stage installs by name (apt pulls their dependencies). */
	packages: string[];
	/** Every package that install brings, beyond the base: exactly the packages the projection counts. */
	installedPackages: string[];
	/** The package manager command family, when the base has one. */
	packageManager: 'apt' | undefined;
	projection: RuntimeProjection;
	/** Whether a finding proves build-only files in the app's layers: without one a builder stage does not help. */
	builderStageHelps: boolean;
	notes: string[];
};

/**
What the runtime stage holds, kept by default and removed by proof: every file and package the user's
layers added stays, unless a finding proves it build-only, a cache or a secret (and the closure does not
need it). Packages are reinstalled by name, so apt keeps its database right; everything else is copied
from the build stage, grouped by the directories that hold nothing else. The projection reconciles to
the byte: final = Σ kept parts + Σ removed parts.
*/
export function planRuntime(
	input: RuleInput,
	findings: Finding[],
	closure: RuntimeClosure,
	baseLayers: Set<number>,
	options: {prunedInBuild?: Set<string>; explicitPackages?: Set<string>} = {},
): RuntimePlan {
	const files = filesByPath(input);
	const notes: string[] = [];
	const removedBy = removalIndex(findings);
	const index = indexPackages(input, baseLayers);
	const hasApt = index.packages.size > 0 && (files.has('usr/bin/apt-get') || files.has('bin/apt-get'));
	const packages = hasApt
		? planKeptPackages(input, index, {baseLayers, removedBy, closure, options})
		: noPackages();
	const userPackages = [...index.packages.keys()].some((name) => !index.inBase.has(name));
	if (!hasApt && userPackages)
		notes.push(
			"The image's packages are copied as files: the base has no apt-get to reinstall them with (dpkg's database keeps the base's view)",
		);

	const findingOf = (ruleId: string) => findings.find((finding) => finding.ruleId === ruleId);
	// Without apt the index still names owners; a plan of no packages then copies their files.
	const planIndex: PackageIndex = hasApt ? index : {...index, ownerOf: new Map(), infoFilesOf: new Map()};
	const context = placeContext(input, baseLayers, closure, planIndex, packages, removedBy, findingOf);
	const placements = placeFiles(input, context);
	const copies = runtimeCopies(input, placements, options.prunedInBuild ?? new Set(), notes);
	const projection = reconcile(input, placements, closure, packages);
	const builderStageHelps = projection.removed.some(
		(part) => part.category === 'build-only' && part.bytes > 0,
	);
	notes.push(...packageNotes(packages, comingBack(findings, placements, files)));
	return {
		copies,
		packages: packages.names,
		installedPackages: packages.kept,
		packageManager: hasApt ? 'apt' : undefined,
		projection,
		builderStageHelps,
		notes,
	};
}

const noPackages = (): PackagePlan => ({
	kept: [],
	names: [],
	condemned: new Map(),
	autoRemoved: new Map(),
	keptAgainstFinding: new Map(),
});

function planKeptPackages(
	input: RuleInput,
	index: PackageIndex,
	{
		baseLayers,
		removedBy,
		closure,
		options,
	}: {
		baseLayers: Set<number>;
		removedBy: Map<string, Finding>;
		closure: RuntimeClosure;
		options: {explicitPackages?: Set<string>};
	},
): PackagePlan {
	const files = filesByPath(input);
	const isUserFile = (path: string) => {
		const file = files.get(path);
		return file !== undefined && !baseLayers.has(file.layer);
	};

	return planPackages(index, {
		userFilesOf: (name) => (index.filesOf.get(name) ?? []).filter(isUserFile),
		buildOnlyRule: (path) => {
			const finding = removedBy.get(path);
			return finding?.category === 'build-only' ? finding.ruleId : undefined;
		},
		removable: (path) => removedBy.has(path),
		proven: closure.proven,
		explicit: options.explicitPackages ?? new Set(),
	});
}

function packageNotes(packages: PackagePlan, comeBack: string[]): string[] {
	const notes: string[] = [];
	for (const [name, why] of packages.keptAgainstFinding)
		notes.push(`Kept the package ${name} although a finding names its files: ${why}`);
	if (packages.autoRemoved.size > 0)
		notes.push(
			`Not reinstalled, as \`apt-get autoremove\` would take them with the build-only packages: ${[...packages.autoRemoved.keys()].sort().join(', ')}`,
		);
	if (comeBack.length > 0)
		notes.push(
			`Files some findings name that the runtime stage keeps anyway, because a reinstalled package owns them: ${comeBack.join('; ')}`,
		);
	return notes;
}

/** Findings whose bytes partly stay (files of a reinstalled package): said, so no saving is claimed twice. */
function comingBack(findings: Finding[], placements: Placements, files: FileIndex): string[] {
	const result: string[] = [];
	for (const finding of findings.filter(removesFiles)) {
		let bytes = 0;
		for (const path of finding.paths) {
			if (placements.get(path)?.kind === 'package')
				bytes += sizeOf(files.get(path) ?? ({type: 'file', size: 0} as FinalFile));
		}

		if (bytes > 0) result.push(`${finding.ruleId} ${bytes} B`);
	}

	return result;
}
