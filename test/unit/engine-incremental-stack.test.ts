import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	EntryColumns,
	finishStack,
	IncrementalStack,
	type NodeStatus,
	nodeId,
	type PathTree,
	stackLayers,
} from '../../source/engine/index.js';
import type {TarEntry} from '../../source/image/types.js';
import {dir, file, hardlink, opaque, symlink, whiteout} from '../helpers/raw-image-builder.js';

/** Everything a reader of a tree can ask it, node by node, version by version and layer by layer. */
function describe(tree: PathTree): string[] {
	const lines: string[] = [
		`nodes=${tree.nodeCount} versions=${tree.versionCount} layers=${tree.layers.length}`,
	];
	const status: NodeStatus = {version: undefined, status: 'unchanged', isContext: false, hiddenLater: false};
	const show = () => `${status.status}/${status.version ?? '-'}/${status.isContext}/${status.hiddenLater}`;
	tree.forEachNode((node) => {
		const versions = tree
			.versions(node)
			.map(
				(version) =>
					`${tree.layerOf(version)}:${tree.rowOf(version)}:${tree.kind(version)}:${tree.hiddenIn(version) ?? -1}:${tree.cause(version) ?? '-'}`,
			);
		const perLayer: string[] = [];
		for (let layer = 0; layer < tree.layers.length; layer++) {
			const present = tree.statusAt(node, layer, status);
			const at = present ? show() : 'absent';
			tree.changeIn(node, layer, status);
			perLayer.push(`${layer}=${at}|${show()}|${tree.versionAt(node, layer) ?? '-'}`);
		}

		lines.push(
			`${tree.pathOf(node)} parent=${tree.parentOf(node) ?? -1} children=${[...tree.childrenOf(node)].join(',')} final=${tree.finalVersion(node) ?? '-'} [${versions.join(' ')}] removed=${tree.removedIn(node).join(',')} ${perLayer.join(' ')}`,
		);
		assert.equal(tree.find(tree.pathOf(node)), node, `find ${tree.pathOf(node)}`);
	});
	for (let layer = 0; layer < tree.layers.length; layer++) {
		lines.push(
			`layer ${layer}: ${tree.touchedIn(layer).join(',')} ${JSON.stringify(tree.changeCounts(layer))}`,
		);
	}

	const final = tree.finalFiles({directories: true});
	for (let index = 0; index < final.count; index++)
		lines.push(`final ${final.path(index)} ${final.version(index)}`);
	return lines;
}

const columnsOf = (layers: TarEntry[][]) => layers.map((entries) => EntryColumns.fromEntries(entries));

/**
Stacks `layers` one at a time and checks, after each, that the snapshot is what stacking only those layers
gives, that no later layer changes a snapshot taken before it, and that the finished tree is `stackLayers`'s.
*/
function checkIncremental(name: string, layers: TarEntry[][]): void {
	const columns = columnsOf(layers);
	const stack = new IncrementalStack();
	const snapshots: Array<{tree: PathTree; described: string[]}> = [];
	for (let count = 1; count <= columns.length; count++) {
		stack.add(columns[count - 1]!);
		assert.equal(stack.count, count);
		const tree = stack.snapshot();
		assert.equal(stack.snapshot(), tree, 'the same snapshot until the next layer');
		const described = describe(tree);
		const alone = stackLayers(columns.slice(0, count).map((entries) => ({entries})));
		assert.deepEqual(described, describe(alone), `${name}: layers 0..${count - 1}`);
		snapshots.push({tree, described});
	}

	const finished = stack.finish();
	const whole = stackLayers(columns.map((entries) => ({entries})));
	assert.deepEqual(describe(finished), describe(whole), `${name}: the finished tree`);
	assert.deepEqual(finished.toStored(), whole.toStored(), `${name}: the finished tree's columns`);
	for (const [index, {tree, described}] of snapshots.entries()) {
		assert.deepEqual(describe(tree), described, `${name}: snapshot ${index} after the later layers`);
	}
}

/** The shapes of the engine's stacking tests, and hostile ones: each a list of layers. */
const shapes: Record<string, TarEntry[][]> = {
	'a file whiteout': [[dir('a'), file('a/x', 100), file('a/y', 50)], [whiteout('a/x')]],
	'a directory whiteout': [
		[dir('a'), dir('a/b'), file('a/b/c', 300), file('a/d', 200), symlink('a/l', 'd')],
		[whiteout('a')],
	],
	'an opaque directory, its own entries before the marker': [
		[dir('a'), file('a/old', 100), file('a/keep', 40, 'hk')],
		[dir('a'), file('a/new', 10), opaque('a'), file('a/keep', 40, 'hk')],
	],
	overwrites: [[file('f', 100, 'hA')], [file('f', 300, 'hB')], [file('f', 50, 'hC')]],
	'a chmod copy-up': [
		[dir('bin'), file('bin/tool', 1000, 'hT', {mode: 0o644})],
		[dir('bin'), file('bin/tool', 1000, 'hT', {mode: 0o755})],
	],
	'hard links and symlinks': [
		[dir('usr'), file('usr/a', 500, 'hX'), hardlink('usr/b', 'usr/a'), symlink('lib', 'usr/lib')],
		[symlink('lib', 'usr/lib64'), file('usr/c', 500, 'hX')],
	],
	'a directory replaced by a file, and by a directory again': [
		[dir('a'), file('a/x', 70), dir('a/s'), file('a/s/y', 30)],
		[file('a', 5, 'h5')],
		[dir('a'), file('a/z', 1)],
	],
	'a file replaced by an implicit directory': [[file('p', 10)], [file('p/q', 3)]],
	'whiteouts for paths that never existed': [
		[file('a', 10)],
		[whiteout('ghost'), whiteout('a/b'), opaque('nowhere')],
	],
	'deleted and added again': [[file('x', 8, 'h8')], [whiteout('x')], [file('x', 8, 'h8')]],
	'rm -rf d && mkdir d': [
		[dir('d'), file('d/a', 1), dir('d/e'), file('d/e/f', 2)],
		[opaque('d'), dir('d'), file('d/a', 1), whiteout('d/e')],
		[dir('d/e'), file('d/e/g', 3)],
	],
	'the same path twice in one tar': [
		[file('t', 1, 'h1'), file('t', 2, 'h2'), dir('u'), file('u', 4, 'h4')],
		[file('t', 2, 'h2'), file('t', 9, 'h9'), whiteout('u'), file('u', 4)],
	],
	'an empty layer between': [[dir('etc'), file('etc/a', 1)], [], [file('etc/a', 2, 'h2')], []],
};

for (const [name, layers] of Object.entries(shapes)) {
	test(`incremental stacking: ${name}`, () => checkIncremental(name, layers));
}

/** A small deterministic generator: the same seed, the same layers. */
function randomLayers(seed: number): TarEntry[][] {
	let state = seed;
	const next = (limit: number) => {
		state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
		return (state >>> 8) % limit;
	};

	const names = ['a', 'b', 'c'];
	const randomPath = () => Array.from({length: 1 + next(3)}, () => names[next(names.length)]!).join('/');
	return Array.from({length: 2 + next(5)}, () =>
		Array.from({length: next(8)}, () => {
			const path = randomPath();
			switch (next(6)) {
				case 0:
					return dir(path);
				case 1:
					return whiteout(path);
				case 2:
					return opaque(path);
				case 3:
					return symlink(path, 'a');
				default:
					return file(path, 1 + next(4), `h${next(3)}`);
			}
		}),
	);
}

test('incremental stacking: random layers of files, directories, whiteouts and opaque markers on few paths', () => {
	for (let seed = 1; seed <= 300; seed++) checkIncremental(`seed ${seed}`, randomLayers(seed));
});

test('a snapshot before any layer is the empty tree; add, snapshot and finish after finish refuse', () => {
	const stack = new IncrementalStack();
	assert.deepEqual(describe(stack.snapshot()), describe(stackLayers([])));
	stack.add(EntryColumns.fromEntries([file('a', 1)]));
	const tree = stack.finish();
	assert.equal(tree.pathOf(nodeId(1)), 'a');
	assert.throws(() => stack.add(EntryColumns.fromEntries([])), /after finish/);
	assert.throws(() => stack.snapshot(), /after finish/);
	assert.throws(() => stack.finish(), /twice/);
});

test('a snapshot does not find a path a later layer adds', () => {
	const stack = new IncrementalStack();
	stack.add(EntryColumns.fromEntries([file('a/x', 1)]));
	const first = stack.snapshot();
	stack.add(EntryColumns.fromEntries([file('a/y', 1), file('b/z', 2)]));
	assert.equal(first.find('a/y'), undefined);
	assert.equal(first.find('b'), undefined);
	assert.deepEqual(
		[...first.childrenOf(first.find('a')!)].map((node) => first.pathOf(node)),
		['a/x'],
	);
	assert.equal(stack.snapshot().find('b/z') !== undefined, true);
});

test('finishStack: a stack filled with the first k layers (snapshots taken) finishes into stackLayers of them all', () => {
	for (const [name, shape] of [...Object.entries(shapes), ['seed 7', randomLayers(7)] as const]) {
		const layers = columnsOf(shape).map((entries) => ({entries}));
		const whole = stackLayers(layers);
		for (let count = 0; count <= layers.length; count++) {
			const stack = new IncrementalStack();
			for (const layer of layers.slice(0, count)) {
				stack.add(layer.entries);
				stack.snapshot();
			}

			assert.equal(stack.startsWith(layers), true);
			const tree = finishStack(layers, stack);
			assert.equal(stack.finished, true, `${name}: the stack is the one finished (${count} layers in)`);
			assert.deepEqual(describe(tree), describe(whole), `${name}: ${count} layers stacked before`);
			assert.deepEqual(tree.toStored(), whole.toStored(), `${name}: columns, ${count} layers stacked before`);
		}
	}
});

test('finishStack stacks afresh, leaving the stack alone, when it holds other columns or is finished', () => {
	const layers = columnsOf(shapes.overwrites!).map((entries) => ({entries}));
	const whole = stackLayers(layers);
	// The same entries, but other columns (a stack fed from another read): not trusted.
	const other = new IncrementalStack();
	other.add(EntryColumns.fromEntries(shapes.overwrites![0]!));
	assert.equal(other.startsWith(layers), false);
	assert.deepEqual(finishStack(layers, other).toStored(), whole.toStored());
	assert.equal(other.finished, false);
	// More layers than the image has.
	const longer = new IncrementalStack();
	for (const layer of [...layers, layers[0]!]) longer.add(layer.entries);
	assert.equal(longer.startsWith(layers), false);
	assert.deepEqual(finishStack(layers, longer).toStored(), whole.toStored());
	const done = new IncrementalStack();
	done.add(layers[0]!.entries);
	done.finish();
	assert.deepEqual(finishStack(layers, done).toStored(), whole.toStored());
	assert.deepEqual(finishStack(layers, undefined).toStored(), whole.toStored());
});
