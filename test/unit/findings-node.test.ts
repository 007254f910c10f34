import assert from 'node:assert/strict';
import {test} from 'node:test';
import {findFindings} from '../../source/analysis/findings/index.js';
import {evidence, files, instructions, lockfile, manifest, naive} from '../helpers/naive-node-input.js';
import {finalFile, hiddenLockfile, ruleInput} from '../helpers/rule-input.js';

function summary(findings: ReturnType<typeof findFindings>) {
	return findings.map((finding) => [finding.ruleId, finding.bytes, finding.confidence]);
}

test('a naive Node image: every rule fires with measured bytes, largest first', () => {
	assert.deepEqual(summary(findFindings(naive)), [
		['LL-BUILD-DEVDEPS', 6300, 'high'],
		['LL-BUILD-REPO-FILES', 4201, 'high'],
		['LL-CACHE-NPM', 3040, 'high'],
		['LL-BUILD-SOURCES', 375, 'medium'],
		['LL-BUILD-TESTS', 200, 'medium'],
		['LL-CACHE-TOOLS', 60, 'high'],
		['LL-SECRET-ENV', 30, 'medium'],
	]);
});

test('devDependencies come from the hidden lockfile, nested and .bin links included, grouped per package', () => {
	const [devDependencies] = findFindings(naive);
	assert.equal(devDependencies!.category, 'build-only');
	assert.equal(
		devDependencies!.evidence[0],
		'package database: app/node_modules/.package-lock.json marks @types/node, chalk, jest, typescript as dev: true',
	);
	assert.deepEqual(devDependencies!.groups, [
		{path: 'app/node_modules/typescript/', count: 2, bytes: 5000},
		{path: 'app/node_modules/@types/node/', count: 1, bytes: 800},
		{path: 'app/node_modules/jest/', count: 1, bytes: 400},
		{path: 'app/node_modules/jest/node_modules/chalk/', count: 1, bytes: 100},
	]);
	assert.equal(devDependencies!.layerIndex, 3);
	assert.equal(devDependencies!.instruction, 'RUN npm install');
	assert.match(devDependencies!.fix, /npm ci --omit=dev/);
});

test('the app lockfile is used when node_modules has no hidden lockfile', () => {
	const input = ruleInput({
		instructions,
		files,
		evidence: {'app/package.json': manifest, 'app/package-lock.json': lockfile},
		config: {workingDir: '/app', cmd: ['node', 'dist/server.js']},
	});
	const [devDependencies] = findFindings(input);
	assert.equal(devDependencies!.bytes, 6300);
	assert.match(devDependencies!.evidence[0]!, /^package database: app\/package-lock.json marks/);
});

test('without a lockfile, package.json devDependencies match top-level packages only (medium)', () => {
	const input = ruleInput({
		instructions,
		files,
		evidence: {'app/package.json': manifest},
		config: {workingDir: '/app', cmd: ['node', 'dist/server.js']},
	});
	const devDependencies = findFindings(input).find((finding) => finding.ruleId === 'LL-BUILD-DEVDEPS');
	assert.equal(devDependencies!.confidence, 'medium');
	// typescript 5000 + its .bin link 0 + @types/node 800 + jest 400; jest's nested chalk is not attributable.
	assert.equal(devDependencies!.bytes, 6200);
});

test('nothing under node_modules is pattern-pruned: assets, examples, tests and .gz of runtime packages stay', () => {
	const flagged = new Set(findFindings(naive).flatMap((finding) => finding.paths));
	for (const path of ['assets/logo.png', 'examples/a.js', 'data.json.gz', 'test/t.js', 'index.ts']) {
		assert.equal(flagged.has(`app/node_modules/lodash/${path}`), false, path);
	}
});

test('build tools installed as production dependencies are flagged with low confidence', () => {
	const prodLockfile = hiddenLockfile({
		'node_modules/express': {},
		'node_modules/typescript': {},
		'node_modules/@types/node': {},
	});
	const input = ruleInput({
		instructions,
		files: files.filter((file) => !file.path.includes('/jest/')),
		evidence: {'app/package.json': manifest, 'app/node_modules/.package-lock.json': prodLockfile},
		config: {workingDir: '/app', cmd: ['node', 'dist/server.js']},
	});
	const tools = findFindings(input).find((finding) => finding.ruleId === 'LL-BUILD-TOOLS');
	assert.equal(tools!.confidence, 'low');
	assert.equal(tools!.bytes, 5800);
	assert.deepEqual(
		tools!.groups.map((group) => group.path),
		['app/node_modules/typescript/', 'app/node_modules/@types/node/'],
	);
});

test('`npm start` is followed to the start script to find the compiled output', () => {
	const input = ruleInput({
		instructions,
		files,
		evidence,
		config: {workingDir: '/app', cmd: ['npm', 'start']},
	});
	const sources = findFindings(input).find((finding) => finding.ruleId === 'LL-BUILD-SOURCES');
	assert.deepEqual(sources!.paths, [
		'app/.eslintrc.json',
		'app/jest.config.js',
		'app/src/server.ts',
		'app/src/types.d.ts',
		'app/tsconfig.json',
	]);
});

test('guard: ts-node in CMD makes TypeScript runtime (no sources finding, typescript kept)', () => {
	const prodLockfile = hiddenLockfile({
		'node_modules/express': {},
		'node_modules/typescript': {},
		'node_modules/@types/node': {dev: true},
		'node_modules/ts-node': {},
	});
	const input = ruleInput({
		instructions,
		files: [
			...files.filter((file) => !file.path.includes('/jest/')),
			finalFile('app/node_modules/ts-node/dist/bin.js', 300, 3),
		],
		evidence: {'app/package.json': manifest, 'app/node_modules/.package-lock.json': prodLockfile},
		config: {workingDir: '/app', cmd: ['npx', 'ts-node', 'src/server.ts']},
	});
	const findings = findFindings(input);
	assert.equal(
		findings.some((finding) => finding.ruleId === 'LL-BUILD-SOURCES'),
		false,
	);
	assert.equal(
		findings.some((finding) => finding.ruleId === 'LL-BUILD-TOOLS'),
		false,
	);
	const flagged = new Set(findings.flatMap((finding) => finding.paths));
	assert.equal(flagged.has('app/node_modules/typescript/lib/tsc.js'), false);
	assert.equal(flagged.has('app/node_modules/ts-node/dist/bin.js'), false);
});

test('guard: ts-node at runtime keeps typescript even when the lockfile marks it dev', () => {
	const input = ruleInput({
		instructions,
		files,
		evidence,
		config: {workingDir: '/app', cmd: ['node', '--loader', 'ts-node/esm', 'src/server.ts']},
	});
	const devDependencies = findFindings(input).find((finding) => finding.ruleId === 'LL-BUILD-DEVDEPS');
	assert.equal(devDependencies!.bytes, 1300);
	assert.match(devDependencies!.evidence[1]!, /kept typescript/);
});

test('guard: a correct multi-stage image (dist + production node_modules, no caches) has no findings', () => {
	const prodLockfile = hiddenLockfile({
		'node_modules/express': {},
		'node_modules/express/node_modules/debug': {},
	});
	const input = ruleInput({
		instructions: [
			'ADD rootfs.tar.xz /',
			'WORKDIR /app',
			'COPY package*.json ./',
			'RUN npm ci --omit=dev && npm cache clean --force',
			'COPY --from=build /app/dist ./dist',
			'-CMD ["node","dist/server.js"]',
		],
		files: [
			finalFile('app/package.json', 120, 2),
			finalFile('app/package-lock.json', 300, 2),
			finalFile('app/node_modules/.package-lock.json', 200, 3),
			finalFile('app/node_modules/express/index.js', 1000, 3),
			finalFile('app/node_modules/express/node_modules/debug/index.js', 200, 3),
			finalFile('app/dist/server.js', 600, 4),
			finalFile('app/dist/routes/index.js', 300, 4),
		],
		evidence: {'app/package.json': manifest, 'app/node_modules/.package-lock.json': prodLockfile},
		config: {workingDir: '/app', cmd: ['node', 'dist/server.js']},
	});
	assert.deepEqual(findFindings(input), []);
});
