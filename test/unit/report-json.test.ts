import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {Ajv} from 'ajv';
import {analyzeImage} from '../../source/analysis/analyze-image.js';
import type {Finding} from '../../source/analysis/types.js';
import {toJsonReport} from '../../source/report/json.js';
import {findDiveFixture, loadDiveFixture} from '../helpers/dive-fixture-layers.js';
import {diveFixtureSkip} from '../helpers/fixture-writer.js';
import {dir, file, layer, opaque, rawImage, symlink, whiteout} from '../helpers/raw-image-builder.js';

const schema = JSON.parse(
	readFileSync(new URL('../../source/report/layerlens-report.schema.json', import.meta.url), 'utf8'),
) as object;
const validate = new Ajv({allErrors: true, strict: true}).compile(schema);

function sampleImage() {
	return rawImage(
		[
			layer([dir('app'), file('app/a', 100, 'ha'), file('app/b', 100, 'ha'), symlink('app/l', 'a')]),
			layer([whiteout('app/a'), file('app/c', 7)]),
			layer([dir('app'), opaque('app'), file('app/b', 100, 'ha', {mode: 0o600})]),
		],
		[
			{
				createdBy: '/bin/sh -c #(nop) ADD file:0123abcd in / ',
				emptyLayer: false,
				created: '2024-01-01T00:00:00Z',
			},
			{createdBy: '/bin/sh -c #(nop)  CMD ["sh"]', emptyLayer: true},
			{createdBy: 'RUN /bin/sh -c rm app/a # buildkit', emptyLayer: false, comment: 'buildkit.dockerfile.v0'},
			{createdBy: 'RUN /bin/sh -c chmod 600 app/b # buildkit', emptyLayer: false},
		],
	);
}

const finding: Finding = {
	ruleId: 'LL-WASTE-EXAMPLE',
	category: 'waste',
	confidence: 'high',
	title: 'Example finding',
	evidence: ['because'],
	groups: [{path: 'app/', count: 2, bytes: 200}],
	paths: ['app/b', 'app/c'],
	layerIndex: 2,
	instruction: 'RUN chmod 600 app/b',
	bytes: 107,
	fix: 'Do it in one RUN',
};

test('the report validates against its schema, findings carry pathCount instead of paths', () => {
	const analysis = analyzeImage(sampleImage());
	analysis.findings.push(
		finding,
		{...finding, ruleId: 'LL-NO-LAYER', layerIndex: undefined, paths: []},
		{...finding, ruleId: 'LL-FROM-BASE', fromBase: true},
	);
	const report = toJsonReport(analysis, {toolVersion: '0.1.0'});
	const serialised = JSON.parse(JSON.stringify(report)) as unknown;
	assert.equal(validate(serialised), true, JSON.stringify(validate.errors, null, 2));
	assert.equal(report.schemaVersion, 2);
	assert.deepEqual(report.tool, {name: 'layerlens', version: '0.1.0'});
	assert.equal(report.findings[0]!.pathCount, 2);
	assert.equal('paths' in report.findings[0]!, false);
	// fromBase is carried only when true; the schema allows nothing else.
	assert.equal(report.findings[0]!.fromBase, undefined);
	assert.equal(report.findings[2]!.fromBase, true);
	assert.equal(
		validate(JSON.parse(JSON.stringify({...report, findings: [{...report.findings[0]!, fromBase: false}]}))),
		false,
	);
	assert.deepEqual(report.findings[0]!.groups, finding.groups);
	// The tree is not part of the report.
	assert.equal('root' in report, false);
	assert.equal('layerNodes' in report, false);
	assert.equal('tree' in report, false);
});

test('the report carries the exact figures of the sample image', () => {
	const report = toJsonReport(analyzeImage(sampleImage()), {toolVersion: '0.1.0'});
	assert.deepEqual(report.image.sizeBytes, 307);
	assert.deepEqual(report.image.finalSizeBytes, 100);
	assert.equal(report.image.layerCount, 3);
	assert.deepEqual(
		report.layers.map((item) => [
			item.instruction,
			item.sizeBytes,
			item.fileCount,
			item.added,
			item.modified,
			item.removed,
		]),
		[
			['ADD <file> /', 200, 3, 3, 0, 0],
			['RUN rm app/a', 7, 1, 1, 0, 1],
			// The opaque marker hides app/c and app/l; app/b is written again (mode change).
			['RUN chmod 600 app/b', 100, 1, 0, 1, 2],
		],
	);
	assert.deepEqual(
		report.history.map((item) => [item.instruction, item.layerIndex, item.afterLayerIndex]),
		[
			['ADD <file> /', 0, -1],
			['CMD ["sh"]', null, 0],
			['RUN rm app/a', 1, 0],
			['RUN chmod 600 app/b', 2, 1],
		],
	);
	assert.deepEqual(report.waste, {
		reclaimableBytes: 207,
		sameContentBytes: 100,
		duplicateBytes: 0,
		items: [
			{path: 'app/a', bytes: 100, cause: 'deleted', addedInLayer: 0, hiddenInLayer: 1, sameContent: false},
			{path: 'app/b', bytes: 100, cause: 'overwritten', addedInLayer: 0, hiddenInLayer: 2, sameContent: true},
			{
				path: 'app/c',
				bytes: 7,
				cause: 'opaque-directory',
				addedInLayer: 1,
				hiddenInLayer: 2,
				sameContent: false,
			},
		],
		duplicates: [],
	});
	// dive: app/a 100 then 0 (whiteout), app/b 100 twice, app/c and app/l once.
	assert.deepEqual(report.efficiency, {
		score: 107 / 307,
		wastedBytes: 300,
		userSizeBytes: 107,
		wastedUserPercent: 300 / 107,
		inefficiencies: [
			{path: '/app/b', count: 2, cumulativeSizeBytes: 200},
			{path: '/app/a', count: 2, cumulativeSizeBytes: 100},
		],
	});
});

test('the same image gives the same JSON', () => {
	const first = JSON.stringify(toJsonReport(analyzeImage(sampleImage()), {toolVersion: '0.1.0'}));
	const second = JSON.stringify(toJsonReport(analyzeImage(sampleImage()), {toolVersion: '0.1.0'}));
	assert.equal(first, second);
});

test('a non-finite ratio is written as 0, never as null', () => {
	const analysis = analyzeImage(sampleImage());
	analysis.efficiency.wastedUserPercent = Number.NaN;
	const report = toJsonReport(analysis, {toolVersion: '0.1.0'});
	assert.equal(report.efficiency.wastedUserPercent, 0);
	assert.equal(validate(JSON.parse(JSON.stringify(report))), true);
});

const fixturePath = findDiveFixture('test-docker-image.tar');
test("dive's fixture image gives a valid, stable report", {
	skip: diveFixtureSkip('test-docker-image.tar'),
}, async () => {
	const raw = await loadDiveFixture(fixturePath!);
	const first = JSON.stringify(toJsonReport(analyzeImage(raw), {toolVersion: '0.1.0'}));
	const second = JSON.stringify(toJsonReport(analyzeImage(raw), {toolVersion: '0.1.0'}));
	assert.equal(first, second);
	assert.equal(validate(JSON.parse(first)), true, JSON.stringify(validate.errors, null, 2));
	const report = JSON.parse(first) as {efficiency: {wastedBytes: number}; layers: unknown[]};
	assert.equal(report.efficiency.wastedBytes, 32025);
	assert.equal(report.layers.length, 14);
});
