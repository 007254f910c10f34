import assert from 'node:assert/strict';
import {mkdtempSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';
import {createBaseline, readBaseline, writeBaselineFile} from '../../source/ci/baseline.js';
import {evaluateCi} from '../../source/ci/evaluate.js';
import {ciExitCode} from '../../source/ci/exit-code.js';
import {formatCiReport} from '../../source/ci/format-ci-report.js';
import {compileGlob, globProblem} from '../../source/ci/glob.js';
import {type CiRules, defaultRules, diveDefaultRules} from '../../source/ci/rules.js';
import {cleanAnalysis, naiveAnalysis, npmCache} from '../helpers/report-analysis.js';

function statusOf(rules: CiRules, analysis = naiveAnalysis()) {
	const result = evaluateCi(analysis, rules);
	return Object.fromEntries(result.results.map((entry) => [entry.rule, entry.status]));
}

test('defaults: the naive single-stage image fails, the multi-stage one passes', () => {
	const naive = evaluateCi(naiveAnalysis(), defaultRules());
	assert.equal(naive.passed, false);
	assert.equal(ciExitCode(naive), 1);
	assert.deepEqual(statusOf(defaultRules()), {
		lowestEfficiency: 'PASS',
		highestWastedBytes: 'SKIP',
		highestUserWastedPercent: 'SKIP',
		maxImageBytes: 'SKIP',
		maxReclaimableBytes: 'SKIP',
		maxBuildOnlyBytes: 'SKIP',
		'failOn:secret': 'PASS',
		'failOn:build-only': 'FAIL',
		'failOn:cache': 'FAIL',
		'failOn:waste': 'SKIP',
	});
	const clean = evaluateCi(cleanAnalysis(), defaultRules());
	assert.equal(clean.passed, true);
	assert.equal(ciExitCode(clean), 0);
});

test("the report has one line per rule and dive's summary line", () => {
	const text = formatCiReport(evaluateCi(naiveAnalysis(), defaultRules()));
	assert.equal(
		text,
		[
			'layerlens CI rules from built-in defaults',
			'  PASS lowestEfficiency          0.97 (threshold 0.9)',
			'  SKIP highestWastedBytes        disabled',
			'  SKIP highestUserWastedPercent  disabled',
			'  SKIP maxImageBytes             disabled',
			'  SKIP maxReclaimableBytes       disabled',
			'  SKIP maxBuildOnlyBytes         disabled',
			'  PASS failOn:secret             0 findings (threshold 0 at high confidence) - 1 below high confidence not counted',
			'  FAIL failOn:build-only         1 finding, 24.0 MB (threshold 0 at high confidence) - LL-BUILD-DEVDEPS 24.0 MB',
			'  FAIL failOn:cache              1 finding, 3.5 MB (threshold 0 at high confidence) - LL-CACHE-NPM 3.5 MB',
			'  SKIP failOn:waste              not in failOn',
			'FAIL [pass:2 fail:2 skip:6]',
			'',
		].join('\n'),
	);
});

test('thresholds compare the way dive does, strictly', () => {
	const rules: CiRules = {
		...defaultRules(),
		failOn: [],
		lowestEfficiency: 0.97,
		highestWastedBytes: 10_000_000,
		highestUserWastedPercent: 0.16,
		maxImageBytes: 162_001_000,
		maxReclaimableBytes: 4_999_999,
		maxBuildOnlyBytes: 23_999_999,
	};
	const result = evaluateCi(naiveAnalysis(), rules);
	const byRule = Object.fromEntries(result.results.map((entry) => [entry.rule, entry]));
	assert.equal(byRule.lowestEfficiency!.status, 'PASS');
	assert.equal(byRule.highestWastedBytes!.status, 'PASS');
	assert.equal(byRule.highestWastedBytes!.measured, '10.0 MB (10000000 B)');
	assert.equal(byRule.highestUserWastedPercent!.status, 'FAIL');
	assert.equal(byRule.highestUserWastedPercent!.measured, '0.1613');
	assert.equal(byRule.maxImageBytes!.status, 'PASS');
	assert.equal(byRule.maxReclaimableBytes!.status, 'FAIL');
	assert.equal(byRule.maxReclaimableBytes!.measured, '5.0 MB (5000000 B)');
	assert.equal(byRule.maxBuildOnlyBytes!.status, 'FAIL');
	assert.equal(byRule.maxBuildOnlyBytes!.threshold, '24.0 MB (23999999 B)');
	assert.equal(result.passed, false);
});

test('dive defaults from a .dive-ci file, layerlens rules still on; the user-wasted rule is skipped, not passed, on one layer', () => {
	assert.deepEqual(statusOf(diveDefaultRules('.dive-ci')), {
		lowestEfficiency: 'PASS',
		highestWastedBytes: 'SKIP',
		highestUserWastedPercent: 'FAIL',
		maxImageBytes: 'SKIP',
		maxReclaimableBytes: 'SKIP',
		maxBuildOnlyBytes: 'SKIP',
		// A .dive-ci has no say over layerlens' own rules: the naive image's devDependencies and npm cache fail.
		'failOn:secret': 'PASS',
		'failOn:build-only': 'FAIL',
		'failOn:cache': 'FAIL',
		'failOn:waste': 'SKIP',
	});
	const single = naiveAnalysis();
	single.efficiency = {...single.efficiency, userSizeBytes: 0, wastedUserPercent: Number.NaN};
	const entry = evaluateCi(single, diveDefaultRules('.dive-ci')).results.find(
		(result) => result.rule === 'highestUserWastedPercent',
	)!;
	assert.deepEqual(entry, {
		rule: 'highestUserWastedPercent',
		status: 'SKIP',
		measured: '-',
		threshold: '0.1',
		detail: 'no layers above the base layer to measure',
	});
});

test('failOnConfidence medium lets the .env secret fail the gate', () => {
	const statuses = statusOf({...defaultRules(), failOnConfidence: 'medium'});
	assert.equal(statuses['failOn:secret'], 'FAIL');
});

test('ignorePaths drop matching paths, recompute bytes and groups, and report the reason', () => {
	const rules: CiRules = {
		...defaultRules(),
		maxBuildOnlyBytes: 5_000_000,
		maxReclaimableBytes: 0,
		ignorePaths: [
			{path: 'app/node_modules/typescript/**', reason: 'tsc runs at startup'},
			{path: 'root/.npm/', reason: 'accepted until the base image changes'},
			{path: '*.o', reason: 'object files are cleaned in the next release'},
		],
	};
	const result = evaluateCi(naiveAnalysis(), rules);
	const devDeps = result.findings.find((finding) => finding.ruleId === 'LL-BUILD-DEVDEPS')!;
	assert.equal(devDeps.bytes, 4_000_000);
	assert.deepEqual(devDeps.paths, ['app/node_modules/@types/node/index.d.ts']);
	assert.deepEqual(devDeps.groups, [{path: 'app/node_modules/@types/node/', count: 1, bytes: 4_000_000}]);
	assert.equal(
		result.findings.some((finding) => finding.ruleId === 'LL-CACHE-NPM'),
		false,
	);
	assert.deepEqual(
		result.ignored.map(({ignore, paths, bytes, droppedFindings}) => [
			ignore.path,
			paths,
			bytes,
			droppedFindings,
		]),
		[
			['app/node_modules/typescript/**', 2, 20_000_000, []],
			['root/.npm/', 2, 3_500_000, ['LL-CACHE-NPM']],
			['*.o', 1, 0, ['LL-WASTE-DELETED']],
		],
	);
	const byRule = Object.fromEntries(result.results.map((entry) => [entry.rule, entry]));
	assert.equal(byRule.maxBuildOnlyBytes!.status, 'PASS');
	assert.equal(byRule.maxBuildOnlyBytes!.measured, '4.0 MB (4000000 B)');
	assert.equal(byRule.maxReclaimableBytes!.status, 'PASS');
	assert.equal(byRule['failOn:cache']!.status, 'PASS');
	// The remaining devDependency still fails the default build-only rule.
	assert.equal(byRule['failOn:build-only']!.status, 'FAIL');
	const text = formatCiReport(result);
	assert.match(
		text,
		/\n {2}ignored app\/node_modules\/typescript\/\*\*: 2 paths, 20\.0 MB \(reason: tsc runs at startup\)\n/,
	);
	assert.match(
		text,
		/ignored root\/\.npm\/: 2 paths, 3\.5 MB, dropped LL-CACHE-NPM \(reason: accepted until/,
	);
});

test('a baseline suppresses known findings but not new path groups', () => {
	const analysis = naiveAnalysis();
	const baseline = createBaseline(analysis.findings, analysis.image.reference);
	const known = evaluateCi(analysis, {...defaultRules(), baseline});
	assert.equal(known.passed, true);
	assert.equal(known.baselined.length, 4);
	assert.match(
		formatCiReport(known),
		/PASS failOn:cache {14}0 findings \(threshold 0 at high confidence\) - 1 known from the baseline/,
	);

	const grown = naiveAnalysis();
	grown.findings = grown.findings.map((finding) =>
		finding.ruleId === npmCache.ruleId
			? {...finding, groups: [...finding.groups, {path: 'root/.cache/node-gyp/', count: 1, bytes: 1}]}
			: finding,
	);
	const result = evaluateCi(grown, {...defaultRules(), baseline});
	assert.equal(result.passed, false);
	assert.deepEqual(
		result.findings.map((finding) => finding.ruleId),
		['LL-CACHE-NPM'],
	);
});

test('a baseline file is written atomically, sorted, and reads back', async () => {
	const file = join(mkdtempSync(join(tmpdir(), 'layerlens-baseline-')), 'baseline.json');
	const analysis = naiveAnalysis();
	const written = await writeBaselineFile(file, analysis.findings, analysis.image.reference);
	assert.deepEqual(written.entries, [
		{ruleId: 'LL-BUILD-DEVDEPS', path: 'app/node_modules/@types/node/'},
		{ruleId: 'LL-BUILD-DEVDEPS', path: 'app/node_modules/typescript/'},
		{ruleId: 'LL-CACHE-NPM', path: 'root/.npm/'},
		{ruleId: 'LL-SECRET-ENV', path: 'app/.env'},
		{ruleId: 'LL-WASTE-DELETED', path: 'tmp/build/'},
	]);
	assert.deepEqual(await readBaseline(file), written);
	assert.equal(createBaseline([{...npmCache, groups: []}]).entries[0]!.path, '*');
});

test('globs', () => {
	const matches = (pattern: string, path: string) => compileGlob(pattern)(path);
	assert.ok(matches('app/**', 'app/a/b.js'));
	assert.ok(matches('app/**/b.js', 'app/b.js'));
	assert.ok(matches('/app/*.js', 'app/x.js'));
	assert.ok(!matches('app/*.js', 'app/x/y.js'));
	assert.ok(matches('*.map', 'app/dist/x.js.map'));
	assert.ok(matches('docs/', 'docs/a/b.md'));
	assert.ok(matches('app/{a,b}/x', 'app/b/x'));
	assert.ok(matches('app/[ab]?', 'app/ax'));
	assert.ok(!matches('app/a.js', 'app/aXjs'));
	// What the hand-written matcher got wrong: escapes and bracket expressions.
	assert.ok(matches('app/\\*.js', 'app/*.js'));
	assert.ok(!matches('app/\\*.js', 'app/x.js'));
	assert.ok(matches('app/[^a]x', 'app/bx'));
	assert.ok(!matches('app/[^a]x', 'app/ax'));
	assert.ok(matches('*.env', 'app/.env'));
	assert.match(globProblem('[z-a]') ?? '', /Range out of order/);
	assert.match(globProblem('app/{a,b') ?? '', /Missing closing/);
	assert.equal(globProblem('app/**'), undefined);
});

test("findings about the base image's files fail the gate only with rules.countBaseFindings", () => {
	const analysis = cleanAnalysis();
	analysis.findings = [{...npmCache, fromBase: true}];
	const byDefault = evaluateCi(analysis, defaultRules());
	assert.equal(byDefault.passed, true);
	const cache = byDefault.results.find((entry) => entry.rule === 'failOn:cache')!;
	assert.equal(cache.status, 'PASS');
	assert.equal(cache.detail, '1 from the base image not counted (rules.countBaseFindings: true counts them)');
	const counted = evaluateCi(analysis, {...defaultRules(), countBaseFindings: true});
	assert.equal(counted.passed, false);
	assert.equal(counted.results.find((entry) => entry.rule === 'failOn:cache')!.status, 'FAIL');

	// maxBuildOnlyBytes adds up the app's build-only bytes only, unless asked otherwise.
	analysis.findings = [{...npmCache, category: 'build-only', fromBase: true}];
	const limit = {...defaultRules(), maxBuildOnlyBytes: 0};
	assert.equal(
		evaluateCi(analysis, limit).results.find((entry) => entry.rule === 'maxBuildOnlyBytes')!.status,
		'PASS',
	);
	assert.equal(
		evaluateCi(analysis, {...limit, countBaseFindings: true}).results.find(
			(entry) => entry.rule === 'maxBuildOnlyBytes',
		)!.status,
		'FAIL',
	);
});
