import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';
import {describeRun, runCli} from '../helpers/run-cli.js';

// `layerlens --ci` as a pipeline runs it: exit 1 on the naive build, 0 on the multi-stage one, 2 on a bad
// rules file, and the report files written next to the verdict. Runs in a temp dir with no .layerlens.yml,
// so the built-in default rules apply.

const availability = await dockerAvailability({images: [fixtureImages.naive, fixtureImages.multistage]});
const skip = dockerSkip(availability);

let workDir = '';

before(async () => {
	workDir = await mkdtemp(join(tmpdir(), 'layerlens-e2e-ci-'));
});

after(async () => {
	await rm(workDir, {recursive: true, force: true});
});

type SarifLog = {
	version: string;
	runs: {tool: {driver: {name: string; rules?: {id: string}[]}}; results: {ruleId: string}[]}[];
};

test('--ci on the naive image fails, names the failed rules, and writes SARIF and Markdown', {
	skip,
}, async () => {
	assertDockerAvailable(availability);
	const sarifPath = join(workDir, 'layerlens.sarif');
	const markdownPath = join(workDir, 'report.md');
	const result = await runCli(
		[fixtureImages.naive, '--ci', '--output', `sarif=${sarifPath}`, '--output', `markdown=${markdownPath}`],
		{cwd: workDir, timeoutMs: 120_000},
	);
	assert.equal(result.code, 1, describeRun(result));
	assert.match(result.stdout, /CI rules from built-in defaults/);
	const failed = result.stdout
		.split('\n')
		.filter((line) => /^\s+FAIL /.test(line))
		.map((line) => line.trim().split(/\s+/)[1]);
	assert.deepEqual(failed, ['failOn:build-only', 'failOn:cache']);
	// The verdict line names the rule findings behind each failure.
	assert.match(result.stdout, /FAIL failOn:build-only .*LL-BUILD-DEVDEPS/);
	assert.match(result.stdout, /FAIL failOn:cache .*LL-CACHE-NPM/);
	assert.match(result.stdout, /\nFAIL \[pass:\d+ fail:2 skip:\d+\]\n/);

	const sarif = JSON.parse(await readFile(sarifPath, 'utf8')) as SarifLog;
	assert.equal(sarif.version, '2.1.0');
	assert.equal(sarif.runs.length, 1);
	assert.equal(sarif.runs[0]!.tool.driver.name, 'layerlens');
	const sarifRules = new Set(sarif.runs[0]!.results.map((item) => item.ruleId));
	for (const ruleId of ['LL-BUILD-DEVDEPS', 'LL-CACHE-NPM', 'LL-BUILD-SOURCES', 'LL-BUILD-TESTS']) {
		assert.ok(sarifRules.has(ruleId), `SARIF has a ${ruleId} result`);
	}

	const markdown = await readFile(markdownPath, 'utf8');
	assert.match(markdown, /^# Image report: `layerlens-fixture\/naive`\n/);
	assert.match(markdown, /#### `LL-BUILD-DEVDEPS` /);
	assert.match(markdown, /\n## Suggested Dockerfile\n/);
	// Reports go to their files, never onto the verdict.
	assert.doesNotMatch(result.stdout, /# Image report/);
});

test('--ci on the multi-stage image passes with the default rules', {skip}, async () => {
	assertDockerAvailable(availability);
	const result = await runCli([fixtureImages.multistage, '--ci'], {cwd: workDir, timeoutMs: 120_000});
	assert.equal(result.code, 0, describeRun(result));
	assert.doesNotMatch(result.stdout, /^\s+FAIL /m);
	assert.match(result.stdout, /\nPASS \[pass:\d+ fail:0 skip:\d+\]\n/);
});

test('--ci with a rules file that has an unknown key exits 2 with one line saying which key', {
	skip,
}, async () => {
	assertDockerAvailable(availability);
	const config = join(workDir, 'bad.yml');
	await writeFile(config, 'rules:\n  lowestEfficiency: 0.9\n  maxWastedBites: 20MB\n');
	const result = await runCli([fixtureImages.naive, '--ci', '--config', config], {cwd: workDir});
	assert.equal(result.code, 2, describeRun(result));
	const lines = result.stderr.trimEnd().split('\n');
	assert.equal(lines.length, 1, result.stderr);
	assert.match(lines[0]!, /^layerlens: .*bad\.yml: unknown key 'rules\.maxWastedBites'\. Known keys: /);
	assert.match(lines[0]!, /highestWastedBytes/);
	// The rules are read before the image, so nothing was analysed or printed.
	assert.equal(result.stdout, '');
});
