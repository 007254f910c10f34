import assert from 'node:assert/strict';
import {test} from 'node:test';
import {findFindings} from '../../source/analysis/findings/index.js';
import type {WasteItem} from '../../source/analysis/types.js';
import {finalFile, ruleInput} from '../helpers/rule-input.js';

const instructions = [
	'ADD rootfs.tar.xz /',
	'RUN apt-get update && apt-get install -y curl',
	'COPY . .',
	'RUN rm -rf /var/lib/apt/lists/* app/big.log app/tmp',
	'RUN chmod -R 755 /app',
	'COPY config.json /app/config.json',
];

function item(
	path: string,
	bytes: number,
	cause: WasteItem['cause'],
	addedInLayer: number,
	hiddenInLayer: number,
	sameContent = false,
): WasteItem {
	return {path, bytes, cause, addedInLayer, hiddenInLayer, sameContent};
}

const input = ruleInput({
	instructions,
	config: {workingDir: '/app'},
	files: [
		finalFile('app/a.bin', 6000, 2),
		finalFile('app/b.bin', 6000, 2),
		finalFile('app/node_modules/x/LICENSE', 10, 2),
		finalFile('app/node_modules/y/LICENSE', 10, 2),
		finalFile('app/server.js', 700, 4),
		finalFile('app/config.json', 60, 5),
	],
	waste: {
		items: [
			item('var/lib/apt/lists/deb_main', 9000, 'deleted', 1, 3),
			item('var/lib/apt/lists/deb_contrib', 1000, 'deleted', 1, 3),
			item('app/big.log', 5000, 'deleted', 2, 3),
			item('app/tmp/a', 300, 'directory-deleted', 2, 3),
			item('app/tmp/b', 200, 'directory-deleted', 2, 3),
			item('app/server.js', 700, 'overwritten', 2, 4, true),
			item('app/config.json', 50, 'overwritten', 2, 5),
		],
		duplicates: [
			{hash: 'h1', sizeBytes: 6000, paths: ['app/a.bin', 'app/b.bin'], duplicateBytes: 6000},
			{
				hash: 'h2',
				sizeBytes: 10,
				paths: ['app/node_modules/x/LICENSE', 'app/node_modules/y/LICENSE'],
				duplicateBytes: 10,
			},
		],
	},
});

const findings = findFindings(input);
const byRule = (ruleId: string) => findings.filter((finding) => finding.ruleId === ruleId);

test('waste findings come out largest first, one per kind and layer pair', () => {
	assert.deepEqual(
		findings.map((finding) => [finding.ruleId, finding.bytes]),
		[
			['LL-WASTE-LATE-CLEANUP', 10_000],
			['LL-WASTE-DUPLICATE', 6000],
			['LL-WASTE-DELETED', 5000],
			['LL-WASTE-COPY-UP', 700],
			['LL-WASTE-DIR-DELETED', 500],
			['LL-WASTE-OVERWRITTEN', 50],
		],
	);
	for (const finding of findings) {
		assert.equal(finding.category, 'waste');
		assert.equal(finding.confidence, 'high');
	}
});

test('cleanup in a later RUN names both steps and says to do it in the same RUN', () => {
	const [late] = byRule('LL-WASTE-LATE-CLEANUP');
	assert.equal(late!.layerIndex, 1);
	assert.equal(late!.instruction, 'RUN apt-get update && apt-get install -y curl');
	assert.deepEqual(late!.paths, ['var/lib/apt/lists/deb_contrib', 'var/lib/apt/lists/deb_main']);
	assert.match(late!.evidence[0]!, /layer mechanics: `RUN rm -rf/);
	assert.match(late!.fix, /same RUN/);
});

test('a file COPYed and deleted by a RUN is a plain deletion, credited to the COPY layer', () => {
	const [deleted] = byRule('LL-WASTE-DELETED');
	assert.deepEqual(deleted!.paths, ['app/big.log']);
	assert.equal(deleted!.layerIndex, 2);
	assert.equal(deleted!.instruction, 'COPY . .');
});

test('directory deletions group under the deleted directory', () => {
	const [directory] = byRule('LL-WASTE-DIR-DELETED');
	assert.deepEqual(directory!.groups, [
		{path: 'app/tmp/a', count: 1, bytes: 300},
		{path: 'app/tmp/b', count: 1, bytes: 200},
	]);
});

test('same-content rewrites are copy-ups with a --chown/--chmod fix; different content is overwritten', () => {
	const [copyUp] = byRule('LL-WASTE-COPY-UP');
	assert.deepEqual(copyUp!.paths, ['app/server.js']);
	assert.match(copyUp!.fix, /--chown\/--chmod/);
	const [overwritten] = byRule('LL-WASTE-OVERWRITTEN');
	assert.equal(byRule('LL-WASTE-RECOPIED').length, 0);
	assert.deepEqual(overwritten!.paths, ['app/config.json']);
	assert.equal(overwritten!.bytes, 50);
});

test('duplicates list the extra copies only, and leave copies under 4 KiB alone (the 10-byte LICENSE pair)', () => {
	const [duplicate] = byRule('LL-WASTE-DUPLICATE');
	assert.deepEqual(duplicate!.paths, ['app/b.bin']);
	assert.deepEqual(duplicate!.groups, [{path: 'app/a.bin', count: 1, bytes: 6000}]);
});

test('manifests copied first for layer caching and again by `COPY . .` are a low-confidence re-copy, not a chmod', () => {
	const recopied = findFindings(
		ruleInput({
			instructions: ['ADD rootfs.tar.xz /', 'COPY package*.json ./', 'RUN npm ci', 'COPY . .'],
			files: [finalFile('app/package.json', 120, 3), finalFile('app/package-lock.json', 900, 3)],
			waste: {
				items: [
					item('app/package.json', 120, 'overwritten', 1, 3, true),
					item('app/package-lock.json', 900, 'overwritten', 1, 3, true),
				],
			},
		}),
	);
	assert.deepEqual(
		recopied.map((finding) => [finding.ruleId, finding.confidence, finding.bytes]),
		[['LL-WASTE-RECOPIED', 'low', 1020]],
	);
});
