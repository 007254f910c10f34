/** What npm's lockfiles (package-lock.json v2/v3 and node_modules/.package-lock.json) say about each installed package. */
export type LockedPackage = {
	/** `node_modules/a/node_modules/@s/b` */
	key: string;
	name: string;
	dev: boolean;
};

/** The `packages` map of a v2/v3 lockfile; undefined when the text is not one (v1 lockfiles have no such map). */
export function readLockfilePackages(text: string): Map<string, LockedPackage> | undefined {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		return undefined;
	}

	const packages = (parsed as {packages?: unknown} | null)?.packages;
	if (typeof packages !== 'object' || packages === null) {
		return undefined;
	}

	const result = new Map<string, LockedPackage>();
	for (const [key, value] of Object.entries(packages as Record<string, {dev?: unknown}>)) {
		if (!key.includes('node_modules/')) {
			continue;
		}

		// Keys of nested installs start at the app's node_modules; workspace entries can carry a prefix.
		const normalised = key.slice(key.indexOf('node_modules/'));
		result.set(normalised, {key: normalised, name: packageNameOfKey(normalised), dev: value?.dev === true});
	}

	return result;
}

export function packageNameOfKey(key: string): string {
	return key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

/**
The deepest package directory holding a path relative to the app's directory:
`node_modules/a/node_modules/@s/b/lib/x.js` → `node_modules/a/node_modules/@s/b`.
*/
export function packageKeyOf(relativePath: string): string | undefined {
	const parts = relativePath.split('/');
	let key: string | undefined;
	for (let index = 0; index < parts.length - 1; index++) {
		if (parts[index] !== 'node_modules') {
			continue;
		}

		const name = parts[index + 1]!;
		if (name.startsWith('.')) {
			break;
		}

		if (name.startsWith('@')) {
			if (index + 2 >= parts.length) {
				break;
			}

			key = parts.slice(0, index + 3).join('/');
			index += 2;
		} else {
			key = parts.slice(0, index + 2).join('/');
			index += 1;
		}
	}

	return key;
}

/** Top-level names listed under `devDependencies` (and `dependencies`) in a package.json. */
export function readManifestDependencies(text: string): {
	dev: string[];
	prod: string[];
	main?: string;
	start?: string;
} {
	try {
		const parsed = JSON.parse(text) as {
			devDependencies?: Record<string, string>;
			dependencies?: Record<string, string>;
			main?: unknown;
			scripts?: Record<string, unknown>;
		};
		const result: {dev: string[]; prod: string[]; main?: string; start?: string} = {
			dev: Object.keys(parsed.devDependencies ?? {}),
			prod: Object.keys(parsed.dependencies ?? {}),
		};
		if (typeof parsed.main === 'string') {
			result.main = parsed.main;
		}

		if (typeof parsed.scripts?.start === 'string') {
			result.start = parsed.scripts.start;
		}

		return result;
	} catch {
		return {dev: [], prod: []};
	}
}
