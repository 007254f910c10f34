import {fileViews} from '../final-file-list.js';
import {
	canonicalPackagePath,
	type DebianPackage,
	dpkgPackageFiles,
	parseAptAutoInstalled,
	parseDpkgStatus,
} from '../findings/package-databases.js';
import {filesByPath} from '../rule-input.js';
import type {RuleInput} from '../types.js';

/** The image's Debian packages as the runtime stage sees them: who owns a path, what apt would pull in. */
export type PackageIndex = {
	packages: Map<string, DebianPackage>;
	/** Final path (directories canonical, so `lib/x/libc.so.6` is found as `usr/lib/x/libc.so.6`) → package. */
	ownerOf: Map<string, string>;
	/** Final paths each package owns (its `.list`, canonicalised, existing files only). */
	filesOf: Map<string, string[]>;
	/** Packages whose `.list` is visible from a base layer: installed before the app's first step. */
	inBase: Set<string>;
	/** dpkg's own records of each package (`var/lib/dpkg/info/<name>[:arch].*`), which an install writes too. */
	infoFilesOf: Map<string, string[]>;
	/** Packages apt installed only as dependencies (`var/lib/apt/extended_states`); undefined without that file. */
	auto: Set<string> | undefined;
};

const infoFile = /^var\/lib\/dpkg\/info\/([^/:]+)(?::[^/.]+)?\.[^/]+$/;

const listFile = /^var\/lib\/dpkg\/info\/([^/:]+)(?::[^/]+)?\.list$/;

/**
Reads dpkg's status and `.list` files (captured as evidence while streaming). A `.list` names paths as the
package ships them (`/lib/x86_64-linux-gnu/libc.so.6`); on a usr-merged system the file lives below the
`lib` → `usr/lib` link, so each directory is resolved once through the final filesystem's symlinks.
*/
export function indexPackages(input: RuleInput, baseLayers: Set<number>): PackageIndex {
	const status = input.evidence.get('var/lib/dpkg/status');
	const packages = new Map<string, DebianPackage>();
	for (const entry of status === undefined ? [] : parseDpkgStatus(status)) {
		if (entry.installed) packages.set(entry.name, entry);
	}

	const files = filesByPath(input);
	const infoFilesOf = new Map<string, string[]>();
	for (const file of fileViews(input.files)) {
		const match = infoFile.exec(file.path);
		if (match) infoFilesOf.set(match[1]!, [...(infoFilesOf.get(match[1]!) ?? []), file.path]);
	}

	const ownerOf = new Map<string, string>();
	const filesOf = new Map<string, string[]>();
	const inBase = new Set<string>();
	for (const evidencePath of input.evidence.keys()) {
		const match = listFile.exec(evidencePath);
		if (!match) continue;
		const name = match[1]!;
		const list = files.get(evidencePath);
		if (list !== undefined && baseLayers.has(list.layer)) inBase.add(name);
		const owned: string[] = [];
		for (const shipped of dpkgPackageFiles(input.evidence, name)) {
			const path = canonicalPackagePath(files, shipped);
			if (!files.has(path)) continue;
			owned.push(path);
			if (!ownerOf.has(path)) ownerOf.set(path, name);
		}

		filesOf.set(name, owned);
	}

	const auto = parseAptAutoInstalled(input.evidence.get('var/lib/apt/extended_states'));
	return {packages, ownerOf, filesOf, inBase, infoFilesOf, auto};
}

/**
What `apt-get install --no-install-recommends NAMES` adds on top of the base: the names and every package
their Depends and Pre-Depends reach, minus what the base already has. Of alternatives (`a | b`) the one
installed in the image is taken, as apt would keep it.
*/
export function packagesToInstall(index: PackageIndex, names: Iterable<string>): string[] {
	const result = new Set<string>();
	const pending = [...names];
	while (pending.length > 0) {
		const name = pending.pop()!;
		if (result.has(name) || index.inBase.has(name)) continue;
		const entry = index.packages.get(name);
		if (entry === undefined) continue;
		result.add(name);
		for (const dependency of entry.depends) {
			if (index.packages.has(dependency)) pending.push(dependency);
		}
	}

	return [...result].sort();
}

/** Package names an `apt-get install` / `apt install` / `apk add` in these shell commands asks for by name. */
export function explicitlyInstalled(commands: Iterable<string>): Set<string> {
	const names = new Set<string>();
	for (const command of commands) {
		for (const match of command.matchAll(
			/\b(?:apt-get|apt|aptitude)\s+(?:-\S+\s+)*install\b([^;&|\n]*)|\bapk\s+add\b([^;&|\n]*)/g,
		)) {
			const words = (match[1] ?? match[2] ?? '').replace(/\\\s/g, ' ').split(/\s+/);
			for (let index = 0; index < words.length; index++) {
				const word = words[index]!;
				if (word === '--virtual' || word === '-t') {
					index++;
					continue;
				}

				if (word === '' || word.startsWith('-') || word.startsWith('$')) continue;
				const name = word.replace(/[=:].*$/, '').replace(/['"]/g, '');
				if (/^[a-z0-9][a-z0-9+.-]+$/.test(name)) names.add(name);
			}
		}
	}

	return names;
}

/** Why a package of the user's layers is or is not in the runtime stage. */
export type PackagePlan = {
	/** The packages the runtime stage's install brings: every package of the user's layers no finding condemns. */
	kept: string[];
	/** The names the install line writes; apt's Depends bring the rest of `kept`. */
	names: string[];
	/** Packages whose every file a build-only finding names: the rule id that proves it. */
	condemned: Map<string, string>;
	/** Automatically installed packages that only condemned ones pulled in (what `apt-get autoremove` takes after them). */
	autoRemoved: Map<string, string>;
	/** Packages kept against a finding, and why (the closure needs a file of it, or a kept package depends on it). */
	keptAgainstFinding: Map<string, string>;
};

function reach(
	index: PackageIndex,
	roots: Iterable<string>,
	weak: boolean,
	limit?: Set<string>,
	exclude?: Map<string, unknown>,
): Set<string> {
	const seen = new Set<string>();
	const pending = [...roots];
	while (pending.length > 0) {
		const name = pending.pop()!;
		if (seen.has(name) || (limit !== undefined && !limit.has(name)) || exclude?.has(name)) continue;
		const entry = index.packages.get(name);
		if (entry === undefined) continue;
		seen.add(name);
		for (const dependency of entry.depends) pending.push(dependency);
		if (weak) for (const dependency of entry.weakDepends) pending.push(dependency);
	}

	return seen;
}

/** What `planPackages` is told about the image's files and findings. */
export type PlanOptions = {
	/** Paths in the user's layers each owned package has (files from base layers excluded). */
	userFilesOf: (name: string) => string[];
	/** Rule id of the build-only finding that names a path, when one does. */
	buildOnlyRule: (path: string) => string | undefined;
	/** Whether any removing finding (build-only or cache) names a path. */
	removable: (path: string) => boolean;
	proven: Set<string>;
	explicit: Set<string>;
};

/** The package decisions `planPackages` revises until apt's Depends agree with them. */
type Verdicts = Pick<PackagePlan, 'condemned' | 'autoRemoved' | 'keptAgainstFinding'>;

/** Packages all of whose user-layer files a removing finding names: condemned by a build-only rule, unless the closure needs one. */
function condemnByFindings(user: string[], options: PlanOptions): Verdicts {
	const keptAgainstFinding = new Map<string, string>();
	const condemned = new Map<string, string>();
	for (const name of user) {
		const files = options.userFilesOf(name);
		if (files.length === 0 || !files.every(options.removable)) continue;
		if (files.some((path) => options.proven.has(path))) {
			keptAgainstFinding.set(name, 'the runtime closure needs a file of it');
			continue;
		}

		const rule = files.map(options.buildOnlyRule).find((id) => id !== undefined);
		if (rule !== undefined) condemned.set(name, rule);
	}

	return {condemned, autoRemoved: new Map(), keptAgainstFinding};
}

/** The packages apt keeps for their own sake: manually installed or asked for by name, and owners of closure files. */
function keptRoots(
	index: PackageIndex,
	user: string[],
	condemned: Map<string, string>,
	options: PlanOptions,
): string[] {
	const auto = index.auto;
	const roots = user.filter(
		(name) => !condemned.has(name) && (auto === undefined || !auto.has(name) || options.explicit.has(name)),
	);
	// Owners of closure files are roots whatever apt's marks say.
	for (const name of user) {
		if (!condemned.has(name) && [...options.userFilesOf(name)].some((path) => options.proven.has(path)))
			roots.push(name);
	}

	return roots;
}

/** Fills `verdicts.autoRemoved`: automatic packages only condemned ones pulled in, as `apt-get autoremove` finds them. */
function markAutoRemoved(
	index: PackageIndex,
	user: string[],
	verdicts: Verdicts,
	options: PlanOptions,
): void {
	const {condemned, autoRemoved} = verdicts;
	const auto = index.auto;
	// A purged package keeps nothing installed: the walk does not pass through condemned packages.
	const keptReach = reach(
		index,
		[...keptRoots(index, user, condemned, options), ...index.inBase],
		true,
		undefined,
		condemned,
	);
	autoRemoved.clear();
	if (auto === undefined) return;
	const userSet = new Set(user);
	for (const [name, rule] of condemned) {
		for (const pulled of reach(index, [name], true, userSet)) {
			if (pulled !== name && auto.has(pulled) && !keptReach.has(pulled) && !condemned.has(pulled))
				if (!autoRemoved.has(pulled)) autoRemoved.set(pulled, rule);
		}
	}
}

/** What the install line pulls by Depends cannot be gone: un-condemns it; returns whether anything changed. */
function keepDependencies(index: PackageIndex, user: string[], verdicts: Verdicts): boolean {
	const {condemned, autoRemoved, keptAgainstFinding} = verdicts;
	const kept = user.filter((name) => !condemned.has(name) && !autoRemoved.has(name));
	const pulled = reach(index, kept, false);
	let changed = false;
	for (const name of pulled) {
		const by = kept.find((keeper) => index.packages.get(keeper)?.depends.includes(name)) ?? 'a kept package';
		if (condemned.delete(name) || autoRemoved.delete(name)) {
			keptAgainstFinding.set(name, `${by} depends on it`);
			changed = true;
		}
	}

	return changed;
}

/**
The names the install line writes: the kept packages installed by hand or by name, then of the rest those no
other remaining package depends on, then one of each remaining cycle, until apt's Depends bring every kept one.
*/
function installNames(index: PackageIndex, kept: string[], options: PlanOptions): string[] {
	const auto = index.auto;
	const primary = kept.filter(
		(name) => options.explicit.has(name) || (auto !== undefined && !auto.has(name)),
	);
	const names: string[] = [...primary];
	const covered = reach(index, primary, false);
	for (;;) {
		const remaining = kept.filter((name) => !covered.has(name));
		if (remaining.length === 0) break;
		const dependedOn = new Set<string>();
		for (const name of remaining) {
			for (const dependency of index.packages.get(name)?.depends ?? [])
				if (dependency !== name) dependedOn.add(dependency);
		}

		const roots = remaining.filter((name) => !dependedOn.has(name));
		const chosen = roots.length > 0 ? roots : [remaining[0]!];
		for (const name of chosen) {
			if (covered.has(name)) continue;
			names.push(name);
			for (const reached of reach(index, [name], false)) covered.add(reached);
		}
	}

	return names.sort();
}

/**
The runtime stage's packages, kept by default: every package the user's layers installed stays unless a
build-only finding names all of its files (condemned), or it was installed automatically and only condemned
packages needed it (apt's autoremove, which keeps what any kept package Depends on, Recommends or Suggests).
A package the closure needs, or that a kept package Depends on, is never condemned. Dependency cycles are
fine: reachability, not an order, decides.
*/
export function planPackages(index: PackageIndex, options: PlanOptions): PackagePlan {
	const user = [...index.packages.keys()].filter(
		(name) => !index.inBase.has(name) && index.filesOf.has(name),
	);
	const verdicts = condemnByFindings(user, options);
	for (let round = 0; round < 8; round++) {
		markAutoRemoved(index, user, verdicts, options);
		if (!keepDependencies(index, user, verdicts)) break;
	}

	const {condemned, autoRemoved, keptAgainstFinding} = verdicts;
	const kept = user.filter((name) => !condemned.has(name) && !autoRemoved.has(name)).sort();
	return {kept, names: installNames(index, kept, options), condemned, autoRemoved, keptAgainstFinding};
}
