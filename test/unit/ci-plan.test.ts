import assert from 'node:assert/strict';
import {test} from 'node:test';
import {analyzeImage} from '../../source/analysis/analyze-image.js';
import type {ImageAnalysis} from '../../source/analysis/types.js';
import {plannedFindings} from '../../source/analysis/what-if/plan-findings.js';
import {parseLayerlensConfig} from '../../source/ci/config.js';
import {evaluateCi} from '../../source/ci/evaluate.js';
import {ciExitCode} from '../../source/ci/exit-code.js';
import {formatCiReport} from '../../source/ci/format-ci-report.js';
import {withPlan} from '../../source/ci/plan.js';
import {defaultRules} from '../../source/ci/rules.js';
import {isLayerlensError} from '../../source/shared/errors.js';
import {dir, file, layer, rawImage} from '../helpers/raw-image-builder.js';

function rejects(text: string, message: RegExp) {
	assert.throws(
		() => parseLayerlensConfig(text, 'x.yml'),
		(error: unknown) => {
			assert.ok(isLayerlensError(error), `not a LayerlensError: ${String(error)}`);
			assert.equal(error.exitCode, 2);
			assert.ok(!error.line.includes('\n'), 'one line');
			assert.match(error.line, message);
			return true;
		},
	);
}

test('plan: entries of a path, a layer, a finding and a package parse, sizes and defaults included', () => {
	const {rules} = parseLayerlensConfig(
		[
			'rules:',
			'  lowestEfficiency: 0.9',
			'plan:',
			'  tolerance: 0.1',
			'  entries:',
			'    - {action: remove, path: /app/node_modules/typescript/, saves: 20MB}',
			'    - {action: builder, layer: 3, instruction: RUN npm ci}',
			'    - {finding: LL-BUILD-DEVDEPS, saves: 1000}',
			'    - {action: builder, package: typescript, paths: [/app/x, app/y]}',
		].join('\n'),
		'x.yml',
	);
	assert.equal(rules.lowestEfficiency, 0.9);
	assert.deepEqual(rules.plan, {
		tolerance: 0.1,
		entries: [
			{action: 'remove', saves: 20_000_000, path: 'app/node_modules/typescript'},
			{action: 'builder', layer: 3, instruction: 'RUN npm ci'},
			{action: 'remove', saves: 1000, finding: 'LL-BUILD-DEVDEPS'},
			{action: 'builder', package: 'typescript', paths: ['app/x', 'app/y']},
		],
	});
	assert.equal(parseLayerlensConfig('plan:\n  entries: []', 'x.yml').rules.plan?.tolerance, 0.05);
});

test('every bad plan entry is one line naming it', () => {
	rejects('plan: [a]', /x\.yml: plan must be a mapping with entries/);
	rejects('plan:\n  entry: []', /unknown key 'plan\.entry'/);
	rejects('plan:\n  tolerance: 2\n  entries: []', /plan\.tolerance must be a number between 0 and 1, got 2/);
	rejects('plan:\n  entries: {path: a}', /plan\.entries must be a list/);
	rejects('plan:\n  entries: [a]', /plan\.entries\[0\] must be a mapping, got "a"/);
	rejects(
		'plan:\n  entries: [{action: delete, path: a}]',
		/plan\.entries\[0\]\.action must be remove or builder/,
	);
	rejects(
		'plan:\n  entries: [{path: a, layer: 1}]',
		/plan\.entries\[0\] must name exactly one of path, layer/,
	);
	rejects('plan:\n  entries: [{action: remove}]', /must name exactly one of/);
	rejects(
		'plan:\n  entries: [{path: a}, {path: b, saves: lots}]',
		/plan\.entries\[1\]\.saves must be a size/,
	);
	rejects('plan:\n  entries: [{layer: -1}]', /plan\.entries\[0\]\.layer must be a layer index/);
	rejects('plan:\n  entries: [{path: ""}]', /plan\.entries\[0\]\.path must be a non-empty string/);
	rejects('plan:\n  entries: [{package: p}]', /plan\.entries\[0\]\.paths must list the package's files/);
	rejects('plan:\n  entries: [{path: a, size: 1}]', /unknown key 'plan\.entries\[0\]\.size'/);
});

function image(tsBytes: number): ImageAnalysis {
	return analyzeImage(
		rawImage([
			layer([dir('app'), file('app/server.js', 100, 's')]),
			layer([dir('app/nm'), dir('app/nm/ts'), file('app/nm/ts/tsc.js', tsBytes, `t${tsBytes}`)]),
		]),
	);
}

test('--ci: the plan passes while its savings are there, and fails with a clear line when not', () => {
	const {rules} = parseLayerlensConfig(
		[
			'plan:',
			'  entries:',
			'    - {action: builder, path: /app/nm/ts, saves: 1000}',
			'    - {action: remove, layer: 1, instruction: RUN step 1, saves: 1000}',
		].join('\n'),
		'.layerlens.yml',
	);
	const lenient = {...defaultRules(), failOn: [], plan: rules.plan!};
	const passing = evaluateCi(image(1000), lenient);
	assert.equal(passing.passed, true);
	assert.match(
		formatCiReport(passing),
		/ {2}PASS plan\s+2 of 2 planned savings still available \(threshold each target present, saving ≥ recorded less 5%\)/,
	);

	// 960 B is within 5 % of 1000 B; 900 B is not.
	assert.equal(evaluateCi(image(960), lenient).passed, true);
	const shrunk = evaluateCi(image(900), lenient);
	assert.equal(shrunk.passed, false);
	assert.equal(ciExitCode(shrunk), 1);
	assert.match(
		formatCiReport(shrunk),
		/FAIL plan\s+0 of 2 planned savings still available .* - builder \/app\/nm\/ts now saves 900 B, below the 1\.0 kB recorded \(tolerance 5%\); remove layer 1 now saves 900 B/,
	);

	const gone = evaluateCi(
		analyzeImage(rawImage([layer([dir('app'), file('app/server.js', 100, 's')])])),
		lenient,
	);
	assert.match(
		formatCiReport(gone),
		/FAIL plan .* - builder \/app\/nm\/ts: \/app\/nm\/ts is not in the image; remove layer 1: the image has no layer 1/,
	);
});

test('the plan is written into the config file, its other keys and comments kept, and reads back', () => {
	const existing = '# rules for CI\nrules:\n  lowestEfficiency: 0.9 # dive parity\nplan:\n  entries: []\n';
	const text = withPlan(existing, {
		tolerance: 0.05,
		entries: [{action: 'remove', saves: 1000, path: '/app/nm/ts'}],
	});
	assert.match(text, /# rules for CI/);
	assert.match(text, /# dive parity/);
	const {rules} = parseLayerlensConfig(text, 'x.yml');
	assert.equal(rules.lowestEfficiency, 0.9);
	assert.deepEqual(rules.plan, {
		tolerance: 0.05,
		entries: [{action: 'remove', saves: 1000, path: 'app/nm/ts'}],
	});
	assert.deepEqual(parseLayerlensConfig(withPlan(undefined, rules.plan!), 'x.yml').rules.plan, rules.plan);
	assert.throws(() => withPlan('- a list', rules.plan!), /not a mapping/);
});

test("the suggestion's planned removals: one per action, the final files under each mark", () => {
	const {tree} = image(1000);
	const [builder, remove] = plannedFindings(
		[
			{kind: 'path', path: 'app/nm', action: 'builder'},
			{kind: 'layer', layer: 0, action: 'remove'},
		],
		tree,
		'.layerlens.yml',
	);
	assert.deepEqual(
		{id: builder?.ruleId, category: builder?.category, paths: builder?.paths, bytes: builder?.bytes},
		{id: 'LL-PLAN-BUILDER', category: 'build-only', paths: ['app/nm/ts/tsc.js'], bytes: 1000},
	);
	assert.deepEqual(
		{id: remove?.ruleId, paths: remove?.paths, bytes: remove?.bytes, title: remove?.title},
		{id: 'LL-PLAN-REMOVE', paths: ['app/server.js'], bytes: 100, title: 'Planned in .layerlens.yml: removed'},
	);
});
