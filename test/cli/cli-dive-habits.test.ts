/**
dive's CLI habits work in layerlens: `-j FILE` / `--json FILE` (without changing what `--json IMAGE` meant),
`layerlens build` through the daemon, and a `.dive-ci` that sets dive's rules without switching layerlens'
own rules off. The CLI runs as a child process on archives written by the fixture writer.
*/
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import {splitBuildArgs} from '../../source/cli/build-arguments.js';
import {jsonReportSchemaVersion} from '../../source/report/json.js';
import {dockerAvailability} from '../helpers/docker.js';
import {type ImageSpec, writeImageArchive} from '../helpers/fixture-writer.js';
import {describeRun, runCli, userErrorProblems} from '../helpers/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'layerlens-dive-habits-'));
const archive = join(scratch, 'image.tar');
after(() => rmSync(scratch, {recursive: true, force: true}));

// An npm cache left in the image: a high-confidence cache finding that layerlens' default rules fail on,
// while dive's three rules pass (nothing is overwritten).
const spec: ImageSpec = {
	layers: [
		{createdBy: 'ADD base', files: [{path: 'etc/os-release', content: 'ID=debian\n'}]},
		{
			createdBy: 'RUN npm install',
			files: [
				{path: 'root/.npm/_cacache/index-v5/aa/bb', size: 5000},
				{path: 'root/.npm/_cacache/content-v2/sha512/aa/bb', size: 200_000},
				{path: 'app/package.json', content: '{"name":"app"}'},
			],
		},
	],
};

before(async () => {
	await writeImageArchive(spec, archive);
});

function directory(name: string, files: Record<string, string> = {}): string {
	const path = join(scratch, name);
	mkdirSync(path, {recursive: true});
	for (const [file, text] of Object.entries(files)) {
		writeFileSync(join(path, file), text);
	}

	return path;
}

describe('-j FILE and --json FILE', {concurrency: 2}, () => {
	for (const [name, args] of [
		['-j FILE', (file: string) => [archive, '-j', file]],
		['--json=FILE', (file: string) => [`--json=${file}`, archive]],
		['IMAGE --json FILE', (file: string) => [archive, '--json', file]],
		['--json FILE IMAGE', (file: string) => ['--json', file, archive]],
	] as const) {
		test(`${name} writes layerlens' JSON report to the file, nothing on stdout`, async () => {
			const file = join(scratch, `${name.replace(/\W+/g, '-')}.json`);
			const result = await runCli(args(file));
			assert.equal(result.code, 0, describeRun(result));
			assert.equal(result.stdout, '');
			assert.equal(JSON.parse(readFileSync(file, 'utf8')).schemaVersion, jsonReportSchemaVersion);
		});
	}

	test('--json IMAGE still prints the report of IMAGE (one argument stays the image)', async () => {
		const result = await runCli(['--json', archive]);
		assert.equal(result.code, 0, describeRun(result));
		assert.equal(JSON.parse(result.stdout).image.reference, archive);
	});

	test('--format dive -j FILE writes dive’s schema, as dive’s -j does', async () => {
		const file = join(scratch, 'dive.json');
		const result = await runCli([archive, '--format', 'dive', '-j', file]);
		assert.equal(result.code, 0, describeRun(result));
		assert.deepEqual(Object.keys(JSON.parse(readFileSync(file, 'utf8'))), ['layer', 'image']);
	});

	test('diff A B --json FILE: the third argument is the file', async () => {
		const file = join(scratch, 'diff.json');
		const result = await runCli(['diff', archive, archive, '--json', file]);
		assert.equal(result.code, 0, describeRun(result));
		assert.equal(result.stdout, '');
		assert.ok(readFileSync(file, 'utf8').length > 0);
	});

	for (const [args, pattern] of [
		[[archive, '-j'], /^layerlens: -j needs a file name\b/],
		[['--json=', archive], /^layerlens: --json= needs a file name\b/],
		[[archive, '-j', 'a.json', '--json=b.json'], /^layerlens: --json= names a second JSON file\b/],
		[
			[archive, '-j', 'a.md', '--format', 'markdown'],
			/^layerlens: -j\/--json FILE and --format markdown disagree\b/,
		],
		[
			['diff', archive, archive, '--format', 'dive'],
			/^layerlens: layerlens diff writes json, markdown or html, not dive\b/,
		],
	] as const) {
		test(`${args.join(' ').replaceAll(scratch, '…')}: one line, exit 2`, async () => {
			assert.deepEqual(userErrorProblems(await runCli(args), pattern), []);
		});
	}
});

describe('dive’s flag spellings', {concurrency: 2}, () => {
	test('--lowestEfficiency, --highestWastedBytes=N and --highestUserWastedPercent are the rules flags', async () => {
		const result = await runCli([
			archive,
			'--lowestEfficiency',
			'0.95',
			'--highestWastedBytes=1MB',
			'--highestUserWastedPercent',
			'0.5',
		]);
		assert.equal(result.code, 1, describeRun(result));
		assert.match(result.stdout, /PASS lowestEfficiency +1 \(threshold 0\.95\)/);
		assert.match(result.stdout, /PASS highestWastedBytes +.*\(threshold 1\.0 MB \(1000000 B\)\)/);
		assert.match(result.stdout, /PASS highestUserWastedPercent +0 \(threshold 0\.5\)/);
	});

	test('-i / --ignore-errors is refused in one line, not dropped', async () => {
		const result = await runCli([archive, '--ignore-errors']);
		assert.deepEqual(
			userErrorProblems(result, /^layerlens: --ignore-errors \(dive's\) is not supported\b/),
			[],
		);
	});
});

describe('.dive-ci sets dive’s rules; layerlens’ own rules still run', {concurrency: 2}, () => {
	test('a .dive-ci that passes dive’s rules does not pass an npm cache, and says where each rule came from', async () => {
		const cwd = directory('dive-ci', {
			'.dive-ci': 'rules:\n  lowestEfficiency: 0.9\n  highestUserWastedPercent: 0.5\n',
		});
		const result = await runCli([archive, '--ci'], {cwd});
		assert.equal(result.code, 1, describeRun(result));
		assert.match(
			result.stdout,
			/^layerlens CI rules from \.dive-ci \(rules: 3 from \.dive-ci, 7 layerlens defaults\)$/m,
		);
		assert.match(result.stdout, /PASS lowestEfficiency /);
		assert.match(result.stdout, /PASS highestUserWastedPercent +[\d.]+ \(threshold 0\.5\)/);
		assert.match(result.stdout, /FAIL failOn:cache +1 finding.*LL-CACHE-NPM/);
	});

	test('only a .layerlens.yml turns layerlens’ rules off; the .dive-ci beside it is named as not read', async () => {
		const cwd = directory('both', {
			'.dive-ci': 'rules:\n  lowestEfficiency: 0.9\n',
			'.layerlens.yml': 'rules:\n  failOn: []\n',
		});
		const result = await runCli([archive, '--ci'], {cwd});
		assert.equal(result.code, 0, describeRun(result));
		assert.match(result.stdout, /^layerlens CI rules from \.layerlens\.yml \(\.dive-ci not read: .*\)$/m);
	});

	test('--ci-config FILE reads dive’s format the same way', async () => {
		const cwd = directory('ci-config', {'rules.yaml': 'rules:\n  highestUserWastedPercent: disabled\n'});
		const result = await runCli([archive, '--ci-config', 'rules.yaml'], {cwd});
		assert.equal(result.code, 1, describeRun(result));
		assert.match(result.stdout, /rules: 3 from rules\.yaml, 7 layerlens defaults/);
	});
});

test('layerlens build: docker’s arguments and layerlens’ flags are told apart', () => {
	assert.deepEqual(
		splitBuildArgs([
			'-t',
			'app:dev',
			'--platform',
			'linux/amd64',
			'--no-cache',
			'.',
			'--json',
			'-j',
			'out.json',
		]),
		{
			dockerArgs: ['-t', 'app:dev', '--platform', 'linux/amd64', '--no-cache', '.'],
			layerlensArgv: ['--json', '-j', 'out.json'],
		},
	);
	assert.deepEqual(splitBuildArgs(['--format', 'dive', '-f', 'Dockerfile.prod', '.', '--', '--ci']), {
		dockerArgs: ['-f', 'Dockerfile.prod', '.', '--ci'],
		layerlensArgv: ['--format', 'dive'],
	});
	assert.deepEqual(splitBuildArgs(['--output=x.md', '--build-arg', 'A=1', '.']), {
		dockerArgs: ['--build-arg', 'A=1', '.'],
		layerlensArgv: ['--output=x.md'],
	});
});

test('layerlens build without docker on PATH: one line, exit 2', async () => {
	const result = await runCli(['build', '.'], {env: {PATH: join(scratch, 'no-such-directory')}});
	assert.deepEqual(userErrorProblems(result, /^layerlens: layerlens build needs the docker CLI\b/), []);
});

const docker = await dockerAvailability({images: ['layerlens-fixture/busybox-base']});
describe('layerlens build through the daemon', {skip: docker.reason ?? false}, () => {
	const tag = `llt-build-test-${process.pid}`;
	after(() => {
		spawnSync('docker', ['rmi', tag], {stdio: 'ignore'});
	});

	test('builds, then reports on the image built (report on stdout, docker’s output on stderr)', async () => {
		const context = directory('build-context', {
			Dockerfile: 'FROM layerlens-fixture/busybox-base\nRUN echo hi > /x\n',
		});
		const result = await runCli(['build', '-t', tag, context, '--json'], {timeoutMs: 300_000});
		assert.equal(result.code, 0, describeRun(result));
		const report = JSON.parse(result.stdout);
		const id = spawnSync('docker', ['image', 'inspect', '--format', '{{.Id}}', tag], {encoding: 'utf8'});
		assert.equal(report.image.id, id.stdout.trim());
		assert.equal(report.image.source, 'docker');
		assert.equal(report.layers.at(-1).instruction, 'RUN echo hi > /x');
	});

	test('a failed build: docker’s own error, then one line, exit 2', async () => {
		const context = directory('broken-context', {
			Dockerfile: 'FROM layerlens-fixture/busybox-base\nRUN exit 3\n',
		});
		// --force-rm goes to docker: the classic builder otherwise keeps the failed step's container, one per run.
		const result = await runCli(['build', '--force-rm', context, '--json'], {timeoutMs: 300_000});
		assert.equal(result.code, 2, describeRun(result));
		assert.equal(result.stdout, '');
		const lines = result.stderr.trimEnd().split('\n');
		assert.match(lines.at(-1)!, /^layerlens: docker build failed \(exit \d+\)\. Its output is above$/);
		assert.ok(lines.length > 1, 'docker’s output comes first');
	});
});
