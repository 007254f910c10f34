import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {Ajv} from 'ajv';
import {sarifLevel, toSarif, toUriReference} from '../source/report/sarif.js';
import {naiveAnalysis} from './helpers/report-analysis.js';

const schema = JSON.parse(readFileSync(new URL('fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8'));

let compiled: ReturnType<Ajv['compile']> | undefined;

function validator() {
	if (compiled) {
		return compiled;
	}

	// ajv ships no format checks; these are the three the SARIF schema uses, checked with the URL parser.
	const ajv = new Ajv({strict: false, allErrors: true, logger: false});
	ajv.addFormat('uri', (value: string) => URL.canParse(value));
	ajv.addFormat(
		'uri-reference',
		(value: string) => URL.canParse(value, 'file:///base/') && !/\s/.test(value),
	);
	ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
	compiled = ajv.compile(schema);
	return compiled;
}

test('the SARIF log validates against the official 2.1.0 schema', () => {
	const validate = validator();
	const log = JSON.parse(JSON.stringify(toSarif(naiveAnalysis(), {toolVersion: '0.1.0'})));
	assert.equal(validate(log), true, JSON.stringify(validate.errors, null, 2));
});

test('the schema check is real: a broken log is rejected', () => {
	const validate = validator();
	const log = JSON.parse(JSON.stringify(toSarif(naiveAnalysis(), {toolVersion: '0.1.0'})));
	log.runs[0].results[0].level = 'fatal';
	assert.equal(validate(log), false);
});

test('one rule per finding kind, with descriptions, help and properties', () => {
	const log = toSarif(naiveAnalysis(), {toolVersion: '0.1.0'});
	const rules = log.runs[0]!.tool.driver.rules;
	assert.deepEqual(
		rules.map((rule) => rule.id),
		['LL-BUILD-DEVDEPS', 'LL-CACHE-NPM', 'LL-SECRET-ENV', 'LL-WASTE-DELETED'],
	);
	const devDeps = rules[0]!;
	assert.equal(devDeps.name, 'BuildDevdeps');
	assert.equal(devDeps.shortDescription.text, 'devDependencies installed in the final image');
	assert.match(devDeps.fullDescription.text, /^Files needed only to build the image ship/);
	assert.equal(
		devDeps.help.text,
		'Install with `npm ci --omit=dev` in the runtime stage, or build in a builder stage',
	);
	assert.deepEqual(devDeps.properties, {
		category: 'build-only',
		confidence: 'high',
		tags: ['container', 'image-size', 'build-only'],
	});
	assert.equal(rules[2]!.defaultConfiguration.level, 'error');
});

test('results carry level, bytes and the Dockerfile line or the layer', () => {
	const log = toSarif(naiveAnalysis(), {toolVersion: '0.1.0'});
	const results = log.runs[0]!.results;
	assert.deepEqual(
		results.map((result) => [result.ruleId, result.level, result.ruleIndex]),
		[
			['LL-BUILD-DEVDEPS', 'warning', 0],
			['LL-CACHE-NPM', 'warning', 1],
			['LL-SECRET-ENV', 'error', 2],
			['LL-WASTE-DELETED', 'warning', 3],
		],
	);
	assert.equal(
		results[0]!.message.text,
		'devDependencies installed in the final image: 24.0 MB (24000000 B) in 3 files, largest app/node_modules/typescript/ (20.0 MB). Install with `npm ci --omit=dev` in the runtime stage, or build in a builder stage',
	);
	assert.deepEqual(results[0]!.locations[0], {
		physicalLocation: {artifactLocation: {uri: 'Dockerfile'}, region: {startLine: 5}},
		logicalLocations: [
			{
				name: 'layer 3: RUN npm install',
				fullyQualifiedName: 'example/naive-node:1.0/layer 3: RUN npm install',
				kind: 'resource',
			},
		],
	});
	// No Dockerfile line: the layer is the only location.
	assert.deepEqual(results[3]!.locations, [
		{
			logicalLocations: [
				{
					name: 'layer 3: RUN npm install',
					fullyQualifiedName: 'example/naive-node:1.0/layer 3: RUN npm install',
					kind: 'resource',
				},
			],
		},
	]);
	assert.equal(results[0]!.properties.bytes, 24_000_000);
});

test('severity follows category and confidence', () => {
	assert.equal(sarifLevel('secret', 'high'), 'error');
	assert.equal(sarifLevel('secret', 'medium'), 'error');
	assert.equal(sarifLevel('secret', 'low'), 'warning');
	assert.equal(sarifLevel('build-only', 'high'), 'warning');
	assert.equal(sarifLevel('cache', 'high'), 'warning');
	assert.equal(sarifLevel('build-only', 'medium'), 'note');
	assert.equal(sarifLevel('cache', 'low'), 'note');
	assert.equal(sarifLevel('waste', 'low'), 'note');
});

test('Dockerfile paths become URI references', () => {
	assert.equal(toUriReference('./docker/Dockerfile'), 'docker/Dockerfile');
	assert.equal(toUriReference('docker\\My Dockerfile'), 'docker/My%20Dockerfile');
	const analysis = {...naiveAnalysis(), dockerfilePath: 'build dir/Dockerfile.prod'};
	const location = toSarif(analysis, {toolVersion: '0.1.0'}).runs[0]!.results[0]!.locations[0]!;
	assert.ok('physicalLocation' in location);
	assert.equal(location.physicalLocation.artifactLocation.uri, 'build%20dir/Dockerfile.prod');
	const validate = validator();
	assert.equal(validate(JSON.parse(JSON.stringify(toSarif(analysis, {toolVersion: '0.1.0'})))), true);
});

test('an image without findings gives an empty, valid run', () => {
	const log = toSarif({...naiveAnalysis(), findings: []}, {toolVersion: '0.1.0'});
	assert.deepEqual(log.runs[0]!.results, []);
	assert.deepEqual(log.runs[0]!.tool.driver.rules, []);
	assert.equal(validator()(JSON.parse(JSON.stringify(log))), true);
});
