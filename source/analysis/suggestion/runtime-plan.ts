import {indexPackages, type PackageIndex, type PackagePlan, planPackages} from '../closure/package-owners.js';
import {normalisePath} from '../closure/resolve-path.js';
import type {RuntimeClosure} from '../closure/runtime-closure.js';
import {isBuildOnlyOrCache} from '../finding-categories.js';
import {bytecodeSource} from '../findings/package-databases.js';
import {filesByPath} from '../rule-input.js';
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

/** Owner `uid:gid` all copied files share, when it is not root (COPY --from would make them root's). */
function sharedOwner(files: FinalFile[]): string | undefined {
	const first = files[0];
	if (first === undefined || (first.uid === 0 && first.gid === 0)) return undefined;
	return files.every((file) => file.uid === first.uid && file.gid === first.gid)
		? `${first.uid}:${first.gid}`
		: undefined;
}

/** Where each final file of the user's layers goes in the runtime stage. */
type Placement =
	| {kind: 'base'}
	| {kind: 'package'}
	| {kind: 'copy'; closure: boolean}
	/** Kept because a kept hard link names it: its bytes travel with that link's copy. */
	| {kind: 'linked'}
	| {kind: 'removed'; finding: Finding};

type CountNode = {children: Map<string, CountNode>; blocked: number};

/**
The fewest paths that copy exactly the `wanted` files: the outermost directory below which every final
file is wanted (or will be gone from the build stage anyway, like pruned dev dependencies); a directory
that also holds a base file, a package's file or a removed file is split. The counts live in a trie of
path segments, so the work is linear in the paths' length whatever their depth.
*/
function copyUnits(files: FinalFile[], wanted: Set<string>, goneInBuild: Set<string>): string[] {
	const root: CountNode = {children: new Map(), blocked: 0};
	const nodeOf = (segments: string[], create: boolean, visit?: (node: CountNode) => void) => {
		let node: CountNode | undefined = root;
		for (let index = 0; index < segments.length - 1 && node !== undefined; index++) {
			let child: CountNode | undefined = node.children.get(segments[index]!);
			if (child === undefined && create) {
				child = {children: new Map(), blocked: 0};
				node.children.set(segments[index]!, child);
			}

			node = child;
			if (node) visit?.(node);
		}

		return node;
	};

	for (const file of files) {
		if (wanted.has(file.path) || goneInBuild.has(file.path)) continue;
		nodeOf(file.path.split('/'), true, (node) => {
			node.blocked++;
		});
	}

	const units = new Set<string>();
	for (const path of wanted) {
		const segments = path.split('/');
		let node: CountNode | undefined = root;
		let chosen = segments.length;
		for (let depth = 1; depth < segments.length; depth++) {
			node = node?.children.get(segments[depth - 1]!);
			if (!isCopyablePath(segments[depth - 1]!)) break;
			if (node === undefined || node.blocked === 0) {
				chosen = depth;
				break;
			}
		}

		units.add(chosen === segments.length ? path : segments.slice(0, chosen).join('/'));
	}

	// Sorted, a unit inside another directly follows it (or one inside it): keep only the outermost.
	const result: string[] = [];
	for (const unit of [...units].sort()) {
		const last = result.at(-1);
		if (last === undefined || !unit.startsWith(`${last}/`)) result.push(unit);
	}

	return result;
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

/** Where every user file goes: removed by a finding, reinstalled with its package, or copied. */
function placeFiles(
	input: RuleInput,
	baseLayers: Set<number>,
	closure: RuntimeClosure,
	index: PackageIndex,
	packages: PackagePlan,
	removedBy: Map<string, Finding>,
	findingOf: (ruleId: string) => Finding | undefined,
): Map<string, Placement> {
	const reinstall = packages.kept.length > 0;
	const kept = new Set(packages.kept);
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

	const placements = new Map<string, Placement>();
	for (const file of input.files) {
		const {path} = file;
		if (baseLayers.has(file.layer)) {
			placements.set(path, {kind: 'base'});
			continue;
		}

		const proven = closure.proven.has(path);
		const owner = index.ownerOf.get(path) ?? infoOwner.get(path);
		const userOwner = owner !== undefined && !index.inBase.has(owner) ? owner : undefined;
		if (userOwner !== undefined) {
			const finding = goneWith(userOwner);
			placements.set(
				path,
				kept.has(userOwner) || finding === undefined ? {kind: 'package'} : {kind: 'removed', finding},
			);
			continue;
		}

		const source = bytecodeSource(path);
		// update-alternatives' links (usr/bin/cc -> /etc/alternatives/cc) belong to no package: the postinst of
		// the reinstalled package writes them again, and a removed package's would dangle.
		const alternativesLink =
			file.type === 'symlink' &&
			file.linkTarget !== undefined &&
			/^\/?etc\/alternatives\//.test(file.linkTarget);
		const installWritten =
			packageManagerState.test(path) ||
			(packageLayers.has(file.layer) &&
				owner === undefined &&
				(/^(etc|var)\//.test(path) ||
					alternativesLink ||
					triggerOutput.test(path) ||
					(source !== undefined && index.ownerOf.has(source))));
		if (installWritten && !proven) {
			const cleaned = removedBy.get(path);
			// The runtime stage's install line cleans these the same RUN: a finding that names them keeps its bytes.
			if (cleaned !== undefined && cleanedByInstall.test(path)) {
				placements.set(path, {kind: 'removed', finding: cleaned});
				continue;
			}

			if (
				reinstall &&
				(packageManagerState.test(path) || source === undefined || packageSources.has(source))
			) {
				placements.set(path, {kind: 'package'});
				continue;
			}

			const finding = removedBy.get(path) ?? (index.packages.size > 0 ? firstCondemning : undefined);
			if (finding !== undefined && !reinstall) {
				placements.set(path, {kind: 'removed', finding});
				continue;
			}
		}

		const finding = removedBy.get(path);
		placements.set(
			path,
			finding !== undefined && !proven ? {kind: 'removed', finding} : {kind: 'copy', closure: proven},
		);
	}

	// A kept hard link keeps its target's bytes: the target is not removed, it travels with the link.
	const files = filesByPath(input);
	for (const file of input.files) {
		if (file.type !== 'hardlink' || file.linkTarget === undefined) continue;
		const placement = placements.get(file.path);
		if (placement === undefined || placement.kind === 'removed') continue;
		const target = normalisePath(file.linkTarget);
		if (placements.get(target)?.kind === 'removed' && files.get(target)?.type === 'file')
			placements.set(target, {kind: 'linked'});
	}

	return placements;
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
	const isUserFile = (path: string) => {
		const file = files.get(path);
		return file !== undefined && !baseLayers.has(file.layer);
	};

	const packages: PackagePlan = hasApt
		? planPackages(index, {
				userFilesOf: (name) => (index.filesOf.get(name) ?? []).filter(isUserFile),
				buildOnlyRule: (path) => {
					const finding = removedBy.get(path);
					return finding?.category === 'build-only' ? finding.ruleId : undefined;
				},
				removable: (path) => removedBy.has(path),
				proven: closure.proven,
				explicit: options.explicitPackages ?? new Set(),
			})
		: {kept: [], names: [], condemned: new Map(), autoRemoved: new Map(), keptAgainstFinding: new Map()};
	const userPackages = [...index.packages.keys()].some((name) => !index.inBase.has(name));
	if (!hasApt && userPackages)
		notes.push(
			"The image's packages are copied as files: the base has no apt-get to reinstall them with (dpkg's database keeps the base's view)",
		);

	const findingOf = (ruleId: string) => findings.find((finding) => finding.ruleId === ruleId);
	// Without apt the index still names owners; a plan of no packages then copies their files.
	const planIndex: PackageIndex = hasApt ? index : {...index, ownerOf: new Map(), infoFilesOf: new Map()};
	const placements = placeFiles(input, baseLayers, closure, planIndex, packages, removedBy, findingOf);

	const wanted = new Set<string>();
	for (const [path, placement] of placements) {
		if (placement.kind !== 'copy') continue;
		if (isCopyablePath(path)) wanted.add(path);
		else notes.push(`\`${JSON.stringify(path)}\` has characters a COPY cannot name safely: copy it by hand`);
	}

	const units = copyUnits(input.files, wanted, options.prunedInBuild ?? new Set());
	const underUnit = (path: string) => {
		for (let slash = path.length; slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
			const prefix = path.slice(0, slash);
			if (unitSet.has(prefix)) return prefix;
		}

		return undefined;
	};

	const unitSet = new Set(units);
	const copiedLinkTo = new Map<string, string>();
	for (const file of input.files) {
		if (
			file.type === 'hardlink' &&
			file.linkTarget !== undefined &&
			placements.get(file.path)?.kind === 'copy'
		)
			copiedLinkTo.set(normalisePath(file.linkTarget), file.path);
	}

	const copiedFiles = new Map<string, FinalFile[]>();
	const unitBytes = new Map<string, number>();
	for (const file of input.files) {
		const placement = placements.get(file.path);
		if (placement?.kind !== 'copy' && placement?.kind !== 'linked') continue;
		let unit: string | undefined;
		if (placement.kind === 'copy') unit = underUnit(file.path);
		else {
			// A linked target's bytes go with the copy that holds a link to it.
			const link = copiedLinkTo.get(file.path);
			unit = link === undefined ? undefined : underUnit(link);
		}

		if (unit === undefined) continue;
		if (placement.kind === 'copy') {
			// Appended in place: a copy of the list per file made this quadratic (minutes on 100k files in one unit).
			const list = copiedFiles.get(unit);
			if (list === undefined) copiedFiles.set(unit, [file]);
			else list.push(file);
		}
		unitBytes.set(unit, (unitBytes.get(unit) ?? 0) + sizeOf(file));
	}

	const copies: RuntimeCopy[] = units.map((unit) => {
		const chown = sharedOwner(copiedFiles.get(unit) ?? []);
		return {path: unit, ...(chown === undefined ? {} : {chown}), bytes: unitBytes.get(unit) ?? 0};
	});

	const projection = reconcile(input, placements, closure, packages);
	const builderStageHelps = projection.removed.some(
		(part) => part.category === 'build-only' && part.bytes > 0,
	);
	for (const [name, why] of packages.keptAgainstFinding)
		notes.push(`Kept the package ${name} although a finding names its files: ${why}`);
	if (packages.autoRemoved.size > 0)
		notes.push(
			`Not reinstalled, as \`apt-get autoremove\` would take them with the build-only packages: ${[...packages.autoRemoved.keys()].sort().join(', ')}`,
		);
	const comeBack = comingBack(findings, placements, files);
	if (comeBack.length > 0)
		notes.push(
			`Files some findings name that the runtime stage keeps anyway, because a reinstalled package owns them: ${comeBack.join('; ')}`,
		);

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

/** Findings whose bytes partly stay (files of a reinstalled package): said, so no saving is claimed twice. */
function comingBack(
	findings: Finding[],
	placements: Map<string, Placement>,
	files: ReturnType<typeof filesByPath>,
): string[] {
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
	placements: Map<string, Placement>,
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
	for (const file of input.files) {
		const bytes = sizeOf(file);
		finalBytes += bytes;
		const placement = placements.get(file.path) ?? {kind: 'base'};
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
