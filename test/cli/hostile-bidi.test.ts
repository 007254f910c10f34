/**
Bidi overrides, zero-width and other invisible characters in file names, RUN lines and error messages: they
reorder or hide text, so `evil\u202Efdp.exe` would read as `evilexe.pdf`. Every text output shows them as
escapes (`\u202e`), the JSON keeps the exact name (escaped, as data), and error lines are capped. The unit
tests check the one sanitiser (sanitize-text.ts) and errorLine; the CLI tests run the CLI as a child process on
archives written by the fixture writer and check the bytes it wrote.
*/
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import process from 'node:process';
import {after, before, describe, test} from 'node:test';
import {escapeText, fencedBlock, inlineCode} from '../../source/report/markdown-text.js';
import {sarifText} from '../../source/report/sarif.js';
import {reportFatal} from '../../source/run/report-fatal.js';
import {errorLine, errorLineLimit, errorLines, LayerlensError} from '../../source/shared/errors.js';
import {
	escapeHtml,
	sanitize,
	sanitizeKeepingLineBreaks,
	sanitizeLines,
	sanitizeWithinLimit,
	terminalSafeJson,
} from '../../source/shared/sanitize-text.js';
import {writeImageArchive} from '../helpers/fixture-writer.js';
import {describeRun, runCli} from '../helpers/run-cli.js';

/** The characters the issue names, and a few more of category Cf (soft hyphen, a tag character, an interlinear anchor). */
const invisibles = [
	'\u200E',
	'\u200F',
	'\u202A',
	'\u202B',
	'\u202C',
	'\u202D',
	'\u202E',
	'\u2066',
	'\u2067',
	'\u2068',
	'\u2069',
	'\u2028',
	'\u2029',
	'\u200B',
	'\u200C',
	'\u200D',
	'\uFEFF',
	'\u061C',
	'\u180E',
	'\u2060',
	'\u2061',
	'\u2062',
	'\u2063',
	'\u2064',
	'\u00AD',
	'\uFFF9',
	'\u{E0041}',
];

/** Any control character but the line feed, any format character, a line or paragraph separator, a lone surrogate. */
const unsafe = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

function assertNoUnsafe(text: string, where: string): void {
	const match = unsafe.exec(text);
	assert.equal(
		match,
		null,
		`${where} carries U+${match?.[0].codePointAt(0)?.toString(16).toUpperCase()} near ${JSON.stringify(text.slice(Math.max(0, (match?.index ?? 0) - 40), (match?.index ?? 0) + 40))}`,
	);
}

const escapeOf = (character: string) => {
	const codePoint = character.codePointAt(0)!;
	return codePoint > 0xffff
		? `\\u{${codePoint.toString(16)}}`
		: `\\u${codePoint.toString(16).padStart(4, '0')}`;
};

describe('the sanitiser', () => {
	test('every bidi, zero-width and format character is shown as its escape', () => {
		for (const character of invisibles) {
			assert.equal(sanitize(`a${character}b`), `a${escapeOf(character)}b`, escapeOf(character));
		}

		assert.equal(sanitize('evil\u202Efdp.exe'), 'evil\\u202efdp.exe');
		// A lone surrogate (a name that was not valid UTF-16) is shown too.
		assert.equal(sanitize('x\uD800y'), 'x\\ud800y');
		// Control characters keep their `\xNN` form.
		assert.equal(sanitize('a\u001B[2J\u009Bb'), 'a\\x1b[2J\\x9bb');
	});

	test('visible text from any script is left alone', () => {
		for (const text of [
			'plain/path-ü.txt',
			'日本語/ファイル',
			'עברית/שם',
			'العربية',
			'emoji-🎉.txt',
			'a → b …',
		]) {
			assert.equal(sanitize(text), text);
		}
	});

	test('sanitising is idempotent, so text shaped once can pass a second guard unchanged', () => {
		const text = `x${invisibles.join('')}\u001B[31m\n`;
		assert.equal(sanitize(sanitize(text)), sanitize(text));
	});

	test('the multi-line forms keep their line breaks and escape the rest', () => {
		assert.equal(sanitizeKeepingLineBreaks('a\u202E\nb\u2066'), 'a\\u202e\nb\\u2066');
		assert.deepEqual(sanitizeLines('a\u202E\r\n\tb\u200B'), ['a\\u202e', '    b\\u200b']);
	});

	test('Markdown, SARIF and HTML escapers route through it', () => {
		for (const character of invisibles) {
			for (const [name, text] of [
				['escapeText', escapeText(`a${character}b`)],
				['inlineCode', inlineCode(`a${character}b`, {inTable: true})],
				['fencedBlock', fencedBlock(`COPY a${character}b /x\n\tRUN y`)],
				['sarifText', sarifText(`a${character}b`)],
				['escapeHtml', escapeHtml(`a${character}b`)],
			] as const) {
				assertNoUnsafe(text.replace(/\n|\t/g, ' '), `${name} of ${escapeOf(character)}`);
			}
		}

		assert.equal(inlineCode('app/evil\u202Efdp.exe', {inTable: false}), '`app/evil\\u202efdp.exe`');
		assert.equal(
			escapeHtml('<a href="x">\u202E&\'</a>'),
			'&lt;a href=&quot;x&quot;&gt;\\u202e&amp;&#39;&lt;/a&gt;',
		);
		// A fenced Dockerfile keeps its tabs (a `<<-` heredoc strips them).
		assert.match(fencedBlock('RUN <<-EOF\n\techo\u202E\n\tEOF'), /\n\techo\\u202e\n\tEOF\n/);
	});

	test('terminal-safe JSON holds none of them and parses back to the exact value', () => {
		const value = {name: `a${invisibles.join('')}\u007F\u009B\u001Bb`, lone: 'x\uD800'};
		const json = terminalSafeJson(value);
		assertNoUnsafe(json, 'the JSON');
		assert.deepEqual(JSON.parse(json), value);
		assert.match(json, /a\\u200e\\u200f/);
		assert.match(json, /\\udb40\\udc41/, 'an astral format character as a surrogate pair');
	});
});

describe('capped error lines', () => {
	test('a 60,000-character message is cut to the limit with a count of what was cut', () => {
		const line = errorLine(`layerlens: ${'a'.repeat(60_000)}`);
		assert.ok(line.length <= errorLineLimit, `${line.length} characters`);
		assert.ok(errorLineLimit <= 300);
		const match = /^layerlens: (a+)… \(([\d,]+) more characters\)$/.exec(line);
		assert.ok(match, line);
		assert.equal(match[1]!.length + Number(match[2]!.replace(/,/g, '')), 60_000, 'kept + cut = the whole');
		assert.match(match[2]!, /^\d{2},\d{3}$/, 'the count has thousands separators');
	});

	test('the cut never splits an escape, and the count is of the text, not of its escapes', () => {
		const text = '\u202E'.repeat(1000);
		const line = errorLine(text);
		assert.ok(line.length <= errorLineLimit);
		const match = /^((?:\\u202e)+)… \(([\d,]+) more characters\)$/.exec(line);
		assert.ok(match, line);
		assert.equal(match[1]!.length / 6 + Number(match[2]!.replace(/,/g, '')), 1000);
	});

	test('a line within the limit is only sanitised; a line break inside it stays one line', () => {
		assert.equal(errorLine('layerlens: no such file: x\u202E.tar'), 'layerlens: no such file: x\\u202e.tar');
		assert.equal(errorLine('bad\nline'), 'bad\\x0aline');
		assert.equal(errorLine('x'.repeat(errorLineLimit)), 'x'.repeat(errorLineLimit));
		assert.equal(sanitizeWithinLimit('x'.repeat(301), 300).length <= 300, true);
		assert.match(
			sanitizeWithinLimit('xy', 1),
			/^… \(2 more characters\)$/,
			'a limit smaller than the marker',
		);
	});

	test('errorLines caps each line of a stack', () => {
		const lines = errorLines(`Error: ${'m'.repeat(5000)}\n    at f (file.js:1:1)`).split('\n');
		assert.equal(lines.length, 2);
		assert.ok(lines[0]!.length <= errorLineLimit);
		assert.equal(lines[1], '    at f (file.js:1:1)');
	});

	test('reportFatal prints one capped, sanitised line for a user error and for a bug alike', () => {
		const written: string[] = [];
		const original = process.stderr.write.bind(process.stderr);
		const exitCode = process.exitCode;
		process.stderr.write = ((chunk: string) => {
			written.push(chunk);
			return true;
		}) as typeof process.stderr.write;
		try {
			reportFatal(new LayerlensError(`bad\u202E${'n'.repeat(60_000)}`, {hint: 'Do X'}), false);
			reportFatal(new Error(`boom\u2066${'b'.repeat(60_000)}`), false);
			reportFatal(new Error(`boom ${'b'.repeat(60_000)}`), true);
		} finally {
			process.stderr.write = original;
			process.exitCode = exitCode;
		}

		const lines = written.join('').split('\n').slice(0, -1);
		for (const line of lines) {
			assert.ok(line.length <= errorLineLimit, `${line.length}: ${line.slice(0, 80)}`);
			assertNoUnsafe(line, 'a reportFatal line');
		}

		assert.match(lines[0]!, /^layerlens: bad\\u202en+… \(59,\d{3} more characters\)$/);
		// A bug says where to report it before the message, so the cut cannot drop the address.
		assert.match(
			lines[1]!,
			/^layerlens: unexpected error \(please report it at https:\/\/\S+issues, .*\): boom\\u2066b+… /,
		);
		assert.ok(lines.length > 3, 'with --debug, the stack follows');
	});
});

const scratch = mkdtempSync(join(tmpdir(), 'layerlens-bidi-'));
after(() => rmSync(scratch, {recursive: true, force: true}));

/** File names with bidi and invisible characters, each in a place a report names: the waste table, a cache, a secret. */
const names = {
	rewritten: 'app/evil\u202Efdp.exe',
	isolated: 'app/\u2066iso\u2069\u200B\uFEFF.js',
	cache: 'root/.npm/_cacache/\u202Dover\u200Dride\u2028x',
	secret: 'app/\u061C\u180E\u2060/.env',
	/** At the top, so the diff's largest changes (by top directory) name it. */
	top: '\u2066top\u2069\u202E.bin',
};
const archiveA = join(scratch, 'a.tar');
const archiveB = join(scratch, 'b.tar');

before(async () => {
	const base = {createdBy: 'RUN base', files: [{path: 'etc/base', size: 1000}]};
	await writeImageArchive({layers: [base]}, archiveA);
	await writeImageArchive(
		{
			layers: [
				base,
				{
					createdBy: `RUN echo \u202Eevil\u2066 ${invisibles.join('')}`,
					files: [
						{path: names.rewritten, size: 30_000},
						{path: names.isolated, size: 20_000},
						{path: names.cache, size: 400_000},
						{path: names.secret, content: 'TOKEN=1\n'},
						{path: names.top, size: 50_000},
						...invisibles.map((character, index) => ({path: `app/x${character}${index}`, size: 10})),
					],
				},
				{
					createdBy: 'RUN touch',
					files: [
						{path: names.rewritten, size: 10},
						{path: names.cache, type: 'whiteout' as const},
					],
				},
			],
		},
		archiveB,
	);
});

describe('the CLI on an image with bidi names', {concurrency: 2}, () => {
	// What each output shows escaped: the summary names no file, only instructions; the CI verdict names neither.
	for (const [args, shown] of [
		[[], /RUN echo \\u202eevil\\u2066 \\u200e\\u200f/],
		[['--format', 'markdown'], /`app\/evil\\u202efdp\.exe`/],
		[['--format', 'sarif'], /largest app\/evil\\\\\\\\u202efdp\.exe/],
		[['--ci', '--highest-wasted-bytes', '1B'], /FAIL highestWastedBytes/],
	] as const) {
		test(`${args.join(' ') || 'the plain summary'}: no raw invisible character, the names shown escaped`, async () => {
			const result = await runCli([archiveB, ...args], {timeoutMs: 60_000});
			assert.ok(result.code === 0 || result.code === 1, describeRun(result));
			assertNoUnsafe(result.stdout, 'stdout');
			assertNoUnsafe(result.stderr, 'stderr');
			assert.match(result.stdout, shown);
		});
	}

	test('--json: no raw invisible character, and the exact names parse back', async () => {
		const result = await runCli([archiveB, '--json'], {timeoutMs: 60_000});
		assert.equal(result.code, 0, describeRun(result));
		assertNoUnsafe(result.stdout, 'the JSON');
		const text = JSON.stringify(JSON.parse(result.stdout));
		for (const name of [names.rewritten, names.cache, names.secret]) {
			assert.ok(text.includes(JSON.stringify(name).slice(1, -1)), `${JSON.stringify(name)} is in the report`);
		}
	});

	for (const args of [[], ['--format', 'markdown'], ['--json'], ['--max-growth-bytes', '1B']]) {
		test(`diff ${args.join(' ') || 'summary'}: no raw invisible character`, async () => {
			const result = await runCli(['diff', archiveA, archiveB, ...args], {timeoutMs: 60_000});
			assert.ok(result.code === 0 || result.code === 1, describeRun(result));
			assertNoUnsafe(result.stdout, 'stdout');
			assertNoUnsafe(result.stderr, 'stderr');
			if (args[0] === '--json') {
				assert.ok(
					JSON.stringify(JSON.parse(result.stdout)).includes(JSON.stringify(names.isolated).slice(1, -1)),
					'the exact name parses back',
				);
			} else {
				assert.match(result.stdout, /\\u2066top\\u2069\\u202e\.bin/, 'the name, escaped');
			}
		});
	}
});

describe('CLI error lines', {concurrency: 2}, () => {
	test('a 60,000-character reference: one line of at most 300 characters, with the count', async () => {
		const reference = `${'\u202E'.repeat(10)}${'r'.repeat(60_000)}`;
		for (const debug of [[], ['--debug']]) {
			const result = await runCli([reference, '--json', ...debug], {timeoutMs: 60_000});
			assert.equal(result.code, 2, describeRun(result));
			assertNoUnsafe(result.stderr, 'stderr');
			const lines = result.stderr.split('\n').slice(0, -1);
			assert.equal(lines.length === 1, debug.length === 0, result.stderr.slice(0, 400));
			for (const line of lines)
				assert.ok(line.length <= 300, `${line.length} characters: ${line.slice(0, 80)}`);
			assert.match(lines[0]!, /^layerlens: .*(\\u202e){10}r+… \(\d{2},\d{3} more characters\)$/);
		}
	});

	for (const [what, script] of [
		['an image named -', ['-', '--registry-password-stdin', '--registry-username', 'u']],
		['an image piped in with no argument', ['--registry-password-stdin', '--registry-username', 'u']],
		['a prefixed stdin', ['docker-archive://-', '--registry-password-stdin']],
	] as const) {
		test(`--registry-password-stdin with ${what}: the conflict is named, exit 2`, async () => {
			const result = await runCli([...script, '--json'], {timeoutMs: 60_000, stdin: 'password\n'});
			assert.equal(result.code, 2, describeRun(result));
			assert.equal(result.stdout, '');
			assert.match(
				result.stderr,
				/^layerlens: --registry-password-stdin and an image on standard input both need stdin\. [^\n]+\n$/,
			);
		});
	}
});
