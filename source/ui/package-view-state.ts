import type {OwnedPackage, PackageInventory} from '../analysis/packages/index.js';
import type {ReportSuggestion} from '../analysis/suggestion/report-suggestion.js';
import type {ImageAnalysis} from '../analysis/types.js';
import type {Command} from './keymap.js';
import {editText} from './text-input.js';
import type {PathSubset} from './tree-view.js';
import {moveBy, moveTo, pageBy, settle, type Viewport} from './viewport.js';

/**
The package view: every package the image's package managers record, by bytes. Its own reducer; the
explorer keeps its state in an overlay and hands it the keys of the `packages` scope.
*/

/** What the findings and the runtime closure say of a package; nothing said is `unknown`, never a guess. */
export type PackageUse = 'build-only' | 'runtime' | 'unknown';

export type PackageRow = {
	/** Index into the inventory's packages (its files, its owner number). */
	index: number;
	/** `name` for system packages (deb, apk), `ecosystem:name` for the others: the owner column's text. */
	label: string;
	owned: OwnedPackage;
	use: PackageUse;
	/** Why `use` is what it is, for the footer. */
	useReason: string;
	/** The normalised instruction of the layer that wrote its record; empty when unknown. */
	instruction: string;
};

export type PackageSort = 'size' | 'name';

export type PackageViewState = {
	rows: readonly PackageRow[];
	sort: PackageSort;
	/** Regular expression source matched against `ecosystem:name`; empty for none. */
	filter: string;
	editingFilter: boolean;
	/** Why the filter is ignored (an invalid regular expression). */
	filterError: string | undefined;
	/** Indexes into `rows`, filtered and sorted. */
	shown: readonly number[];
	viewport: Viewport;
	/** Rows the list has room for: the overlay's body less the column names' line. */
	height: number;
};

/** The owner column's text for a package. */
export function ownerLabel(owned: Pick<OwnedPackage, 'ecosystem' | 'name'>): string {
	return owned.ecosystem === 'deb' || owned.ecosystem === 'apk'
		? owned.name
		: `${owned.ecosystem}:${owned.name}`;
}

type UseEvidence = {
	/** Final paths the runtime closure proved the container needs. */
	runtimePaths: ReadonlySet<string>;
	/** System package names the suggested runtime stage installs (owners of closure files). */
	runtimePackages: ReadonlySet<string>;
	/** Paths `build-only` findings name. */
	buildOnlyPaths: ReadonlySet<string>;
	/** `ecosystem:name@version` of the packages `build-only` findings name. */
	namedBuildOnly: ReadonlySet<string>;
};

function gatherUseEvidence(analysis: ImageAnalysis, suggestion: ReportSuggestion | undefined): UseEvidence {
	const buildOnlyPaths = new Set<string>();
	const namedBuildOnly = new Set<string>();
	for (const finding of analysis.findings) {
		if (finding.category !== 'build-only') continue;
		for (const path of finding.paths) buildOnlyPaths.add(path.replace(/^\/+/, ''));
		if (finding.package) {
			namedBuildOnly.add(`${finding.package.ecosystem}:${finding.package.name}@${finding.package.version}`);
		}
	}

	return {
		runtimePaths: new Set(suggestion?.runtime.paths ?? []),
		runtimePackages: new Set(suggestion?.runtime.packages ?? []),
		buildOnlyPaths,
		namedBuildOnly,
	};
}

/**
Runtime when the closure needs one of its files (or the suggested runtime stage installs it by name);
build-only when a build-only finding names it or holds every one of its files; unknown otherwise. The
closure wins a conflict: no finding may call a file the container needs build-only.
*/
export function packageUse(owned: OwnedPackage, evidence: UseEvidence): {use: PackageUse; reason: string} {
	const needed = owned.files.find((path) => evidence.runtimePaths.has(path));
	if (needed !== undefined) return {use: 'runtime', reason: `the runtime closure needs /${needed}`};
	if ((owned.ecosystem === 'deb' || owned.ecosystem === 'apk') && evidence.runtimePackages.has(owned.name)) {
		return {use: 'runtime', reason: 'the suggested runtime stage installs it for the closure'};
	}

	if (evidence.namedBuildOnly.has(`${owned.ecosystem}:${owned.name}@${owned.version}`)) {
		return {use: 'build-only', reason: 'a build-only finding names it'};
	}

	if (owned.files.length > 0 && owned.files.every((path) => evidence.buildOnlyPaths.has(path))) {
		return {use: 'build-only', reason: 'build-only findings hold every one of its files'};
	}

	return {use: 'unknown', reason: 'neither the findings nor the runtime closure say'};
}

/** One row per package of the inventory, in its order (largest first). */
export function packageRows(
	inventory: PackageInventory,
	analysis: ImageAnalysis,
	suggestion: ReportSuggestion | undefined,
): PackageRow[] {
	const evidence = gatherUseEvidence(analysis, suggestion);
	return inventory.packages.map((owned, index) => {
		const {use, reason} = packageUse(owned, evidence);
		return {
			index,
			label: ownerLabel(owned),
			owned,
			use,
			useReason: reason,
			instruction: analysis.layers[owned.layer]?.instruction ?? '',
		};
	});
}

function compileFilter(source: string): {regex: RegExp | undefined; error: string | undefined} {
	if (source === '') return {regex: undefined, error: undefined};
	try {
		return {regex: new RegExp(source), error: undefined};
	} catch (error) {
		return {regex: undefined, error: (error as Error).message};
	}
}

function shownRows(rows: readonly PackageRow[], sort: PackageSort, regex: RegExp | undefined): number[] {
	const shown: number[] = [];
	for (const [position, row] of rows.entries()) {
		if (regex === undefined || regex.test(`${row.owned.ecosystem}:${row.owned.name}`)) shown.push(position);
	}

	if (sort === 'name') {
		shown.sort((a, b) => {
			const left = rows[a]!.owned;
			const right = rows[b]!.owned;
			return (
				left.name.localeCompare(right.name) ||
				left.ecosystem.localeCompare(right.ecosystem) ||
				(left.location ?? '').localeCompare(right.location ?? '')
			);
		});
	} else {
		// The inventory's own order: largest first, ties by ecosystem and name.
		shown.sort((a, b) => a - b);
	}

	return shown;
}

/** The list's rows for an overlay body of `overlayBody` lines (one goes to the column names). */
const listHeight = (overlayBody: number): number => Math.max(1, overlayBody - 1);

export function openPackageView(rows: readonly PackageRow[], overlayBody: number): PackageViewState {
	return {
		rows,
		sort: 'size',
		filter: '',
		editingFilter: false,
		filterError: undefined,
		shown: shownRows(rows, 'size', undefined),
		viewport: {cursor: 0, offset: 0},
		height: listHeight(overlayBody),
	};
}

/** The same view with another filter or order; the cursor stays on its package when it is still shown. */
function refilter(state: PackageViewState, change: Partial<Pick<PackageViewState, 'filter' | 'sort'>>) {
	const next = {...state, ...change};
	const {regex, error} = compileFilter(next.filter);
	const selected = state.shown[state.viewport.cursor];
	const shown = shownRows(next.rows, next.sort, regex);
	const at = selected === undefined ? -1 : shown.indexOf(selected);
	const cursor = at === -1 ? 0 : at;
	const viewport = settle({cursor, offset: cursor - Math.floor(next.height / 2)}, shown.length, next.height);
	return {...next, filterError: error, shown, viewport};
}

/** The view as the explorer holds it: an overlay in place of the panes. */
export type PackageViewOverlay = {kind: 'packages'; view: PackageViewState};

const rowsCache = new WeakMap<PackageInventory, PackageRow[]>();

/**
The package view opened on what the explorer was given: its rows are worked out once per inventory (the
inventory itself on first use), or a line saying why there is nothing to show.
*/
export function openPackageViewFor(
	extras: {packages?: () => PackageInventory; suggestion?: ReportSuggestion},
	analysis: ImageAnalysis,
	overlayBody: number,
): PackageViewOverlay | {message: string} {
	if (extras.packages === undefined) return {message: 'Packages are not known here'};
	const inventory = extras.packages();
	if (inventory.packages.length === 0) {
		return {message: "No package manager's records in this image: every file is yours"};
	}

	let rows = rowsCache.get(inventory);
	if (rows === undefined) {
		rows = packageRows(inventory, analysis, extras.suggestion);
		rowsCache.set(inventory, rows);
	}

	return {kind: 'packages', view: openPackageView(rows, overlayBody)};
}

const subsets = new WeakMap<OwnedPackage, PathSubset>();

/** A package's files as the tree's path subset (the same object each time, so the tree's views are reused). */
export function packageSubset(row: PackageRow): PathSubset {
	let subset = subsets.get(row.owned);
	if (subset === undefined) {
		const {owned} = row;
		const where = owned.location === undefined ? '' : ` at /${owned.location}`;
		subset = {label: `${row.label} ${owned.version}${where}`.trim(), paths: new Set(owned.files)};
		subsets.set(row.owned, subset);
	}

	return subset;
}

export type PackageViewAction =
	| {type: 'command'; command: Command | undefined; name: string; text: string}
	/** The overlay's new body height. */
	| {type: 'resize'; overlayBody: number};

/** What the explorer does after the view handled a key: nothing more, close it, or show a package's files. */
export type PackageViewOutcome = {kind: 'stay'} | {kind: 'close'} | {kind: 'jump'; row: PackageRow};

export function packageViewReducer(
	state: PackageViewState,
	action: PackageViewAction,
): {state: PackageViewState; outcome: PackageViewOutcome} {
	const stay = (next: PackageViewState) => ({state: next, outcome: {kind: 'stay'} as const});
	if (action.type === 'resize') {
		const height = listHeight(action.overlayBody);
		return stay({...state, height, viewport: settle(state.viewport, state.shown.length, height)});
	}

	if (state.editingFilter) return stay(typeFilter(state, action.command, action.name, action.text));
	const {viewport, height} = state;
	const count = state.shown.length;
	switch (action.command) {
		case 'packagesClose':
			return {state, outcome: {kind: 'close'}};
		case 'packagesUp':
			return stay({...state, viewport: moveBy(viewport, -1, count, height)});
		case 'packagesDown':
			return stay({...state, viewport: moveBy(viewport, 1, count, height)});
		case 'packagesPageUp':
			return stay({...state, viewport: pageBy(viewport, -1, count, height)});
		case 'packagesPageDown':
			return stay({...state, viewport: pageBy(viewport, 1, count, height)});
		case 'packagesFirst':
			return stay({...state, viewport: moveTo(viewport, 0, count, height)});
		case 'packagesLast':
			return stay({...state, viewport: moveTo(viewport, count - 1, count, height)});
		case 'packagesSort':
			return stay(refilter(state, {sort: state.sort === 'size' ? 'name' : 'size'}));
		case 'packagesFilter':
			return stay({...state, editingFilter: true});
		case 'packagesFiles': {
			const row = selectedPackage(state);
			return row === undefined ? stay(state) : {state, outcome: {kind: 'jump', row}};
		}

		default:
			return stay(state);
	}
}

function typeFilter(
	state: PackageViewState,
	command: Command | undefined,
	name: string,
	text: string,
): PackageViewState {
	const count = state.shown.length;
	switch (command) {
		case 'filterAccept':
			return {...state, editingFilter: false};
		case 'filterClear':
			return {...refilter(state, {filter: ''}), editingFilter: false};
		case 'filterUp':
			return {...state, viewport: moveBy(state.viewport, -1, count, state.height)};
		case 'filterDown':
			return {...state, viewport: moveBy(state.viewport, 1, count, state.height)};
		default: {
			const filter = editText(state.filter, {name, text}, 'filter');
			return filter === state.filter ? state : refilter(state, {filter});
		}
	}
}

export function selectedPackage(state: PackageViewState): PackageRow | undefined {
	const position = state.shown[state.viewport.cursor];
	return position === undefined ? undefined : state.rows[position];
}

/**
The selected package's files (final-filesystem paths, no leading slash), for whatever acts on a whole
package (a what-if mark). Empty when nothing is selected.
*/
export function selectedPackageFiles(state: PackageViewState): readonly string[] {
	return selectedPackage(state)?.owned.files ?? [];
}
