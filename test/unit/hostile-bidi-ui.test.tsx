/**
Bidi and invisible characters in what the explorer and the diff explorer draw: file names, link targets, RUN
lines, finding titles and image references reach the rendered frames (ink-testing-library) only as escapes,
and a load error naming them is one capped line on stderr.
*/
import '../helpers/interactive-terminal-env.js';
import assert from 'node:assert/strict';
import {afterEach, test} from 'node:test';
import {compareFiles} from '../../source/analysis/compare/compare-files.js';
import type {ComparedFile, ImageComparison} from '../../source/analysis/compare/types.js';
import type {Finding} from '../../source/analysis/types.js';
import {errorLineLimit, LayerlensError} from '../../source/shared/errors.js';
import {DiffExplorer} from '../../source/ui/diff/diff-explorer.js';
import {runExplorer} from '../../source/ui/run-explorer.js';
import {fakeTerminal, keys, type Rendered, renderExplorer, renderUi} from '../helpers/render.js';
import {buildAnalysis} from '../helpers/sample-analysis.js';

/** Format characters (bidi controls and isolates, zero-width, BOM, letter marks), separators, lone surrogates. */
const unsafe = /[\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u0000-\u0009\u000b-\u001f\u007f-\u009f]/u;

function assertClean(frame: string, where: string): void {
	const match = unsafe.exec(frame);
	assert.equal(
		match,
		null,
		`${where} draws U+${match?.[0].codePointAt(0)?.toString(16).toUpperCase()}:\n${frame}`,
	);
}

const override = 'evil\u202Efdp.exe';
const isolated = '\u2066iso\u2069\u200B\uFEFF\u061C\u180E\u2060.js';

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

test('explorer: names, a link target, a RUN line and a finding title are drawn escaped in every view', async () => {
	const finding: Finding = {
		ruleId: 'LL-WASTE-OVERWRITTEN',
		category: 'waste',
		confidence: 'high',
		title: `Overwritten ${override}`,
		evidence: [`${isolated} is written twice`],
		groups: [{path: `app/${override}`, count: 1, bytes: 100}],
		paths: [`app/${override}`],
		layerIndex: 0,
		bytes: 100,
		fix: `Write ${override} once`,
	};
	const analysis = buildAnalysis(
		[
			{
				instruction: `RUN make \u202E${override}`,
				entries: [
					{path: override, size: 100},
					{path: isolated, size: 50},
					{path: `link\u2067`, type: 'symlink', linkTarget: `target\u202D\u2028x`},
				],
			},
			{instruction: 'RUN touch', entries: [{path: override, size: 10}]},
		],
		[],
		[finding],
	);
	const ui = await renderExplorer(
		{analysis, readFile: async () => Buffer.from(`content ${override}\n`), defaultExportName: 'x'},
		{columns: 140, rows: 30},
	);
	current = ui;
	const first = ui.frame();
	assert.ok(first.includes('evil\\u202efdp.exe'), `the name is shown escaped:\n${first}`);
	assert.ok(first.includes('\\u2066iso\\u2069\\u200b\\ufeff\\u061c\\u180e\\u2060.js'));
	assert.ok(first.includes('target\\u202d\\u2028x'), 'the link target');
	assertClean(first, 'the first frame');
	// The layer's details, the findings overlay, then the tree with the file viewer open on the name.
	await ui.press(keys.enter);
	assert.ok(ui.frame().includes('RUN make \\u202eevil\\u202efdp.exe'));
	assertClean(ui.frame(), 'the layer details');
	await ui.press(keys.escape, 'f');
	assert.ok(ui.frame().includes('Overwritten evil\\u202efdp.exe'), ui.frame());
	assertClean(ui.frame(), 'the findings overlay');
	await ui.press(keys.escape, keys.tab, keys.enter);
	assertClean(ui.frame(), 'the file viewer');
});

function entry(path: string, size: number, hash = `h${size}`): ComparedFile {
	return {path, type: 'file', size, mode: 0o644, uid: 0, gid: 0, mtime: 0, hash};
}

test('diff explorer: names, references, layers and findings are drawn escaped', async () => {
	const files = compareFiles(
		[entry(override, 100), entry(`dir\u202E/${isolated}`, 10)],
		[entry(override, 300, 'other'), entry(`dir\u202E/${isolated}`, 20, 'changed'), entry(`new\u2068`, 40)],
	);
	const totals = {layerBytes: 0, finalBytes: 0, reclaimableBytes: 0, efficiencyScore: 1, files: 0, layers: 1};
	const finding: Finding = {
		ruleId: 'LL-CACHE-NPM',
		category: 'cache',
		confidence: 'high',
		title: `npm cache in \u202Eevil`,
		evidence: [],
		groups: [],
		paths: [],
		layerIndex: 1,
		bytes: 40,
		fix: 'x',
	};
	const empty = {countA: 0, countB: 0, bytesA: 0, bytesB: 0};
	const comparison: ImageComparison = {
		a: {reference: `app\u202E:1`, id: 'sha256:a'},
		b: {reference: `app\u2066:2`, id: 'sha256:b'},
		totals: {a: totals, b: totals, delta: totals},
		layers: {
			shared: [{index: 0, diffId: 'sha256:s', sizeBytes: 1, instruction: `FROM \u202Ebase`}],
			onlyA: [{index: 1, diffId: 'sha256:x', sizeBytes: 1, instruction: `RUN \u2067a`}],
			onlyB: [{index: 1, diffId: 'sha256:y', sizeBytes: 1, instruction: `RUN \u2068b`}],
		},
		files,
		findings: {
			resolved: [],
			new: [finding],
			kept: [{ruleId: 'LL-X', category: 'waste', title: `kept \u200Bx`, bytesA: 1, bytesB: 2}],
			byCategory: {secret: empty, 'build-only': empty, cache: empty, waste: empty},
		},
		identical: false,
	};
	const ui = await renderUi(
		<DiffExplorer comparison={comparison} size={{columns: 120, rows: 30}} onExit={() => undefined} />,
		{
			columns: 120,
			rows: 30,
		},
	);
	current = ui;
	const first = ui.frame();
	for (const shown of [
		'app\\u202e:1',
		'app\\u2066:2',
		'FROM \\u202ebase',
		'RUN \\u2067a',
		'evil\\u202efdp.exe',
		'new\\u2068',
	]) {
		assert.ok(first.includes(shown), `${shown} in:\n${first}`);
	}

	assertClean(first, 'the first diff frame');
	await ui.press(keys.tab, 'Z');
	assert.ok(ui.frame().includes('\\u2066iso\\u2069'), ui.frame());
	assertClean(ui.frame(), 'the expanded tree');
	await ui.press('f');
	assert.ok(ui.frame().includes('npm cache in \\u202eevil'), ui.frame());
	assertClean(ui.frame(), 'the findings overlay');
});

test('explorer: a 60,000-character load error naming a bidi override is one capped line', async () => {
	const terminal = fakeTerminal();
	const exit = await runExplorer({
		title: 'x',
		load: async () => {
			throw new LayerlensError(`layer 1 (\u202E${'n'.repeat(60_000)}) is missing`);
		},
		...terminal,
	});
	assert.equal(exit, 2);
	const errors = terminal.errors();
	assert.match(errors, /^layerlens: layer 1 \(\\u202en+… \(\d{2},\d{3} more characters\)\n$/);
	assert.ok(errors.length - 1 <= errorLineLimit, `${errors.length - 1} characters`);
});
