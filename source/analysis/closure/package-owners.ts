import {
	canonicalPackagePath,
	type DebianPackage,
	dpkgPackageFiles,
	parseDpkgStatus,
} from '../findings/package-databases.js';
import {type FileLookup, filesByPath} from '../rule-input.js';
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
	for (const file of input.files) {
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

	return {packages, ownerOf, filesOf, inBase, infoFilesOf};
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

/** Bytes a set of packages puts in the image: their files as this image holds them, plus dpkg's records of them. */
export function packageBytes(index: PackageIndex, names: string[], files: FileLookup): number {
	let bytes = 0;
	const counted = new Set<string>();
	for (const name of names) {
		for (const path of index.filesOf.get(name) ?? []) {
			if (counted.has(path)) continue;
			counted.add(path);
			const file = files.get(path);
			bytes += file?.type === 'file' ? file.size : 0;
		}

		for (const path of index.infoFilesOf.get(name) ?? []) {
			const file = files.get(path);
			bytes += file?.type === 'file' ? file.size : 0;
		}
	}

	return bytes;
}
