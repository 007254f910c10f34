import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import type {ExplorerData} from '../../source/ui/explorer-data.js';
import {keys, type Rendered, renderExplorer} from '../helpers/render.js';
import {sampleAnalysis} from '../helpers/sample-analysis.js';

// The size map drawn by Ink in the explorer: the frame fits the terminal, the status line and help bar
// follow the selection, an empty layer says so, and a resize draws the map again at the new size.

const data: ExplorerData = {
	analysis: sampleAnalysis(),
	readFile: async () => Buffer.from(''),
	defaultExportName: 'layerlens-sample',
};

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

async function open(size = {columns: 100, rows: 30}): Promise<Rendered> {
	current = await renderExplorer(data, size, {sort: 'name'});
	return current;
}

test('m draws the map in place of the panes; the status line says what is selected; Esc closes', async () => {
	const ui = await open();
	// The last layer's whole filesystem, then the tree.
	await ui.press('G', '\u0001', keys.tab, 'm');
	const frame = await ui.waitFor((text) => text.includes('Size map'));
	const lines = frame.split('\n');
	assert.equal(lines.length, 29, 'one line less than the terminal');
	assert.ok(lines.every((line) => line.length <= 100));
	assert.match(lines[0]!, /^ Size map · Filesystem as of layer 3 \(final\) · \/ · 61\.1 kB/);
	assert.match(lines[1]!, /^┌─+┬─+┐$/);
	assert.ok(
		lines.some((line) => line.includes('│b app/')),
		'app, lettered build-only',
	);
	assert.ok(
		lines.some((line) => line.includes('│i bin/')),
		'bin, lettered base image',
	);
	assert.match(
		lines.at(-3)!,
		/^▒ b build-only {3}░ i base image {3}· other$/,
		'the legend: what the map shows',
	);
	assert.match(lines.at(-2)!, /^\/usr\/ {2}50\.0 kB \(50000 B\) · other · /);
	assert.match(lines.at(-1)!, /^→ move {2}Enter open {2}Esc back {2}q close/);

	await ui.press(keys.right);
	assert.match(ui.lines().at(-2)!, /^\/app\/ {2}9\.5 kB \(9517 B\) · build-only · /);
	await ui.press(keys.enter);
	assert.match(ui.lines()[0]!, / · \/app · 9\.5 kB/);
	assert.match(ui.lines().at(-2)!, /^\/app\/node_modules\/ {2}8\.0 kB/);

	await ui.resize(140, 40);
	const wide = await ui.waitFor((text) =>
		text.split('\n').some((line) => /^└─+.*┘$/.test(line) && line.length === 140),
	);
	assert.match(wide.split('\n')[0]!, / · \/app · /, 'the same place, drawn again for the new size');

	await ui.press(keys.escape);
	assert.match(ui.lines()[0]!, / · \/ · /);
	await ui.press(keys.escape);
	assert.ok(!ui.frame().includes('Size map'), 'closed');
	assert.ok(ui.frame().includes('Filesystem as of layer 3'), 'back in the explorer');
});

test('a layer with no bytes to show: the map says so and Esc closes it', async () => {
	const ui = await open();
	// Layer 3 only deletes a file.
	await ui.press('G', keys.tab, 'm');
	const frame = await ui.waitFor((text) => text.includes('Size map'));
	assert.match(frame, /Size map · Changes in layer 3 · \/ · 0 B/);
	assert.match(frame, /Nothing with bytes here \(empty files, directories and links take no room\)/);
	await ui.press(keys.right, keys.enter);
	assert.ok(ui.frame().includes('Size map'), 'keys with nothing to act on leave it open');
	await ui.press(keys.escape);
	assert.ok(!ui.frame().includes('Size map'));
});
