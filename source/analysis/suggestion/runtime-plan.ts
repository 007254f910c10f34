import {indexPackages, type PackageIndex, type PackagePlan, planPackages} from '../closure/package-owners.js';
import {normalisePath} from '../closure/resolve-path.js';
import type {RuntimeClosure} from '../closure/runtime-closure.js';
import {isBuildOnlyOrCache} from '../finding-categories.js';
import {bytecodeSource} from '../findings/package-databases.js';
import {type FileIndex, filesByPath} from '../rule-input.js';
import type {FinalFile, Finding, RuleInput} from '../types.js';
import {isCopyablePath} from './dockerfile-syntax.js';

/** One kept part of the projected runtime image, so the report can say where the bytes come from. */
export type ProjectionPart = {
	label: string;
	bytes: number;
	/** Not measured from this image's own bytes: the range widens by this part's uncertainty. */
	estimated?: boolean;
};

/** Bytes a finding takes out of the runtime stage. */
export type RemovedPart = {ruleId: string; title: string; category: Finding['category']; bytes: number};

export type RuntimeProjection = {
	/** Final-filesystem bytes of the suggested runtime stage: `finalBytes - Σ removed`, to the byte. */
	bytes: number;
	/** The range when part of it is estimated (apt may fetch other versions than the image holds). */
	low: number;
	high: number;
	/** What stays, each part a line: base, closure, packages, app, each other top directory. Adds up to `bytes`. */
	parts: ProjectionPart[];
	/** What goes, by the finding that proves it. Adds up to `finalBytes - bytes`. */
	removed: RemovedPart[];
	/** The image's final filesystem today. */
	finalBytes: number;
};

/** A `COPY --from=build` of one path, to the same path. */
export type RuntimeCopy = {path: string; chown?: string; bytes: number};

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

const removesFiles = (finding: Finding) =>
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
type Placement =
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
class Placements {
	readonly #files: readonly FinalFile[];
	readonly #index: FileIndex;
	readonly #byPosition: Placement[] = [];
	readonly #removing = new Map<Finding, Placement>();

	constructor(files: readonly FinalFile[], index: FileIndex) {
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
		return this.#index.unique ? position : this.#index.positionOf(this.#files[position]!.path);
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
			const {path} = this.#files[position]!;
			if (seen !== undefined) {
				if (seen.has(path)) continue;
				seen.add(path);
			}

			const canonical = this.canonical(position);
			visit(path, canonical, this.#byPosition[canonical]!);
		}
	}
}

/**
The fewest paths that copy exactly the wanted files (`wantedPaths`, each once; `isWanted` by position):
the outermost directory below which every final file is wanted (or will be gone from the build stage
anyway, like pruned dev dependencies); a directory that also holds a base file, a package's file or a
removed file is split. The blocked directories are a set of path prefixes, each file marking its parent and
the ancestors not yet marked, so the work is linear in the paths' length whatever their depth; files come
grouped by directory, so a file in the directory just seen costs no lookup.
*/
function copyUnits(
	files: readonly FinalFile[],
	isWanted: (position: number) => boolean,
	wantedPaths: readonly string[],
	goneInBuild: Set<string>,
): string[] {
	const blocked = new Set<string>();
	let lastBlocked = '';
	for (let position = 0; position < files.length; position++) {
		const {path} = files[position]!;
		if (isWanted(position) || goneInBuild.has(path)) continue;
		const parent = path.lastIndexOf('/');
		if (parent > 0 && parent === lastBlocked.length && path.startsWith(lastBlocked)) continue;
		// A marked directory has its ancestors marked already.
		for (let slash = parent; slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
			const directory = path.slice(0, slash);
			if (slash === parent) lastBlocked = directory;
			if (blocked.has(directory)) break;
			blocked.add(directory);
		}
	}

	const units = new Set<string>();
	const unitOfDirectory = new Map<string, string | undefined>();
	for (const path of wantedPaths) {
		const parent = path.lastIndexOf('/');
		if (parent <= 0) {
			units.add(outermostUnit(path, blocked) ?? path);
			continue;
		}

		const directory = path.slice(0, parent);
		let unit = unitOfDirectory.get(directory);
		if (unit === undefined && !unitOfDirectory.has(directory)) {
			unit = outermostUnit(path, blocked);
			unitOfDirectory.set(directory, unit);
		}

		units.add(unit ?? path);
	}

	// Sorted, a unit inside another directly follows it (or one inside it): keep only the outermost.
	const result: string[] = [];
	for (const unit of [...units].sort()) {
		const last = result.at(-1);
		if (last === undefined || !unit.startsWith(`${last}/`)) result.push(unit);
	}

	return result;
}

/**
The outermost directory of `path` that holds no blocked file, through copyable names only, or undefined
(the path is its own unit). Only the path's directories are read: the answer is its parent directory's.
*/
function outermostUnit(path: string, blocked: Set<string>): string | undefined {
	let start = 0;
	for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) {
		if (!isCopyablePath(path.slice(start, slash))) break;
		const directory = path.slice(0, slash);
		if (!blocked.has(directory)) return directory;
		start = slash + 1;
	}

	return undefined;
}

/** The first finding that removes each path, build-only before cache before secret, larger first. */
function removalIndex(findings: Finding[]): Map<string, Finding> {
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

function placeContext(
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
function placeFiles(input: RuleInput, context: PlaceContext): Placements {
	const {placements} = context;
	for (const file of input.files) placements.push(placeFile(file, context));

	// A kept hard link keeps its target's bytes: the target is not removed, it travels with the link.
	const files = filesByPath(input);
	for (const file of input.files) {
		if (file.type !== 'hardlink' || file.linkTarget === undefined) continue;
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

const sizeOf = (file: FinalFile) => (file.type === 'file' ? file.size : 0);

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

/** The owner all of a copy's files share so far (undefined once one differs or the first is root's). */
type UnitOwner = {uid: number; gid: number; shared: boolean};

/** The `COPY --from=build` lines: the copied files grouped by their units, with their bytes and owner. */
function runtimeCopies(
	input: RuleInput,
	placements: Placements,
	prunedInBuild: Set<string>,
	notes: string[],
): RuntimeCopy[] {
	// By position (a path listed twice: at its later file's), and each path once in order.
	const wanted = new Uint8Array(input.files.length);
	const wantedPaths: string[] = [];
	placements.forEachPath((path, position, placement) => {
		if (placement.kind !== 'copy') return;
		if (isCopyablePath(path)) {
			wanted[position] = 1;
			wantedPaths.push(path);
		} else
			notes.push(`\`${JSON.stringify(path)}\` has characters a COPY cannot name safely: copy it by hand`);
	});

	const isWanted = (position: number) => wanted[placements.canonical(position)] === 1;
	const units = copyUnits(input.files, isWanted, wantedPaths, prunedInBuild);
	const underUnit = unitFinder(new Set(units));
	const copiedLinkTo = new Map<string, string>();
	for (let position = 0; position < input.files.length; position++) {
		const file = input.files[position]!;
		if (file.type === 'hardlink' && file.linkTarget !== undefined && placements.at(position).kind === 'copy')
			copiedLinkTo.set(normalisePath(file.linkTarget), file.path);
	}

	const owners = new Map<string, UnitOwner>();
	const unitBytes = new Map<string, number>();
	for (let position = 0; position < input.files.length; position++) {
		const file = input.files[position]!;
		const {kind} = placements.at(position);
		if (kind !== 'copy' && kind !== 'linked') continue;
		// A linked target's bytes go with the copy that holds a link to it.
		const link = kind === 'copy' ? file.path : copiedLinkTo.get(file.path);
		const unit = link === undefined ? undefined : underUnit(link);
		if (unit === undefined) continue;
		if (kind === 'copy') {
			const owner = owners.get(unit);
			if (owner === undefined) owners.set(unit, {uid: file.uid, gid: file.gid, shared: true});
			else if (owner.uid !== file.uid || owner.gid !== file.gid) owner.shared = false;
		}
		unitBytes.set(unit, (unitBytes.get(unit) ?? 0) + sizeOf(file));
	}

	return units.map((unit) => {
		const chown = sharedOwner(owners.get(unit));
		return {path: unit, ...(chown === undefined ? {} : {chown}), bytes: unitBytes.get(unit) ?? 0};
	});
}

/** Owner `uid:gid` all copied files share, when it is not root (COPY --from would make them root's). */
function sharedOwner(owner: UnitOwner | undefined): string | undefined {
	if (owner === undefined || (owner.uid === 0 && owner.gid === 0) || !owner.shared) return undefined;
	return `${owner.uid}:${owner.gid}`;
}

/**
The unit a path is copied by: the path itself, or its nearest directory that is a unit. Files share
directories, so each directory's answer is kept rather than every file walking its ancestors again.
*/
function unitFinder(units: Set<string>): (path: string) => string | undefined {
	const ofDirectory = new Map<string, string | undefined>();
	// A loop, not recursion: a hostile path can be 100,000 directories deep.
	const inDirectory = (directory: string): string | undefined => {
		if (units.size === 0) return undefined;
		const unanswered: string[] = [];
		let unit: string | undefined;
		let current = directory;
		for (;;) {
			if (units.has(current)) {
				unit = current;
				break;
			}

			if (ofDirectory.has(current)) {
				unit = ofDirectory.get(current);
				break;
			}

			unanswered.push(current);
			const slash = current.lastIndexOf('/');
			if (slash <= 0) break;
			current = current.slice(0, slash);
		}

		for (const each of unanswered) ofDirectory.set(each, unit);
		return unit;
	};

	// Files come grouped by directory: the one just answered is checked first, without a lookup.
	let lastDirectory = '';
	let lastUnit: string | undefined;
	return (path) => {
		if (units.has(path)) return path;
		const slash = path.lastIndexOf('/');
		if (slash <= 0) return undefined;
		if (slash === lastDirectory.length && path.startsWith(lastDirectory)) return lastUnit;
		lastDirectory = path.slice(0, slash);
		lastUnit = inDirectory(lastDirectory);
		return lastUnit;
	};
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

/** The projection as lines that add up: kept parts + removed parts = the final filesystem, to the byte. */
function reconcile(
	input: RuleInput,
	placements: Placements,
	closure: RuntimeClosure,
	packages: PackagePlan,
): RuntimeProjection {
	let finalBytes = 0;
	let base = 0;
	let packaged = 0;
	let closureBytes = 0;
	const byDirectory = new Map<string, number>();
	const removed = new Map<string, RemovedPart>();
	const appDirectory = closure.appDirectory;
	for (let position = 0; position < input.files.length; position++) {
		const file = input.files[position]!;
		const bytes = sizeOf(file);
		finalBytes += bytes;
		const placement = placements.at(position);
		if (placement.kind === 'base') base += bytes;
		else if (placement.kind === 'package') packaged += bytes;
		else if (placement.kind === 'removed') {
			const {ruleId, title, category} = placement.finding;
			const part = removed.get(ruleId) ?? {ruleId, title, category, bytes: 0};
			part.bytes += bytes;
			removed.set(ruleId, part);
		} else if (placement.kind === 'copy' && placement.closure) closureBytes += bytes;
		else {
			const directory =
				appDirectory !== undefined && (file.path === appDirectory || file.path.startsWith(`${appDirectory}/`))
					? appDirectory
					: file.path.includes('/')
						? file.path.slice(0, file.path.indexOf('/'))
						: file.path;
			byDirectory.set(directory, (byDirectory.get(directory) ?? 0) + bytes);
		}
	}

	const parts: ProjectionPart[] = [{label: 'the base image', bytes: base}];
	if (closureBytes > 0)
		parts.push({label: 'files the runtime closure proves the entrypoint needs', bytes: closureBytes});
	if (packages.kept.length > 0 || packaged > 0)
		parts.push({
			label: `${packages.kept.length} package${packages.kept.length === 1 ? '' : 's'} reinstalled, with what their install writes (sizes as in this image)`,
			bytes: packaged,
			estimated: true,
		});
	// Directories of links and empty files only add a line of 0 B: their COPY stays, the line does not.
	const directories = [...byDirectory].filter(([, bytes]) => bytes > 0).sort((a, b) => b[1] - a[1]);
	for (const [directory, bytes] of directories.slice(0, 8)) {
		parts.push({
			label: directory === appDirectory ? `the app directory /${directory}` : `/${directory}`,
			bytes,
		});
	}

	const rest = directories.slice(8).reduce((sum, [, bytes]) => sum + bytes, 0);
	if (directories.length > 8)
		parts.push({label: `${directories.length - 8} other paths your layers added`, bytes: rest});
	const removedParts = [...removed.values()].sort((a, b) => b.bytes - a.bytes);
	const bytes = finalBytes - removedParts.reduce((sum, part) => sum + part.bytes, 0);
	// Reinstalled packages may come in another version than the image holds, and apt writes its own logs and
	// database: 5 % of that part either way is the margin seen between Debian point releases.
	const margin = parts
		.filter((part) => part.estimated)
		.reduce((sum, part) => sum + Math.ceil(part.bytes * 0.05), 0);
	return {bytes, low: bytes - margin, high: bytes + margin, parts, removed: removedParts, finalBytes};
}
