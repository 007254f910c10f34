import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {Ajv} from 'ajv';
import {
	findingFingerprint,
	imageName,
	sarifLevel,
	toSarif,
	toUriReference,
} from '../../source/report/sarif.js';
import {naiveAnalysis} from '../helpers/report-analysis.js';

const schema = JSON.parse(
	readFileSync(new URL('../fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8'),
);

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
		physicalLocation: {
			artifactLocation: {uri: 'Dockerfile', uriBaseId: '%SRCROOT%'},
			region: {startLine: 5},
		},
		logicalLocations: [
			{
				name: 'layer 3: RUN npm install',
				fullyQualifiedName: 'example/naive-node:1.0/layer 3: RUN npm install',
				kind: 'resource',
			},
		],
	});
	// No Dockerfile line: still a physical location (the Dockerfile, line 1 without a FROM line known) and the layer.
	assert.deepEqual(results[3]!.locations, [
		{
			physicalLocation: {
				artifactLocation: {uri: 'Dockerfile', uriBaseId: '%SRCROOT%'},
				region: {startLine: 1},
			},
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

/** What GitHub code scanning needs beyond the schema: a physical, relative location on every result. */
function assertCodeScanningReady(log: ReturnType<typeof toSarif>): void {
	assert.equal(validator()(JSON.parse(JSON.stringify(log))), true, JSON.stringify(validator().errors));
	const run = log.runs[0]!;
	assert.match(run.automationDetails.id, /^layerlens\/.+\/$/);
	for (const result of run.results) {
		assert.equal(result.locations.length, 1);
		const {artifactLocation, region} = result.locations[0]!.physicalLocation;
		assert.ok(artifactLocation.uri.length > 0);
		assert.equal(artifactLocation.uriBaseId, '%SRCROOT%');
		assert.ok(
			!artifactLocation.uri.startsWith('/') && !/^[a-z]+:/i.test(artifactLocation.uri),
			artifactLocation.uri,
		);
		assert.ok(!artifactLocation.uri.split('/').includes('..'), artifactLocation.uri);
		assert.ok(region.startLine >= 1);
		assert.match(Object.values(result.partialFingerprints)[0]!, /^[0-9a-f]{32}$/);
	}
}

test('every result is located for code scanning, whatever the run knows', () => {
	const {dockerfilePath: _path, ...bare} = naiveAnalysis();
	const unmapped = {...bare, findings: bare.findings.map(({dockerfileLine: _line, ...finding}) => finding)};
	const cases = [
		// --dockerfile inside the repository: mapped lines, unmapped (base) findings on the FROM line.
		[
			{...naiveAnalysis(), repositoryFiles: {dockerfile: 'docker/Dockerfile', fromLine: 3}},
			'docker/Dockerfile',
		],
		// A Dockerfile at the repository root, no --dockerfile: line of its FROM, and the message says so.
		[{...unmapped, repositoryFiles: {rootDockerfile: 'Dockerfile', fromLine: 2}}, 'Dockerfile'],
		// An archive in the repository and no Dockerfile.
		[{...unmapped, repositoryFiles: {archive: 'build/image.tar'}}, 'build/image.tar'],
		// Nothing in the repository: a pseudo-path naming the image.
		[{...unmapped, repositoryFiles: {}}, 'example/naive-node'],
		// An absolute --dockerfile outside the repository is never written as a URI.
		[{...unmapped, dockerfilePath: '/elsewhere/Dockerfile'}, 'example/naive-node'],
	] as const;
	for (const [analysis, uri] of cases) {
		const log = toSarif(analysis, {toolVersion: '0.1.0'});
		assertCodeScanningReady(log);
		assert.ok(log.runs[0]!.results.length > 0);
		for (const result of log.runs[0]!.results) {
			assert.equal(result.locations[0]!.physicalLocation.artifactLocation.uri, uri);
		}
	}

	const mapped = toSarif(
		{...naiveAnalysis(), repositoryFiles: {dockerfile: 'docker/Dockerfile', fromLine: 3}},
		{toolVersion: '0.1.0'},
	).runs[0]!.results;
	assert.equal(mapped[0]!.locations[0]!.physicalLocation.region.startLine, 5);
	// The waste finding has no Dockerfile line: it points at the FROM line and says why.
	assert.equal(mapped[3]!.locations[0]!.physicalLocation.region.startLine, 3);
	assert.match(mapped[3]!.message.text, /base image named by FROM/);
	const atRoot = toSarif(
		{...unmapped, repositoryFiles: {rootDockerfile: 'Dockerfile', fromLine: 2}},
		{toolVersion: '0.1.0'},
	);
	assert.match(atRoot.runs[0]!.results[0]!.message.text, /Located at the Dockerfile at the repository root/);
	assert.equal(atRoot.runs[0]!.results[0]!.locations[0]!.physicalLocation.region.startLine, 2);
});

test('partialFingerprints: rule + layer instruction + main path, hashed; stable across sizes, layer moves and extra paths', () => {
	const analysis = naiveAnalysis();
	const finding = analysis.findings[0]!;
	const base = findingFingerprint(finding, analysis);
	assert.match(base, /^[0-9a-f]{32}$/);
	assert.equal(findingFingerprint({...finding, bytes: finding.bytes + 12345}, analysis), base);
	const shifted = {
		...analysis,
		layers: [analysis.layers[0]!, ...analysis.layers],
	};
	assert.equal(
		findingFingerprint({...finding, layerIndex: (finding.layerIndex ?? 0) + 1}, shifted),
		base,
		'one more layer below does not change it',
	);
	assert.equal(
		findingFingerprint({...finding, paths: [...finding.paths, 'zzz/extra-file']}, analysis),
		base,
		'a later path does not change it',
	);
	assert.notEqual(findingFingerprint({...finding, ruleId: 'LL-OTHER'}, analysis), base);
	assert.notEqual(findingFingerprint({...finding, instruction: 'RUN npm ci'}, analysis), base);
	const fingerprints = toSarif(analysis, {toolVersion: '0.1.0'}).runs[0]!.results.map(
		(result) => result.partialFingerprints['layerlensFinding/v2'],
	);
	assert.equal(new Set(fingerprints).size, fingerprints.length, 'distinct findings, distinct fingerprints');
});

test('automationDetails.id names the image without its tag, so two images keep separate alerts', () => {
	assert.equal(imageName('registry:5000/team/app:1.2'), 'registry:5000/team/app');
	assert.equal(imageName('app@sha256:abc'), 'app');
	assert.equal(imageName('app'), 'app');
	const one = toSarif(naiveAnalysis(), {toolVersion: '0.1.0'}).runs[0]!.automationDetails.id;
	const other = toSarif(
		{
			...naiveAnalysis(),
			image: {...naiveAnalysis().image, source: 'docker', reference: 'example/worker:2.0', repoTags: []},
		},
		{toolVersion: '0.1.0'},
	).runs[0]!.automationDetails.id;
	assert.equal(one, 'layerlens/example/naive-node/');
	assert.equal(other, 'layerlens/example/worker/');
	// An archive or an image ID is named by its tag, not by the path or the ID typed.
	const byId = toSarif(
		{...naiveAnalysis(), image: {...naiveAnalysis().image, source: 'docker', reference: 'a33377dd0f12'}},
		{toolVersion: '0.1.0'},
	).runs[0]!.automationDetails.id;
	assert.equal(byId, 'layerlens/example/naive-node/');
});
