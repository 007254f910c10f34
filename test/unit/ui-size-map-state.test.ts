import assert from 'node:assert/strict';
import {test} from 'node:test';
import {stripVTControlCharacters} from 'node:util';
import type {Finding, ImageAnalysis} from '../../source/analysis/types.js';
import {createInitialState, type ExplorerState, reducer} from '../../source/ui/explorer-state.js';
import {selectionText, sizeMapLines} from '../../source/ui/size-map-draw.js';
import {sizeCategories, sizeMapSource} from '../../source/ui/size-map-source.js';
import {
	currentPlace,
	layoutLevel,
	openSizeMap,
	type SizeMapAction,
	type SizeMapState,
	selectedItem,
	sizeMapReducer,
} from '../../source/ui/size-map-state.js';
import {TreeViews} from '../../source/ui/tree-views.js';
import {buildAnalysis, hostileName, type SampleEntry, sampleAnalysis} from '../helpers/sample-analysis.js';

const grid = {columns: 80, rows: 20};

function finalMap(analysis: ImageAnalysis, size = grid): SizeMapState {
	return openSizeMap(sizeMapSource(new TreeViews(analysis), 'aggregated', analysis.layers.length - 1), size);
}

const act = (state: SizeMapState, ...actions: SizeMapAction[]) => actions.reduce(sizeMapReducer, state);
const names = (state: SizeMapState) => state.items.map((item) => item.name);
const selectedName = (state: SizeMapState) => selectedItem(state)?.name;

function oneLayer(entries: SampleEntry[]): ImageAnalysis {
	return buildAnalysis([{instruction: 'COPY . /', entries}]);
}

test('the final filesystem of the sample: top directories largest first, by category', () => {
	const map = finalMap(sampleAnalysis());
	assert.deepEqual(names(map), ['usr', 'app', 'bin', 'etc']);
	assert.deepEqual(
		map.items.map((item) => [item.name, item.bytes, item.category]),
		[
			['usr', 50_000, 'other'],
			// 8000 of its 9517 bytes are the build-only finding's.
			['app', 9517, 'build-only'],
			// The base image is layer 0 (FROM base, then the app's steps).
			['bin', 1000, 'base'],
			// etc/config (350, layer 1) outweighs etc/passwd (200, base).
			['etc', 550, 'other'],
		],
	);
	assert.equal(currentPlace(map).path, '/');
	assert.equal(selectedName(map), 'usr');
	const byName = openSizeMap(sizeMapSource(new TreeViews(sampleAnalysis()), 'aggregated', 3, 'name'), grid);
	const withoutRow = (state: SizeMapState) => state.items.map(({row: _row, ...item}) => item);
	assert.deepEqual(withoutRow(byName), withoutRow(map), "the tree's name order makes the same map");
	assert.match(
		selectionText(map),
		/^\/usr\/ {2}50\.0 kB \(50000 B\) · other · 81\.9 % of this map · Enter opens it$/,
	);
});

test('arrows move to the rectangle that lies that way; Left with nothing further left backs out', () => {
	let map = finalMap(sampleAnalysis());
	const usr = selectedItem(map)!.rect;
	map = act(map, {type: 'move', direction: 'right'});
	const right = selectedItem(map)!.rect;
	assert.ok(right.x >= usr.x + usr.width, 'moved right');
	assert.equal(selectedName(map), 'app');
	map = act(map, {type: 'move', direction: 'down'});
	assert.ok(selectedItem(map)!.rect.y >= right.y + right.height, 'moved down');
	map = act(map, {type: 'move', direction: 'up'});
	assert.equal(selectedName(map), 'app');
	map = act(map, {type: 'move', direction: 'left'});
	assert.equal(selectedName(map), 'usr');
	// Nothing above, nothing left at the top: the map stays as it is.
	assert.equal(act(map, {type: 'move', direction: 'up'}), map);
	assert.equal(act(map, {type: 'move', direction: 'left'}), map);

	map = act(map, {type: 'move', direction: 'right'}, {type: 'zoom-in'});
	assert.equal(currentPlace(map).path, '/app');
	assert.equal(selectedName(map), 'node_modules');
	map = act(map, {type: 'move', direction: 'left'});
	assert.equal(currentPlace(map).path, '/', 'Left at the left edge backs out');
	assert.equal(selectedName(map), 'app', 'onto the directory it came out of');
});

test('Enter zooms into a directory, not into a file; zooming out selects where it came from', () => {
	let map = act(finalMap(sampleAnalysis()), {type: 'move', direction: 'right'}, {type: 'zoom-in'});
	assert.equal(map.levels.length, 2);
	assert.deepEqual(names(map), ['node_modules', 'main.js', '2 files']);
	assert.equal(map.items[0]!.category, 'build-only');
	map = act(map, {type: 'zoom-in'}, {type: 'zoom-in'});
	assert.equal(currentPlace(map).path, '/app/node_modules/typescript');
	assert.deepEqual(names(map), ['tsc.js']);
	assert.equal(act(map, {type: 'zoom-in'}), map, 'a file has nothing inside');
	map = act(map, {type: 'zoom-out'}, {type: 'zoom-out'});
	assert.equal(currentPlace(map).path, '/app');
	assert.equal(selectedName(map), 'node_modules');
	map = act(map, {type: 'zoom-out'});
	assert.equal(currentPlace(map).path, '/');
	assert.equal(selectedName(map), 'app');
	assert.equal(act(map, {type: 'zoom-out'}), map, 'the top has no outside');
});

test('resize lays the map out again for the new grid and keeps the selection', () => {
	let map = act(finalMap(sampleAnalysis()), {type: 'move', direction: 'right'});
	map = act(map, {type: 'resize', columns: 160, rows: 40});
	assert.equal(selectedName(map), 'app');
	for (const item of map.items) {
		assert.ok(item.rect.x + item.rect.width <= 159 && item.rect.y + item.rect.height <= 39);
	}

	const lines = sizeMapLines(map).map((line) => stripVTControlCharacters(line));
	assert.equal(lines.length, 40);
	assert.ok(lines.every((line) => line.length === 160));
	assert.equal(act(map, {type: 'resize', columns: 160, rows: 40}), map, 'the same size changes nothing');
	map = act(map, {type: 'resize', columns: 2, rows: 2});
	assert.deepEqual(map.items, [], 'no room: nothing drawn, nothing selected');
	assert.equal(map.selected, -1);
	map = act(map, {type: 'resize', columns: 80, rows: 20});
	assert.equal(map.items.length, 4);
});

test('a layer that only deletes: an empty map where keys do nothing', () => {
	const analysis = sampleAnalysis();
	const map = openSizeMap(sizeMapSource(new TreeViews(analysis), 'changes', 3), grid);
	assert.deepEqual(map.items, []);
	assert.equal(map.selected, -1);
	for (const action of [
		{type: 'move', direction: 'right'},
		{type: 'zoom-in'},
		{type: 'zoom-out'},
	] as SizeMapAction[]) {
		assert.equal(sizeMapReducer(map, action), map);
	}

	assert.equal(selectionText(map), 'Nothing with bytes here');
});

test('one huge file among a few tiny ones: it takes nearly all the room, the tiny ones one group', () => {
	const map = finalMap(
		oneLayer([
			{path: 'huge.bin', size: 4_000_000_000},
			{path: 'a.txt', size: 3},
			{path: 'b.txt', size: 2},
			{path: 'c.txt', size: 1},
		]),
	);
	assert.deepEqual(names(map), ['huge.bin', '3 files']);
	const [huge, group] = map.items;
	assert.ok(huge!.rect.width * huge!.rect.height >= 0.9 * 79 * 19);
	assert.equal(group!.bytes, 6);
	assert.equal(group!.row, -1);
	assert.match(selectionText(act(map, {type: 'move', direction: 'right'})), /3 files in \/ {2}6 B/);
});

test('thousands of tiny files are one "n files" rectangle, which opens as a map of them', () => {
	const entries: SampleEntry[] = [{path: 'data/big.db', size: 1_000_000}];
	for (let index = 0; index < 3000; index++) entries.push({path: `data/f${index}`, size: 10 + (index % 7)});
	let map = act(finalMap(oneLayer(entries)), {type: 'zoom-in'});
	assert.equal(currentPlace(map).path, '/data');
	assert.deepEqual(names(map), ['big.db', '3000 files']);
	const group = map.items[1]!;
	assert.equal(group.count, 3000);
	assert.equal(
		group.bytes,
		entries.slice(1).reduce((sum, entry) => sum + entry.size!, 0),
	);
	map = act(map, {type: 'move', direction: 'right'});
	if (selectedItem(map)?.row !== -1) map = act(map, {type: 'move', direction: 'down'});
	assert.equal(selectedItem(map)!.row, -1);
	map = act(map, {type: 'zoom-in'});
	assert.equal(map.levels.at(-1)!.skip, 1);
	assert.ok(map.items.length > 20, 'the small files get rectangles of their own');
	assert.ok(map.items.length <= 121, 'but never more than the map can show');
	assert.equal(map.items.at(-1)!.row, -1, 'the rest again in a group');
	assert.equal(
		map.items.reduce((sum, item) => sum + item.bytes, 0),
		group.bytes,
	);
	map = act(map, {type: 'zoom-out'});
	assert.equal(selectedItem(map)!.row, -1, 'back on the group');
});

test("changes mode maps the selected layer's changes only", () => {
	const map = openSizeMap(sizeMapSource(new TreeViews(sampleAnalysis()), 'changes', 2), grid);
	assert.deepEqual(names(map), ['app']);
	assert.equal(map.source.title, 'Changes in layer 2');
	const layerOne = openSizeMap(sizeMapSource(new TreeViews(sampleAnalysis()), 'changes', 1), grid);
	// tmp/cache.tar is added here and deleted by layer 3: waste.
	assert.deepEqual(
		layerOne.items.map((item) => [item.name, item.category]),
		[
			['usr', 'other'],
			['tmp', 'waste'],
			['etc', 'other'],
		],
	);
});

test('a path two findings name takes the stronger category; a secret is its own', () => {
	const finding = (category: Finding['category'], paths: string[]): Finding => ({
		ruleId: `LL-${category}`,
		category,
		confidence: 'high',
		title: category,
		evidence: [],
		groups: [],
		paths,
		layerIndex: 1,
		bytes: 0,
		fix: '',
	});
	const analysis = buildAnalysis(
		[
			{instruction: 'FROM base', entries: [{path: 'etc/os-release', size: 100}]},
			{
				instruction: 'COPY . /app',
				entries: [
					{path: 'app/key.pem', size: 3000},
					{path: 'app/tool.js', size: 2000},
					{path: 'app/.cache/blob', size: 1000},
				],
			},
		],
		[{instruction: 'CMD ["sh"]', afterLayerIndex: 0}],
		[
			finding('cache', ['app/.cache/blob', 'app/tool.js']),
			finding('build-only', ['/app/tool.js']),
			finding('secret', ['app/key.pem']),
		],
	);
	const app = act(finalMap(analysis), {type: 'zoom-in'});
	assert.deepEqual(Object.fromEntries(app.items.map((item) => [item.name, item.category])), {
		'key.pem': 'secret',
		'tool.js': 'build-only',
		'.cache': 'cache',
	});
	assert.equal(finalMap(analysis).items.find((item) => item.name === 'etc')?.category, 'base');
});

test('labels show names escaped, wide characters as ?, and every line keeps the grid width', () => {
	const map = act(
		finalMap(
			oneLayer([
				{path: `d/${hostileName}`, size: 5000},
				{path: 'd/日本語.txt', size: 5000},
			]),
		),
		{type: 'zoom-in'},
	);
	const text = sizeMapLines(map).map((line) => stripVTControlCharacters(line));
	assert.ok(text.every((line) => line.length === 80));
	const screen = text.join('\n');
	assert.ok(!screen.includes('\u001B'), 'no raw escape');
	assert.match(screen, /bad\\x1b\[2Jname\.txt/);
	assert.match(screen, /\?\?\?\.txt/);
});

function explorer(size = {columns: 80, rows: 24}): ExplorerState {
	return createInitialState(sampleAnalysis(), {canExport: false, defaultExportName: 'x'}, size, {
		sort: 'name',
	});
}

function press(state: ExplorerState, ...keys: string[]): ExplorerState {
	return keys.reduce(
		(current, name) => reducer(current, {type: 'key', name, text: name.length === 1 ? name : ''}),
		state,
	);
}

test('m in the tree opens the map of what the tree shows, on the cursor; Esc backs out, then closes', () => {
	// The last layer, whole filesystem, cursor on app/main.js.
	let state = press(explorer(), 'G', 'ctrl+a', 'tab', 'g', 'j', 'j');
	state = press(state, 'm');
	assert.equal(state.overlay?.kind, 'sizeMap');
	const map = () => (state.overlay as {map: SizeMapState}).map;
	assert.equal(map().source.title, 'Filesystem as of layer 3 (final)');
	assert.equal(selectedName(map()), 'app', "the rectangle holding the cursor's path");
	assert.equal(map().rows, state.layout.overlayBody - 1);
	state = press(state, 'enter');
	assert.equal(currentPlace(map()).path, '/app');
	state = reducer(state, {type: 'resize', size: {columns: 120, rows: 40}});
	assert.equal(map().columns, 120);
	assert.equal(currentPlace(map()).path, '/app', 'a resize keeps the place');
	state = press(state, 'escape');
	assert.equal(currentPlace(map()).path, '/');
	state = press(state, 'escape');
	assert.equal(state.overlay, undefined);
	state = press(state, 'm', 'q');
	assert.equal(state.overlay, undefined, 'q closes the map, not the explorer');
	assert.equal(state.exitCode, undefined);
});

test('over many random directories: the grid is covered, every rectangle has an inside, bytes add up, the largest is never grouped', () => {
	let seed = 11;
	const random = () => {
		seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
		return seed / 2_147_483_648;
	};

	for (let round = 0; round < 400; round++) {
		const count = 1 + Math.floor(random() * (round % 3 === 0 ? 400 : 20));
		const sizes = Array.from({length: count}, () => Math.max(1, Math.round(10 ** (random() * 7))));
		const total = sizes.reduce((sum, size) => sum + size, 0);
		const rows = [
			{path: 'd', size: total, isDirectory: true, status: 'added' as const},
			...sizes.map((size, index) => ({
				path: `d/f${index}`,
				size,
				isDirectory: false,
				status: 'added' as const,
			})),
		];
		const source = {
			title: 'random',
			rows,
			subtreeEnd: Int32Array.from(rows, (_, index) => (index === 0 ? rows.length : index + 1)),
			categories: new Uint8Array(rows.length).fill(sizeCategories.indexOf('other')),
		};
		for (const [columns, height] of [
			[80, 20],
			[160, 43],
		] as const) {
			const items = layoutLevel(source, {directory: 0, skip: 0}, columns, height);
			const cells = (columns - 1) * (height - 1);
			const context = `${count} entries at ${columns}x${height}`;
			assert.equal(
				items.reduce((sum, item) => sum + item.rect.width * item.rect.height, 0),
				cells,
				`${context}: covered`,
			);
			assert.ok(
				items.every((item) => item.rect.width >= 2 && item.rect.height >= 2),
				`${context}: every rectangle has an inside`,
			);
			assert.equal(
				items.reduce((sum, item) => sum + item.bytes, 0),
				total,
				`${context}: bytes add up`,
			);
			if ((Math.max(...sizes) / total) * cells >= 40) {
				assert.notEqual(items[0]!.row, -1, `${context}: the largest has a rectangle of its own`);
			}
		}
	}
});
