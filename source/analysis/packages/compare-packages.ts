import type {PackageReport, PackageSummary} from './types.js';

/** One package that differs between two images. */
export type PackageDelta = {
	ecosystem: PackageSummary['ecosystem'];
	name: string;
	location?: string;
	/** Absent on the side that does not have it. */
	versionA?: string;
	versionB?: string;
	bytesA: number;
	bytesB: number;
	/** bytesB - bytesA */
	deltaBytes: number;
};

export type PackageComparison = {
	added: PackageDelta[];
	removed: PackageDelta[];
	/** Same package, another version (up or down). */
	upgraded: PackageDelta[];
	/** Same version, other bytes on disk (files removed or added beside it). */
	resized: PackageDelta[];
	/** Bytes no package names, on each side. */
	unownedBytesA: number;
	unownedBytesB: number;
};

/** A package is the same one on both sides when its ecosystem, name and place agree. */
const keyOf = (owned: PackageSummary): string => `${owned.ecosystem}\0${owned.name}\0${owned.location ?? ''}`;

const byDelta = (a: PackageDelta, b: PackageDelta): number =>
	Math.abs(b.deltaBytes) - Math.abs(a.deltaBytes) ||
	a.name.localeCompare(b.name) ||
	(a.location ?? '').localeCompare(b.location ?? '');

/** Packages added, removed, upgraded and resized from A to B, largest byte change first. */
export function comparePackages(a: PackageReport, b: PackageReport): PackageComparison {
	const inA = new Map(a.packages.map((owned) => [keyOf(owned), owned]));
	const inB = new Map(b.packages.map((owned) => [keyOf(owned), owned]));
	const delta = (before: PackageSummary | undefined, after: PackageSummary | undefined): PackageDelta => {
		const owned = (after ?? before)!;
		return {
			ecosystem: owned.ecosystem,
			name: owned.name,
			...(owned.location === undefined ? {} : {location: owned.location}),
			...(before === undefined ? {} : {versionA: before.version}),
			...(after === undefined ? {} : {versionB: after.version}),
			bytesA: before?.bytes ?? 0,
			bytesB: after?.bytes ?? 0,
			deltaBytes: (after?.bytes ?? 0) - (before?.bytes ?? 0),
		};
	};

	const comparison: PackageComparison = {
		added: [],
		removed: [],
		upgraded: [],
		resized: [],
		unownedBytesA: a.unownedBytes,
		unownedBytesB: b.unownedBytes,
	};
	for (const [key, after] of inB) {
		const before = inA.get(key);
		if (before === undefined) comparison.added.push(delta(undefined, after));
		else if (before.version !== after.version) comparison.upgraded.push(delta(before, after));
		else if (before.bytes !== after.bytes) comparison.resized.push(delta(before, after));
	}

	for (const [key, before] of inA) {
		if (!inB.has(key)) comparison.removed.push(delta(before, undefined));
	}

	comparison.added.sort(byDelta);
	comparison.removed.sort(byDelta);
	comparison.upgraded.sort(byDelta);
	comparison.resized.sort(byDelta);
	return comparison;
}
