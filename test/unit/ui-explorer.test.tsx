import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, test} from 'node:test';
import {LayerlensError} from '../../source/shared/errors.js';
import type {ExplorerData} from '../../source/ui/explorer-data.js';
import {keys, type Rendered, renderExplorer} from '../helpers/render.js';
import {readmeText, sampleAnalysis} from '../helpers/sample-analysis.js';

function sampleData(change: Partial<ExplorerData> = {}): ExplorerData {
	return {
		analysis: sampleAnalysis(),
		readFile: async (_layer, path) =>
			Buffer.from(path === 'app/README.md' ? readmeText : '\u0000\u0001binary'),
		defaultExportName: 'layerlens-sample',
		...change,
	};
}

let current: Rendered | undefined;
async function open(data = sampleData(), size = {columns: 120, rows: 30}) {
	// Name order, which these tests read most easily (the explorer itself opens by size).
	const ui = await renderExplorer(data, size, {sort: 'name'});
	current = ui;
	return ui;
}

afterEach(() => {
	current?.unmount();
	current = undefined;
});

/** The tree row the cursor is on cannot be told apart without colour; find rows by text instead. */
function rowWith(frame: string, text: string): string | undefined {
	return frame.split('\n').find((line) => line.includes(text));
}

test('first frame: layers with dimmed history, details, summary, tree and help bar, within the height', async () => {
	const ui = await open();
	const lines = ui.lines();
	assert.equal(lines.length, 29, 'one line less than the terminal');
	assert.ok(lines.every((line) => line.length <= 120));
	assert.match(lines[0]!, /^ Layers \(4\) {3}!=waste b=build-only/);
	assert.match(lines[1]!, /^! {2}0 {4}1\.5 kB █ {4}FROM base/);
	assert.match(lines[2]!, /^ {21}ENV PATH=\/usr\/bin/);
	assert.match(lines[3]!, /^! {2}1 {3}70\.3 kB ████ RUN apt-get install -y libbig/);
	assert.match(lines[5]!, /^ b 2 {4}9\.5 kB █ {4}COPY \. \/app/);
	assert.ok(rowWith(ui.frame(), 'Changes in layer 0'));
	assert.ok(rowWith(ui.frame(), 'Reclaimable  20.3 kB hidden by later layers'));
	assert.ok(rowWith(ui.frame(), 'dive score   75.00 % · dive wasted 20.6 kB'));
	assert.ok(rowWith(ui.frame(), 'Build-only   8.0 kB in 1 finding'));
	assert.match(
		lines.at(-1)!,
		/^\/ filter {2}↓ layer {2}Enter details {2}q quit {2}Tab pane {2}\? keys {2}f findings {2}e export/,
	);
});

test('moving through layers changes details and tree; Tab focuses the tree', async () => {
	const ui = await open();
	await ui.press(keys.down);
	assert.ok(rowWith(ui.frame(), 'Layer 1 of 4'));
	assert.ok(rowWith(ui.frame(), 'Size     70.3 kB (tar 80.6 kB)'));
	assert.ok(rowWith(ui.frame(), 'Files    +4 added ~1 modified -0 removed'));
	assert.ok(rowWith(ui.frame(), 'Waste    introduced 20.0 kB · hid 300 B'));
	assert.match(rowWith(ui.frame(), 'cache.tar')!, /\+! {4}20\.0 kB {2}│ {2}└─ cache\.tar/);
	await ui.press(keys.tab);
	assert.match(ui.lines().at(-1)!, /^\/ filter {2}Space fold {2}s sort/);
	await ui.press('G');
	assert.ok(rowWith(ui.frame(), 'libbig.so'));
	await ui.press(keys.shiftTab, 'G');
	assert.ok(rowWith(ui.frame(), 'Layer 3 of 4'));
	assert.match(rowWith(ui.frame(), 'cache.tar')!, /- {5}20\.0 kB/);
});

test('keys that arrive in one read (a held key on a busy machine) each count', async () => {
	const ui = await open();
	await ui.press('jjj');
	assert.ok(rowWith(ui.frame(), 'Layer 3 of 4'));
});

test('fast key presses are not lost', async () => {
	const ui = await open();
	await ui.burst('j', 'j', 'j');
	assert.ok(rowWith(ui.frame(), 'Layer 3 of 4'));
});

test('p shows permissions and uid:gid when the tree pane is wide enough', async () => {
	const ui = await open(sampleData(), {columns: 160, rows: 30});
	await ui.press('j', 'j', keys.tab, 'p');
	assert.ok(rowWith(ui.frame(), 'Permission     UID:GID'));
	assert.match(rowWith(ui.frame(), 'main.js')!, /-rw-r--r-- {3}1000:1000 {4}1\.5 kB/);
	await ui.resize(80, 24);
	assert.ok(rowWith(ui.frame(), 'attributes need a wider terminal'));
});

test('x extracts the selected file into the chosen directory', async () => {
	const directory = await mkdtemp(join(tmpdir(), 'layerlens-ui-extract-'));
	try {
		const ui = await open(sampleData({readFile: async () => Buffer.from('#!/bin/sh\n')}));
		await ui.press(keys.tab, 'j', 'j', 'x');
		assert.ok(rowWith(ui.frame(), 'File: /bin/sh (layer 0, 1000 B)'));
		await ui.press(keys.backspace);
		await ui.type(directory);
		await ui.press(keys.enter);
		await ui.waitFor((frame) => frame.includes('Extracted to'));
		assert.equal(await readFile(join(directory, 'bin/sh'), 'utf8'), '#!/bin/sh\n');
		await ui.press(keys.enter, 'x', keys.backspace);
		await ui.type(directory);
		await ui.press(keys.enter);
		await ui.waitFor((frame) => frame.includes('already exists'));
	} finally {
		await rm(directory, {recursive: true, force: true});
	}
});

test('collapse with ←/h, expand with →/l, z and Z for all', async () => {
	const ui = await open();
	await ui.press(keys.tab);
	assert.ok(rowWith(ui.frame(), '└─ sh'));
	await ui.press(keys.left);
	assert.ok(rowWith(ui.frame(), '⊕ bin/'));
	assert.equal(rowWith(ui.frame(), '└─ sh'), undefined);
	await ui.press('l');
	assert.ok(rowWith(ui.frame(), '└─ sh'));
	await ui.press('z');
	assert.ok(rowWith(ui.frame(), '⊕ etc/'));
	assert.equal(rowWith(ui.frame(), 'passwd'), undefined);
	await ui.press('Z');
	assert.ok(rowWith(ui.frame(), 'passwd'));
});

test('regex filter shows its bar, narrows the tree, and Esc clears it', async () => {
	const ui = await open();
	await ui.press('j', keys.tab, '/');
	await ui.type('lib');
	assert.ok(rowWith(ui.frame(), 'Path filter: lib'));
	assert.ok(rowWith(ui.frame(), 'libbig.so'));
	assert.equal(rowWith(ui.frame(), 'config'), undefined);
	await ui.press(keys.escape);
	assert.equal(rowWith(ui.frame(), 'Path filter'), undefined);
	assert.ok(rowWith(ui.frame(), 'config'));
	await ui.press('/', '(', '[');
	assert.ok(rowWith(ui.frame(), 'Invalid regular expression'));
});

test('sort by size, aggregated mode and waste-only view', async () => {
	const ui = await open();
	await ui.press('j', keys.tab, 's');
	const order = ['usr/', 'tmp/', 'etc/'].map((name) =>
		ui.lines().findIndex((line) => line.endsWith(`─ ${name}`)),
	);
	assert.deepEqual(
		[...order].sort((a, b) => a - b),
		order,
	);
	assert.ok(rowWith(ui.frame(), 'Changes in layer 1 · by size'));
	await ui.press('s', 'a');
	assert.ok(rowWith(ui.frame(), 'Filesystem as of layer 1'));
	assert.ok(rowWith(ui.frame(), 'passwd'));
	await ui.press('a', keys.shiftTab, 'j', keys.tab, 'w');
	assert.ok(rowWith(ui.frame(), 'Layer 1 of 4'), 'jumped to the layer that adds the waste');
	assert.ok(rowWith(ui.frame(), 'waste only'));
	assert.ok(rowWith(ui.frame(), 'cache.tar'));
	assert.equal(rowWith(ui.frame(), 'libbig.so'), undefined);
});

test('names are shown with control characters escaped', async () => {
	const ui = await open();
	await ui.press('j', 'j', keys.tab);
	const frame = ui.frame();
	assert.ok(rowWith(frame, 'bad\\x1b[2Jname.txt'));
	assert.ok(!frame.includes('\u001B[2J'));
});

test('the viewer shows text files and metadata for binaries', async () => {
	const ui = await open();
	await ui.press('j', 'j', keys.tab, 'j', keys.enter);
	await ui.waitFor((frame) => frame.includes('world'));
	assert.ok(rowWith(ui.frame(), '/app/README.md'));
	assert.ok(rowWith(ui.frame(), 'hello'));
	await ui.press('q');
	assert.ok(rowWith(ui.frame(), 'Changes in layer 2'), 'q closes the viewer, it does not quit');
	assert.deepEqual(ui.exits, []);
	await ui.press('j', 'j', 'v');
	await ui.waitFor((frame) => frame.includes('Binary content'));
	assert.ok(rowWith(ui.frame(), 'Owner:    1000:1000'));
});

test('export menu: format, path, overwrite prompt and the written path', async () => {
	const calls: string[] = [];
	const ui = await open(
		sampleData({
			async exportReport(format, path, overwrite) {
				calls.push(`${format} ${path} ${overwrite}`);
				if (!overwrite) throw new LayerlensError(`${path} already exists (EEXIST)`);
			},
		}),
	);
	await ui.press('e');
	assert.ok(rowWith(ui.frame(), 'Export report'));
	assert.ok(rowWith(ui.frame(), 'Path: layerlens-sample.md'));
	await ui.press(keys.down, keys.down, keys.enter, keys.enter);
	await ui.waitFor((frame) => frame.includes('Overwrite it? (y/n)'));
	assert.ok(rowWith(ui.frame(), 'layerlens-sample.sarif exists. Overwrite it? (y/n)'));
	await ui.press('y');
	await ui.waitFor((frame) => frame.includes('Wrote '));
	assert.match(rowWith(ui.frame(), 'Wrote ')!, /Wrote \/.*layerlens-sample\.sarif/);
	assert.deepEqual(calls, ['sarif layerlens-sample.sarif false', 'sarif layerlens-sample.sarif true']);
	await ui.press(keys.enter);
	assert.ok(rowWith(ui.frame(), 'Changes in layer 0'));
});

test('help and findings overlays', async () => {
	const ui = await open();
	await ui.press('?');
	assert.ok(rowWith(ui.frame(), 'Everywhere'));
	assert.ok(rowWith(ui.frame(), 'Quit'));
	await ui.press(keys.escape, 'f');
	assert.ok(rowWith(ui.frame(), 'Findings (largest first)'));
	assert.ok(rowWith(ui.frame(), 'evidence: typescript is a devDependency in app/package.json'));
	await ui.press(keys.escape, 'd');
	assert.ok(rowWith(ui.frame(), 'No suggested Dockerfile'));
});

test('resize re-flows the layout and never exceeds the terminal height; too small says so', async () => {
	const ui = await open();
	await ui.resize(80, 20);
	assert.equal(ui.lines().length, 19);
	assert.ok(ui.lines().every((line) => line.length <= 80));
	await ui.resize(79, 20);
	assert.match(ui.frame(), /^Terminal too small \(79×20\): layerlens needs at least 80×20/);
	await ui.resize(200, 60);
	assert.equal(ui.lines().length, 59);
	await ui.press('q');
	assert.deepEqual(ui.exits, [0]);
});

test('Enter on a layer shows its full instruction and details', async () => {
	const ui = await open();
	await ui.press('j', keys.enter);
	assert.ok(rowWith(ui.frame(), ' Layer 1'));
	assert.ok(rowWith(ui.frame(), '  /bin/sh -c #(nop) RUN apt-get install -y libbig'));
	assert.ok(rowWith(ui.frame(), 'Changes:       +4 added · ~1 modified · -0 removed'));
	assert.ok(rowWith(ui.frame(), 'Hid:           300 B of lower layers'));
	await ui.press(keys.escape);
	assert.ok(rowWith(ui.frame(), 'Layer 1 of 4'));
});

test('every screen fills exactly the terminal height minus one and no line is wider than the terminal', async () => {
	const ui = await open(sampleData(), {columns: 80, rows: 20});
	const screens: Array<[string, string[]]> = [
		['main', []],
		['tree', [keys.tab, 'a', 'p', '/', 'e']],
		['help', [keys.escape, '?']],
		['findings', [keys.escape, 'f']],
		['export', [keys.escape, 'e']],
		['layer', [keys.escape, keys.shiftTab, keys.enter]],
	];
	for (const size of [
		{columns: 80, rows: 20},
		{columns: 100, rows: 24},
		{columns: 181, rows: 47},
	]) {
		await ui.resize(size.columns, size.rows);
		for (const [name, sequence] of screens) {
			await ui.press(...sequence);
			const lines = ui.lines();
			assert.equal(lines.length, size.rows - 1, `${name} at ${size.columns}×${size.rows}`);
			for (const line of lines) {
				assert.ok(line.length <= size.columns, `${name}: ${line}`);
			}
		}

		await ui.press(keys.escape, keys.escape);
	}
});

test('Ctrl+C quits with 130', async () => {
	const ui = await open();
	await ui.press(keys.ctrlC);
	assert.deepEqual(ui.exits, [130]);
});
