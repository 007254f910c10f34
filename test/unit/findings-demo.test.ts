import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {test} from 'node:test';
import {analyzeImage} from '../../source/analysis/analyze-image.js';
import {findFindings, projectSize} from '../../source/analysis/findings/index.js';
import {buildRuleInput} from '../../source/analysis/rule-input.js';
import {suggestDockerfile} from '../../source/analysis/suggestion/suggest-dockerfile.js';
import type {RuleInput} from '../../source/analysis/types.js';
import {demoImageSpec} from '../../source/demo/demo-image-spec.js';
import {EntryColumns} from '../../source/engine/index.js';
import {isEvidenceFile} from '../../source/image/evidence-files.js';
import type {HistoryRecord, ParsedLayer, RawImage, TarEntry} from '../../source/image/types.js';
import {fillerKey} from '../../source/image/write/filler.js';

/**
The demo spec turned into the RawImage a reader would produce (sizes, hashes, captured evidence text),
without writing an archive, then through the engine to the RuleInput the rules see.
*/
function demoRuleInput(): RuleInput {
	const layers: ParsedLayer[] = demoImageSpec.layers.map((layer, index) => {
		const entries: TarEntry[] = [];
		const captured: ParsedLayer['captured'] = [];
		for (const spec of layer.files) {
			const type = spec.type ?? 'file';
			const text = typeof spec.content === 'string' ? spec.content : undefined;
			const size = type === 'file' ? (text === undefined ? (spec.size ?? 0) : Buffer.byteLength(text)) : 0;
			const entry: TarEntry = {
				path: spec.path,
				type,
				size,
				mode: spec.mode ?? 0o644,
				uid: 0,
				gid: 0,
				mtime: 0,
			};
			if (spec.linkTarget !== undefined) {
				entry.linkTarget = spec.linkTarget;
			}

			if (type === 'file') {
				entry.hash = createHash('sha256')
					.update(text ?? `${fillerKey(spec.path, spec.seed)}:${size}`)
					.digest('hex')
					.slice(0, 16);
			}

			entries.push(entry);
			if (text !== undefined && isEvidenceFile(spec.path)) {
				captured.push({path: spec.path, text, truncated: false});
			}
		}

		return {
			diffId: `sha256:${String(index).padStart(64, '0')}`,
			compression: 'none',
			tarSizeBytes: 0,
			entries: EntryColumns.fromEntries(entries),
			captured,
		};
	});
	const history: HistoryRecord[] = [];
	const empty = demoImageSpec.emptyHistory ?? [];
	for (const [index, layer] of demoImageSpec.layers.entries()) {
		for (const entry of empty.filter((candidate) => candidate.beforeLayer === index)) {
			history.push({createdBy: entry.createdBy, emptyLayer: true});
		}

		history.push({createdBy: layer.createdBy, emptyLayer: false});
	}

	for (const entry of empty.filter((candidate) => candidate.beforeLayer === undefined)) {
		history.push({createdBy: entry.createdBy, emptyLayer: true});
	}

	const raw: RawImage = {
		reference: 'demo',
		id: 'sha256:demo',
		source: 'demo',
		os: 'linux',
		architecture: 'amd64',
		repoTags: demoImageSpec.repoTags ?? [],
		config: {env: [], exposedPorts: [], labels: {}, volumes: [], ...demoImageSpec.config},
		history,
		diffIds: layers.map((layer) => layer.diffId),
		layers,
		warnings: [],
	};
	return buildRuleInput(analyzeImage(raw), raw);
}

const input = demoRuleInput();
const findings = findFindings(input);
const byRule = new Map(findings.map((finding) => [finding.ruleId, finding]));

test('the demo stays small enough to load instantly', () => {
	const entries = demoImageSpec.layers.reduce((sum, layer) => sum + layer.files.length, 0);
	assert.ok(entries <= 3000, `${entries} entries`);
	assert.ok(entries >= 1500, `${entries} entries`);
});

test('the demo image: devDependencies from the real lockfile, npm cache, TS sources and configs, tests', () => {
	const devDependencies = byRule.get('LL-BUILD-DEVDEPS')!;
	assert.equal(devDependencies.confidence, 'high');
	assert.match(
		devDependencies.evidence[0]!,
		/^package database: app\/node_modules\/.package-lock.json marks/,
	);
	assert.equal(devDependencies.instruction, 'RUN npm install');
	assert.ok(devDependencies.groups.some((group) => group.path === 'app/node_modules/typescript/'));
	assert.ok(devDependencies.paths.includes('app/node_modules/@jest/core/node_modules/ansi-styles/index.js'));
	assert.equal(
		devDependencies.paths.some((path) => path.startsWith('app/node_modules/express/')),
		false,
	);

	assert.ok(byRule.get('LL-CACHE-NPM')!.paths.every((path) => path.startsWith('root/.npm/')));
	assert.deepEqual(byRule.get('LL-BUILD-SOURCES')!.paths, [
		'app/.eslintrc.json',
		'app/.prettierrc',
		'app/jest.config.js',
		'app/src/config.ts',
		'app/src/db/pool.ts',
		'app/src/middleware/auth.ts',
		'app/src/middleware/errors.ts',
		'app/src/routes/health.ts',
		'app/src/routes/orders.ts',
		'app/src/server.ts',
		'app/src/types.d.ts',
		'app/tsconfig.build.json',
		'app/tsconfig.json',
	]);
	assert.deepEqual(byRule.get('LL-BUILD-TESTS')!.paths, [
		'app/coverage/lcov-report/index.html',
		'app/coverage/lcov.info',
		'app/test/fixtures/orders.json',
		'app/test/health.test.ts',
		'app/test/orders.test.ts',
	]);
	assert.ok(byRule.has('LL-BUILD-REPO-FILES'));
	assert.deepEqual(byRule.get('LL-SECRET-ENV')!.paths, ['app/.env']);
	// `RUN npm run build` made /tmp/build-cache and a later RUN deleted it.
	assert.deepEqual(byRule.get('LL-WASTE-LATE-CLEANUP')!.layerIndex, 8);
	assert.equal(
		byRule.get('LL-WASTE-LATE-CLEANUP')!.bytes,
		Math.round(2.2 * 1024 * 1024) + 640 * 1024 + Math.round(1.1 * 1024 * 1024),
	);
});

test('the demo: the projection removes exactly the flagged bytes and the suggestion is a two-stage node Dockerfile', () => {
	const projection = projectSize(input, findings);
	const flagged =
		projection.byCategory['build-only'] +
		projection.byCategory.cache +
		projection.byCategory.secret +
		projection.byCategory.waste;
	assert.equal(projection.finalSizeBytes - projection.projectedSizeBytes, flagged);
	assert.ok(projection.byCategory['build-only'] > 50 * 1024 * 1024);
	const suggestion = suggestDockerfile(input, findings);
	assert.equal(suggestion.stack, 'node');
	assert.match(
		suggestion.dockerfile,
		/\nFROM node:20\.11\.1-bookworm AS build\nWORKDIR \/app\nCOPY package\*\.json \.\/\nRUN npm install\nCOPY \. \.\nRUN npm run build\nRUN rm -rf \/tmp\/build-cache\n/,
	);
	// The SQL migrations are the only unflagged files in src/, so only they are copied from it.
	assert.match(
		suggestion.dockerfile,
		/\nRUN npm prune --omit=dev\n\n[\s\S]*\nFROM node:20\.11\.1-bookworm\nENV NODE_ENV="production"\nCOPY --from=build \/app\/README\.md \/app\/README\.md\nCOPY --from=build \/app\/dist \/app\/dist\nCOPY --from=build \/app\/node_modules \/app\/node_modules\nCOPY --from=build \/app\/package-lock\.json \/app\/package-lock\.json\nCOPY --from=build \/app\/package\.json \/app\/package\.json\nCOPY --from=build \/app\/src\/db\/migrations \/app\/src\/db\/migrations\nWORKDIR \/app\nEXPOSE 3000\nCMD \["node","dist\/server\.js"\]\n$/,
	);
	// The entrypoint wrapper of the official image runs CMD: node is followed through it.
	const chain = suggestion.closure.chain.map((step) => step.path);
	assert.equal(chain[0], 'usr/local/bin/docker-entrypoint.sh');
	assert.ok(chain.indexOf('usr/local/bin/node') > 0, chain.join(' '));
	assert.deepEqual(suggestion.dockerignore, [
		'.env',
		'.git',
		'.github',
		'.gitignore',
		'.vscode',
		'Dockerfile',
		'coverage',
		'test',
	]);
});
