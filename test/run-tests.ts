/**
`npm test` after lint: builds the fixture images when a Docker daemon answers (test/fixtures/build-images.sh,
whose content-hash labels make a warm run quick), runs the test files with node:test, and ends with one line
saying what was skipped and why. The tiers run in order: test/unit (in process, several files at once), then
test/cli (the CLI as a process, real tools) and test/e2e (daemon, Podman, registry, tmux), one file at a time.
`--tier unit` (npm run test:unit) runs one tier and builds no fixture; other arguments are the test files to run
instead of all of them.
*/
import {execFile, spawn} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import {constants, tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {isDockerRequired} from './helpers/docker.js';
import {type FixtureBuild, readSkipRecords, type SkipRecord, summarizeSkips} from './helpers/skip-summary.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const buildScript = join(root, 'test/fixtures/build-images.sh');
const skipReporter = fileURLToPath(new URL('helpers/skip-reporter.mjs', import.meta.url));
// Resolved here so that the test processes find tsx wherever they start.
const tsxLoader = import.meta.resolve('tsx');

const tiers = {
	unit: {folder: 'test/unit', concurrency: 4, timeoutMinutes: 10},
	cli: {folder: 'test/cli', concurrency: 1, timeoutMinutes: 20},
	// A file that builds and runs a dozen images takes many minutes on a loaded 2-core machine: the limit is
	// only there to end a hang.
	e2e: {folder: 'test/e2e', concurrency: 1, timeoutMinutes: 45},
} as const;
type Tier = keyof typeof tiers;

function tierFiles(tier: Tier): string[] {
	const {folder} = tiers[tier];
	return readdirSync(join(root, folder))
		.filter((name) => /\.test\.tsx?$/.test(name))
		.sort()
		.map((name) => join(root, folder, name));
}

let running: ReturnType<typeof spawn> | undefined;
let stoppedBy: NodeJS.Signals | undefined;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
	// A Ctrl+C reaches the child through the terminal as well; a signal sent to this process alone is passed on.
	process.on(signal, () => {
		stoppedBy = signal;
		running?.kill(signal);
	});
}

/** Runs a command with our stdout and stderr; resolves with its exit code (128 + n for a signal). */
function runInherited(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
	return new Promise((resolve) => {
		const child = spawn(file, args, {cwd: root, env, stdio: ['ignore', 'inherit', 'inherit']});
		running = child;
		child.on('error', (error) => {
			process.stderr.write(`npm test: cannot run ${file}: ${error.message}\n`);
			resolve(127);
		});
		child.on('exit', (code, signal) => {
			running = undefined;
			resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
		});
	});
}

function dockerAnswers(): Promise<string | undefined> {
	return new Promise((resolve) => {
		execFile(
			'docker',
			['version', '--format', '{{.Server.Version}}'],
			{timeout: 15_000},
			(error, _out, stderr) => {
				if (!error) resolve(undefined);
				else if ((error as NodeJS.ErrnoException).code === 'ENOENT') resolve('no docker CLI on PATH');
				else resolve(`no Docker daemon answers (${String(stderr).trim().split('\n')[0] || error.message})`);
			},
		);
	});
}

async function buildFixtures(): Promise<FixtureBuild> {
	if (process.env.LAYERLENS_SKIP_FIXTURE_BUILD === '1') {
		return {state: 'not built', reason: 'LAYERLENS_SKIP_FIXTURE_BUILD=1'};
	}

	const noDaemon = await dockerAnswers();
	if (noDaemon !== undefined) return {state: 'not built', reason: noDaemon};
	const started = Date.now();
	const code = await runInherited('bash', [buildScript]);
	if (code !== 0) return {state: 'failed', reason: `build-images.sh exited ${code}; its log is above`};
	return {state: 'built', seconds: Math.round((Date.now() - started) / 1000)};
}

const tierArgument = process.argv.indexOf('--tier');
const onlyTier = tierArgument === -1 ? undefined : process.argv[tierArgument + 1];
if (onlyTier !== undefined && !(onlyTier in tiers)) {
	process.stderr.write(`npm test: --tier takes one of ${Object.keys(tiers).join(', ')}\n`);
	process.exit(2);
}

// Files named on the command line are relative to where it was typed; the tests run from the repository.
const namedFiles = tierArgument === -1 ? process.argv.slice(2).map((file) => resolve(file)) : [];
const runs: {files: string[]; concurrency: number; timeoutMinutes: number}[] =
	namedFiles.length > 0
		? [{files: namedFiles, concurrency: 1, timeoutMinutes: 45}]
		: (onlyTier === undefined ? (Object.keys(tiers) as Tier[]) : [onlyTier as Tier]).map((tier) => ({
				files: tierFiles(tier),
				concurrency: tiers[tier].concurrency,
				timeoutMinutes: tiers[tier].timeoutMinutes,
			}));

const build: FixtureBuild =
	onlyTier === 'unit'
		? {state: 'not built', reason: 'the unit tier needs no fixture image'}
		: await buildFixtures();
if (stoppedBy !== undefined) process.exit(128 + constants.signals[stoppedBy]);
if (build.state === 'failed' && isDockerRequired()) {
	process.stderr.write(`npm test: ${build.reason}, and LAYERLENS_REQUIRE_DOCKER=1\n`);
	process.exit(1);
}

const scratch = mkdtempSync(join(tmpdir(), 'layerlens-npm-test-'));
let code = 0;
try {
	const records: SkipRecord[] = [];
	for (const [index, run] of runs.entries()) {
		if (stoppedBy !== undefined) break;
		const skipFile = join(scratch, `skipped-${index}.jsonl`);
		const runCode = await runInherited(
			process.execPath,
			[
				'--import',
				tsxLoader,
				'--test',
				`--test-concurrency=${run.concurrency}`,
				'--test-force-exit',
				`--test-timeout=${run.timeoutMinutes * 60_000}`,
				// Node's own choice of reporter (spec on a terminal, TAP otherwise), plus the one that notes skips.
				`--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`,
				'--test-reporter-destination=stdout',
				`--test-reporter=${skipReporter}`,
				'--test-reporter-destination=stdout',
				...run.files,
			],
			{...process.env, LAYERLENS_SKIP_REPORT: skipFile},
		);
		code ||= runCode;
		const skips = readSkipRecords(readFileSync(skipFile, 'utf8'));
		if ('problem' in skips) {
			process.stderr.write(`npm test: ${skips.problem}\n`);
			code ||= 1;
		} else {
			records.push(...skips.records);
		}
	}

	process.stdout.write(`${summarizeSkips(records, build)}\n`);
} catch (error) {
	process.stderr.write(`npm test: cannot read what the tests skipped: ${(error as Error).message}\n`);
	code = 1;
} finally {
	rmSync(scratch, {recursive: true, force: true});
}

process.exit(stoppedBy === undefined ? code : 128 + constants.signals[stoppedBy]);
