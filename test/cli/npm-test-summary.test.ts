/** The closing line of `npm test` (test/run-tests.ts): every skip reason with its count, and the fixture build. */
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';
import {promisify} from 'node:util';
import {readSkipRecords, type SkipRecord, summarizeSkips} from '../helpers/skip-summary.js';

const run = promisify(execFile);
const built = {state: 'built', seconds: 3} as const;

/** This test's own runner settings must not reach the inner run, or it reports to this run instead. */
function childEnvironment(report: string): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {...process.env, LAYERLENS_SKIP_REPORT: report};
	delete env.NODE_OPTIONS;
	delete env.NODE_TEST_CONTEXT;
	return env;
}

test('no skip: the line says so, and how the fixture images came to be', () => {
	assert.equal(
		summarizeSkips([], built),
		'npm test: fixture images ready (build-images.sh, 3 s); nothing skipped',
	);
	assert.equal(
		summarizeSkips([], {state: 'not built', reason: 'no Docker daemon answers'}),
		'npm test: fixture images not built: no Docker daemon answers; nothing skipped',
	);
});

test('skips are grouped by reason, most frequent first, tests and suites counted apart', () => {
	const records: SkipRecord[] = [
		{name: 'a', kind: 'test', reason: 'go is not installed'},
		{name: 'b', kind: 'test', reason: 'no Docker daemon reachable (connect ENOENT)'},
		{name: 'c', kind: 'test', reason: 'no Docker daemon reachable (connect ENOENT)'},
		{name: 'd', kind: 'suite', reason: 'no Docker daemon reachable (connect ENOENT)'},
		{name: 'e', kind: 'test', reason: true},
	];
	assert.equal(
		summarizeSkips(records, {state: 'failed', reason: 'build-images.sh exited 1; its log is above'}),
		'npm test: fixture images failed to build: build-images.sh exited 1; its log is above; skipped 4 tests + 1 suite: ' +
			'no Docker daemon reachable (connect ENOENT) (2 tests + 1 suite); go is not installed (1 test); no reason given (1 test)',
	);
});

test('a long or multi-line reason keeps one line and 140 characters', () => {
	const line = summarizeSkips([{name: 'a', kind: 'test', reason: `${'x'.repeat(300)}\nsecond line`}], built);
	assert.equal(line.split('\n').length, 1);
	assert.ok(line.includes(`${'x'.repeat(139)}… (1 test)`), line);
});

test('the skip report must end with node:test’s totals and agree with them', () => {
	const skipped = JSON.stringify({name: 'a', kind: 'test', reason: 'go is not installed'});
	assert.deepEqual(readSkipRecords(`${skipped}\n{"end":true,"skippedTests":1}\n`), {
		records: [{name: 'a', kind: 'test', reason: 'go is not installed'}],
	});
	assert.match((readSkipRecords(`${skipped}\n`) as {problem: string}).problem, /ended before its totals/);
	assert.match((readSkipRecords('') as {problem: string}).problem, /ended before its totals/);
	assert.match(
		(readSkipRecords(`${skipped}\n{"end":true,"skippedTests":2}\n`) as {problem: string}).problem,
		/counted 2 skipped tests but 1 were reported/,
	);
});

test('the reporter, run by node:test, records a skipped test, a skipped suite and a t.skip() with their reasons', async () => {
	const directory = await mkdtemp(join(tmpdir(), 'layerlens-skip-reporter-'));
	try {
		const testFile = join(directory, 'sample.test.mjs');
		await writeFile(
			testFile,
			[
				"import {describe, test} from 'node:test';",
				"test('runs', () => {});",
				"test('declared skip', {skip: 'no daemon'}, () => {});",
				"test('skipped inside', (t) => { t.skip('no go'); });",
				"describe('a skipped suite', {skip: 'no shared'}, () => { test('inner', () => {}); });",
			].join('\n'),
		);
		const report = join(directory, 'skipped.jsonl');
		const reporter = new URL('../helpers/skip-reporter.mjs', import.meta.url).pathname;
		await run(
			process.execPath,
			[
				'--test',
				'--test-force-exit',
				'--test-reporter=tap',
				'--test-reporter-destination=/dev/null',
				`--test-reporter=${reporter}`,
				'--test-reporter-destination=stdout',
				testFile,
			],
			{env: childEnvironment(report)},
		);
		const skips = readSkipRecords(await readFile(report, 'utf8'));
		assert.ok('records' in skips, JSON.stringify(skips));
		assert.deepEqual(
			skips.records.map((record) => [record.name, record.kind, record.reason]),
			[
				['declared skip', 'test', 'no daemon'],
				['skipped inside', 'test', 'no go'],
				['a skipped suite', 'suite', 'no shared'],
			],
		);
	} finally {
		await rm(directory, {recursive: true, force: true});
	}
});
