import assert from 'node:assert/strict';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';
import {formatBaseline} from '../../source/ci/baseline.js';
import {
	applyRuleOverrides,
	loadCiRules,
	parseDiveConfig,
	parseLayerlensConfig,
} from '../../source/ci/config.js';
import {parseByteSize} from '../../source/ci/parse-size.js';
import {defaultRules} from '../../source/ci/rules.js';
import {isLayerlensError} from '../../source/shared/errors.js';

function rejects(run: () => unknown, message: RegExp) {
	assert.throws(run, (error: unknown) => {
		assert.ok(isLayerlensError(error), `not a LayerlensError: ${String(error)}`);
		assert.equal(error.exitCode, 2);
		assert.ok(!error.line.includes('\n'), 'one line');
		assert.match(error.line, message);
		return true;
	});
}

test('sizes parse the way dive reads them', () => {
	assert.equal(parseByteSize('20MB'), 20_000_000);
	assert.equal(parseByteSize('20MiB'), 20_971_520);
	assert.equal(parseByteSize('20 mb'), 20_000_000);
	assert.equal(parseByteSize('1.5GB'), 1_500_000_000);
	assert.equal(parseByteSize('1,000'), 1000);
	assert.equal(parseByteSize('512'), 512);
	assert.equal(parseByteSize('2k'), 2000);
	assert.equal(parseByteSize('20XB'), undefined);
	assert.equal(parseByteSize('lots'), undefined);
	assert.equal(parseByteSize('-5MB'), undefined);
});

test('a full .layerlens.yml is read strictly', () => {
	const {rules, baselinePath} = parseLayerlensConfig(
		[
			'rules:',
			'  lowestEfficiency: 0.95',
			'  highestWastedBytes: 20MB',
			'  highestUserWastedPercent: "0.2"',
			'  maxImageBytes: 200MiB',
			'  maxReclaimableBytes: 1000000',
			'  maxBuildOnlyBytes: disabled',
			'  failOn: [secret, waste]',
			'  failOnConfidence: medium',
			'  countBaseFindings: true',
			'ignorePaths:',
			'  - path: "app/node_modules/sharp/**"',
			'    reason: native module loaded at runtime',
			'baseline: ci/baseline.json',
		].join('\n'),
		'.layerlens.yml',
	);
	assert.equal(rules.lowestEfficiency, 0.95);
	assert.equal(rules.highestWastedBytes, 20_000_000);
	assert.equal(rules.highestUserWastedPercent, 0.2);
	assert.equal(rules.maxImageBytes, 209_715_200);
	assert.equal(rules.maxReclaimableBytes, 1_000_000);
	assert.equal(rules.maxBuildOnlyBytes, undefined);
	assert.deepEqual(rules.failOn, ['secret', 'waste']);
	assert.equal(rules.failOnConfidence, 'medium');
	assert.equal(rules.countBaseFindings, true);
	assert.deepEqual(rules.ignorePaths, [
		{path: 'app/node_modules/sharp/**', reason: 'native module loaded at runtime'},
	]);
	assert.equal(baselinePath, 'ci/baseline.json');
	assert.equal(rules.origin, '.layerlens.yml');
});

test('keys a .layerlens.yml leaves out keep our defaults; an empty file is all defaults', () => {
	const {rules} = parseLayerlensConfig('rules:\n  maxImageBytes: 1GB\n', 'x.yml');
	assert.deepEqual({...rules, maxImageBytes: undefined, origin: ''}, {...defaultRules(), origin: ''});
	assert.deepEqual(parseLayerlensConfig('', 'x.yml').rules, {...defaultRules(), origin: 'x.yml'});
});

test('every bad config is a one-line LayerlensError naming the problem', () => {
	const bad: Array<[string, RegExp]> = [
		[
			'rules:\n  lowestEffiency: 0.9',
			/x\.yml: unknown key 'rules\.lowestEffiency'\. Known keys: lowestEfficiency/,
		],
		['rule:\n  lowestEfficiency: 0.9', /unknown key 'rule'/],
		['rules:\n  lowestEfficiency: 1.5', /rules\.lowestEfficiency must be between 0 and 1, got 1\.5/],
		['rules:\n  highestUserWastedPercent: -0.1', /must be between 0 and 1, got -0\.1/],
		[
			'rules:\n  lowestEfficiency: high',
			/rules\.lowestEfficiency must be a number between 0 and 1, got 'high'/,
		],
		['rules:\n  lowestEfficiency:', /rules\.lowestEfficiency has no value/],
		[
			'rules:\n  maxImageBytes: huge',
			/rules\.maxImageBytes must be a size such as 20MB or 20MiB, got 'huge'/,
		],
		['rules:\n  maxImageBytes: 1.5', /must be a size/],
		['rules:\n  maxImageBytes: [1]', /must be a size/],
		['rules:\n  failOn: secret', /rules\.failOn must be a list/],
		[
			'rules:\n  failOn: [secrets]',
			/rules\.failOn has 'secrets'\. Use any of: secret, build-only, cache, waste/,
		],
		['rules:\n  failOnConfidence: sure', /failOnConfidence must be high, medium or low/],
		['rules:\n  countBaseFindings: yes please', /rules\.countBaseFindings must be true or false/],
		['rules: 3', /rules must be a mapping/],
		['ignorePaths:\n  - path: "a/**"', /ignorePaths\[0\] needs a reason/],
		['ignorePaths:\n  - "a/**"', /ignorePaths\[0\] must be \{path, reason\}/],
		[
			'ignorePaths:\n  - {path: "a/{b", reason: r}',
			/ignorePaths\[0\]\.path 'a\/\{b' is not a valid glob: Missing closing/,
		],
		['ignorePaths:\n  - {path: a, reason: r, why: x}', /unknown key 'ignorePaths\[0\]\.why'/],
		['ignorePaths: a/**', /ignorePaths must be a list/],
		['baseline: 5', /baseline must be a file path/],
		['- just\n- a list', /must be a mapping/],
		['rules: {lowestEfficiency: [}', /not valid YAML/],
		['rules:\n  maxImageBytes: 1MB\n  maxImageBytes: 2MB', /not valid YAML/],
	];
	for (const [text, message] of bad) {
		rejects(() => parseLayerlensConfig(text, 'x.yml'), message);
	}
});

test('a .dive-ci file uses dive keys and dive defaults; layerlens rules keep theirs', () => {
	const empty = parseDiveConfig('', '.dive-ci');
	assert.equal(empty.lowestEfficiency, 0.9);
	assert.equal(empty.highestWastedBytes, undefined);
	assert.equal(empty.highestUserWastedPercent, 0.1);
	// A dive file has no keys for layerlens' rules: they are never silently off.
	assert.deepEqual(empty.failOn, defaultRules().failOn);
	assert.equal(empty.failOnConfidence, 'high');
	assert.equal(empty.origin, '.dive-ci (rules: 3 from .dive-ci, 7 layerlens defaults)');

	const rules = parseDiveConfig(
		'rules:\n  lowestEfficiency: "0.95"\n  highestWastedBytes: "20MB"\n  highestUserWastedPercent: disabled\n',
		'.dive-ci',
	);
	assert.equal(rules.lowestEfficiency, 0.95);
	assert.equal(rules.highestWastedBytes, 20_000_000);
	assert.equal(rules.highestUserWastedPercent, undefined);

	const partial = parseDiveConfig('rules:\n  highestWastedBytes: 20MiB\n', '.dive-ci');
	assert.equal(partial.highestWastedBytes, 20_971_520);
	assert.equal(partial.lowestEfficiency, 0.9);
	assert.equal(partial.highestUserWastedPercent, 0.1);

	rejects(
		() => parseDiveConfig('rules:\n  maxImageBytes: 1GB', '.dive-ci'),
		/maxImageBytes is a layerlens rule: put it in \.layerlens\.yml/,
	);
	rejects(() => parseDiveConfig('rules:\n  lowest: 1', '.dive-ci'), /unknown key 'rules\.lowest'/);
	rejects(() => parseDiveConfig('ignorePaths: []', '.dive-ci'), /unknown key 'ignorePaths'/);
});

test('command-line values override the file and are validated the same way', () => {
	const rules = applyRuleOverrides(defaultRules(), {
		lowestEfficiency: '0.5',
		highestWastedBytes: '1MB',
		maxImageBytes: 'off',
	});
	assert.equal(rules.lowestEfficiency, 0.5);
	assert.equal(rules.highestWastedBytes, 1_000_000);
	assert.equal(rules.maxImageBytes, undefined);
	rejects(
		() => applyRuleOverrides(defaultRules(), {lowestEfficiency: '2'}),
		/^--lowest-efficiency: rules\.lowestEfficiency must be between 0 and 1/,
	);
});

function tempDirectory(): string {
	return mkdtempSync(join(tmpdir(), 'layerlens-ci-'));
}

test('loadCiRules: no file gives the built-in defaults', async () => {
	assert.deepEqual(await loadCiRules({cwd: tempDirectory()}), defaultRules());
});

test('loadCiRules: .layerlens.yml wins over .dive-ci, and its baseline is relative to it', async () => {
	const cwd = tempDirectory();
	writeFileSync(join(cwd, '.dive-ci'), 'rules:\n  lowestEfficiency: 0.5\n');
	writeFileSync(join(cwd, '.layerlens.yml'), 'rules:\n  lowestEfficiency: 0.8\nbaseline: known.json\n');
	writeFileSync(
		join(cwd, 'known.json'),
		formatBaseline({layerlensBaseline: 1, entries: [{ruleId: 'LL-CACHE-NPM', path: 'root/.npm/'}]}),
	);
	const rules = await loadCiRules({cwd, overrides: {highestWastedBytes: '5MB'}});
	assert.equal(rules.origin, '.layerlens.yml (.dive-ci not read: .layerlens.yml holds every rule)');
	assert.equal(rules.lowestEfficiency, 0.8);
	assert.equal(rules.highestWastedBytes, 5_000_000);
	assert.deepEqual(rules.baseline?.entries, [{ruleId: 'LL-CACHE-NPM', path: 'root/.npm/'}]);
});

test('loadCiRules: .dive-ci alone is read as dive', async () => {
	const cwd = tempDirectory();
	writeFileSync(join(cwd, '.dive-ci'), 'rules:\n  lowestEfficiency: 0.5\n');
	const rules = await loadCiRules({cwd});
	assert.equal(rules.origin, '.dive-ci (rules: 3 from .dive-ci, 7 layerlens defaults)');
	assert.equal(rules.lowestEfficiency, 0.5);
	assert.equal(rules.highestUserWastedPercent, 0.1);
});

test('loadCiRules: --config and --baseline paths, and their errors', async () => {
	const cwd = tempDirectory();
	writeFileSync(join(cwd, 'ci.yml'), 'rules:\n  failOn: [secret]\n');
	writeFileSync(join(cwd, 'b.json'), formatBaseline({layerlensBaseline: 1, entries: []}));
	const rules = await loadCiRules({cwd, configPath: 'ci.yml', baselinePath: 'b.json'});
	assert.equal(rules.origin, 'ci.yml');
	assert.deepEqual(rules.failOn, ['secret']);
	assert.deepEqual(rules.baseline, {layerlensBaseline: 1, entries: []});

	await assert.rejects(loadCiRules({cwd, configPath: 'missing.yml'}), /Cannot read config file missing\.yml/);
	await assert.rejects(loadCiRules({cwd, baselinePath: 'missing.json'}), /Cannot read baseline/);
	writeFileSync(join(cwd, 'bad.json'), '{"entries": []}');
	await assert.rejects(loadCiRules({cwd, baselinePath: 'bad.json'}), /is not a layerlens baseline/);
});
