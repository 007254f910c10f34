import {normalisePath} from '../closure/resolve-path.js';
import {fileViews} from '../final-file-list.js';
import {packageKeyOf, readLockfilePackages} from '../findings/npm-lockfile.js';
import {
	canonicalPackagePath,
	dpkgPackageFiles,
	parseApkInstalled,
	parseDpkgStatus,
} from '../findings/package-databases.js';
import {type FileLookup, filesByPath} from '../rule-input.js';
import type {FinalFileList} from '../types.js';
import type {Ecosystem} from './types.js';

export const ecosystems = [
	'deb',
	'apk',
	'npm',
	'pypi',
	'gem',
	'go',
	'jar',
] as const satisfies readonly Ecosystem[];

export type OwnedPackage = {
	ecosystem: Ecosystem;
	name: string;
	/** As its records say (dpkg's `Version:`, package.json's `version`, the dist-info name); empty when none does. */
	version: string;
	/** The directory (npm, Python, gems) or file (Go binaries, jars) it is installed at; absent for system packages. */
	location?: string;
	/** The final non-directory paths it owns, in the order its records list them. */
	files: string[];
	/** Sum of the sizes of its regular files in the final filesystem (hard links and symlinks are 0). */
	bytes: number;
	/** The layer that wrote its record (the `.list`, manifest, RECORD, gem spec, jar or binary); -1 when none is visible. */
	layer: number;
	/** npm only: the app's lockfile marks it as a devDependency (or one only they need). */
	dev?: true;
};

/** Which package owns each file of the final filesystem: the model a package view and a what-if build on. */
export type PackageInventory = {
	/** Largest first, then by ecosystem and name. */
	packages: OwnedPackage[];
	/** Final path → index into `packages`. Every path has at most one owner. */
	ownerOf: Map<string, number>;
	ownedBytes: number;
	/** Bytes of regular files no package manager's records name: the image's own ("yours"). */
	unownedBytes: number;
};

/** What the inventory reads: the final filesystem and the evidence files' text (see image/evidence-files.ts). */
export type PackageInput = {files: FinalFileList; evidence: Map<string, string>};

/** Lines read of one package's file list; a real one has at most tens of thousands. */
const maxListedFiles = 1_000_000;

const dpkgList = /^var\/lib\/dpkg\/info\/([^/:]+)(?::[^/]+)?\.list$/;
const dpkgInfo = /^var\/lib\/dpkg\/info\/([^/:]+)(?::[^/.]+)?\.[^/]+$/;
const pythonRecord = /^(?:(.*)\/)?([^/]+)\.dist-info\/RECORD$/;
const pythonEggFiles = /^(?:(.*)\/)?([^/]+)\.egg-info\/installed-files\.txt$/;
const gemSpec = /^(.*)\/specifications\/([^/]+)\.gemspec$/;
const gemFile = /^(.*)\/(?:gems|doc|extensions\/[^/]+\/[^/]+)\/([^/]+)\//;
const debianJar = /^usr\/share\/java\/([^/]+)\.jar$/;

/** `NAME-VERSION` (a gem, a jar, a dist-info directory) split at the first `-` before a digit. */
export function splitNameVersion(stem: string): {name: string; version: string} {
	const match = /^(.+?)-(\d.*)$/.exec(stem);
	return match === null ? {name: stem, version: ''} : {name: match[1]!, version: match[2]!};
}

/** `base/relative` normalised, or undefined when `..` would climb out of the root (a crafted record). */
export function joinInside(base: string, relative: string): string | undefined {
	if (relative.startsWith('/')) return normalisePath(relative) || undefined;
	let depth = base === '' ? 0 : base.split('/').length;
	for (const part of relative.split('/')) {
		if (part === '..') depth--;
		else if (part !== '' && part !== '.') depth++;
		if (depth < 0) return undefined;
	}

	return normalisePath(base === '' ? relative : `${base}/${relative}`) || undefined;
}

/** The first field of each line of a RECORD (CSV: `path,hash,size`, the path quoted when it holds a comma). */
export function recordPaths(text: string): string[] {
	const paths: string[] = [];
	for (const line of text.split('\n', maxListedFiles)) {
		const trimmed = line.replace(/\r$/, '');
		if (trimmed === '') continue;
		if (trimmed.startsWith('"')) {
			const match = /^"((?:[^"]|"")*)"/.exec(trimmed);
			if (match !== null) paths.push(match[1]!.replace(/""/g, '"'));
		} else {
			paths.push(trimmed.slice(0, trimmed.includes(',') ? trimmed.indexOf(',') : undefined));
		}
	}

	return paths;
}

/** dpkg-divert's records: for each diverted path, where other packages' copy of it goes and who diverted it. */
export function parseDiversions(text: string | undefined): Map<string, {to: string; by: string}> {
	const diversions = new Map<string, {to: string; by: string}>();
	const lines = (text ?? '').split('\n', 3 * maxListedFiles);
	for (let index = 0; index + 2 < lines.length; index += 3) {
		const from = normalisePath(lines[index]!);
		const to = normalisePath(lines[index + 1]!);
		const by = lines[index + 2]!.trim();
		if (from !== '' && to !== '' && by !== '') diversions.set(from, {to, by});
	}

	return diversions;
}

/** Each installed package's records, before ownership is decided. */
type Candidate = Omit<OwnedPackage, 'files' | 'bytes'> & {files: Iterable<string>};

/** dpkg: each `.list` of an installed package, its paths diverted and resolved through usr-merge links. */
function debianCandidates(input: PackageInput, files: FileLookup): Candidate[] {
	const status = input.evidence.get('var/lib/dpkg/status');
	const installed = new Map<string, string>();
	for (const entry of status === undefined ? [] : parseDpkgStatus(status)) {
		if (entry.installed) installed.set(entry.name, entry.version);
	}

	const diversions = parseDiversions(input.evidence.get('var/lib/dpkg/diversions'));
	const infoFiles = new Map<string, string[]>();
	for (const file of fileViews(input.files)) {
		const match = file.path.startsWith('var/lib/dpkg/info/') ? dpkgInfo.exec(file.path) : null;
		if (match !== null) infoFiles.set(match[1]!, [...(infoFiles.get(match[1]!) ?? []), file.path]);
	}

	const candidates: Candidate[] = [];
	const seen = new Set<string>();
	for (const path of input.evidence.keys()) {
		const name = dpkgList.exec(path)?.[1];
		if (name === undefined || seen.has(name)) continue;
		seen.add(name);
		// Without a status file every listed package counts; with one, only those it says are installed.
		const version = status === undefined ? '' : installed.get(name);
		if (version === undefined) continue;
		const owned = dpkgPackageFiles(input.evidence, name)
			.slice(0, maxListedFiles)
			.map((listed) => {
				const diversion = diversions.get(normalisePath(listed));
				const real = diversion !== undefined && diversion.by !== name ? diversion.to : listed;
				return canonicalPackagePath(files, normalisePath(real));
			});
		candidates.push({
			ecosystem: 'deb',
			name,
			version,
			files: [...owned, ...(infoFiles.get(name) ?? [])],
			layer: files.get(path)?.layer ?? -1,
		});
	}

	return candidates;
}

function alpineCandidates(input: PackageInput, files: FileLookup): Candidate[] {
	const installed = input.evidence.get('lib/apk/db/installed');
	if (installed === undefined) return [];
	const layer = files.get('lib/apk/db/installed')?.layer ?? -1;
	return parseApkInstalled(installed).map((entry) => ({
		ecosystem: 'apk' as const,
		name: entry.name,
		version: entry.version,
		files: entry.files
			.slice(0, maxListedFiles)
			.map((path) => canonicalPackagePath(files, normalisePath(path))),
		layer,
	}));
}

/** pip's RECORDs and setuptools' installed-files.txt, paths relative to the site directory or the egg-info. */
function pythonCandidates(input: PackageInput, files: FileLookup): Candidate[] {
	const candidates: Candidate[] = [];
	for (const [path, text] of input.evidence) {
		const record = pythonRecord.exec(path);
		const egg = record === null ? pythonEggFiles.exec(path) : null;
		const match = record ?? egg;
		if (match === null) continue;
		const site = match[1] ?? '';
		const base = record !== null ? site : path.slice(0, path.lastIndexOf('/'));
		const listed = record !== null ? recordPaths(text) : text.split('\n', maxListedFiles);
		const owned: string[] = [path];
		for (const entry of listed) {
			const trimmed = entry.trim();
			const joined = trimmed === '' ? undefined : joinInside(base, trimmed);
			if (joined !== undefined) owned.push(joined);
		}

		// `name-1.0-py3.11` (eggs) and `name-1.0` (wheels): the version ends before the python tag.
		const {name, version} = splitNameVersion(match[2]!.replace(/-py\d+(\.\d+)*$/, ''));
		candidates.push({
			ecosystem: 'pypi',
			name,
			version,
			location: path.slice(0, path.lastIndexOf('/')),
			files: owned,
			layer: files.get(path)?.layer ?? -1,
		});
	}

	return candidates;
}

/** npm: the package directories of every node_modules tree, named by their own package.json. */
function npmCandidates(input: PackageInput, files: FileLookup): Candidate[] {
	const byKey = new Map<string, string[]>();
	for (const file of fileViews(input.files)) {
		if (!file.path.includes('node_modules/')) continue;
		const key = packageKeyOf(file.path);
		if (key === undefined) continue;
		const list = byKey.get(key);
		if (list === undefined) byKey.set(key, [file.path]);
		else list.push(file.path);
	}

	const lockfiles = new Map<string, Map<string, {dev: boolean}> | undefined>();
	const devOf = (key: string): boolean => {
		// The lockfile of the tree's root (`app/` of `app/node_modules/a`): the hidden one npm keeps, else the app's.
		const root = key.slice(0, key.indexOf('node_modules/'));
		if (!lockfiles.has(root)) {
			const text =
				input.evidence.get(`${root}node_modules/.package-lock.json`) ??
				input.evidence.get(`${root}package-lock.json`);
			lockfiles.set(root, text === undefined ? undefined : readLockfilePackages(text));
		}

		return lockfiles.get(root)?.get(key.slice(root.length))?.dev === true;
	};

	const candidates: Candidate[] = [];
	for (const [key, owned] of byKey) {
		const manifest = readManifest(input.evidence.get(`${key}/package.json`));
		const name = manifest.name ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
		candidates.push({
			ecosystem: 'npm',
			name,
			version: manifest.version ?? '',
			location: key,
			files: owned,
			layer: files.get(`${key}/package.json`)?.layer ?? files.get(owned[0]!)?.layer ?? -1,
			...(devOf(key) ? {dev: true as const} : {}),
		});
	}

	return candidates;
}

/** A package.json's name and version when they are strings; nothing from text that is not JSON. */
function readManifest(text: string | undefined): {name?: string; version?: string} {
	if (text === undefined) return {};
	try {
		const parsed = JSON.parse(text) as {name?: unknown; version?: unknown} | null;
		return {
			...(typeof parsed?.name === 'string' ? {name: parsed.name} : {}),
			...(typeof parsed?.version === 'string' ? {version: parsed.version} : {}),
		};
	} catch {
		return {};
	}
}

/** RubyGems: each `specifications/NAME-VERSION.gemspec` owns its `gems/`, `doc/` and `extensions/…/` directories. */
function gemCandidates(input: PackageInput): Candidate[] {
	const specs = new Map<string, Candidate & {files: string[]}>();
	for (const file of fileViews(input.files)) {
		if (!file.path.includes('/specifications/')) continue;
		const spec = gemSpec.exec(file.path);
		if (spec === null) continue;
		const {name, version} = splitNameVersion(spec[2]!);
		specs.set(`${spec[1]}\0${spec[2]}`, {
			ecosystem: 'gem',
			name,
			version,
			location: `${spec[1]}/gems/${spec[2]}`,
			files: [file.path],
			layer: file.layer,
		});
	}

	if (specs.size === 0) return [];
	for (const file of fileViews(input.files)) {
		const match = gemFile.exec(file.path);
		if (match !== null) specs.get(`${match[1]}\0${match[2]}`)?.files.push(file.path);
		else if (file.path.includes('/cache/') && file.path.endsWith('.gem')) {
			const cached = /^(.*)\/cache\/([^/]+)\.gem$/.exec(file.path);
			if (cached !== null) specs.get(`${cached[1]}\0${cached[2]}`)?.files.push(file.path);
		}
	}

	return [...specs.values()];
}

/** Go binaries name their main module in the build info the linker embeds (read while streaming, see ExecInfo). */
function goCandidates(input: PackageInput): Candidate[] {
	const candidates: Candidate[] = [];
	for (const file of fileViews(input.files)) {
		const module = file.exec?.kind === 'elf' ? file.exec.goModule : undefined;
		if (module === undefined) continue;
		candidates.push({
			ecosystem: 'go',
			name: module.path,
			version: module.version,
			location: file.path,
			files: [file.path],
			layer: file.layer,
		});
	}

	return candidates;
}

/** Jars in Debian's `/usr/share/java` that no Debian package lists: copied in by hand, named by their file. */
function jarCandidates(input: PackageInput): Candidate[] {
	const candidates: Candidate[] = [];
	for (const file of fileViews(input.files)) {
		const match =
			file.type === 'file' && file.path.startsWith('usr/share/java/') ? debianJar.exec(file.path) : null;
		if (match === null) continue;
		candidates.push({
			ecosystem: 'jar',
			...splitNameVersion(match[1]!),
			location: file.path,
			files: [file.path],
			layer: file.layer,
		});
	}

	return candidates;
}

/**
Which package owns each file of the final filesystem. A file belongs to the first package that lists it,
the system's package managers first (a Debian package's jar or Python module is the Debian package's), then
Python, gems, npm, Go binaries and loose jars. Paths a record lists that the image does not have (removed
later, or a crafted `../`) are not counted. Unowned regular files are the image's own.
*/
export function packageIndex(input: PackageInput): PackageInventory {
	const files = filesByPath(input);
	const candidates = [
		...debianCandidates(input, files),
		...alpineCandidates(input, files),
		...pythonCandidates(input, files),
		...gemCandidates(input),
		...npmCandidates(input, files),
		...goCandidates(input),
		...jarCandidates(input),
	];
	const claimed = new Map<string, Candidate>();
	const ownedFiles = new Map<Candidate, string[]>();
	for (const candidate of candidates) {
		const owned: string[] = [];
		for (const path of candidate.files) {
			if (claimed.has(path) || !files.has(path)) continue;
			claimed.set(path, candidate);
			owned.push(path);
		}

		ownedFiles.set(candidate, owned);
	}

	const packages: OwnedPackage[] = [];
	let ownedBytes = 0;
	for (const candidate of candidates) {
		const owned = ownedFiles.get(candidate)!;
		if (owned.length === 0 && candidate.ecosystem !== 'deb' && candidate.ecosystem !== 'apk') continue;
		let bytes = 0;
		for (const path of owned) {
			const file = files.get(path)!;
			if (file.type === 'file') bytes += file.size;
		}

		ownedBytes += bytes;
		const {files: _listed, ...rest} = candidate;
		packages.push({...rest, files: owned, bytes});
	}

	packages.sort(
		(a, b) =>
			b.bytes - a.bytes ||
			a.ecosystem.localeCompare(b.ecosystem) ||
			a.name.localeCompare(b.name) ||
			(a.location ?? '').localeCompare(b.location ?? ''),
	);
	const ownerOf = new Map<string, number>();
	for (const [index, owned] of packages.entries()) {
		for (const path of owned.files) ownerOf.set(path, index);
	}

	let totalBytes = 0;
	for (const file of fileViews(input.files)) if (file.type === 'file') totalBytes += file.size;
	return {packages, ownerOf, ownedBytes, unownedBytes: totalBytes - ownedBytes};
}
