/**
Which files the reader keeps the text of while streaming. Contents are otherwise never kept; these are
the package databases and manifests that turn a path pattern into evidence ("the lockfile says dev: true"),
and the small ini files and scripts that say what a PHP or Perl runtime loads.
*/

export const evidenceCaptureLimitBytes = 32 * 1024 * 1024;

const dpkgListFile = /^var\/lib\/dpkg\/info\/[^/]+\.list$/;
const fixedEvidencePaths = new Set([
	'var/lib/dpkg/status',
	'var/lib/apt/extended_states',
	'var/lib/dpkg/diversions',
	'lib/apk/db/installed',
	'etc/apk/world',
	'etc/os-release',
	'usr/lib/os-release',
]);

/** Small config and script texts the runtime closure reads; a larger one is not what it seems, so it is not kept. */
export const smallEvidenceLimitBytes = 256 * 1024;

/** PHP's ini files (Debian `etc/php/8.2/…`, Alpine `etc/php82/…`, the official image's `usr/local/etc/php/…`): they enable extensions. */
const phpIniFile = /^(usr\/local\/)?etc\/php[^/]*\/.*\.ini$/;

/** A Perl script outside perl's own trees: its `use lib` and `use` lines name what it loads. */
const perlScript = /\.pl$/;
const perlTree = /(^|\/)perl5?(\/|$)/;

/**
A package's own manifest at the root of its directory in a node_modules tree (`node_modules/@s/b/package.json`,
not `node_modules/b/lib/package.json`): its name and version say which package owns the directory.
*/
const nodePackageManifest = /(^|\/)node_modules\/(@[^/]+\/)?[^/.@][^/]*\/package\.json$/;

/** What pip and setuptools installed: the files of a wheel (`RECORD`) or of an egg (`installed-files.txt`). */
const pythonFileList = /\.(dist-info\/RECORD|egg-info\/installed-files\.txt)$/;

/** A package's file list larger than this is not kept (the largest real RECORD, of a big wheel, is a few MB). */
export const packageListLimitBytes = 8 * 1024 * 1024;

/**
Per-package evidence (the manifests and file lists above) one layer may keep in all: a node_modules tree of
thousands of packages is a few MB, and a layer of a million crafted manifests must not hold them all.
*/
export const packageEvidenceBudgetBytes = 64 * 1024 * 1024;

/** Whether a path is per-package evidence, which counts against `packageEvidenceBudgetBytes`. */
export function isPackageEvidenceFile(path: string): boolean {
	return nodePackageManifest.test(path) || pythonFileList.test(path);
}

/** How every path the patterns of `isEvidenceFile` (after the fixed paths) accept ends. */
const evidenceEndings = ['.list', '.ini', '.pl', '.json', '/RECORD', '/installed-files.txt'];

function endsLikeEvidence(path: string): boolean {
	for (const ending of evidenceEndings) if (path.endsWith(ending)) return true;
	return false;
}

/** `size` is the file's size when known: small-evidence files larger than their limit are not captured. */
export function isEvidenceFile(path: string, size?: number): boolean {
	if (fixedEvidencePaths.has(path)) return true;
	// Runs once per file of every layer: every pattern below ends in one of these, so most paths stop here.
	if (!endsLikeEvidence(path)) return false;
	if (dpkgListFile.test(path)) return true;

	if (phpIniFile.test(path) || (perlScript.test(path) && !perlTree.test(path))) {
		return size === undefined || size <= smallEvidenceLimitBytes;
	}

	if (nodePackageManifest.test(path)) {
		return size === undefined || size <= smallEvidenceLimitBytes;
	}

	if (pythonFileList.test(path)) {
		return size === undefined || size <= packageListLimitBytes;
	}

	const name = path.slice(path.lastIndexOf('/') + 1);
	if (name === 'package.json' || name === 'package-lock.json') {
		// The app's own manifests, not the thousands inside node_modules.
		return !path.includes('node_modules/');
	}

	if (name === '.package-lock.json') {
		// npm's hidden lockfile of a top-level node_modules (not nested ones).
		return (
			path.endsWith('node_modules/.package-lock.json') &&
			path.indexOf('node_modules/') === path.lastIndexOf('node_modules/')
		);
	}

	return false;
}
