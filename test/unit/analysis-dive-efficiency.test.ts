import assert from 'node:assert/strict';
import {test} from 'node:test';
import {analyzeImage} from '../../source/analysis/analyze-image.js';
import type {DiveEfficiency} from '../../source/analysis/types.js';
import type {TarEntry} from '../../source/image/types.js';
import {findDiveFixture, loadDiveFixture} from '../helpers/dive-fixture-layers.js';
import {diveFixtureSkip} from '../helpers/fixture-writer.js';
import {dir, file, layer, opaque, rawImage, whiteout} from '../helpers/raw-image-builder.js';

function efficiencyOf(...layers: TarEntry[][]): DiveEfficiency {
	return analyzeImage(rawImage(layers.map((entries) => layer(entries)))).efficiency;
}

test('a file whiteout adds a 0-byte sighting, so the whole file is waste', () => {
	const efficiency = efficiencyOf(
		[dir('root'), dir('root/ex'), file('root/ex/big', 1000)],
		[whiteout('root/ex/big')],
	);
	// Path root/ex/big: sizes 1000 then 0 → min 0, cumulative 1000. Leaves of layer 0: only root/ex/big.
	assert.equal(efficiency.score, 0);
	assert.equal(efficiency.wastedBytes, 1000);
	assert.equal(efficiency.userSizeBytes, 0);
	// dive divides by zero here (NaN); we report 0.
	assert.equal(efficiency.wastedUserPercent, 0);
	assert.deepEqual(efficiency.inefficiencies, [{path: '/root/ex/big', count: 2, cumulativeSizeBytes: 1000}]);
});

test('a directory whiteout never registers as waste (dive quirk)', () => {
	const efficiency = efficiencyOf(
		[dir('root'), dir('root/ex'), file('root/ex/big', 1000), file('root/other', 10)],
		[dir('root'), whiteout('root/ex')],
	);
	// Layer 0 leaves: root/ex/big 1000, root/other 10. Layer 1 leaves: the whiteout, sized 1000 as path root/ex.
	// Every path is seen once: score (1000 + 10 + 1000) / (1000 + 10 + 1000) = 1.
	assert.equal(efficiency.score, 1);
	assert.equal(efficiency.wastedBytes, 0);
	assert.deepEqual(efficiency.inefficiencies, []);
});

test('opaque markers are ignored; only leaves count; the kept copy is counted as waste', () => {
	const efficiency = efficiencyOf(
		[dir('a'), file('a/old', 100), file('a/keep', 40, 'hk')],
		[dir('a'), opaque('a'), file('a/new', 10), file('a/keep', 40, 'hk')],
	);
	// Paths: a/old 100/100, a/keep cumulative 80 min 40, a/new 10/10; `a` is never a leaf.
	assert.equal(efficiency.score, 150 / 190);
	assert.equal(efficiency.wastedBytes, 80);
	assert.equal(efficiency.userSizeBytes, 50);
	assert.equal(efficiency.wastedUserPercent, 80 / 50);
	assert.deepEqual(efficiency.inefficiencies, [{path: '/a/keep', count: 2, cumulativeSizeBytes: 80}]);
});

test('a directory that is a leaf in two layers is a 0-byte inefficiency; three writes count three times', () => {
	const efficiency = efficiencyOf(
		[dir('etc'), file('f', 500)],
		[dir('etc'), file('f', 500)],
		[file('f', 500)],
	);
	assert.equal(efficiency.score, 500 / 1500);
	assert.equal(efficiency.wastedBytes, 1500);
	assert.equal(efficiency.userSizeBytes, 1000);
	assert.equal(efficiency.wastedUserPercent, 1.5);
	// Largest cumulative size first.
	assert.deepEqual(efficiency.inefficiencies, [
		{path: '/f', count: 3, cumulativeSizeBytes: 1500},
		{path: '/etc', count: 2, cumulativeSizeBytes: 0},
	]);
});

test('ties come out as dive prints them: the path that became inefficient last comes first', () => {
	const efficiency = efficiencyOf(
		[file('b', 10), file('a', 10)],
		[file('b', 10), file('a', 10)],
		[file('c', 7)],
		[file('c', 13)],
	);
	// a and b reach a count of 2 in layer 1 (dive walks a before b), c in layer 3.
	assert.deepEqual(
		efficiency.inefficiencies.map((item) => item.path),
		['/c', '/b', '/a'],
	);
	assert.equal(efficiency.wastedBytes, 60);
	assert.equal(efficiency.score, (10 + 10 + 7) / 60);
});

test('an image with no files has score 1', () => {
	const efficiency = efficiencyOf([dir('empty')], [dir('other')]);
	assert.deepEqual(efficiency, {
		score: 1,
		wastedBytes: 0,
		userSizeBytes: 0,
		wastedUserPercent: 0,
		inefficiencies: [],
	});
});

const fixtures = [
	{
		name: 'test-docker-image.tar',
		score: 0.9844212134184309,
		wasted: 32025,
		userSize: 66237,
		wastedUser: 0.4834911001404049,
		size: 1220598,
		layerSizes: [1154361, 6405, 0, 6405, 6405, 6405, 6405, 6405, 6405, 0, 2187, 6405, 6405, 6405],
		file: 6405,
	},
	{
		name: 'test-kaniko-image.tar',
		score: 0.9793688490216431,
		wasted: 46245,
		userSize: 94677,
		wastedUser: 46245 / 94677,
		size: 1326410,
		layerSizes: [1231733, 9249, 0, 9249, 9249, 9249, 9249, 9249, 9249, 0, 2187, 9249, 9249, 9249],
		file: 9249,
	},
];

for (const fixture of fixtures) {
	const path = findDiveFixture(fixture.name);
	test(`dive's figures for its own ${fixture.name}`, {
		skip: diveFixtureSkip(fixture.name),
	}, async () => {
		const analysis = analyzeImage(await loadDiveFixture(path!));
		assert.equal(analysis.efficiency.score, fixture.score);
		assert.equal(analysis.efficiency.wastedBytes, fixture.wasted);
		assert.equal(analysis.efficiency.userSizeBytes, fixture.userSize);
		assert.equal(analysis.efficiency.wastedUserPercent, fixture.wastedUser);
		assert.equal(analysis.image.sizeBytes, fixture.size);
		assert.deepEqual(
			analysis.layers.map((item) => item.sizeBytes),
			fixture.layerSizes,
		);
		assert.deepEqual(analysis.efficiency.inefficiencies, [
			{path: '/root/saved.txt', count: 2, cumulativeSizeBytes: 2 * fixture.file},
			{path: '/root/example/somefile1.txt', count: 2, cumulativeSizeBytes: 2 * fixture.file},
			{path: '/root/example/somefile3.txt', count: 2, cumulativeSizeBytes: fixture.file},
		]);

		// Our own accounting of the same build: the chmod copy-up of somefile1 (same content), somefile1
		// and somefile2 under the deleted /root/example, the moved somefile3, and the chmod +x of saved.txt.
		assert.equal(analysis.waste.reclaimableBytes, 5 * fixture.file);
		assert.equal(analysis.waste.sameContentBytes, 2 * fixture.file);
		assert.deepEqual(
			analysis.waste.items.map((item) => [item.path, item.cause, item.addedInLayer, item.hiddenInLayer]),
			[
				['root/example/somefile1.txt', 'overwritten', 3, 4],
				['root/example/somefile1.txt', 'directory-deleted', 4, 9],
				['root/example/somefile2.txt', 'directory-deleted', 5, 9],
				['root/example/somefile3.txt', 'deleted', 6, 7],
				['root/saved.txt', 'overwritten', 7, 13],
			],
		);
		// somefile.txt, saved.txt, .saved.txt, saved.again1.txt and saved.again2.txt hold the same bytes.
		assert.equal(analysis.waste.duplicateBytes, 4 * fixture.file);
		assert.deepEqual(analysis.layers.map((item) => [item.added, item.modified, item.removed]).slice(1), [
			[1, 0, 0],
			[0, 0, 0],
			[1, 0, 0],
			[0, 1, 0],
			[1, 0, 0],
			[1, 0, 0],
			[1, 0, 1],
			[1, 0, 0],
			[0, 0, 2],
			[2, 0, 0],
			[1, 0, 0],
			[1, 0, 0],
			[0, 1, 0],
		]);
		assert.deepEqual(analysis.warnings, []);
	});
}
