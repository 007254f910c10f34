import assert from 'node:assert/strict';
import {readFileSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {test} from 'node:test';
import {Ajv} from 'ajv';
import type {JsonReport, JsonReportFinding} from '../../source/report/json.js';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';
import {repositoryRoot, runCliJson} from '../helpers/run-cli.js';

// `layerlens --json` on the two builds of the same app (test/fixtures/images/naive and /multistage): the naive one
// ships its devDependencies, npm cache, sources and tests; the multi-stage one none of them. Sizes of the app's own
// files are read from test/fixtures/images/app, the files the image was built from.

const availability = await dockerAvailability({images: [fixtureImages.naive, fixtureImages.multistage]});
const skip = dockerSkip(availability);
const appDir = join(repositoryRoot, 'test', 'fixtures', 'images', 'app');
const sizeOf = (...paths: string[]) =>
	paths.reduce((sum, path) => sum + statSync(join(appDir, path)).size, 0);
const schema = JSON.parse(
	readFileSync(join(repositoryRoot, 'source', 'report', 'layerlens-report.schema.json'), 'utf8'),
) as object;
const validate = new Ajv({allErrors: true, strict: true}).compile(schema);

const reports = new Map<string, Promise<JsonReport>>();
function reportOf(image: string): Promise<JsonReport> {
	let report = reports.get(image);
	if (!report) {
		report = runCliJson<JsonReport>([image, '--json'], {timeoutMs: 120_000});
		reports.set(image, report);
	}

	return report;
}

function only(report: JsonReport, ruleId: string): JsonReportFinding {
	const matches = report.findings.filter((finding) => finding.ruleId === ruleId);
	assert.equal(matches.length, 1, `one ${ruleId} finding (rules found: ${ruleIds(report).join(', ')})`);
	return matches[0]!;
}

const ruleIds = (report: JsonReport) => report.findings.map((finding) => finding.ruleId);
const groupPaths = (finding: JsonReportFinding) => finding.groups.map((group) => group.path);

test('naive: the JSON report validates against the published schema and carries the projection', {
	skip,
}, async () => {
	assertDockerAvailable(availability);
	const report = await reportOf(fixtureImages.naive);
	assert.equal(validate(report), true, JSON.stringify(validate.errors, null, 2));
	assert.ok(report.suggestion, 'the naive image gets a suggested Dockerfile');
	assert.deepEqual(report.warnings, []);
});

test('naive: devDependencies, npm cache, TypeScript sources and tests are found with their bytes', {
	skip,
}, async () => {
	assertDockerAvailable(availability);
	const report = await reportOf(fixtureImages.naive);
	const copyLayer = report.layers.findIndex((layer) => layer.instruction === 'COPY <dir> .');
	const installLayer = report.layers.findIndex((layer) => layer.instruction.startsWith('RUN mv .npm-cache'));
	assert.deepEqual([copyLayer, installLayer], [5, 6]);

	const devDependencies = only(report, 'LL-BUILD-DEVDEPS');
	assert.equal(devDependencies.category, 'build-only');
	// node_modules came from the host with `COPY . .`; `npm install` then found nothing to add.
	assert.equal(devDependencies.layerIndex, copyLayer);
	for (const name of ['typescript', 'eslint', 'mocha', '@types/node', '@typescript-eslint/eslint-plugin']) {
		assert.ok(
			groupPaths(devDependencies).includes(`app/node_modules/${name}/`),
			`${name} is a devDependency`,
		);
	}

	// yaml is the one production dependency.
	assert.ok(!groupPaths(devDependencies).some((path) => path.startsWith('app/node_modules/yaml/')));
	// typescript alone is over 20 MB: the finding is the big one.
	assert.ok(devDependencies.bytes > 20_000_000, `${devDependencies.bytes} B of devDependencies`);
	// Groups partition the matched files, so they add up to the finding (bytes are deduplicated, never more).
	assert.equal(
		devDependencies.groups.reduce((sum, group) => sum + group.bytes, 0),
		devDependencies.bytes,
	);
	assert.equal(
		devDependencies.groups.reduce((sum, group) => sum + group.count, 0),
		devDependencies.pathCount,
	);

	const npmCache = only(report, 'LL-CACHE-NPM');
	assert.equal(npmCache.category, 'cache');
	assert.deepEqual(groupPaths(npmCache), ['root/.npm/']);
	assert.equal(npmCache.layerIndex, installLayer);
	// The cache is the context's .npm-cache moved to /root/.npm, so its bytes are those the directory whiteout
	// hid in the COPY layer, plus what npm itself wrote there (logs) during the install.
	const movedCache = only(report, 'LL-WASTE-DIR-DELETED');
	assert.equal(movedCache.layerIndex, copyLayer);
	assert.ok(groupPaths(movedCache).every((path) => path.startsWith('app/.npm-cache/_cacache/')));
	assert.ok(
		npmCache.bytes >= movedCache.bytes && npmCache.bytes - movedCache.bytes < 64_000,
		`cache ${npmCache.bytes} B vs the moved .npm-cache ${movedCache.bytes} B`,
	);

	const sources = only(report, 'LL-BUILD-SOURCES');
	assert.deepEqual(groupPaths(sources).sort(), ['app/.eslintrc.json', 'app/src/', 'app/tsconfig.json']);
	assert.equal(
		sources.bytes,
		sizeOf('src/config.ts', 'src/routes.ts', 'src/server.ts', 'tsconfig.json', '.eslintrc.json'),
	);
	assert.equal(sources.pathCount, 5);

	const tests = only(report, 'LL-BUILD-TESTS');
	assert.deepEqual(groupPaths(tests), ['app/test/routes.test.mjs']);
	assert.equal(tests.bytes, sizeOf('test/routes.test.mjs'));

	const dockerfile = only(report, 'LL-BUILD-REPO-FILES');
	assert.deepEqual(groupPaths(dockerfile), ['app/Dockerfile']);
	assert.equal(
		dockerfile.bytes,
		statSync(join(repositoryRoot, 'test', 'fixtures', 'images', 'naive', 'Dockerfile')).size,
	);
});

test('naive: finding bytes add up to the projection, category by category', {skip}, async () => {
	assertDockerAvailable(availability);
	const report = await reportOf(fixtureImages.naive);
	const suggestion = report.suggestion;
	assert.ok(suggestion);
	const sumOf = (keep: (finding: JsonReportFinding) => boolean) =>
		report.findings.filter(keep).reduce((sum, finding) => sum + finding.bytes, 0);
	// No path is in two findings here, so the per-finding bytes add up without double counting.
	assert.equal(
		suggestion.byCategory['build-only'],
		sumOf((finding) => finding.category === 'build-only'),
	);
	assert.equal(
		suggestion.byCategory.cache,
		sumOf((finding) => finding.category === 'cache'),
	);
	// Of the waste findings only duplicates are final files; the others are bytes hidden in lower layers.
	assert.equal(
		suggestion.byCategory.waste,
		sumOf((finding) => finding.ruleId === 'LL-WASTE-DUPLICATE'),
	);
	assert.equal(suggestion.byCategory.secret ?? 0, 0);
	const removed = Object.values(suggestion.byCategory).reduce((sum, bytes) => sum + bytes, 0);
	assert.equal(suggestion.projectedSizeBytes, report.image.finalSizeBytes - removed);
	assert.ok(removed > 90_000_000, `the fixes remove ${removed} B: devDependencies + npm cache`);
});

test('multistage: no build-only or cache finding of the app, and the naive projection lands on it', {
	skip,
}, async () => {
	assertDockerAvailable(availability);
	const multistage = await reportOf(fixtureImages.multistage);
	const naive = await reportOf(fixtureImages.naive);
	assert.equal(validate(multistage), true, JSON.stringify(validate.errors, null, 2));
	// No build-only or cache finding at all: what is left is the base image's waste (duplicate docs from
	// debootstrap, /etc/passwd rewritten by useradd), which the app's Dockerfile does not control.
	assert.deepEqual(
		multistage.findings
			.filter((finding) => finding.category === 'build-only' || finding.category === 'cache')
			.map((finding) => finding.ruleId),
		[],
	);

	// The naive image with every finding fixed is the multi-stage image with the same base findings fixed:
	// the difference is README.md, package-lock.json and node_modules/.package-lock.json, which the naive
	// build keeps and the multi-stage one does not copy (well under 1 %).
	const naiveProjected = naive.suggestion!.projectedSizeBytes;
	const multistageProjected = multistage.suggestion!.projectedSizeBytes;
	assert.ok(
		Math.abs(naiveProjected - multistageProjected) / multistageProjected < 0.01,
		`naive projected ${naiveProjected} B, multistage projected ${multistageProjected} B`,
	);
});
