import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {Finding} from '../../source/analysis/types.js';
import {
	createInitialState,
	currentTree,
	type ExplorerState,
	reducer,
} from '../../source/ui/explorer-state.js';
import {ownerCell, ownerLookup} from '../../source/ui/owner-column.js';
import {
	openPackageView,
	ownerLabel,
	type PackageViewState,
	packageRows,
	packageViewReducer,
	selectedPackage,
	selectedPackageFiles,
} from '../../source/ui/package-view-state.js';
import {sampleAnalysis} from '../helpers/sample-analysis.js';
import {samplePackages, sampleSuggestion} from '../helpers/sample-packages.js';

function sampleRows(findings?: Finding[]) {
	const analysis = sampleAnalysis();
	if (findings) analysis.findings = findings;
	return packageRows(samplePackages(analysis), analysis, sampleSuggestion());
}

function send(state: PackageViewState, ...commands: Array<string | [string, string]>) {
	let current = state;
	let outcome: ReturnType<typeof packageViewReducer>['outcome'] = {kind: 'stay'};
	for (const item of commands) {
		const [command, name] = typeof item === 'string' ? [item, ''] : item;
		const result = packageViewReducer(current, {
			type: 'command',
			command: command === '' ? undefined : (command as never),
			name,
			text: name.length === 1 ? name : '',
		});
		current = result.state;
		outcome = result.outcome;
	}

	return {state: current, outcome};
}

const names = (state: PackageViewState) => state.shown.map((position) => state.rows[position]!.owned.name);

test('rows: largest first, labels, layer instruction, and what the findings and the closure say', () => {
	const rows = sampleRows();
	assert.deepEqual(
		rows.map((row) => [row.label, row.owned.bytes, row.use]),
		[
			['libbig', 50_000, 'unknown'],
			['npm:typescript', 8000, 'build-only'],
			['bash', 1000, 'runtime'],
		],
	);
	assert.equal(rows[1]!.instruction, 'COPY . /app', 'the layer that wrote its package.json');
	assert.equal(rows[0]!.instruction, '', 'no visible record: no layer, no instruction');
	assert.match(rows[1]!.useReason, /every one of its files/);
	assert.match(rows[2]!.useReason, /closure needs \/bin\/sh/);
});

test('use: a build-only finding naming a package makes it build-only; the closure wins over a finding', () => {
	const base = sampleAnalysis().findings;
	const naming = (name: string, version: string): Finding => ({
		...base[0]!,
		paths: [],
		package: {ecosystem: 'deb', name, version},
	});
	const rows = sampleRows([...base, naming('libbig', '1.0-3'), naming('bash', '5.2-1')]);
	assert.equal(rows.find((row) => row.owned.name === 'libbig')!.use, 'build-only');
	assert.equal(rows.find((row) => row.owned.name === 'bash')!.use, 'runtime', 'bin/sh is needed');
	const otherVersion = sampleRows([...base, naming('libbig', '0.9')]);
	assert.equal(otherVersion.find((row) => row.owned.name === 'libbig')!.use, 'unknown', 'another version');
	const noFindings = sampleRows([]);
	assert.equal(noFindings.find((row) => row.owned.name === 'typescript')!.use, 'unknown', 'never a guess');
});

test('moving, paging and the ends stay inside the list', () => {
	const view = openPackageView(sampleRows(), 3);
	assert.equal(view.height, 2, 'one line of the body goes to the column names');
	assert.equal(send(view, 'packagesDown').state.viewport.cursor, 1);
	assert.equal(send(view, 'packagesDown', 'packagesDown', 'packagesDown').state.viewport.cursor, 2);
	assert.deepEqual(send(view, 'packagesLast').state.viewport, {cursor: 2, offset: 1});
	assert.equal(send(view, 'packagesLast', 'packagesFirst').state.viewport.cursor, 0);
	assert.equal(send(view, 'packagesPageDown').state.viewport.cursor, 1);
	assert.equal(send(view, 'packagesUp').state.viewport.cursor, 0);
});

test('sort by name and back keeps the cursor on its package', () => {
	const view = send(openPackageView(sampleRows(), 10), 'packagesDown').state;
	assert.equal(selectedPackage(view)!.owned.name, 'typescript');
	const byName = send(view, 'packagesSort').state;
	assert.equal(byName.sort, 'name');
	assert.deepEqual(names(byName), ['bash', 'libbig', 'typescript']);
	assert.equal(selectedPackage(byName)!.owned.name, 'typescript');
	assert.deepEqual(names(send(byName, 'packagesSort').state), ['libbig', 'typescript', 'bash']);
});

test('filter: a regular expression on ecosystem:name, typed, kept, cleared; an invalid one shows all', () => {
	let view = send(openPackageView(sampleRows(), 10), 'packagesFilter').state;
	assert.equal(view.editingFilter, true);
	view = send(view, ['', '^'], ['', 'n'], ['', 'p']).state;
	assert.equal(view.filter, '^np');
	assert.deepEqual(names(view), ['typescript']);
	view = send(view, ['', 'backspace'], ['', 'backspace']).state;
	assert.deepEqual(names(view), ['libbig', 'typescript', 'bash'], '^ matches every package');
	view = send(view, ['', 'd'], ['', 'e'], ['', 'b'], ['', ':'], ['', 'b']).state;
	assert.deepEqual(names(view), ['bash']);
	view = send(view, 'filterAccept').state;
	assert.equal(view.editingFilter, false);
	assert.equal(view.filter, '^deb:b');
	assert.deepEqual(selectedPackageFiles(view), ['bin/sh', 'bin/bash']);
	view = send(view, 'packagesFilter', ['', '(']).state;
	assert.match(view.filterError ?? '', /Invalid regular expression/);
	assert.equal(view.shown.length, 3);
	view = send(view, 'filterClear').state;
	assert.equal(view.filter, '');
	assert.equal(view.editingFilter, false);
	assert.equal(view.filterError, undefined);
	assert.equal(send(view, 'packagesFilter', 'filterClear', 'packagesSort').state.sort, 'name');
});

test('Enter asks for the selected package’s files; Esc closes; nothing selected asks for nothing', () => {
	const view = openPackageView(sampleRows(), 10);
	const jump = send(view, 'packagesDown', 'packagesFiles').outcome;
	assert.equal(jump.kind, 'jump');
	assert.equal(jump.kind === 'jump' && jump.row.owned.name, 'typescript');
	assert.equal(send(view, 'packagesClose').outcome.kind, 'close');
	const empty = send(view, 'packagesFilter', ['', 'x'], ['', 'y'], ['', 'z'], 'filterAccept').state;
	assert.equal(empty.shown.length, 0);
	assert.equal(send(empty, 'packagesFiles').outcome.kind, 'stay');
	assert.deepEqual(selectedPackageFiles(empty), []);
});

test('resize keeps the cursor on screen', () => {
	const view = send(openPackageView(sampleRows(), 10), 'packagesLast').state;
	const small = packageViewReducer(view, {type: 'resize', overlayBody: 2}).state;
	assert.equal(small.height, 1);
	assert.deepEqual(small.viewport, {cursor: 2, offset: 2});
});

function explorer(withPackages = true): ExplorerState {
	const analysis = sampleAnalysis();
	const inventory = samplePackages(analysis);
	return createInitialState(
		analysis,
		{
			canExport: false,
			defaultExportName: 'x',
			suggestion: sampleSuggestion(),
			...(withPackages ? {packages: () => inventory} : {}),
		},
		{columns: 120, rows: 30},
		{sort: 'name'},
	);
}

function press(state: ExplorerState, ...keys: string[]): ExplorerState {
	return keys.reduce(
		(current, name) => reducer(current, {type: 'key', name, text: name.length === 1 ? name : ''}),
		state,
	);
}

const visiblePaths = (state: ExplorerState) => {
	const {view, visible} = currentTree(state);
	return Array.from(visible, (index) => view.rows[index]!.path);
};

test('the explorer: P from the layers and from the tree, Enter filters the final tree to the files, Esc shows all', () => {
	for (const start of [explorer(), press(explorer(), 'tab')]) {
		let state = press(start, 'P');
		assert.equal(state.overlay?.kind, 'packages');
		state = press(state, 'j', 'enter');
		assert.equal(state.overlay, undefined);
		assert.equal(state.focus, 'tree');
		assert.equal(state.layer, 3, 'the last layer');
		assert.equal(state.tree.mode, 'aggregated');
		assert.match(state.tree.only?.label ?? '', /^npm:typescript 5\.6\.3 at \/app\/node_modules\/typescript$/);
		assert.deepEqual(visiblePaths(state), [
			'app',
			'app/node_modules',
			'app/node_modules/typescript',
			'app/node_modules/typescript/tsc.js',
		]);
		const top = currentTree(state).view.rows[0]!;
		assert.equal(top.size, 8000, 'the files add up to the package’s bytes');
		state = press(state, 'escape');
		assert.equal(state.tree.only, undefined);
		assert.ok(visiblePaths(state).includes('etc/passwd'));
	}
});

test('the explorer: a package’s files with a path filter on top, hidden files shown again, P closes', () => {
	let state = press(explorer(), 'tab', '4', 'P', 'G', 'enter');
	assert.equal(state.tree.hidden.unchanged, false, 'the jump shows every file of the package');
	assert.deepEqual(visiblePaths(state), ['bin', 'bin/bash', 'bin/sh']);
	assert.equal(currentTree(state).view.rows[0]!.size, 1000, 'bash: sh 1000 B and a symlink');
	state = press(state, '/', '/', 's', 'h', 'enter');
	assert.deepEqual(visiblePaths(state), ['bin', 'bin/sh']);
	assert.equal(press(state, 'P', 'P').overlay, undefined, 'P closes the view it opened');
	assert.equal(press(state, 'P', 'q').exitCode, undefined, 'q closes the view, not the explorer');
});

test('the explorer: without package data P and o say so; o toggles the owner column', () => {
	const bare = press(explorer(false), 'P');
	assert.equal(bare.overlay, undefined);
	assert.match(bare.message ?? '', /not known/);
	assert.match(press(explorer(false), 'tab', 'o').message ?? '', /not known/);
	const state = press(explorer(), 'tab', 'o');
	assert.equal(state.tree.showOwner, true);
	assert.equal(press(state, 'o').tree.showOwner, false);
});

test('owner column: the package’s label, yours for unowned final files, blank for directories and gone paths', () => {
	const analysis = sampleAnalysis();
	const inventory = samplePackages(analysis);
	const lookup = ownerLookup(inventory, analysis.tree);
	assert.equal(lookup, ownerLookup(inventory, analysis.tree), 'one function per inventory and tree');
	let state = createInitialState(
		analysis,
		{canExport: false, defaultExportName: 'x'},
		{columns: 120, rows: 30},
	);
	state = press(state, 'j', 'ctrl+a');
	const rows = currentTree(state).view.rows;
	const owner = (path: string) => lookup(rows.find((row) => row.path === path)!);
	assert.equal(owner('bin/sh'), 'bash');
	assert.equal(owner('bin/bash'), 'bash');
	assert.equal(owner('usr/lib/libbig.so'), 'libbig');
	assert.equal(owner('etc/passwd'), 'yours');
	assert.equal(owner('bin'), '');
	assert.equal(owner('tmp/cache.tar'), '', 'deleted by a later layer: not in the final filesystem');
	state = press(state, 'j');
	const appRows = currentTree(state).view.rows;
	assert.equal(lookup(appRows.find((row) => row.path.endsWith('tsc.js'))!), 'npm:typescript');
	assert.equal(ownerLabel({ecosystem: 'pypi', name: 'requests'}), 'pypi:requests');
	assert.equal(ownerCell('a'.repeat(30)), `${'a'.repeat(17)}…`);
	assert.equal(ownerCell('yours'), 'yours'.padEnd(18));
	assert.equal(ownerCell('界'.repeat(10)), `${'界'.repeat(8)}… `, 'wide characters by cell');
});

test('the explorer: r and B in the package view mark the selected package for what-if; the same key unmarks', () => {
	let state = press(explorer(), 'P');
	const row = selectedPackage((state.overlay as {kind: 'packages'; view: PackageViewState}).view)!;
	state = press(state, 'r');
	assert.deepEqual(state.whatIf.marks, [
		{
			kind: 'package',
			name: `${row.owned.ecosystem}:${row.owned.name}`,
			paths: row.owned.files,
			action: 'remove',
		},
	]);
	assert.match(state.message ?? '', /^Marked: /);
	assert.equal(state.overlay?.kind, 'packages', 'the view stays open');
	assert.equal(
		press(state, 'B').whatIf.marks[0]?.action,
		'builder',
		'B switches the mark to a builder stage',
	);
	assert.deepEqual(press(state, 'r').whatIf.marks, [], 'r again unmarks');
	// While the view's filter is typed, r is a letter of the filter, not a mark.
	const typing = press(explorer(), 'P', '/', 'r');
	assert.deepEqual(typing.whatIf.marks, []);
});
