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

/** `size` is the file's size when known: small-evidence files larger than their limit are not captured. */
export function isEvidenceFile(path: string, size?: number): boolean {
	if (fixedEvidencePaths.has(path) || dpkgListFile.test(path)) {
		return true;
	}

	if (phpIniFile.test(path) || (perlScript.test(path) && !perlTree.test(path))) {
		return size === undefined || size <= smallEvidenceLimitBytes;
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
