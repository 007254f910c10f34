import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {FileChange} from '../../source/analysis/compare/types.js';
import type {FinalFile} from '../../source/analysis/types.js';
import {toHtmlReport} from '../../source/report/html.js';
import {embeddedJson, escapeHtmlLines, escapeHtmlWithCode} from '../../source/report/html-page.js';
import {diffSizeMap, imageMapCategories, imageSizeMap} from '../../source/report/image-size-map.js';
import {buildSizeMap, type SizeMapNode} from '../../source/report/size-map.js';
import {naiveAnalysis, naiveFiles} from '../helpers/report-analysis.js';

const categoryIndex = (id: string) => imageMapCategories.findIndex((category) => category.id === id);

function child(node: SizeMapNode, ...names: string[]): SizeMapNode {
	let current = node;
	for (const name of names) {
		const next = current.k?.find((item) => item.n === name);
		assert.ok(next, `${name} under ${current.n}: ${current.k?.map((item) => item.n).join(', ')}`);
		current = next;
	}

	return current;
}

function finalFile(path: string, size: number, layer: number, extra: Partial<FinalFile> = {}): FinalFile {
	return {path, type: 'file', size, mode: 0o644, uid: 0, gid: 0, layer, ...extra};
}

test('size map: directories sum their files, children come largest first, small entries fold into "n files"', () => {
	const map = buildSizeMap(
		[
			{path: 'a/big', bytes: 9000, category: 0},
			{path: 'a/small1', bytes: 5, category: 1},
			{path: 'a/small2', bytes: 7, category: 1},
			{path: 'a/tiny/deep/x', bytes: 3, category: 0},
			{path: 'b/c', bytes: 1000, category: 1},
			{path: 'b/empty', bytes: 0, category: 0},
		],
		{categories: 2, minShare: 0.01},
	);
	assert.equal(map.thresholdBytes, 101);
	assert.equal(map.root.b, 10_015);
	assert.equal(map.root.f, 6);
	assert.deepEqual(
		map.root.k?.map((node) => [node.n, node.b]),
		[
			['a', 9015],
			['b', 1000],
		],
	);
	const a = child(map.root, 'a');
	assert.deepEqual(
		a.k?.map((node) => [node.n, node.b, node.f, node.c, node.g]),
		[
			['big', 9000, 1, 0, undefined],
			// tiny/ (3 B, category 0) folds in with the two small files (12 B, category 1).
			['3 files', 15, 3, 1, 1],
		],
	);
	assert.equal(child(map.root, 'b').k?.at(-1)?.n, '1 file', 'a 0-byte file is counted, not drawn');
	assert.equal(map.nodes, 7);
	// The legend's sums count folded entries in their own category, not their fold's.
	assert.deepEqual(map.categoryBytes, [9003, 1012]);
});

test('size map: the threshold doubles until the map fits its node budget', () => {
	const entries = Array.from({length: 500}, (_, index) => ({
		path: `d${index % 10}/f${index}`,
		bytes: 100 + index,
		category: 0,
	}));
	const map = buildSizeMap(entries, {categories: 1, maxNodes: 40, minShare: 1e-6});
	assert.ok(map.nodes <= 40, `${map.nodes} nodes`);
	assert.ok(map.thresholdBytes > 100);
	assert.equal(
		map.root.b,
		entries.reduce((sum, entry) => sum + entry.bytes, 0),
		'no byte is lost',
	);
});

test('image map: categories come from findings first, then the runtime closure, then the base layers', () => {
	const report = naiveAnalysis();
	const files = [
		...naiveFiles.map((file) => finalFile(file.path, file.size, file.layer)),
		finalFile('usr/bin/node', 90_000_000, 0),
		finalFile('usr/lib/libfoo.so', 10_000_000, 0),
		finalFile('app/server.js', 2_000_000, 2, {uid: 1000, gid: 1000}),
	];
	// The base image's history ends with its CMD; the app's steps follow.
	const entry = (instructionKind: string, layerIndex: number | null, afterLayerIndex: number) => ({
		createdBy: instructionKind,
		instruction: instructionKind,
		instructionKind,
		emptyLayer: layerIndex === null,
		layerIndex,
		afterLayerIndex,
	});
	const withRuntime = {
		...report,
		history: [
			entry('ADD', 0, -1),
			entry('CMD', null, 0),
			entry('WORKDIR', 1, 0),
			entry('COPY', 2, 1),
			entry('RUN', 3, 2),
		],
		suggestion: {...report.suggestion!, runtime: {...report.suggestion!.runtime, paths: ['usr/bin/node']}},
	};
	const map = imageSizeMap(withRuntime, {files, debianOwners: new Map([['usr/lib/libfoo.so', 'libfoo1']])});
	const typescript = child(map.root, 'app', 'node_modules', 'typescript');
	assert.equal(typescript.c, categoryIndex('build-only'));
	const tsc = child(typescript, 'lib', 'typescript.js');
	assert.equal(tsc.o, 'npm typescript');
	assert.equal(tsc.l, 3);
	assert.equal(report.findings[tsc.x!]?.ruleId, 'LL-BUILD-DEVDEPS');
	// 120 bytes, far below the fold threshold, but a secret is never folded away.
	assert.equal(child(map.root, 'app', '.env').c, categoryIndex('secret'));
	assert.equal(child(map.root, 'root').c, categoryIndex('cache'));
	assert.equal(child(map.root, 'usr', 'bin', 'node').c, categoryIndex('runtime'));
	const library = child(map.root, 'usr', 'lib', 'libfoo.so');
	assert.equal(library.c, categoryIndex('base'));
	assert.equal(library.o, 'deb libfoo1');
	const server = child(map.root, 'app', 'server.js');
	assert.equal(server.c, categoryIndex('app'));
	assert.equal(server.o, 'uid 1000, gid 1000');
});

test('diff map: changed paths sized by |delta|, grow and shrink apart, directories and unchanged sizes left out', () => {
	const change = (
		path: string,
		sizeA: number,
		sizeB: number,
		type: FileChange['type'] = 'file',
	): FileChange => ({
		path,
		kind: sizeA === 0 ? 'added' : sizeB === 0 ? 'removed' : 'changed',
		type,
		sizeA,
		sizeB,
		deltaBytes: sizeB - sizeA,
		attributes: [],
	});
	const map = diffSizeMap([
		change('app/dist', 0, 0, 'dir'),
		change('app/dist/main.js', 0, 3_000_000),
		change('app/node_modules/typescript/lib/tsc.js', 9_000_000, 0),
		change('etc/hosts', 10, 10),
	]);
	assert.equal(map.root.b, 12_000_000);
	const grew = child(map.root, 'app', 'dist', 'main.js');
	assert.equal(grew.c, 0);
	assert.match(grew.t!, /^added, \+3\.0 MB/);
	assert.equal(child(map.root, 'app', 'node_modules').c, 1);
	assert.equal(
		map.root.k?.some((node) => node.n === 'etc'),
		false,
	);
});

test('embedded JSON: no file name can end the script element or open a comment, and invisible characters show', () => {
	const hostile = 'a</script><script>alert(1)</script><!-- x -->\u2028\u202efdp.exe&';
	const text = embeddedJson({name: hostile});
	assert.doesNotMatch(text, /[<>&\u2028\u2029\u202e]/);
	assert.deepEqual(JSON.parse(text), {
		name: 'a</script><script>alert(1)</script><!-- x -->\\u2028\\u202efdp.exe&',
	});
});

test('HTML text: markup escaped, code spans from backticks, a Dockerfile keeps its lines and tabs', () => {
	assert.equal(
		escapeHtmlWithCode('Run `rm -rf <dir>` & then "go"'),
		'Run <code>rm -rf &lt;dir&gt;</code> &amp; then &quot;go&quot;',
	);
	assert.equal(escapeHtmlWithCode('an unpaired ` stays'), 'an unpaired ` stays');
	assert.equal(
		escapeHtmlLines('RUN a <<-EOF\n\techo <b>\nEOF\n'),
		'RUN a &lt;&lt;-EOF\n\techo &lt;b&gt;\nEOF',
	);
});

test('the page: one file, nothing fetched, hostile text only ever escaped', () => {
	const report = naiveAnalysis();
	const evil = 'app/</script><img src=x onerror=alert(1)><!--.js';
	report.layers[2] = {...report.layers[2]!, instruction: `COPY <b>${evil}</b>`, createdBy: `COPY ${evil}`};
	report.findings = report.findings.map((finding) =>
		finding.ruleId === 'LL-SECRET-ENV'
			? {...finding, paths: [evil], groups: [{path: evil, count: 1, bytes: 1}]}
			: finding,
	);
	const files = [
		finalFile(evil, 5_000_000, 2),
		...naiveFiles.map((file) => finalFile(file.path, file.size, file.layer)),
	];
	const html = toHtmlReport(report, imageSizeMap(report, {files}), {toolVersion: '1.2.3'});
	assert.equal(html.match(/<script\b/g)?.length, 2, 'the data and the page script, nothing else');
	assert.equal(html.match(/<\/script>/g)?.length, 2);
	// Asserted as booleans: a failure message quoting the whole page would bury the point.
	assert.equal(/<img|<b>|<!--/.exec(html)?.[0], undefined, 'no markup from the image');
	assert.equal(/\s(?:src|href)\s*=\s*["']/.exec(html)?.[0], undefined, 'no resource is linked');
	for (const expected of [
		'&lt;img src=x onerror=alert(1)&gt;',
		`Content-Security-Policy" content="default-src 'none'; script-src 'sha256-`,
		'<pre id="dockerfile">',
		'data-copy="dockerfile"',
		'Generated by layerlens 1.2.3',
	]) {
		assert.ok(html.includes(expected), expected);
	}
	// The JSON round-trips to the map with every name intact.
	const data = JSON.parse(
		/<script type="application\/json" id="treemap-data">(.*?)<\/script>/s.exec(html)![1]!,
	);
	assert.ok(JSON.stringify(data).includes('</script><img src=x onerror=alert(1)><!--.js'));
});
