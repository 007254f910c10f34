import type {LayerPackages} from './layer-packages.js';
import {type Ecosystem, ecosystems, type PackageInventory} from './package-index.js';

/** One installed package as the reports list it: its files counted, not listed. */
export type PackageSummary = {
	ecosystem: Ecosystem;
	name: string;
	version: string;
	location?: string;
	/** Sum of its regular files' sizes in the final filesystem. */
	bytes: number;
	fileCount: number;
	/** The layer that wrote its record; -1 when none is visible. */
	layer: number;
	dev?: true;
};

/** The report's packages: who owns the image's bytes, and what each layer installed, removed or upgraded. */
export type PackageReport = {
	/** Bytes of final regular files some package's records name. */
	ownedBytes: number;
	/** Bytes of final regular files no package names: the image's own. */
	unownedBytes: number;
	/** Per ecosystem present: how many packages, how many bytes. */
	ecosystems: {ecosystem: Ecosystem; count: number; bytes: number}[];
	/** Largest first. */
	packages: PackageSummary[];
	/** Layers that changed the installed packages, in layer order. */
	layers: LayerPackages[];
};

export function packageReport(inventory: PackageInventory, layers: LayerPackages[]): PackageReport {
	const totals = new Map<Ecosystem, {count: number; bytes: number}>();
	for (const owned of inventory.packages) {
		const total = totals.get(owned.ecosystem) ?? {count: 0, bytes: 0};
		total.count++;
		total.bytes += owned.bytes;
		totals.set(owned.ecosystem, total);
	}

	return {
		ownedBytes: inventory.ownedBytes,
		unownedBytes: inventory.unownedBytes,
		ecosystems: ecosystems
			.filter((ecosystem) => totals.has(ecosystem))
			.map((ecosystem) => ({ecosystem, ...totals.get(ecosystem)!})),
		packages: inventory.packages.map((owned) => ({
			ecosystem: owned.ecosystem,
			name: owned.name,
			version: owned.version,
			...(owned.location === undefined ? {} : {location: owned.location}),
			bytes: owned.bytes,
			fileCount: owned.files.length,
			layer: owned.layer,
			...(owned.dev ? {dev: true as const} : {}),
		})),
		layers,
	};
}
