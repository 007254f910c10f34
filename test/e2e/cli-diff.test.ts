import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {promisify} from 'node:util';
import {Ajv} from 'ajv';
import MarkdownIt from 'markdown-it';
import type {JsonDiffReport} from '../../source/report/diff-json.js';
import {formatBytes} from '../../source/shared/format-bytes.js';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';
import {imageTotals, literal, shrinkHeadline} from '../helpers/image-totals.js';
import {describeRun, runCli, runCliJson, userErrorProblems} from '../helpers/run-cli.js';
import {writeOciLayoutFromSave} from './oci-layout.js';

const availability = await dockerAvailability({
	images: [fixtureImages.naive, fixtureImages.multistage, fixtureImages.waste],
});
const skip = dockerSkip(availability);
const run = promisify(execFile);
const validate = new Ajv({allErrors: true, strict: true}).compile(
	JSON.parse(
		readFileSync(new URL('../../source/report/layerlens-diff.schema.json', import.meta.url), 'utf8'),
	) as object,
);

let workDir = '';
before(async () => {
	workDir = await mkdtemp(join(tmpdir(), 'layerlens-e2e-diff-'));
});
after(async () => {
	await rm(workDir, {recursive: true, force: true});
});

test('naive against multi-stage: exact totals, the devDependencies removed, the build-only findings resolved', {
	skip,
}, async () => {
	assertDockerAvailable(availability);
	const report = await runCliJson<JsonDiffReport>(
		['diff', fixtureImages.naive, fixtureImages.multistage, '--json'],
		{
			timeoutMs: 240_000,
		},
	);
	assert.ok(validate(report), JSON.stringify(validate.errors));
	// The same numbers `layerlens IMAGE --json` gives for each image (see imageTotals for why they are read).
	const naive = await imageTotals(fixtureImages.naive);
	const multistage = await imageTotals(fixtureImages.multistage);
	assert.deepEqual(report.totals.a, {
		...naive,
		efficiencyScore: report.totals.a.efficiencyScore,
		files: 12_780,
		layers: 8,
	});
	assert.deepEqual(report.totals.b, {
		...multistage,
		efficiencyScore: report.totals.b.efficiencyScore,
		files: 8096,
		layers: 8,
	});
	// The base is debootstrapped on the day of the build and follows Debian's updates; the image's own layers (the
	// production node_modules, dist, package.json and config.yaml, no npm cache) have fixed bytes.
	const layerBytes = (layers: {sizeBytes: number}[]) =>
		layers.reduce((sum, layer) => sum + layer.sizeBytes, 0);
	assert.equal(
		layerBytes(report.layers.onlyB),
		692_519,
		'the multi-stage image has no npm cache: its bytes are fixed',
	);
	assert.equal(
		report.totals.b.layerBytes,
		layerBytes(report.layers.shared) + layerBytes(report.layers.onlyB),
	);
	assert.equal(
		report.totals.a.layerBytes,
		layerBytes(report.layers.shared) + layerBytes(report.layers.onlyA),
	);
	assert.equal(report.totals.delta.layerBytes, multistage.layerBytes - naive.layerBytes);
	assert.equal(report.totals.delta.files, 8096 - 12_780);
	assert.equal(report.identical, false);
	// The node-base layers are the common base; each image adds four of its own.
	assert.equal(report.layers.shared.length, 4);
	assert.equal(report.layers.onlyA.length, 4);
	assert.equal(report.layers.onlyB.length, 4);

	// Every devDependency of the app (and only the ones npm ci --omit=dev leaves out) is a removed row.
	const removed = new Map(
		report.files.topChanges.filter((row) => row.kind === 'removed').map((row) => [row.path, row]),
	);
	for (const name of ['typescript', 'eslint', 'mocha', '@types', '@typescript-eslint']) {
		const row = removed.get(`app/node_modules/${name}`);
		assert.ok(row?.isDirectory, `app/node_modules/${name} is listed as removed`);
		assert.ok(row.deltaBytes < 0 && row.files > 0);
	}

	assert.equal(removed.get('app/node_modules/typescript')?.deltaBytes, -22_437_312);
	assert.ok(removed.has('root/.npm'), 'the npm cache is gone');
	assert.ok(!removed.has('app/node_modules/express'), 'a production dependency stays');
	// A removed directory's row is the sum of the removed paths below it.
	const typescriptBytes = report.files.changes
		.filter((change) => change.path.startsWith('app/node_modules/typescript/'))
		.reduce((sum, change) => sum + change.deltaBytes, 0);
	assert.equal(typescriptBytes, -22_437_312);
	const resolved = report.findings.resolved.map((finding) => finding.ruleId);
	for (const ruleId of ['LL-BUILD-DEVDEPS', 'LL-CACHE-NPM']) assert.ok(resolved.includes(ruleId), ruleId);
	assert.deepEqual(report.findings.new, []);
	assert.equal(report.findings.byCategory['build-only'].countB, 0);

	// The Markdown for the pull request: the verdict first, tables well formed, within GitHub's limit.
	const markdown = await runCli(
		['diff', fixtureImages.naive, fixtureImages.multistage, '--format', 'markdown'],
		{
			timeoutMs: 240_000,
		},
	);
	assert.equal(markdown.code, 0, describeRun(markdown));
	assert.ok(markdown.stdout.length <= 65_536);
	assert.match(
		markdown.stdout,
		new RegExp(
			`${literal(shrinkHeadline(naive, multistage))}: \`root/\\.npm/\` -51\\.3 MB, \`app/node_modules/typescript/\` -22\\.4 MB`,
		),
	);
	const tokens = new MarkdownIt().parse(markdown.stdout, {});
	const tables = tokens.filter((token) => token.type === 'table_open').length;
	assert.equal(tables, 5, 'totals, largest changes, layers, findings, packages');
	let cells = 0;
	let header = 0;
	for (const token of tokens) {
		if (token.type === 'table_open') header = -1;
		if (token.type === 'tr_open') cells = 0;
		if (token.type === 'th_open' || token.type === 'td_open') cells++;
		if (token.type === 'tr_close') {
			if (header === -1) header = cells;
			assert.equal(cells, header, 'every row has as many cells as the header');
		}
	}
});

test('a daemon image, its docker save archive and an OCI layout made from it: no changes', {
	skip,
}, async () => {
	assertDockerAvailable(availability);
	const archive = join(workDir, 'waste.tar');
	await run('docker', ['save', '-o', archive, fixtureImages.waste]);
	const layout = join(workDir, 'waste-oci');
	await writeOciLayoutFromSave(archive, layout, 'waste');
	for (const [a, b] of [
		[fixtureImages.waste, archive],
		[fixtureImages.waste, layout],
		[layout, archive],
	] as const) {
		const report = await runCliJson<JsonDiffReport>(['diff', a, b, '--json']);
		assert.ok(validate(report), JSON.stringify(validate.errors));
		assert.equal(report.identical, true, `${a} against ${b}`);
		assert.deepEqual(report.files.changes, []);
		assert.equal(
			report.files.unchanged,
			report.totals.a.files + (report.files.unchanged - report.totals.a.files),
		);
		assert.equal(report.totals.a.files, 282);
		assert.deepEqual(report.totals.delta, {
			layerBytes: 0,
			finalBytes: 0,
			reclaimableBytes: 0,
			efficiencyScore: 0,
			files: 0,
			layers: 0,
		});
		assert.equal(report.layers.shared.length, 8);
		assert.deepEqual([report.findings.new.length, report.findings.resolved.length], [0, 0]);
	}

	const summary = await runCli(['diff', fixtureImages.waste, layout]);
	assert.equal(summary.code, 0, describeRun(summary));
	assert.match(summary.stdout, /^No changes: the same files, layer bytes and findings/m);
});

test('diff --ci: budgets from flags and .layerlens.yml decide exit 0 or 1; a bad budget is exit 2', {
	skip,
}, async () => {
	assertDockerAvailable(availability);
	// Shrinking passes any growth budget; growing by about 150 MB fails 10 MB, in flags and in the config file.
	const shrink = await runCli(
		['diff', fixtureImages.naive, fixtureImages.multistage, '--ci', '--max-growth-bytes', '10MB'],
		{
			timeoutMs: 240_000,
		},
	);
	assert.equal(shrink.code, 0, describeRun(shrink));
	assert.match(shrink.stdout, /PASS maxGrowthBytes/);

	const grow = await runCli(
		['diff', fixtureImages.multistage, fixtureImages.naive, '--ci', '--max-growth-percent', '5'],
		{
			timeoutMs: 240_000,
		},
	);
	assert.equal(grow.code, 1, describeRun(grow));
	const naive = await imageTotals(fixtureImages.naive);
	const multistage = await imageTotals(fixtureImages.multistage);
	const growth = naive.layerBytes - multistage.layerBytes;
	const percent = ((growth / multistage.layerBytes) * 100).toFixed(2);
	assert.ok(
		Number(percent) > 65 && Number(percent) < 66,
		`the naive image is about 65 % bigger (${percent} %)`,
	);
	assert.match(
		grow.stdout,
		new RegExp(`FAIL maxGrowthPercent\\s+\\+${literal(percent)}% \\(threshold 5%\\)`),
	);
	// The defaults fail on the new devDependencies and npm cache (build-only, cache).
	assert.match(
		grow.stdout,
		/FAIL failOnNew\s+\d+ new \(threshold secret, build-only, cache\) - .*LL-BUILD-DEVDEPS/,
	);

	await writeFile(join(workDir, '.layerlens.yml'), 'diff:\n  maxGrowthBytes: 200MB\n  failOnNew: []\n');
	const configured = await runCli(['diff', fixtureImages.multistage, fixtureImages.naive, '--ci'], {
		cwd: workDir,
		timeoutMs: 240_000,
	});
	assert.equal(configured.code, 0, describeRun(configured));
	assert.match(configured.stdout, /rules from \.layerlens\.yml/);
	assert.match(
		configured.stdout,
		new RegExp(`PASS maxGrowthBytes\\s+${literal(`+${formatBytes(growth)} (${growth} B)`)}`),
	);

	await writeFile(join(workDir, '.layerlens.yml'), 'diff:\n  maxGrowthBytes: lots\n');
	const bad = await runCli(['diff', fixtureImages.multistage, fixtureImages.naive, '--ci'], {cwd: workDir});
	assert.deepEqual(userErrorProblems(bad, /diff\.maxGrowthBytes must be a size/), []);
});

test('diff usage errors are one line and exit 2', async () => {
	assert.deepEqual(userErrorProblems(await runCli(['diff', 'only-one']), /compares two images, got 1/), []);
	assert.deepEqual(
		userErrorProblems(
			await runCli(['diff', 'a', 'b', '--format', 'sarif']),
			/json, markdown or html, not sarif/,
		),
		[],
	);
	assert.deepEqual(
		userErrorProblems(
			await runCli(['diff', 'a', 'b', '--ci', '--fail-on-new', 'bogus']),
			/Unknown finding category 'bogus'/,
		),
		[],
	);
	assert.deepEqual(
		userErrorProblems(
			await runCli(['some-image', '--max-growth-bytes', '1MB']),
			/only applies to layerlens diff/,
		),
		[],
	);
});
