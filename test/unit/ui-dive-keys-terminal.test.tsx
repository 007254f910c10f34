import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import type {ExplorerData} from '../../source/ui/explorer-data.js';
import {keys, type Rendered, renderExplorer} from '../helpers/render.js';
import {sampleAnalysis} from '../helpers/sample-analysis.js';

/*
Every key binding of dive's README (and its config's `keybinding:` defaults), sent as the bytes a terminal
sends for it, through Ink's input parsing, the keymap and the reducer, checked on the rendered frame.
*/

/** What a terminal sends for dive's chords (Ctrl+letter is the letter's code - 0x60, Ctrl+Space is NUL). */
const dive = {
	ctrlA: '\u0001',
	ctrlB: '\u0002',
	ctrlC: '\u0003',
	ctrlE: '\u0005',
	ctrlF: '\u0006',
	ctrlL: '\u000C',
	ctrlO: '\u000F',
	ctrlR: '\u0012',
	ctrlU: '\u0015',
	ctrlSpace: '\u0000',
	ctrlSlash: '\u001F',
	/** Ctrl+M is the byte Enter sends (CR): a terminal cannot tell them apart. */
	ctrlM: '\r',
} as const;

function sampleData(): ExplorerData {
	return {
		analysis: sampleAnalysis(),
		readFile: async () => Buffer.from('#!/bin/sh\n'),
		defaultExportName: 'layerlens-sample',
	};
}

let current: (Rendered & {exits: number[]}) | undefined;
async function open(size = {columns: 120, rows: 30}) {
	current = await renderExplorer(sampleData(), size, {sort: 'name'});
	return current;
}

afterEach(() => {
	current?.unmount();
	current = undefined;
});

const title = (ui: Rendered) => ui.lines()[0]!;
const footer = (ui: Rendered) => ui.lines().at(-1)!;
const rowWith = (ui: Rendered, text: string) => ui.lines().find((line) => line.includes(text));

test('dive: Ctrl+C exits (130, as an interrupt), in either pane', async () => {
	const ui = await open();
	await ui.press(keys.tab, dive.ctrlC);
	assert.deepEqual(ui.exits, [130]);
});

test('dive 0.13: q exits', async () => {
	const ui = await open();
	await ui.press('q');
	assert.deepEqual(ui.exits, [0]);
});

test('dive: Tab switches between the layer and file tree views', async () => {
	const ui = await open();
	assert.match(footer(ui), /↓ layer/);
	await ui.press(keys.tab);
	assert.match(footer(ui), /Space fold/);
	assert.doesNotMatch(footer(ui), /↓ layer/);
	await ui.press(keys.tab);
	assert.match(footer(ui), /↓ layer/);
});

test('dive: Ctrl+F (and Ctrl+/) filters files, from the layers view too; Esc closes the filter', async () => {
	const ui = await open();
	await ui.press('j', dive.ctrlF);
	assert.ok(rowWith(ui, 'Path filter:'), 'the filter bar opens');
	await ui.type('libbig');
	assert.ok(rowWith(ui, 'libbig.so'));
	assert.equal(rowWith(ui, 'config'), undefined, 'other files are filtered out');
	await ui.press(keys.escape);
	assert.equal(rowWith(ui, 'Path filter:'), undefined);
	assert.ok(rowWith(ui, 'config'));
	await ui.press(dive.ctrlSlash);
	assert.ok(rowWith(ui, 'Path filter:'), 'Ctrl+/ too (dive: ctrl+slash)');
});

test('dive: PgUp/PgDn scroll a page, in the layers view and in the file tree', async () => {
	const ui = await open({columns: 80, rows: 20});
	await ui.press(keys.pageDown);
	assert.ok(rowWith(ui, 'Layer 3 of 4'), 'PgDn: a page of layers down (the last one here)');
	await ui.press(keys.pageUp);
	assert.ok(rowWith(ui, 'Layer 0 of 4'), 'PgUp: back up');
	await ui.press('G', keys.tab, 'a', 'g');
	assert.match(title(ui), / 1\/18$/);
	await ui.press(keys.pageDown);
	const [, down] = / (\d+)\/18$/.exec(title(ui)) ?? [];
	assert.ok(Number(down) > 1, `PgDn moved the tree cursor a page (row ${down})`);
	await ui.press(keys.pageUp);
	assert.match(title(ui), / 1\/18$/, 'PgUp moved it back');
});

test("dive: Ctrl+A shows the aggregated filesystem, Ctrl+L the layer's own changes (layers view)", async () => {
	const ui = await open();
	await ui.press('j', dive.ctrlA);
	assert.ok(rowWith(ui, 'Filesystem as of layer 1'));
	assert.ok(rowWith(ui, 'passwd'), 'files of lower layers are shown');
	await ui.press(dive.ctrlL);
	assert.ok(rowWith(ui, 'Changes in layer 1'));
	assert.equal(rowWith(ui, 'passwd'), undefined);
});

test('dive: Space collapses/uncollapses a directory, Ctrl+Space all directories (file tree)', async () => {
	const ui = await open();
	await ui.press(keys.tab);
	assert.ok(rowWith(ui, '└─ sh'));
	await ui.press(' ');
	assert.ok(rowWith(ui, '⊕ bin/'), 'Space folds the directory under the cursor');
	assert.equal(rowWith(ui, '└─ sh'), undefined);
	await ui.press(' ');
	assert.ok(rowWith(ui, '└─ sh'), 'and opens it again');
	await ui.press(dive.ctrlSpace);
	assert.ok(rowWith(ui, '⊕ etc/'));
	assert.ok(rowWith(ui, '⊕ bin/'));
	assert.equal(rowWith(ui, 'passwd'), undefined, 'every directory is folded');
	await ui.press(dive.ctrlSpace);
	assert.ok(rowWith(ui, 'passwd'), 'and Ctrl+Space again opens them all');
});

test('dive: Ctrl+A, Ctrl+R and Ctrl+U show/hide added, removed and unmodified files (file tree)', async () => {
	const ui = await open();
	await ui.press('j', keys.tab);
	assert.ok(rowWith(ui, 'libbig.so'), 'an added file');
	await ui.press(dive.ctrlA);
	assert.match(title(ui), /hiding added/);
	assert.equal(rowWith(ui, 'libbig.so'), undefined, 'added files hidden');
	assert.ok(rowWith(ui, 'config'), 'the modified file stays');
	await ui.press(dive.ctrlA);
	assert.ok(rowWith(ui, 'libbig.so'), 'shown again');

	await ui.press(keys.shiftTab, 'G', keys.tab);
	assert.ok(rowWith(ui, '└─ cache.tar'), 'layer 3 removes cache.tar');
	await ui.press(dive.ctrlR);
	assert.match(title(ui), /hiding removed/);
	assert.equal(rowWith(ui, '└─ cache.tar'), undefined, 'removed files hidden');
	await ui.press(dive.ctrlR, 'a');
	assert.ok(rowWith(ui, 'passwd'), 'the aggregated view shows unmodified files');
	await ui.press(dive.ctrlU);
	assert.match(title(ui), /hiding unchanged/);
	assert.equal(rowWith(ui, 'passwd'), undefined, 'unmodified files hidden');
});

test("dive: Ctrl+M hides modified files where the terminal tells it from Enter; its byte is Enter's", async () => {
	const ui = await open();
	await ui.press('j', keys.tab);
	// The CR byte is Enter: it folds the directory under the cursor, as Enter does.
	await ui.press(dive.ctrlM);
	assert.ok(rowWith(ui, '⊕ etc/'));
	assert.doesNotMatch(title(ui), /hiding/);
	// So the layerlens key for it, 2, is the one that works in every terminal.
	await ui.press(dive.ctrlM, '2');
	assert.match(title(ui), /hiding modified/);
	assert.equal(rowWith(ui, 'config'), undefined);
});

test('dive: Ctrl+B shows/hides file attributes (file tree)', async () => {
	const ui = await open({columns: 160, rows: 30});
	await ui.press('j', 'j', keys.tab, dive.ctrlB);
	assert.ok(rowWith(ui, 'Permission     UID:GID'));
	assert.match(rowWith(ui, 'main.js')!, /-rw-r--r-- {3}1000:1000/);
	await ui.press(dive.ctrlB);
	assert.equal(rowWith(ui, 'Permission'), undefined);
});

test('dive: Ctrl+O switches the sort order between name and size (file tree)', async () => {
	const ui = await open();
	await ui.press('j', keys.tab);
	assert.doesNotMatch(title(ui), /by size/);
	await ui.press(dive.ctrlO);
	assert.match(title(ui), /by size/);
	const order = ['usr/', 'tmp/', 'etc/'].map((name) => ui.lines().findIndex((line) => line.endsWith(name)));
	assert.deepEqual(
		[...order].sort((a, b) => a - b),
		order,
		'largest first',
	);
	await ui.press(dive.ctrlO);
	assert.doesNotMatch(title(ui), /by size/);
});

test('dive: Ctrl+E extracts the selected file (file tree)', async () => {
	const ui = await open();
	await ui.press(keys.tab, 'j', 'j', dive.ctrlE);
	assert.ok(rowWith(ui, 'File: /bin/sh (layer 0, 1000 B)'), 'the extract prompt for the file');
	await ui.press(keys.escape);
	assert.equal(rowWith(ui, 'File: /bin/sh'), undefined);
});
