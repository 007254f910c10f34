import '../helpers/interactive-terminal-env.js';
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {outlineImage} from '../../source/analysis/image-outline.js';
import {IncrementalStack, stackLayers} from '../../source/engine/index.js';
import type {TarEntry} from '../../source/image/types.js';
import {sharedBaseLayers} from '../../source/ui/diff/diff-layers-first.js';
import {type DiffFill, runDiffExplorer} from '../../source/ui/diff/run-diff-explorer.js';
import {dir, file} from '../helpers/raw-image-builder.js';
import {parsedLayers, previewOf, progressOf} from '../helpers/read-layers.js';
import {fakeTerminal} from '../helpers/render.js';

/** A shares its base (layers 0 and 1) with B; each adds a layer of its own on top. */
const entries: TarEntry[][] = [
	[dir('etc'), file('etc/os-release', 300, 'os'), dir('usr'), file('usr/bin-tool', 5000, 'tool')],
	[dir('app'), file('app/server.js', 1200, 'server')],
	[dir('app'), file('app/cache.bin', 90_000, 'cache')],
	[dir('srv'), file('srv/new-data.bin', 40_000, 'data')],
];
const layers = parsedLayers(entries);
const sideA = [layers[0]!, layers[1]!, layers[2]!];
const sideB = [layers[0]!, layers[1]!, layers[3]!];

const previewA = previewOf(sideA, 'a');
const previewB = previewOf(sideB, 'b');
const outlineA = outlineImage('app:old', previewA);
const outlineB = outlineImage('app:new', previewB);

test('the base two images share is the run of equal diff IDs from the bottom', () => {
	assert.equal(sharedBaseLayers(outlineA, outlineB), 2);
	assert.equal(sharedBaseLayers(outlineA, outlineA), 3);
	assert.equal(sharedBaseLayers(outlineB, outlineImage('other', previewOf([layers[3]!], 'c'))), 0);
	assert.equal(sharedBaseLayers(outlineA, undefined), 0);
	// Equal layers above a different one are not a shared base: the stack under them differs.
	assert.equal(sharedBaseLayers(outlineA, outlineImage('x', previewOf([layers[3]!, layers[1]!], 'd'))), 0);
});

test('the diff while it loads: the shared base marked, each side’s files as its layers stack, then its whole tree', async () => {
	const terminal = fakeTerminal({columns: 150, rows: 32});
	let handed: DiffFill | undefined;
	let step: (n: number) => void = () => undefined;
	const exit = runDiffExplorer({
		title: 'app:old → app:new',
		load(onProgress, _signal, onOutline, fill) {
			handed = fill;
			step = (n) => {
				if (n === 1) {
					onOutline?.({reading: 'A', a: outlineA, b: outlineB}, previewA);
					onProgress(progressOf(sideA, [0, 1], 2));
				} else if (n === 2) {
					fill?.onTree('A', stackLayers(sideA));
					// As loadComparison switches sides: B is the one read, and its progress starts from nothing.
					onOutline?.({reading: 'B', a: outlineA, b: outlineB}, previewB);
					onProgress({bytesRead: 0, layersDone: 0});
				} else {
					onProgress(progressOf(sideB, [0], 1));
				}
			};
			return new Promise(() => undefined);
		},
		...terminal,
	});
	await terminal.waitFor('app:old → app:new');
	assert.ok(handed?.stacks.A instanceof IncrementalStack && handed.stacks.B instanceof IncrementalStack);
	step(1);
	await terminal.waitFor('A read so far · layers 0–1 of 3');
	let shown = terminal.output();
	assert.match(shown, /B · waiting · app:new · 3 layers, 2 shared with A/);
	assert.match(shown, /app/);
	assert.equal(handed?.stacks.A.count, 2, 'the view stacked the two layers read, for the load to finish');
	// Keys still wait for the comparison.
	terminal.stdin.write('j');
	await terminal.waitFor('1 keys kept for it');

	step(2);
	await terminal.waitFor('A · every layer');
	shown = terminal.output();
	assert.match(shown.slice(shown.lastIndexOf('A · every layer')), /cache\.bin|app/);

	step(3);
	await terminal.waitFor('B read so far · layers 0–0 of 3');
	assert.equal(handed?.stacks.B.count, 1, "B's stack holds only B's own layer read so far");
	shown = terminal.output();
	assert.doesNotMatch(shown, /B read so far · layers 0–1/, 'no layer of B shows as read before B sent it');
	terminal.stdin.write('q');
	assert.equal(await exit, 0);
	assert.equal(terminal.errors(), '');
});
