/**
`--format dive` writes dive's own `--json` export (research/dive.md §1.8): its keys in dive's order, its types,
and on dive's own test archives the figures dive prints (shared/fixtures/dive/README.md).
*/
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, describe, test} from 'node:test';
import {goFileMode} from '../../source/report/dive-json.js';
import {diveFixtureSkip, diveFixtures} from '../helpers/fixture-writer.js';
import {describeRun, runCli} from '../helpers/run-cli.js';

const missing = diveFixtureSkip();

const scratch = mkdtempSync(join(tmpdir(), 'layerlens-dive-format-'));
after(() => rmSync(scratch, {recursive: true, force: true}));

type Figures = {
	layerSizes: number[];
	efficiency: number;
	wasted: number;
	files: Array<[string, number, number]>;
};

const dockerSizes = [1154361, 6405, 0, 6405, 6405, 6405, 6405, 6405, 6405, 0, 2187, 6405, 6405, 6405];
const kanikoSizes = [1231733, 9249, 0, 9249, 9249, 9249, 9249, 9249, 9249, 0, 2187, 9249, 9249, 9249];
const oneFile: Figures = {layerSizes: [11_189], efficiency: 1, wasted: 0, files: []};
const fixtures: Array<[string, Figures]> = [
	[
		'test-docker-image.tar',
		{
			layerSizes: dockerSizes,
			efficiency: 0.9844212134184309,
			wasted: 32_025,
			files: [
				['/root/saved.txt', 2, 12_810],
				['/root/example/somefile1.txt', 2, 12_810],
				['/root/example/somefile3.txt', 2, 6405],
			],
		},
	],
	[
		'test-kaniko-image.tar',
		{
			layerSizes: kanikoSizes,
			efficiency: 0.9793688490216431,
			wasted: 46_245,
			files: [
				['/root/saved.txt', 2, 18_498],
				['/root/example/somefile1.txt', 2, 18_498],
				['/root/example/somefile3.txt', 2, 9249],
			],
		},
	],
	['test-oci-uncompressed-image.tar', oneFile],
	['test-oci-gzip-image.tar', oneFile],
	['test-oci-estargz-image.tar', oneFile],
	['test-oci-zstd-image.tar', oneFile],
];

// dive's schema (research/dive.md §1.8): keys in dive's struct order, with their JSON types.
const layerKeys = ['index', 'id', 'digestId', 'sizeBytes', 'command', 'fileList'];
const layerTypes = ['number', 'string', 'string', 'number', 'string', 'object'];
const imageKeys = ['sizeBytes', 'inefficientBytes', 'efficiencyScore', 'fileReference'];
const fileInfoKeys = ['path', 'typeFlag', 'linkName', 'size', 'fileMode', 'uid', 'gid', 'isDir'];
const fileInfoTypes = ['string', 'number', 'string', 'number', 'number', 'number', 'number', 'boolean'];

const typesOf = (record: Record<string, unknown>) => Object.values(record).map((value) => typeof value);

describe('--format dive on dive’s own test archives', {concurrency: 2}, () => {
	for (const [file, figures] of fixtures) {
		test(`${file}: dive's keys, types and figures`, {skip: missing}, async () => {
			const result = await runCli([join(diveFixtures, file), '--format', 'dive']);
			assert.equal(result.code, 0, describeRun(result));
			const exported = JSON.parse(result.stdout);
			assert.deepEqual(Object.keys(exported), ['layer', 'image']);
			assert.deepEqual(Object.keys(exported.image), imageKeys);
			assert.deepEqual(
				exported.layer.map((layer: {sizeBytes: number}) => layer.sizeBytes),
				figures.layerSizes,
			);
			for (const [index, layer] of exported.layer.entries()) {
				assert.deepEqual(Object.keys(layer), layerKeys);
				assert.deepEqual(typesOf(layer), layerTypes);
				assert.equal(layer.index, index);
				assert.match(layer.digestId, /^sha256:[0-9a-f]{64}$/);
				for (const info of layer.fileList) {
					assert.deepEqual(Object.keys(info), fileInfoKeys);
					assert.deepEqual(typesOf(info), fileInfoTypes);
				}
			}

			assert.deepEqual(exported.image, {
				sizeBytes: figures.layerSizes.reduce((sum, size) => sum + size, 0),
				inefficientBytes: figures.wasted,
				efficiencyScore: figures.efficiency,
				fileReference: figures.files.map(([path, count, sizeBytes]) => ({count, sizeBytes, file: path})),
			});
			for (const reference of exported.image.fileReference) {
				assert.deepEqual(Object.keys(reference), ['count', 'sizeBytes', 'file']);
			}
		});
	}

	test('the classic archive: layer ids, commands and file entries as dive writes them', {
		skip: missing,
	}, async () => {
		const path = join(scratch, 'dive.json');
		const result = await runCli([
			join(diveFixtures, 'test-docker-image.tar'),
			'--format',
			'dive',
			'-j',
			path,
		]);
		assert.equal(result.code, 0, describeRun(result));
		assert.equal(result.stdout, '');
		const [first, second, third] = JSON.parse(readFileSync(path, 'utf8')).layer;
		// The layer directory's name in the archive; dive strips `/bin/sh -c ` from the command.
		assert.equal(first.id, '28cfe03618aa2e914e81fdd90345245c15f4478e35252c06ca52d238fd3cc694');
		assert.equal(first.digestId, 'sha256:23bc2b70b2014dec0ac22f27bb93e9babd08cdd6f1115d0c955b9ff22b382f5a');
		assert.equal(third.command, 'mkdir -p /root/example/really/nested');
		assert.equal(second.command.startsWith('#(nop) ADD file:'), true);
		// dive.md §1.8: the first entry of the base layer, children before their directory.
		assert.deepEqual(first.fileList[0], {
			path: 'bin/[',
			typeFlag: 48,
			linkName: '',
			size: 1_075_464,
			fileMode: 493,
			uid: 0,
			gid: 0,
			isDir: false,
		});
		assert.deepEqual(first.fileList[1], {
			...first.fileList[0],
			path: 'bin/[[',
			typeFlag: 49,
			linkName: 'bin/[',
			size: 0,
		});
		const bin = first.fileList.find((info: {path: string}) => info.path === 'bin');
		assert.equal(bin.fileMode, 2 ** 31 + 0o755);
		assert.equal(bin.isDir, true);
		assert.ok(first.fileList.indexOf(bin) > 1, 'a directory comes after its children');
	});

	test('the OCI archive: dive names the layer `blobs`', {skip: missing}, async () => {
		const result = await runCli([join(diveFixtures, 'test-oci-gzip-image.tar'), '--format', 'dive']);
		assert.equal(JSON.parse(result.stdout).layer[0].id, 'blobs', describeRun(result));
	});
});

test('tar modes become Go file modes as dive writes them', () => {
	assert.equal(goFileMode(0o755, 'file'), 493);
	assert.equal(goFileMode(0o755, 'dir'), 2_147_484_141);
	assert.equal(goFileMode(0o777, 'symlink'), 2 ** 27 + 0o777);
	assert.equal(goFileMode(0o4755, 'file'), 2 ** 23 + 0o755);
	assert.equal(goFileMode(0o1777, 'dir'), 2 ** 31 + 2 ** 20 + 0o777);
});
