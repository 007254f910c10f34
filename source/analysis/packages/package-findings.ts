import type {FileLookup} from '../rule-input.js';
import type {Finding} from '../types.js';
import type {PackageInventory} from './package-index.js';
import type {LayerPackages} from './types.js';

/**
The physical line of a (possibly continued) instruction starting at `start` that names the package as a
word (`apt-get install -y \` … `    gcc \`), else the instruction's first line.
*/
export function lineNaming(lines: readonly string[], start: number, name: string): number {
	const word = new RegExp(`(^|[\\s'"=])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([\\s'"=:;&|\\\\]|$)`);
	for (let line = start; line <= lines.length; line++) {
		const text = lines[line - 1]!;
		if (word.test(text)) return line;
		if (!/\\\s*$/.test(text)) break;
	}

	return start;
}

/**
Findings whose bytes are mostly packages' files name the largest of those packages and, when the Dockerfile maps onto
the history, point at the line that installed it (the layer whose records first list it at its final version,
and within a continued RUN, the line naming it): that is the line to change, not the layer that happened to
write most of its files.
*/
export function locatePackageFindings(
	findings: Finding[],
	inventory: PackageInventory,
	files: FileLookup,
	changes: readonly LayerPackages[],
	dockerfile: {lines: readonly string[]; layerLines: readonly (number | undefined)[]} | undefined,
): Finding[] {
	return findings.map((finding) => {
		if (finding.bytes <= 0) return finding;
		const bytesByOwner = new Map<number, number>();
		let owned = 0;
		for (const path of finding.paths) {
			const owner = inventory.ownerOf.get(path);
			if (owner === undefined) continue;
			const file = files.get(path);
			const bytes = file?.type === 'file' ? file.size : 0;
			bytesByOwner.set(owner, (bytesByOwner.get(owner) ?? 0) + bytes);
			owned += bytes;
		}

		const top = [...bytesByOwner].sort((a, b) => b[1] - a[1])[0];
		if (top === undefined || owned * 2 < finding.bytes) return finding;
		const owner = inventory.packages[top[0]]!;
		const located: Finding = {
			...finding,
			package: {ecosystem: owner.ecosystem, name: owner.name, version: owner.version},
		};
		const installedIn = changes.find((entry) =>
			[...entry.installed, ...entry.upgraded].some(
				(change) =>
					change.ecosystem === owner.ecosystem &&
					change.name === owner.name &&
					change.version === owner.version &&
					change.location === owner.location,
			),
		)?.layer;
		const start = installedIn === undefined ? undefined : dockerfile?.layerLines[installedIn];
		if (start === undefined || dockerfile === undefined) return located;
		return {...located, dockerfileLine: lineNaming(dockerfile.lines, start, owner.name)};
	});
}
