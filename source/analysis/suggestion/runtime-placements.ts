import type {PackageIndex, PackagePlan} from '../closure/package-owners.js';
import {normalisePath} from '../closure/resolve-path.js';
import type {RuntimeClosure} from '../closure/runtime-closure.js';
import {fileViews, pathAt, typeAt} from '../final-file-list.js';
import {isBuildOnlyOrCache} from '../finding-categories.js';
import {bytecodeSource} from '../findings/package-databases.js';
import {type FileIndex, filesByPath} from '../rule-input.js';
import type {FinalFile, FinalFileList, Finding, RuleInput} from '../types.js';

export const removesFiles = (finding: Finding) =>
	finding.fromBase !== true && (isBuildOnlyOrCache(finding) || finding.category === 'secret');

/** What a package manager writes about itself: rewritten by the runtime stage's own install, never copied. */
const packageManagerState =
	/^(var\/lib\/dpkg|var\/lib\/apt|var\/cache\/apt|var\/cache\/debconf|var\/cache\/ldconfig|var\/log\/(apt|dpkg\.log|alternatives\.log|bootstrap\.log)|lib\/apk\/db|etc\/apk|var\/cache\/apk|etc\/ld\.so\.cache$)/;

/**
Caches that dpkg triggers rebuild from the packages' own files (update-mime-database, the icon, GDK pixbuf,
GIO and GSettings caches, install-info, mkfontdir): the reinstall writes them again. Anything else a package
step wrote outside etc/ and var/ is kept as a copy: it may be the user's.
*/
const triggerOutput =
	/^(usr\/share\/mime\/|usr\/share\/icons\/[^/]+\/icon-theme\.cache$|usr\/lib\/[^/]+\/gdk-pixbuf-2\.0\/[^/]+\/loaders\.cache$|usr\/lib\/[^/]+\/gio\/modules\/giomodule\.cache$|usr\/share\/glib-2\.0\/schemas\/gschemas\.compiled$|usr\/share\/info\/dir(\.old)?$|usr\/share\/fonts\/.+\/fonts\.(dir|scale)$)/;

/** What the runtime stage's own install line deletes in the same RUN (apt-get clean, the lists, the logs). */
const cleanedByInstall =
	/^(var\/lib\/apt\/lists\/|var\/cache\/apt\/|var\/log\/apt\/|var\/log\/(dpkg|alternatives)\.log$)/;

/** A layer whose step ran a package manager: its unowned files under etc/ and var/ are what install scripts wrote. */
const runsPackageManager =
	/\b(apt-get|apt|aptitude|dpkg|apk)\s+(-\S+\s+)*(install|add|-i|reinstall|upgrade|dist-upgrade)\b/;

/** Where each final file of the user's layers goes in the runtime stage. */
export type Placement =
	| {kind: 'base'}
	| {kind: 'package'}
	| {kind: 'copy'; closure: boolean}
	/** Kept because a kept hard link names it: its bytes travel with that link's copy. */
	| {kind: 'linked'}
	| {kind: 'removed'; finding: Finding};

// One object per kind, shared by every file placed so: a million files cost a pointer each, not an object.
const basePlacement: Placement = {kind: 'base'};
const packagePlacement: Placement = {kind: 'package'};
const copyPlacement: Placement = {kind: 'copy', closure: false};
const closureCopyPlacement: Placement = {kind: 'copy', closure: true};
const linkedPlacement: Placement = {kind: 'linked'};

/**
Every final file's placement by its position in the files, looked up by path through the files' index (a
path listed twice takes its later file's placement, as a map by path would): no map of a million paths.
*/
export class Placements {
	readonly #files: FinalFileList;
	readonly #index: FileIndex;
	readonly #byPosition: Placement[] = [];
	readonly #removing = new Map<Finding, Placement>();

	constructor(files: FinalFileList, index: FileIndex) {
		this.#files = files;
		this.#index = index;
	}

	/** Places the next file (they are placed in order). */
	push(placement: Placement): void {
		this.#byPosition.push(placement);
	}

	/** The one `removed` placement of each finding. */
	removedBy(finding: Finding): Placement {
		let placement = this.#removing.get(finding);
		if (placement === undefined) {
			placement = {kind: 'removed', finding};
			this.#removing.set(finding, placement);
		}

		return placement;
	}

	/** The position whose placement the file at `position` has: its own, or its path's later file's. */
	canonical(position: number): number {
		return this.#index.unique ? position : this.#index.positionOf(pathAt(this.#files, position));
	}

	/** The placement of the path of the file at `position`. */
	at(position: number): Placement {
		return this.#byPosition[this.canonical(position)]!;
	}

	get(path: string): Placement | undefined {
		const position = this.#index.positionOf(path);
		return position === -1 ? undefined : this.#byPosition[position];
	}

	set(path: string, placement: Placement): void {
		const position = this.#index.positionOf(path);
		if (position !== -1) this.#byPosition[position] = placement;
	}

	/** Each path once, in the order of its first file, with its placement's (canonical) position. */
	forEachPath(visit: (path: string, position: number, placement: Placement) => void): void {
		const seen = this.#index.unique ? undefined : new Set<string>();
		for (let position = 0; position < this.#files.length; position++) {
			const path = pathAt(this.#files, position);
			if (seen !== undefined) {
				if (seen.has(path)) continue;
				seen.add(path);
			}

			const canonical = this.canonical(position);
			visit(path, canonical, this.#byPosition[canonical]!);
		}
	}
}

/** The first finding that removes each path, build-only before cache before secret, larger first. */
export function removalIndex(findings: Finding[]): Map<string, Finding> {
	const order = {'build-only': 0, cache: 1, secret: 2, waste: 3} as const;
	const byPath = new Map<string, Finding>();
	const removing = findings
		.filter(removesFiles)
		.sort((a, b) => order[a.category] - order[b.category] || b.bytes - a.bytes);
	for (const finding of removing) {
		for (const path of finding.paths) if (!byPath.has(path)) byPath.set(path, finding);
	}

	return byPath;
}

/** What placing one file reads: the packages' plan and index, the closure, the findings by path. */
type PlaceContext = {
	baseLayers: Set<number>;
	closure: RuntimeClosure;
	index: PackageIndex;
	removedBy: Map<string, Finding>;
	reinstall: boolean;
	kept: Set<string>;
	goneWith(name: string): Finding | undefined;
	firstCondemning: Finding | undefined;
	packageSources: Set<string>;
	infoOwner: Map<string, string>;
	packageLayers: Set<number>;
	placements: Placements;
};

export function placeContext(
	input: RuleInput,
	baseLayers: Set<number>,
	closure: RuntimeClosure,
	index: PackageIndex,
	packages: PackagePlan,
	removedBy: Map<string, Finding>,
	findingOf: (ruleId: string) => Finding | undefined,
): PlaceContext {
	const goneWith = (name: string) => {
		const rule = packages.condemned.get(name) ?? packages.autoRemoved.get(name);
		return rule === undefined ? undefined : findingOf(rule);
	};

	const firstCondemning = [...packages.condemned.values()].map(findingOf).find((finding) => finding);
	const packageSources = new Set<string>();
	for (const name of packages.kept)
		for (const path of index.filesOf.get(name) ?? []) packageSources.add(path);
	const infoOwner = new Map<string, string>();
	for (const [name, paths] of index.infoFilesOf) for (const path of paths) infoOwner.set(path, name);
	const packageLayers = new Set(
		input.layers
			.filter((layer) => runsPackageManager.test(layer.createdBy ?? layer.instruction))
			.map((layer) => layer.index),
	);
	return {
		baseLayers,
		closure,
		index,
		removedBy,
		reinstall: packages.kept.length > 0,
		kept: new Set(packages.kept),
		goneWith,
		firstCondemning,
		packageSources,
		infoOwner,
		packageLayers,
		placements: new Placements(input.files, filesByPath(input)),
	};
}

/** Where every user file goes: removed by a finding, reinstalled with its package, or copied. */
export function placeFiles(input: RuleInput, context: PlaceContext): Placements {
	const {placements} = context;
	for (const file of fileViews(input.files)) placements.push(placeFile(file, context));

	// A kept hard link keeps its target's bytes: the target is not removed, it travels with the link.
	const files = filesByPath(input);
	for (let position = 0; position < input.files.length; position++) {
		if (typeAt(input.files, position) !== 'hardlink') continue;
		const file = input.files.at(position)!;
		if (file.linkTarget === undefined) continue;
		const placement = placements.get(file.path);
		if (placement === undefined || placement.kind === 'removed') continue;
		const target = normalisePath(file.linkTarget);
		if (placements.get(target)?.kind === 'removed' && files.get(target)?.type === 'file')
			placements.set(target, linkedPlacement);
	}

	return placements;
}

function placeFile(file: FinalFile, context: PlaceContext): Placement {
	const {path} = file;
	const {index, placements, removedBy} = context;
	if (context.baseLayers.has(file.layer)) return basePlacement;
	const proven = context.closure.proven.has(path);
	const owner = index.ownerOf.get(path) ?? context.infoOwner.get(path);
	const userOwner = owner !== undefined && !index.inBase.has(owner) ? owner : undefined;
	if (userOwner !== undefined) {
		const finding = context.goneWith(userOwner);
		return context.kept.has(userOwner) || finding === undefined
			? packagePlacement
			: placements.removedBy(finding);
	}

	const source = bytecodeSource(path);
	if (!proven && installWritten(file, owner, source, context)) {
		const cleaned = removedBy.get(path);
		// The runtime stage's install line cleans these the same RUN: a finding that names them keeps its bytes.
		if (cleaned !== undefined && cleanedByInstall.test(path)) return placements.removedBy(cleaned);
		if (
			context.reinstall &&
			(packageManagerState.test(path) || source === undefined || context.packageSources.has(source))
		)
			return packagePlacement;
		const finding = removedBy.get(path) ?? (index.packages.size > 0 ? context.firstCondemning : undefined);
		if (finding !== undefined && !context.reinstall) return placements.removedBy(finding);
	}

	const finding = removedBy.get(path);
	if (finding !== undefined && !proven) return placements.removedBy(finding);
	return proven ? closureCopyPlacement : copyPlacement;
}

/** Whether a package manager's install (here or in the base's step) wrote the file rather than the user. */
function installWritten(
	file: FinalFile,
	owner: string | undefined,
	source: string | undefined,
	context: PlaceContext,
): boolean {
	const {path} = file;
	if (packageManagerState.test(path)) return true;
	if (!context.packageLayers.has(file.layer) || owner !== undefined) return false;
	// update-alternatives' links (usr/bin/cc -> /etc/alternatives/cc) belong to no package: the postinst of
	// the reinstalled package writes them again, and a removed package's would dangle.
	const alternativesLink =
		file.type === 'symlink' &&
		file.linkTarget !== undefined &&
		/^\/?etc\/alternatives\//.test(file.linkTarget);
	return (
		/^(etc|var)\//.test(path) ||
		alternativesLink ||
		triggerOutput.test(path) ||
		(source !== undefined && context.index.ownerOf.has(source))
	);
}
