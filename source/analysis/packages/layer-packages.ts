import type {LinkLookup} from '../closure/resolve-path.js';
import {normalisePath} from '../closure/resolve-path.js';
import {
	canonicalPackagePath,
	dpkgPackageFiles,
	parseApkInstalled,
	parseDpkgStatus,
} from '../findings/package-databases.js';
import type {LayerView} from '../rule-input.js';
import type {PackageInventory} from './package-index.js';
import type {Ecosystem, LayerPackages, PackageChange} from './types.js';

/** The package databases whose every version a layer writes is captured: each layer's state is known. */
const databasePath = /^(var\/lib\/dpkg\/status|var\/lib\/dpkg\/info\/[^/]+\.list|lib\/apk\/db\/installed)$/;

type DatabaseState = Map<string, {layer: number; text: string}>;

type Installed = Map<string, {ecosystem: Ecosystem; name: string; version: string; files: () => string[]}>;

/** The packages the databases of one state say are installed, by `ecosystem:name`. */
function installedIn(state: DatabaseState, links: LinkLookup): Installed {
	const installed: Installed = new Map();
	const texts = new Map([...state].map(([path, {text}]) => [path, text]));
	const status = texts.get('var/lib/dpkg/status');
	for (const entry of status === undefined ? [] : parseDpkgStatus(status)) {
		if (!entry.installed) continue;
		installed.set(`deb:${entry.name}`, {
			ecosystem: 'deb',
			name: entry.name,
			version: entry.version,
			files: () =>
				dpkgPackageFiles(texts, entry.name).map((path) => canonicalPackagePath(links, normalisePath(path))),
		});
	}

	const apk = texts.get('lib/apk/db/installed');
	for (const entry of apk === undefined ? [] : parseApkInstalled(apk)) {
		installed.set(`apk:${entry.name}`, {
			ecosystem: 'apk',
			name: entry.name,
			version: entry.version,
			files: () => entry.files.map((path) => canonicalPackagePath(links, normalisePath(path))),
		});
	}

	return installed;
}

function bytesAt(paths: string[], layer: number, view: LayerView): number {
	let bytes = 0;
	for (const path of new Set(paths)) bytes += view.sizeAt(path, layer);
	return bytes;
}

/** The layers' package changes so far, by layer index. */
type ChangesByLayer = Map<number, LayerPackages>;

/** One layer's entry, made empty on first use. */
function changesAt(result: ChangesByLayer, layer: number): LayerPackages {
	let entry = result.get(layer);
	if (entry === undefined) {
		entry = {layer, installed: [], removed: [], upgraded: []};
		result.set(layer, entry);
	}

	return entry;
}

/** The package databases as `layer` leaves them, or undefined when it neither wrote nor deleted one. */
function databasesAfter(
	state: DatabaseState,
	captured: readonly {path: string; text: string}[],
	layer: number,
	view: LayerView,
): DatabaseState | undefined {
	const next: DatabaseState = new Map();
	let changed = false;
	for (const [path, value] of state) {
		// Deleted, or replaced by a version too large to keep: no longer known.
		if (view.visibleFrom(path, layer) === value.layer) next.set(path, value);
		else changed = true;
	}

	for (const file of captured) {
		if (!databasePath.test(file.path) || view.visibleFrom(file.path, layer) !== layer) continue;
		next.set(file.path, {layer, text: file.text});
		changed = true;
	}

	return changed ? next : undefined;
}

/** What changed between two database states, written into the layer's entry: installed, upgraded, then removed. */
function compareInstalled(
	before: Installed,
	after: Installed,
	layer: number,
	view: LayerView,
	changes: LayerPackages,
): void {
	for (const [key, now] of after) {
		const then = before.get(key);
		if (then !== undefined && then.version === now.version) continue;
		const change: PackageChange = {
			ecosystem: now.ecosystem,
			name: now.name,
			version: now.version,
			bytes: bytesAt(now.files(), layer, view),
		};
		if (then === undefined) changes.installed.push(change);
		else changes.upgraded.push({...change, fromVersion: then.version});
	}

	for (const [key, then] of before) {
		if (after.has(key)) continue;
		changes.removed.push({
			ecosystem: then.ecosystem,
			name: then.name,
			version: then.version,
			bytes: layer === 0 ? 0 : bytesAt(then.files(), layer - 1, view),
		});
	}
}

/** Debian's and Alpine's packages, layer by layer: each layer that rewrote a database, compared with the state before it. */
function databaseChanges(
	layers: readonly {captured: readonly {path: string; text: string}[]}[],
	view: LayerView,
	links: LinkLookup,
	result: ChangesByLayer,
): void {
	let state: DatabaseState = new Map();
	let before: Installed = new Map();
	for (const [layer, {captured}] of layers.entries()) {
		const next = databasesAfter(state, captured, layer, view);
		if (next === undefined) continue;
		const after = installedIn(next, links);
		compareInstalled(before, after, layer, view, changesAt(result, layer));
		state = next;
		before = after;
	}
}

/** The other ecosystems' packages, each installed by the layer that wrote its record. */
function recordChanges(inventory: PackageInventory, result: ChangesByLayer): void {
	for (const owned of inventory.packages) {
		if (owned.ecosystem === 'deb' || owned.ecosystem === 'apk' || owned.layer < 0) continue;
		changesAt(result, owned.layer).installed.push({
			ecosystem: owned.ecosystem,
			name: owned.name,
			version: owned.version,
			...(owned.location === undefined ? {} : {location: owned.location}),
			bytes: owned.bytes,
		});
	}
}

const byBytes = (a: PackageChange, b: PackageChange): number =>
	b.bytes - a.bytes || a.name.localeCompare(b.name) || (a.location ?? '').localeCompare(b.location ?? '');

/**
What each layer did to the installed packages. Debian's and Alpine's databases are rewritten by every
install, so each layer's own copy says what was installed after it: consecutive states are compared.
Packages of the other ecosystems have no such database; each is listed as installed by the layer that
wrote its record (its manifest, RECORD, gem spec, binary or jar), with its final bytes. Only layers that
changed something are listed.
*/
export function layerPackageChanges(
	layers: readonly {captured: readonly {path: string; text: string}[]}[],
	view: LayerView,
	links: LinkLookup,
	inventory: PackageInventory,
): LayerPackages[] {
	const result: ChangesByLayer = new Map();
	databaseChanges(layers, view, links, result);
	recordChanges(inventory, result);
	return [...result.values()]
		.filter((entry) => entry.installed.length + entry.removed.length + entry.upgraded.length > 0)
		.map((entry) => ({
			layer: entry.layer,
			installed: entry.installed.sort(byBytes),
			removed: entry.removed.sort(byBytes),
			upgraded: entry.upgraded.sort(byBytes),
		}))
		.sort((a, b) => a.layer - b.layer);
}
