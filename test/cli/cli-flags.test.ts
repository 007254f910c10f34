/**
No flag is ever silently ignored: unknown flags are one line and exit 2, dive's --ci-config is the rules file,
-h/-v work, every size flag and config key reads sizes the same way, and thresholds print as given. The CLI
runs as a child process on an archive written by the fixture writer.
*/
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import {parseByteSize} from '../../source/ci/parse-size.js';
import {helpText} from '../../source/cli/help.js';
import {parseSizeFlag} from '../../source/cli/options.js';
import {toolVersion} from '../../source/shared/version.js';
import {type ImageSpec, writeImageArchive} from '../helpers/fixture-writer.js';
import {describeRun, runCli, userErrorProblems} from '../helpers/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'layerlens-cli-flags-'));
const archive = join(scratch, 'image.tar');
after(() => rmSync(scratch, {recursive: true, force: true}));

// 3000 bytes written in one layer and replaced in the next: dive counts them as wasted.
const spec: ImageSpec = {
	layers: [
		{
			createdBy: 'ADD base',
			files: [
				{path: 'etc/os-release', content: 'ID=debian\n'},
				{path: 'opt/data.bin', size: 3000},
			],
		},
		{createdBy: 'RUN rewrite', files: [{path: 'opt/data.bin', size: 3000}]},
	],
};

before(async () => {
	await writeImageArchive(spec, archive);
});

function writeConfig(name: string, text: string): string {
	const path = join(scratch, name);
	writeFileSync(path, text);
	return path;
}

describe('unknown and malformed flags', {concurrency: 2}, () => {
	for (const [args, pattern] of [
		[['--bogus'], /^layerlens: unknown flag --bogus\b/],
		[['--cache-dir', 'x', archive], /^layerlens: unknown flag --cache-dir\b/],
		[['--cache-dir=x', archive], /^layerlens: unknown flag --cache-dir\b/],
		[['-x', archive], /^layerlens: unknown flag -x\b/],
		[[archive, '--ci-config'], /^layerlens: --ci-config needs a value\b/],
		[['--ci=yes', archive], /^layerlens: --ci takes no value\b/],
	] as const) {
		test(`${args.join(' ')}: one line, exit 2`, async () => {
			const result = await runCli(args);
			assert.deepEqual(userErrorProblems(result, pattern), []);
		});
	}

	test('-h prints the same help as --help, -v the version', async () => {
		const [short, long, version] = await Promise.all([runCli(['-h']), runCli(['--help']), runCli(['-v'])]);
		assert.equal(short.code, 0);
		assert.equal(short.stdout, long.stdout);
		assert.ok(short.stdout.includes(helpText.trim()));
		assert.equal(version.stdout, `${toolVersion}\n`);
	});
});

describe('--ci-config is dive’s rules file', {concurrency: 2}, () => {
	test('a dive rules file given by --ci-config decides the verdict (any file name)', async () => {
		const strict = writeConfig(
			'dive-rules.yaml',
			'rules:\n  lowestEfficiency: 0\n  highestUserWastedPercent: disabled\n  highestWastedBytes: 1KB\n',
		);
		const lenient = writeConfig(
			'dive-lenient.yaml',
			'rules:\n  lowestEfficiency: 0\n  highestUserWastedPercent: disabled\n  highestWastedBytes: 1MB\n',
		);
		const failing = await runCli([archive, '--ci-config', strict]);
		assert.equal(failing.code, 1, describeRun(failing));
		assert.match(failing.stdout, /FAIL highestWastedBytes +.*\(threshold 1\.0 kB \(1000 B\)\)/);
		const passing = await runCli([archive, '--ci-config', lenient]);
		assert.equal(passing.code, 0, describeRun(passing));
		assert.match(passing.stdout, /PASS highestWastedBytes +.*\(threshold 1\.0 MB \(1000000 B\)\)/);
	});

	test('--ci-config reads dive’s format: a layerlens-only key is refused as dive would', async () => {
		const path = writeConfig('rules.yml', 'rules:\n  maxImageBytes: 1GB\n');
		const result = await runCli([archive, '--ci-config', path]);
		assert.deepEqual(userErrorProblems(result, /rules\.yml: unknown key 'rules\.maxImageBytes'/), []);
	});

	test('--config and --ci-config together are an error, not one of them dropped', async () => {
		const path = writeConfig('both.yml', 'rules: {}\n');
		const result = await runCli([archive, '--config', path, '--ci-config', path]);
		assert.deepEqual(userErrorProblems(result, /--config and --ci-config both name the rules file/), []);
	});

	test('a rules flag with a report on stdout is an error, never a silently dropped flag', async () => {
		const result = await runCli([archive, '--lowest-efficiency', '0.5', '--json']);
		assert.deepEqual(userErrorProblems(result, /--lowest-efficiency \(a --ci rule\) prints its verdict/), []);
	});
});

describe('one size parser', {concurrency: 2}, () => {
	test('units mean what a user means', () => {
		for (const [text, bytes] of [
			['20MB', 20_000_000],
			['20M', 20_000_000],
			['20MiB', 20_971_520],
			['20Mi', 20_971_520],
			['20G', 20_000_000_000],
			['20GB', 20_000_000_000],
			['1,000,000', 1_000_000],
			['1.5 GB', 1_500_000_000],
			['512', 512],
		] as const) {
			assert.equal(parseByteSize(text), bytes, text);
			assert.equal(parseSizeFlag(text, '--x'), bytes, text);
		}

		assert.throws(
			() => parseSizeFlag('20XB', '--max-layer-bytes'),
			/invalid size '20XB' for --max-layer-bytes/,
		);
	});

	test('--max-layer-bytes and --highest-wasted-bytes take the same spellings (20G, 20M, 20MiB, 1,000,000)', async () => {
		for (const size of ['20G', '20M', '20MiB', '1,000,000']) {
			const layers = await runCli([archive, '--max-layer-bytes', size, '--json']);
			assert.equal(layers.code, 0, `--max-layer-bytes ${size}: ${describeRun(layers)}`);
			const wasted = await runCli([
				archive,
				'--ci',
				'--lowest-efficiency',
				'0',
				'--highest-wasted-bytes',
				size,
			]);
			assert.equal(wasted.code, 0, `--highest-wasted-bytes ${size}: ${describeRun(wasted)}`);
		}
	});

	test('config keys read sizes with the same parser (20M in .layerlens.yml)', async () => {
		const path = writeConfig(
			'sizes.yml',
			'rules:\n  lowestEfficiency: 0\n  maxImageBytes: 20M\n  maxReclaimableBytes: 1,000,000\n',
		);
		const result = await runCli([archive, '--ci', '--config', path]);
		assert.equal(result.code, 0, describeRun(result));
		assert.match(result.stdout, /PASS maxImageBytes +.*\(threshold 20\.0 MB \(20000000 B\)\)/);
		assert.match(result.stdout, /PASS maxReclaimableBytes +.*\(threshold 1\.0 MB \(1000000 B\)\)/);
	});

	test('a threshold prints with the precision it was given (0.99999 is not "1")', async () => {
		const result = await runCli([archive, '--ci', '--lowest-efficiency', '0.99999']);
		assert.match(result.stdout, /FAIL lowestEfficiency +[\d.]+ \(threshold 0\.99999\)/, describeRun(result));
		assert.doesNotMatch(result.stdout, /threshold 1\)/);
	});
});

describe('globs in the config', {concurrency: 2}, () => {
	test('a bad glob ([z-a]) in .layerlens.yml is one named error, exit 2, never "unexpected error"', async () => {
		const path = writeConfig('bad-glob.yml', 'ignorePaths:\n  - path: "app/[z-a]"\n    reason: test\n');
		const result = await runCli([archive, '--ci', '--config', path]);
		assert.deepEqual(
			userErrorProblems(
				result,
				/bad-glob\.yml: ignorePaths\[0\]\.path 'app\/\[z-a\]' is not a valid glob: Range out of order/,
			),
			[],
		);
	});

	test('a good glob in the config drops what it matches (picomatch, dotfiles included)', async () => {
		const path = writeConfig(
			'good-glob.yml',
			'rules:\n  lowestEfficiency: 0\n  maxReclaimableBytes: 1\nignorePaths:\n  - path: "opt/*.bin"\n    reason: test data\n',
		);
		const result = await runCli([archive, '--ci', '--config', path]);
		assert.equal(result.code, 0, describeRun(result));
		assert.match(result.stdout, /PASS maxReclaimableBytes +0 B/);
	});
});
