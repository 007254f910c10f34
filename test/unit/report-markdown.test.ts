import assert from 'node:assert/strict';
import {readFileSync, writeFileSync} from 'node:fs';
import {test} from 'node:test';
import MarkdownIt from 'markdown-it';
import {toMarkdown} from '../../source/report/markdown.js';
import {escapeText, escapeTextWithCode, fencedBlock, inlineCode} from '../../source/report/markdown-text.js';
import {naiveAnalysis, naiveInstructions} from '../helpers/report-analysis.js';

const goldenPath = new URL('../golden/report-markdown-naive.md', import.meta.url);

type Token = ReturnType<MarkdownIt['parse']>[number];

/** Cells per row of every table, as markdown-it parsed them (header row first). */
function tableShapes(tokens: Token[]): number[][] {
	const shapes: number[][] = [];
	let current: number[] | undefined;
	let cells = 0;
	for (const token of tokens) {
		if (token.type === 'table_open') {
			current = [];
		} else if (token.type === 'tr_open') {
			cells = 0;
		} else if (token.type === 'th_open' || token.type === 'td_open') {
			cells++;
		} else if (token.type === 'tr_close') {
			current?.push(cells);
		} else if (token.type === 'table_close' && current) {
			shapes.push(current);
			current = undefined;
		}
	}

	return shapes;
}

/** Cells per source line of every pipe table, split on unescaped pipes outside nothing (GFM splits first). */
function sourceTableShapes(markdown: string): number[][] {
	const shapes: number[][] = [];
	let current: number[] | undefined;
	for (const line of markdown.split('\n')) {
		if (line.startsWith('|')) {
			current ??= [];
			current.push(line.replace(/\\\|/g, '').split('|').length - 2);
		} else if (current) {
			shapes.push(current);
			current = undefined;
		}
	}

	return shapes;
}

test('the naive image report matches the golden file', () => {
	const markdown = toMarkdown(naiveAnalysis());
	if (process.env.UPDATE_GOLDEN === '1') {
		writeFileSync(goldenPath, markdown);
	}

	assert.equal(markdown, readFileSync(goldenPath, 'utf8'));
});

test('sizes are labelled and exact', () => {
	const markdown = toMarkdown(naiveAnalysis());
	assert.match(markdown, /\| Uncompressed layer total \| 162 MB \(162,001,000 B\) \|/);
	assert.match(markdown, /\| Final filesystem \| 157 MB \(157,001,000 B\) \|/);
	assert.match(markdown, /\| Projected final filesystem after fixes \| 130 MB \(saves 27\.5 MB, 17\.5%\) \|/);
	assert.match(markdown, /Measured: 24\.0 MB \(24,000,000 B\) in 3 files, high confidence/);
});

test('every table is well-formed: same cell count on each row, as written and as parsed', () => {
	const markdown = toMarkdown(naiveAnalysis());
	const tokens = new MarkdownIt().parse(markdown, {});
	const parsed = tableShapes(tokens);
	const written = sourceTableShapes(markdown);
	// Summary, layers, waste, 4 finding group tables, the runtime stage's parts, savings.
	assert.equal(parsed.length, 9);
	assert.equal(written.length, 9);
	for (const [index, rows] of written.entries()) {
		const header = rows[0]!;
		assert.ok(
			rows.every((cells) => cells === header),
			`table ${index} rows ${rows.join(',')}`,
		);
		// Separator row is not a tr in markdown-it.
		assert.deepEqual(parsed[index], rows.slice(0, 1).concat(rows.slice(2)));
	}
});

test('instructions with pipes and backticks survive the layer table verbatim', () => {
	const html = new MarkdownIt().render(toMarkdown(naiveAnalysis()));
	const tricky = naiveInstructions[4];
	const escaped = tricky.replace(/&/g, '&amp;');
	assert.ok(
		html.includes(`<td><code>${escaped}</code></td>`),
		'instruction cell is the raw instruction in one code span',
	);
});

test('no raw HTML reaches the page, whatever the image contains', () => {
	const analysis = naiveAnalysis();
	analysis.image.reference = 'evil<script>alert(1)</script>:latest';
	analysis.layers[2]!.instruction = 'COPY <img src=x onerror=alert(1)> /app\nRUN `x` | y';
	analysis.findings[0] = {
		...analysis.findings[0]!,
		title: '<b>bold</b> &amp; co',
		evidence: ['# heading? <i>no</i>', '- not a list'],
		groups: [{path: 'app/<svg onload=x>/', count: 1, bytes: 1}],
		fix: 'Run <code>x</code>',
	};
	const markdown = toMarkdown(analysis);
	const tokens = new MarkdownIt({html: true}).parse(markdown, {});
	const flat = tokens.flatMap((token) => [token, ...(token.children ?? [])]);
	assert.deepEqual(
		flat
			.filter((token) => token.type === 'html_block' || token.type === 'html_inline')
			.map((token) => token.content),
		[],
	);
	const html = new MarkdownIt({html: true}).render(markdown);
	assert.ok(!html.includes('<script>'));
	assert.ok(!html.includes('<img'));
	assert.ok(!html.includes('<b>'));
	assert.ok(html.includes('&lt;b&gt;bold&lt;/b&gt; &amp;amp; co'), 'the title shows literally');
	assert.equal(tokens.filter((token) => token.type === 'heading_open' && token.tag === 'h1').length, 1);
	for (const rows of sourceTableShapes(markdown)) {
		assert.ok(rows.every((cells) => cells === rows[0]));
	}
});

test('a fenced block cannot be closed by the content', () => {
	const content = 'RUN echo "```"\nRUN echo "````"';
	const block = fencedBlock(content, 'dockerfile');
	assert.ok(block.startsWith('`````dockerfile\n'));
	const tokens = new MarkdownIt().parse(block, {});
	assert.equal(tokens.length, 1);
	assert.equal(tokens[0]!.type, 'fence');
	assert.equal(tokens[0]!.content, `${content}\n`);
});

test('inline code and text escaping render back to the original text', () => {
	const md = new MarkdownIt();
	assert.equal(md.renderInline(inlineCode('a `b` c', {inTable: false})), '<code>a `b` c</code>');
	assert.equal(md.renderInline(inlineCode('`x`', {inTable: false})), '<code>`x`</code>');
	assert.equal(md.renderInline(escapeText('*a* _b_ [c](d) <e> & `f`')), '*a* _b_ [c](d) &lt;e&gt; &amp; `f`');
	assert.equal(md.render(`- ${escapeText('# not a heading')}`), '<ul>\n<li># not a heading</li>\n</ul>\n');
	assert.equal(md.render(escapeText('1. not a list')), '<p>1. not a list</p>\n');
});

test('a report without findings, waste or suggestion says so', () => {
	const analysis = naiveAnalysis();
	const markdown = toMarkdown({
		...analysis,
		findings: [],
		waste: {...analysis.waste, items: [], reclaimableBytes: 0},
		suggestion: undefined,
	});
	assert.match(markdown, /## Findings\n\nNo findings\./);
	assert.match(markdown, /No file is hidden by a later layer\./);
	assert.ok(!markdown.includes('## Suggested Dockerfile'));
});

test("the base image's findings are shown apart, after the app's, with the advice to choose another base", () => {
	const analysis = naiveAnalysis();
	const [first, ...rest] = analysis.findings;
	analysis.findings = [
		...rest,
		{...first!, fromBase: true, fix: 'From the base image: choose another base image'},
	];
	const markdown = toMarkdown(analysis);
	const apart = markdown.indexOf('### From the base image: 1 finding');
	assert.ok(apart > 0);
	assert.ok(markdown.indexOf(`\`${first!.ruleId}\``, apart) > apart);
	for (const finding of rest) {
		assert.ok(markdown.indexOf(`\`${finding.ruleId}\``) < apart);
	}

	assert.match(markdown.slice(apart), /no step of your Dockerfile removes them; choose another base/);
});

test('commands in fix and evidence lines render as code spans, the rest stays escaped text', () => {
	assert.equal(
		escapeTextWithCode('Install with `npm ci --omit=dev` in the runtime stage'),
		'Install with `npm ci --omit=dev` in the runtime stage',
	);
	assert.equal(escapeTextWithCode('run `a|b` and <x>'), 'run `a|b` and \\<x\\>');
	// An unpaired backtick is a literal one, escaped.
	assert.equal(escapeTextWithCode('it`s fine'), 'it\\`s fine');
	const markdown = toMarkdown(naiveAnalysis(), {toolVersion: '0.1.0'});
	assert.match(markdown, /^Fix: Install with `npm ci --omit=dev` in the runtime stage/m);
	assert.doesNotMatch(markdown, /\\`/);
});
