import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {Ajv} from 'ajv';
import MarkdownIt from 'markdown-it';
import {analyzeImage} from '../../source/analysis/analyze-image.js';
import {compareImages} from '../../source/analysis/compare/compare-images.js';
import {finalFiles} from '../../source/analysis/compare/final-files.js';
import type {ComparisonSide, ImageComparison} from '../../source/analysis/compare/types.js';
import type {Finding} from '../../source/analysis/types.js';
import {evaluateDiffBudgets, parseDiffConfig} from '../../source/ci/diff-budgets.js';
import type {ParsedLayer} from '../../source/image/types.js';
import {toJsonDiffReport} from '../../source/report/diff-json.js';
import {renderDiffMarkdown} from '../../source/report/diff-markdown.js';
import {dir, file, layer, rawImage, symlink, whiteout} from '../helpers/raw-image-builder.js';

function withId(parsed: ParsedLayer, id: string): ParsedLayer {
	return {...parsed, diffId: `sha256:${id.padStart(64, '0')}`};
}

function side(layers: ParsedLayer[], findings: Finding[] = []): ComparisonSide {
	const analysis = analyzeImage(rawImage(layers));
	const {tree, ...report} = analysis;
	return {report: {...report, findings}, files: finalFiles(tree)};
}

const base = withId(
	layer([dir('usr'), file('usr/lib.so', 1000, 'hl'), dir('etc'), file('etc/conf', 10, 'hc')]),
	'b',
);

function finding(ruleId: string, category: Finding['category'], groups: string[], bytes: number): Finding {
	return {
		ruleId,
		category,
		confidence: 'high',
		title: ruleId,
		evidence: [],
		groups: groups.map((path) => ({path, count: 1, bytes})),
		paths: groups,
		layerIndex: 1,
		bytes,
		fix: 'fix it',
	};
}

function sample(): ImageComparison {
	const a = side(
		[
			base,
			withId(
				layer([
					dir('app'),
					file('app/main.js', 500, 'm1'),
					file('app/same.js', 40, 's'),
					file('app/mode.sh', 30, 'x', {mode: 0o644}),
					file('app/owner', 20, 'o'),
					file('app/time', 5, 't', {mtime: 100}),
					symlink('app/link', 'main.js'),
					dir('app/node_modules'),
					dir('app/node_modules/typescript'),
					file('app/node_modules/typescript/lib.js', 3000, 'ts1'),
					file('app/node_modules/typescript/bin', 200, 'ts2'),
					file('app/old.txt', 70, 'old'),
				]),
				'a1',
			),
		],
		[
			finding('LL-BUILD-DEVDEPS', 'build-only', ['app/node_modules/typescript/'], 3200),
			finding('LL-WASTE-X', 'waste', [], 9),
		],
	);
	const b = side(
		[
			base,
			withId(
				layer([
					dir('app'),
					file('app/main.js', 800, 'm2'),
					file('app/same.js', 40, 's'),
					file('app/mode.sh', 30, 'x', {mode: 0o755}),
					file('app/owner', 20, 'o', {uid: 1000, gid: 1000}),
					file('app/time', 5, 't', {mtime: 200}),
					symlink('app/link', 'other.js'),
					dir('app/node_modules'),
					dir('srv/data', {}),
					file('srv/data/big.bin', 4000, 'big'),
					file('srv/data/small.bin', 100, 'small'),
				]),
				'b1',
			),
		],
		[finding('LL-WASTE-X', 'waste', [], 12), finding('LL-SECRET-KEY', 'secret', ['srv/data/'], 100)],
	);
	return compareImages(a, b);
}

test('paths are matched: added, removed and changed with what changed; time stamps alone are not a change', () => {
	const comparison = sample();
	const byPath = new Map(comparison.files.changes.map((change) => [change.path, change]));
	assert.deepEqual(byPath.get('app/main.js'), {
		path: 'app/main.js',
		kind: 'changed',
		type: 'file',
		sizeA: 500,
		sizeB: 800,
		deltaBytes: 300,
		attributes: ['content', 'size'],
	});
	assert.deepEqual(byPath.get('app/mode.sh')?.attributes, ['mode']);
	assert.deepEqual(byPath.get('app/owner')?.attributes, ['owner']);
	assert.deepEqual(byPath.get('app/link')?.attributes, ['link']);
	assert.equal(byPath.get('app/node_modules/typescript/lib.js')?.kind, 'removed');
	assert.equal(byPath.get('srv/data/big.bin')?.kind, 'added');
	assert.equal(byPath.has('app/same.js'), false);
	assert.equal(byPath.has('app/time'), false, 'a time stamp alone is hidden by default');
	assert.equal(comparison.files.timestampOnly, 1);
	// The changes come sorted by path.
	const paths = comparison.files.changes.map((change) => change.path);
	assert.deepEqual(paths, [...paths].sort());
	// Totals: A and B as each analysis says, and the difference.
	assert.equal(comparison.totals.a.layerBytes, 1010 + 500 + 40 + 30 + 20 + 5 + 3000 + 200 + 70);
	assert.equal(comparison.totals.delta.layerBytes, 300 + 4100 - 3200 - 70);
	assert.equal(comparison.totals.delta.files, 2 - 3);
});

test('with timestamps asked for, a time-stamp-only change is listed with mtime', () => {
	const a = side([withId(layer([file('f', 5, 't', {mtime: 1})]), 'x')]);
	const b = side([withId(layer([file('f', 5, 't', {mtime: 2})]), 'y')]);
	assert.deepEqual(compareImages(a, b).files.changes, []);
	assert.equal(compareImages(a, b).identical, true);
	const shown = compareImages(a, b, {timestamps: true});
	assert.deepEqual(
		shown.files.changes.map((change) => [change.path, change.attributes]),
		[['f', ['mtime']]],
	);
	assert.equal(shown.identical, false);
});

test('byte deltas are summed per directory; a directory one side lacks is one row of the largest changes', () => {
	const comparison = sample();
	const directories = new Map(comparison.files.directories.map((entry) => [entry.path, entry]));
	assert.equal(directories.get('')?.deltaBytes, comparison.totals.delta.finalBytes);
	assert.deepEqual(directories.get('app/node_modules/typescript'), {
		path: 'app/node_modules/typescript',
		deltaBytes: -3200,
		addedBytes: 0,
		removedBytes: 3200,
		added: 0,
		removed: 2,
		changed: 0,
	});
	assert.deepEqual(
		comparison.files.topChanges.map((row) => [
			row.kind,
			row.path,
			row.isDirectory,
			row.deltaBytes,
			row.files,
		]),
		[
			['added', 'srv', true, 4100, 2],
			['removed', 'app/node_modules/typescript', true, -3200, 2],
			['changed', 'app/main.js', false, 300, 1],
			['removed', 'app/old.txt', false, -70, 1],
			['changed', 'app/link', false, 0, 1],
			['changed', 'app/mode.sh', false, 0, 1],
			['changed', 'app/owner', false, 0, 1],
		],
	);
});

test('layers align by diff ID: the common base once, each side its own, equal content higher up marked', () => {
	const shared = withId(layer([file('x', 1)]), 'c');
	const a = side([base, withId(layer([file('a', 2)]), 'a1'), shared]);
	const b = side([base, withId(layer([file('b', 3)]), 'b1'), withId(layer([file('b2', 4)]), 'b2'), shared]);
	const {layers} = compareImages(a, b);
	assert.deepEqual(
		layers.shared.map((ref) => ref.index),
		[0],
	);
	assert.deepEqual(
		layers.onlyA.map((ref) => [ref.index, ref.sameContentAs]),
		[
			[1, undefined],
			[2, 3],
		],
	);
	assert.deepEqual(
		layers.onlyB.map((ref) => [ref.index, ref.sameContentAs]),
		[
			[1, undefined],
			[2, undefined],
			[3, 2],
		],
	);
});

test('findings are resolved, new or kept by rule and path group, with the change per category', () => {
	const {findings} = sample();
	assert.deepEqual(
		findings.resolved.map((item) => item.ruleId),
		['LL-BUILD-DEVDEPS'],
	);
	assert.deepEqual(
		findings.new.map((item) => item.ruleId),
		['LL-SECRET-KEY'],
	);
	assert.deepEqual(findings.kept, [
		{ruleId: 'LL-WASTE-X', category: 'waste', title: 'LL-WASTE-X', bytesA: 9, bytesB: 12},
	]);
	assert.deepEqual(findings.byCategory['build-only'], {countA: 1, countB: 0, bytesA: 3200, bytesB: 0});
	assert.deepEqual(findings.byCategory.secret, {countA: 0, countB: 1, bytesA: 0, bytesB: 100});
});

test('the same filesystem in other layers (a whiteout instead of never adding) compares as no file change', () => {
	const a = side([withId(layer([dir('d'), file('d/f', 9, 'f')]), 'one')]);
	const b = side([
		withId(layer([dir('d'), file('d/f', 9, 'f'), file('d/tmp', 50)]), 'two'),
		withId(layer([whiteout('d/tmp')]), 'three'),
	]);
	const comparison = compareImages(a, b);
	assert.deepEqual(comparison.files.changes, []);
	assert.equal(comparison.identical, false, 'but the layers carry 50 more bytes');
	assert.equal(comparison.totals.delta.layerBytes, 50);
});

test('the JSON report validates against its own versioned schema', () => {
	const schema = JSON.parse(
		readFileSync(new URL('../../source/report/layerlens-diff.schema.json', import.meta.url), 'utf8'),
	) as {$id: string};
	assert.equal(schema.$id, 'urn:layerlens:diff-schema:2');
	const validate = new Ajv({allErrors: true, strict: true}).compile(schema);
	const report = toJsonDiffReport(sample(), {toolVersion: '0.0.0-test', timestamps: false});
	assert.ok(validate(report), JSON.stringify(validate.errors));
	assert.equal(report.schemaVersion, 2);
	assert.equal(report.findings.new[0]?.pathCount, 1);
	// A field the schema does not know is refused: the schema is closed.
	assert.equal(validate({...report, extra: 1}), false);
});

function tableRowShapes(markdown: string): number[][] {
	const shapes: number[][] = [];
	let cells = 0;
	for (const token of new MarkdownIt().parse(markdown, {})) {
		if (token.type === 'table_open') shapes.push([]);
		if (token.type === 'tr_open') cells = 0;
		if (token.type === 'th_open' || token.type === 'td_open') cells++;
		if (token.type === 'tr_close') shapes.at(-1)!.push(cells);
	}

	return shapes;
}

test('the Markdown comment: verdict with the top changes, well-formed tables, cut with a note at the limit', () => {
	const comparison = sample();
	const markdown = renderDiffMarkdown(comparison);
	assert.match(
		markdown,
		/\*\*This change\*\* grows the image by 1\.1 kB \(4\.9 kB → 6\.0 kB, \+23\.2 %\): `srv\/` \+4\.1 kB, `app\/node_modules\/typescript\/` -3\.2 kB, `app\/main\.js` \+300 B …/,
	);
	const shapes = tableRowShapes(markdown);
	assert.equal(shapes.length, 4);
	for (const shape of shapes)
		assert.ok(
			shape.every((cells) => cells === shape[0]),
			String(shape),
		);

	// Many changes and a small limit: the changes table shrinks first, and the note says what was left out.
	const many = {
		...comparison,
		files: {
			...comparison.files,
			topChanges: Array.from({length: 5000}, (_, index) => ({
				path: `app/generated/file-${index}|with pipe`,
				kind: 'added' as const,
				isDirectory: false,
				deltaBytes: 5000 - index,
				files: 1,
			})),
		},
	};
	const cut = renderDiffMarkdown(many, {limit: 4000});
	assert.ok(cut.length <= 4000, `${cut.length}`);
	assert.match(cut, /smaller changes not shown/);
	for (const shape of tableRowShapes(cut)) assert.ok(shape.every((cells) => cells === shape[0]));
	const full = renderDiffMarkdown(many);
	assert.ok(full.length <= 65_536);
	assert.match(full, /4950 smaller changes not shown/);
});

test('budgets: growth in bytes and percent, and new findings of a category; from .layerlens.yml', () => {
	const comparison = sample();
	const budgets = parseDiffConfig(
		'diff:\n  maxGrowthBytes: 1kB\n  maxGrowthPercent: 30%\n  failOnNew: [secret]\n',
		'x.yml',
	);
	assert.deepEqual(
		{...budgets},
		{maxGrowthBytes: 1000, maxGrowthPercent: 30, failOnNew: ['secret'], origin: 'x.yml'},
	);
	const result = evaluateDiffBudgets(comparison, budgets);
	assert.deepEqual(
		result.results.map((entry) => [entry.rule, entry.status]),
		[
			['maxGrowthBytes', 'FAIL'],
			['maxGrowthPercent', 'PASS'],
			['failOnNew', 'FAIL'],
		],
	);
	assert.equal(result.passed, false);
	const loose = evaluateDiffBudgets(comparison, {...budgets, maxGrowthBytes: 2000, failOnNew: ['cache']});
	assert.equal(loose.passed, true);
	assert.throws(
		() => parseDiffConfig('diff:\n  maxGrowthPercent: lots\n', 'x.yml'),
		/maxGrowthPercent must be a percentage/,
	);
	assert.throws(
		() => parseDiffConfig('diff:\n  failOnNew: [nope]\n', 'x.yml'),
		/failOnNew must list categories/,
	);
	assert.throws(() => parseDiffConfig('diff:\n  maxGrowth: 1\n', 'x.yml'), /unknown key 'diff.maxGrowth'/);
});
