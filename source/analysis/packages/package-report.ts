import {ecosystems, type PackageInventory} from './package-index.js';
import type {Ecosystem, LayerPackages, PackageReport} from './types.js';

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
