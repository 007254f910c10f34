import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import type {ExplorerData} from '../../source/ui/explorer-data.js';
import {keys, type Rendered, renderExplorer} from '../helpers/render.js';
import {sampleAnalysis} from '../helpers/sample-analysis.js';
import {samplePackages, sampleSuggestion} from '../helpers/sample-packages.js';

// The package view and the owner column drawn by Ink: frames fit the terminal, the rows say what the
// reducer says, Enter leaves the tree filtered to the package's files and the status line says so.

function data(): ExplorerData {
	const analysis = sampleAnalysis();
	const inventory = samplePackages(analysis);
	let calls = 0;
	return {
		analysis,
		readFile: async () => Buffer.from(''),
		defaultExportName: 'layerlens-sample',
		suggestion: sampleSuggestion(),
		packages: () => {
			calls++;
			assert.ok(calls < 1000, 'the inventory is asked for, not recomputed per row');
			return inventory;
		},
	};
}

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

async function open(size = {columns: 120, rows: 30}): Promise<Rendered> {
	current = await renderExplorer(data(), size, {sort: 'name'});
	return current;
}

test('P draws the packages by bytes with their columns; the status line explains the selection', async () => {
	const ui = await open();
	await ui.press('P');
	const frame = await ui.waitFor((text) => text.includes('Packages · 3'));
	const lines = frame.split('\n');
	assert.equal(lines.length, 29, 'one line less than the terminal');
	assert.ok(lines.every((line) => line.length <= 120));
	assert.match(lines[0]!, /^ Packages · 3 \(deb 2, npm 1\) · packages 59\.0 kB · yours 2\.1 kB · by size/);
	assert.match(lines[1]!, /Size {2}Eco {3}Name +Version +Layer {2}Use {7} {2}Instruction of the layer/);
	assert.match(lines[2]!, /^ {3}50\.0 kB {2}deb {3}libbig +1\.0-3 +\? {2}unknown/);
	assert.match(lines[3]!, /^ {4}8\.0 kB {2}npm {3}typescript +5\.6\.3 +2 {2}build-only {2}COPY \. \/app/);
	assert.match(lines[4]!, /^ {4}1\.0 kB {2}deb {3}bash +5\.2-1 +\? {2}runtime/);
	assert.match(
		lines.at(-2)!,
		/^1 file, 50000 B · unknown: neither the findings nor the runtime closure say · Enter/,
	);
	assert.match(lines.at(-1)!, /move {2}s sort {2}\/ filter {2}Enter its files {2}Esc close/);
	await ui.press('j');
	assert.match(
		ui.lines().at(-2)!,
		/^\/app\/node_modules\/typescript · 1 file, 8000 B · build-only: build-only findings/,
	);
});

test('typing a filter narrows the list and shows in the status line; s sorts by name', async () => {
	const ui = await open();
	await ui.press('P', '/');
	await ui.type('^deb');
	let frame = await ui.waitFor((text) => text.includes('Package filter: ^deb'));
	assert.match(frame, /2 packages/);
	assert.ok(!frame.includes('typescript'));
	await ui.press(keys.enter);
	frame = await ui.waitFor((text) => text.includes('filter ^deb: 2 matches'));
	assert.match(frame.split('\n').at(-2)!, /^1 file, 50000 B · unknown/, 'the kept filter is in the title');
	await ui.press('s');
	frame = await ui.waitFor((text) => text.includes('by name'));
	const lines = frame.split('\n');
	assert.match(lines[2]!, /bash/);
	assert.match(lines[3]!, /libbig/);
});

test('Enter: the tree, final filesystem, filtered to the package’s files; Esc shows every file', async () => {
	const ui = await open();
	await ui.press('P', 'j', keys.enter);
	let frame = await ui.waitFor((text) => text.includes('files of npm:typescript'));
	assert.match(frame, /Filesystem as of layer 3 · files of npm:typescript 5\.6\.3 at \/app\/n/);
	assert.match(frame, /8\.0 kB {2}└─ app\//);
	assert.match(frame, /tsc\.js/);
	assert.ok(!frame.includes('passwd'));
	assert.match(ui.lines().at(-2)!, /^Tree filtered to the files of npm:typescript .*Esc: every file/);
	await ui.press(keys.escape);
	frame = await ui.waitFor((text) => text.includes('passwd'));
	assert.ok(!frame.includes('Tree filtered'));
});

test('o shows the owner column in the tree, at any layer, and hides it again', async () => {
	const ui = await open();
	await ui.press('G', '\u0001', keys.tab, 'o');
	const frame = await ui.waitFor((text) => text.includes('Owner (final)'));
	const row = (name: string) => frame.split('\n').find((line) => line.includes(name)) ?? '';
	assert.match(row('libbig.so'), / libbig {15}50\.0 kB {8}└─ libbig\.so/);
	assert.match(row('passwd'), / yours {18}200 B/);
	assert.match(row('tsc.js'), / npm:typescript {8}8\.0 kB/);
	assert.match(row('bin/'), /^ {21,} {7}1\.0 kB {2}├─ bin\//, 'directories have no owner');
	assert.ok(frame.split('\n').every((line) => line.length <= 120));
	await ui.press('o');
	assert.ok(!ui.frame().includes('Owner (final)'));
});
