/**
The SARIF file as the CLI writes it inside a real git checkout, run from a subdirectory: every result has a
physical location relative to the repository root (`git rev-parse --show-toplevel`), never absolute.
*/
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import type {SarifLog} from '../../source/report/sarif.js';
import {type ImageSpec, writeImageArchive} from '../helpers/fixture-writer.js';
import {describeRun, runCli} from '../helpers/run-cli.js';

const repository = mkdtempSync(join(tmpdir(), 'layerlens-cli-sarif-'));
after(() => rmSync(repository, {recursive: true, force: true}));

const spec: ImageSpec = {
	layers: [
		{createdBy: 'ADD base', files: [{path: 'etc/os-release', content: 'ID=debian\n'}]},
		{
			createdBy: 'RUN npm install',
			files: [
				{path: 'app/.env', content: 'DATABASE_PASSWORD=hunter2\n'},
				{path: 'root/.npm/_cacache/index-v5/00/aa', size: 50_000},
				{path: 'root/.npm/_cacache/content-v2/sha512/00/bb', size: 900_000},
			],
		},
	],
};

before(async () => {
	execFileSync('git', ['init', '-q', repository]);
	mkdirSync(join(repository, 'build', 'sub'), {recursive: true});
	await writeImageArchive(spec, join(repository, 'build', 'image.tar'));
});

function locations(log: SarifLog): string[] {
	return log.runs[0]!.results.map((result) => {
		const {artifactLocation, region} = result.locations[0]!.physicalLocation;
		assert.equal(artifactLocation.uriBaseId, '%SRCROOT%');
		return `${artifactLocation.uri}:${region.startLine}`;
	});
}

async function sarifFrom(cwd: string, args: string[]): Promise<SarifLog> {
	const result = await runCli([...args, '--format', 'sarif'], {cwd});
	assert.equal(result.code, 0, describeRun(result));
	return JSON.parse(result.stdout) as SarifLog;
}

test('from a subdirectory of a checkout: archive path relative to the repository root, then its root Dockerfile', async () => {
	const cwd = join(repository, 'build', 'sub');
	const withoutDockerfile = await sarifFrom(cwd, ['../image.tar']);
	assert.ok(withoutDockerfile.runs[0]!.results.length >= 2, 'the fixture has findings');
	assert.deepEqual(new Set(locations(withoutDockerfile)), new Set(['build/image.tar:1']));
	assert.equal(withoutDockerfile.runs[0]!.automationDetails.id, 'layerlens/image.tar/');

	writeFileSync(
		join(repository, 'Dockerfile'),
		'# syntax=docker/dockerfile:1\nFROM debian:12\nRUN npm install\n',
	);
	const withRootDockerfile = await sarifFrom(cwd, ['../image.tar']);
	assert.deepEqual(new Set(locations(withRootDockerfile)), new Set(['Dockerfile:2']));
	assert.match(withRootDockerfile.runs[0]!.results[0]!.message.text, /Dockerfile at the repository root/);
	const text = JSON.stringify(withRootDockerfile);
	assert.ok(!text.includes(repository), 'no absolute path of the checkout in the SARIF file');
	rmSync(join(repository, 'Dockerfile'));
});

test('outside any checkout, an image piped in is located at a path naming it, line 1', async () => {
	const outside = mkdtempSync(join(tmpdir(), 'layerlens-cli-sarif-nogit-'));
	try {
		const archive = readFileSync(join(repository, 'build', 'image.tar'));
		const result = await runCli(['-', '--format', 'sarif'], {cwd: outside, stdin: archive});
		assert.equal(result.code, 0, describeRun(result));
		const log = JSON.parse(result.stdout) as SarifLog;
		assert.deepEqual(new Set(locations(log)), new Set(['stdin:1']));
	} finally {
		rmSync(outside, {recursive: true, force: true});
	}
});
