import {type LinkLookup, resolvePath} from '../closure/resolve-path.js';
/** Debian's and Alpine's package databases, as plain data. */

export type DebianPackage = {
	name: string;
	/** `Version:` as dpkg records it (`1:2.36-9+deb12u4`); empty when the paragraph has none. */
	version: string;
	section: string;
	installed: boolean;
	essential: boolean;
	/** Depends and Pre-Depends: what `apt-get install --no-install-recommends` pulls in. */
	depends: string[];
	/** Recommends and Suggests: what keeps a package from `apt-get autoremove` (apt's defaults). */
	weakDepends: string[];
};

/** Names in a Depends/Pre-Depends field: `libc6 (>= 2.36), libgcc-s1 | foo` → libc6, libgcc-s1, foo. */
function dependencyNames(field: string): string[] {
	return field
		.split(/[,|]/)
		.map((part) => part.trim().split(/[\s:(]/)[0] ?? '')
		.filter((name) => name !== '');
}

export function parseDpkgStatus(text: string): DebianPackage[] {
	const packages: DebianPackage[] = [];
	for (const paragraph of text.split(/\n\s*\n/)) {
		const fields = new Map<string, string>();
		let last: string | undefined;
		for (const line of paragraph.split('\n')) {
			if (/^\s/.test(line) && last !== undefined) {
				fields.set(last, `${fields.get(last)}\n${line.trim()}`);
				continue;
			}

			const colon = line.indexOf(':');
			if (colon > 0) {
				last = line.slice(0, colon);
				fields.set(last, line.slice(colon + 1).trim());
			}
		}

		const name = fields.get('Package');
		if (name === undefined) {
			continue;
		}

		packages.push({
			name,
			version: fields.get('Version') ?? '',
			section: fields.get('Section') ?? '',
			installed: (fields.get('Status') ?? 'install ok installed').endsWith(' installed'),
			essential: fields.get('Essential') === 'yes',
			depends: dependencyNames(`${fields.get('Depends') ?? ''},${fields.get('Pre-Depends') ?? ''}`),
			weakDepends: dependencyNames(`${fields.get('Recommends') ?? ''},${fields.get('Suggests') ?? ''}`),
		});
	}

	return packages;
}

/** The files dpkg lists for a package (`var/lib/dpkg/info/<name>.list` or `<name>:<arch>.list`), without leading slash. */
export function dpkgPackageFiles(evidence: Map<string, string>, name: string): string[] {
	let text = evidence.get(`var/lib/dpkg/info/${name}.list`);
	if (text === undefined) {
		const prefix = `var/lib/dpkg/info/${name}:`;
		for (const [path, value] of evidence) {
			if (path.startsWith(prefix) && path.endsWith('.list')) {
				text = value;
				break;
			}
		}
	}

	return (text ?? '')
		.split('\n')
		.map((line) => line.trim().replace(/^\/+/, ''))
		.filter((line) => line !== '' && line !== '.');
}

/**
Packages apt marked as installed only to satisfy another (`Auto-Installed: 1` in
`var/lib/apt/extended_states`); undefined when the image has no such file, so nothing can be called automatic.
*/
export function parseAptAutoInstalled(text: string | undefined): Set<string> | undefined {
	if (text === undefined) return undefined;
	const auto = new Set<string>();
	for (const paragraph of text.split(/\n\s*\n/)) {
		const name = /^Package:\s*(\S+)/m.exec(paragraph)?.[1];
		if (name !== undefined && /^Auto-Installed:\s*1\s*$/m.test(paragraph)) auto.add(name);
	}

	return auto;
}

export type AlpinePackage = {name: string; version: string; depends: string[]; files: string[]};

export function parseApkInstalled(text: string): AlpinePackage[] {
	const packages: AlpinePackage[] = [];
	for (const block of text.split(/\n\s*\n/)) {
		let current: AlpinePackage | undefined;
		let directory = '';
		for (const line of block.split('\n')) {
			const key = line.slice(0, 2);
			const value = line.slice(2);
			if (key === 'P:') {
				current = {name: value, version: '', depends: [], files: []};
				packages.push(current);
			} else if (current && key === 'V:') {
				current.version = value;
			} else if (current && key === 'D:') {
				current.depends = value
					.split(/\s+/)
					.filter((name) => name !== '' && !name.startsWith('!'))
					.map((name) => name.split(/[<>=~]/)[0]!);
			} else if (current && key === 'F:') {
				directory = value;
			} else if (current && key === 'R:') {
				current.files.push(directory === '' ? value : `${directory}/${value}`);
			}
		}
	}

	return packages;
}

/** Top-level directories that usr-merged systems replace by symlinks into usr/ (`lib -> usr/lib`). */
const usrMergeDirectory = /^(bin|sbin|lib|lib32|lib64|libx32)$/;

type PathLookup = LinkLookup;

/**
Where a path a package lists really is in the image: on a usr-merged system `/lib/x86_64-linux-gnu/libc.so.6`
is `usr/lib/x86_64-linux-gnu/libc.so.6`, because the top-level `lib` is a symlink to `usr/lib`. The directory
part is resolved through every symlink on the way (the name itself stays: a package may own a link); a path
that does not resolve is returned as listed.
*/
export function canonicalPackagePath(byPath: PathLookup, path: string): string {
	const slash = path.lastIndexOf('/');
	if (slash === -1) {
		return path;
	}

	const directory = resolvePath(byPath, path.slice(0, slash), () => true).path;
	return directory === undefined ? path : `${directory}${path.slice(slash)}`;
}

/**
A listed path that is a symlink in the image but a directory in the package (usr-merge's `lib`, `bin`):
the package put files below it, so it is not one of the package's files.
*/
export function isMergedDirectory(byPath: PathLookup, path: string): boolean {
	return usrMergeDirectory.test(path) && byPath.get(path)?.type === 'symlink';
}

const ownedCache = new WeakMap<Map<string, string>, Set<string>>();

/**
Every path a package manager installed: the files of all `var/lib/dpkg/info/*.list` and of Alpine's
`lib/apk/db/installed`, canonicalised through usr-merge symlinks. Built once per image.
*/
export function packageOwnedPaths(evidence: Map<string, string>, byPath: PathLookup): Set<string> {
	let owned = ownedCache.get(evidence);
	if (owned !== undefined) {
		return owned;
	}

	owned = new Set();
	for (const [path, text] of evidence) {
		if (!/^var\/lib\/dpkg\/info\/[^/]+\.list$/.test(path)) {
			continue;
		}

		for (const line of text.split('\n')) {
			const listed = line.trim().replace(/^\/+/, '');
			if (listed !== '' && listed !== '.') {
				owned.add(canonicalPackagePath(byPath, listed));
			}
		}
	}

	const apk = evidence.get('lib/apk/db/installed');
	if (apk !== undefined) {
		for (const entry of parseApkInstalled(apk)) {
			for (const file of entry.files) {
				owned.add(canonicalPackagePath(byPath, file));
			}
		}
	}

	ownedCache.set(evidence, owned);
	return owned;
}

/** The `.py` a bytecode file was compiled from (`a/__pycache__/m.cpython-311.pyc` → `a/m.py`), if it is bytecode. */
export function bytecodeSource(path: string): string | undefined {
	// Most paths are not bytecode: the pattern's lazy prefix would try every position of them first.
	if (!(path.endsWith('.pyc') || path.endsWith('.pyo'))) return undefined;
	const match = /^(.*?)(?:\/__pycache__)?\/([^/]+?)(?:\.cpython-\d+|\.pypy\d*)?(?:\.opt-\d)?\.py[co]$/.exec(
		path,
	);
	return match === null ? undefined : `${match[1]}/${match[2]}.py`;
}

/**
Bytecode of a package's own Python sources: Debian's postinst (py3compile) writes it on every install, so
no Dockerfile can leave it out short of not installing the package, and reinstalling the package writes it again.
*/
export function isPackageBytecode(path: string, owned: {has(path: string): boolean}): boolean {
	const source = bytecodeSource(path);
	return source !== undefined && owned.has(source);
}
