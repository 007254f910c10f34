import assert from 'node:assert/strict';
import {test} from 'node:test';
import {buildLayerList} from '../../source/ui/layer-list.js';
import {
	buildOnlyPaths,
	buildTreeView,
	defaultTreeOptions,
	rowName,
	type TreeOptions,
	type TreeView,
	visibleRows,
} from '../../source/ui/tree-view.js';
import {hostileName, largeAnalysis, sampleAnalysis} from '../helpers/sample-analysis.js';

const analysis = sampleAnalysis();
const buildOnly = buildOnlyPaths(analysis);

function options(change: Partial<TreeOptions>): TreeOptions {
	return {...defaultTreeOptions, ...change};
}

/** `<status><waste><build> <size> <prefix><name>` per row, the way the pane lays them out. */
function describe(view: TreeView): string[] {
	const marks = {added: '+', modified: '~', removed: '-', unchanged: ' '};
	return view.rows.map(
		(row) =>
			`${marks[row.status]}${row.wasted ? '!' : ' '}${row.buildOnly ? 'b' : ' '} ${row.size} ${row.prefix}${rowName(row)}${row.isContext ? ' (context)' : ''}`,
	);
}

test('changes mode lists what the layer touched, under context parents', () => {
	const view = buildTreeView(analysis, options({layer: 1}), buildOnly);
	assert.deepEqual(describe(view), [
		'    350 ├─ etc (context)',
		'~   350 │  └─ config',
		'    20000 ├─ tmp (context)',
		'+!  20000 │  └─ cache.tar',
		'+   50000 └─ usr',
		'+   50000    └─ lib',
		'+   50000       └─ libbig.so',
	]);
	assert.deepEqual(Array.from(view.subtreeEnd), [2, 2, 4, 4, 7, 7, 7]);
});

test('changes mode shows removals as removed rows with the removed size', () => {
	const view = buildTreeView(analysis, options({layer: 3}), buildOnly);
	assert.deepEqual(describe(view), ['    0 └─ tmp (context)', '-   20000    └─ cache.tar']);
});

test('aggregated mode shows the whole filesystem as of the layer with directory totals', () => {
	const view = buildTreeView(analysis, options({layer: 3, mode: 'aggregated'}), buildOnly);
	assert.deepEqual(describe(view), [
		'    9517 ├─ app',
		'    12 │  ├─ README.md',
		`    5 │  ├─ ${hostileName}`,
		'    1500 │  ├─ main.js',
		'    8000 │  └─ node_modules',
		'    8000 │     └─ typescript',
		'  b 8000 │        └─ tsc.js',
		'    1000 ├─ bin',
		'    0 │  ├─ bash',
		'    1000 │  └─ sh',
		'    550 ├─ etc',
		'    350 │  ├─ config',
		'    200 │  └─ passwd',
		'~   0 ├─ tmp',
		'-   20000 │  └─ cache.tar',
		'    50000 └─ usr',
		'    50000    └─ lib',
		'    50000       └─ libbig.so',
	]);
});

test('aggregated mode as of layer 1 marks what that layer changed and what is wasted later', () => {
	const view = buildTreeView(analysis, options({layer: 1, mode: 'aggregated'}), buildOnly);
	assert.deepEqual(
		describe(view).map((line) => line.trimEnd()),
		[
			'    1000 ├─ bin',
			'    0 │  ├─ bash',
			'    1000 │  └─ sh',
			'~   550 ├─ etc',
			'~   350 │  ├─ config',
			'    200 │  └─ passwd',
			'~   20000 ├─ tmp',
			'+!  20000 │  └─ cache.tar',
			'+   50000 └─ usr',
			'+   50000    └─ lib',
			'+   50000       └─ libbig.so',
		],
	);
});

test('sort by size puts the largest first at every level', () => {
	const view = buildTreeView(analysis, options({layer: 3, mode: 'aggregated', sort: 'size'}), buildOnly);
	const topLevel = view.rows.filter((row) => row.depth === 0).map((row) => `${rowName(row)} ${row.size}`);
	assert.deepEqual(topLevel, ['usr 50000', 'app 9517', 'bin 1000', 'etc 550', 'tmp 0']);
	const app = view.rows
		.filter((row) => view.tree.pathOf(view.tree.parentOf(row.node)!) === 'app')
		.map((row) => rowName(row));
	assert.deepEqual(app, ['node_modules', 'main.js', 'README.md', hostileName]);
});

test('regex filter keeps matches and their parents; a bad regex reports an error and filters nothing', () => {
	const view = buildTreeView(analysis, options({layer: 3, mode: 'aggregated', filter: 'lib'}), buildOnly);
	assert.deepEqual(
		view.rows.map((row) => row.path),
		['usr', 'usr/lib', 'usr/lib/libbig.so'],
	);
	const anchored = buildTreeView(
		analysis,
		options({layer: 3, mode: 'aggregated', filter: '^/etc/p'}),
		buildOnly,
	);
	assert.deepEqual(
		anchored.rows.map((row) => row.path),
		['etc', 'etc/passwd'],
	);
	const broken = buildTreeView(analysis, options({layer: 3, mode: 'aggregated', filter: '(['}), buildOnly);
	assert.ok(broken.filterError);
	assert.equal(broken.rows.length, 18);
});

test('a directory whose own path matches the filter stays, with the filtered total', () => {
	const view = buildTreeView(
		analysis,
		options({layer: 2, mode: 'aggregated', filter: '^/app/node_modules/typescript$'}),
		buildOnly,
	);
	assert.deepEqual(
		view.rows.map((row) => `${row.prefix}${rowName(row)} ${row.size} ${row.hasChildren}`),
		['└─ app 0 true', '   └─ node_modules 0 true', '      └─ typescript 0 false'],
	);
	const sized = buildTreeView(
		analysis,
		options({layer: 3, mode: 'aggregated', sort: 'size', filter: 'p'}),
		buildOnly,
	);
	assert.deepEqual(
		sized.rows.filter((row) => row.depth === 0).map((row) => `${rowName(row)} ${row.size}`),
		['app 9517', 'etc 200', 'tmp 0'],
		'totals and size order follow what the filter leaves',
	);
});

test('hide toggles, waste-only and build-only views', () => {
	const hideAdded = buildTreeView(
		analysis,
		options({layer: 1, hidden: {added: true, modified: false, removed: false, unchanged: false}}),
		buildOnly,
	);
	assert.deepEqual(
		hideAdded.rows.map((row) => row.path),
		['etc', 'etc/config'],
	);
	const waste = buildTreeView(analysis, options({layer: 0, mode: 'aggregated', wasteOnly: true}), buildOnly);
	assert.deepEqual(
		waste.rows.map((row) => `${row.path} ${row.size}`),
		['etc 300', 'etc/config 300'],
	);
	const build = buildTreeView(analysis, options({layer: 2, buildOnly: true}), buildOnly);
	assert.deepEqual(
		build.rows.map((row) => row.path),
		['app', 'app/node_modules', 'app/node_modules/typescript', 'app/node_modules/typescript/tsc.js'],
	);
});

test('visibleRows skips collapsed subtrees', () => {
	const view = buildTreeView(analysis, options({layer: 1}), buildOnly);
	const collapsed = new Set(['tmp', 'usr/lib']);
	const visible = Array.from(visibleRows(view, (path) => collapsed.has(path)));
	assert.deepEqual(
		visible.map((index) => view.rows[index]!.path),
		['etc', 'etc/config', 'tmp', 'usr', 'usr/lib'],
	);
});

test('the layer list interleaves empty-layer history where it occurred', () => {
	const list = buildLayerList(analysis);
	assert.deepEqual(
		list.rows.map((row) =>
			row.kind === 'layer' ? `L${row.layerIndex}` : analysis.history[row.historyIndex]!.instruction,
		),
		['L0', 'ENV PATH=/usr/bin', 'L1', 'WORKDIR /app', 'L2', 'L3', 'CMD ["node"]'],
	);
	assert.deepEqual(list.rowOfLayer, [0, 2, 4, 5]);
});

// How fast is measured by `npm run bench` (ui-latency), never here: a timed assertion fails on a busy machine.
test('a 100,000-file tree builds, and collapsing a directory hides exactly its rows', () => {
	const large = largeAnalysis(100_000);
	const paths = buildOnlyPaths(large);
	const view = buildTreeView(large, options({layer: 0, mode: 'aggregated'}), paths);
	// data/ + 1000 directories + 100,000 files
	assert.equal(view.rows.length, 101_001);
	const visible = visibleRows(view, (path) => path === 'data/d1');
	assert.equal(visible.length, 101_001 - 100);
	const afterDelete = buildTreeView(large, options({layer: 1}), paths);
	// data/ (context), data/d0 (removed, shown as one row)
	assert.deepEqual(
		afterDelete.rows.map((row) => `${row.path} ${row.status} ${row.size}`),
		['data unchanged 0', `data/d0 removed ${(99 * 100) / 2}`],
	);
});
