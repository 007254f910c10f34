/**
Which files the reader keeps the text of while streaming. Contents are otherwise never kept; these are
the package databases and manifests that turn a path pattern into evidence ("the lockfile says dev: true").
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

export function isEvidenceFile(path: string): boolean {
	if (fixedEvidencePaths.has(path) || dpkgListFile.test(path)) {
		return true;
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
