import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {promisify} from 'node:util';
import {buildBinary} from '../../packaging/build-binary.js';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';
import {assertExplorerInDockerRun} from '../helpers/docker-run-explorer.js';
import {tmuxAvailable} from '../helpers/tmux.js';

/**
`npm run package`'s executable on a machine with no Node: a bare Debian container (the fixture base, made by
debootstrap) with the binary mounted in, reading the demo, a saved archive in a mounted directory and the daemon
through the mounted socket.
*/
const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const bareImage = 'layerlens-fixture/debian-base';
const availability = await dockerAvailability({images: [bareImage, fixtureImages.waste]});
const skip = dockerSkip(availability);
let work = '';
let binary = '';

before(async () => {
	if (skip) return;
	work = await mkdtemp(join(tmpdir(), 'layerlens-sea-'));
	binary = (await buildBinary()).path;
	await run('docker', ['save', '--output', join(work, 'waste.tar'), fixtureImages.waste]);
});

after(async () => {
	if (work) await rm(work, {recursive: true, force: true});
});

const mounts = (): string[] => [
	'--volume',
	`${binary}:/usr/local/bin/layerlens:ro`,
	'--volume',
	`${work}:/images:ro`,
	'--volume',
	'/var/run/docker.sock:/var/run/docker.sock',
];

/** `layerlens ARGS` in the bare container: its exit code, stdout and stderr. */
async function inBareContainer(...args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
	return run('docker', ['run', '--rm', '--network', 'none', ...mounts(), bareImage, 'layerlens', ...args], {
		maxBuffer: 64 * 1024 * 1024,
	}).then(
		({stdout, stderr}) => ({code: 0, stdout, stderr}),
		(error: {code: number; stdout: string; stderr: string}) => error,
	);
}

test('the single executable runs the demo, an archive and the daemon in a container with no Node', {
	skip,
	timeout: 600_000,
}, async () => {
	assertDockerAvailable(availability);
	const noNode = await run('docker', ['run', '--rm', bareImage, 'sh', '-c', 'command -v node || echo none']);
	assert.equal(noNode.stdout.trim(), 'none', 'the container has no node');

	const {version} = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {version: string};
	const versionRun = await inBareContainer('--version');
	assert.deepEqual([versionRun.code, versionRun.stdout, versionRun.stderr], [0, `${version}\n`, '']);

	const demo = await inBareContainer('--demo', '--json');
	assert.equal(demo.code, 0, demo.stderr);
	const demoReport = JSON.parse(demo.stdout) as {tool: {name: string}; findings: Array<{ruleId: string}>};
	assert.equal(demoReport.tool.name, 'layerlens');
	assert.ok(demoReport.findings.length > 0, 'the demo has findings');

	const imageId = (
		await run('docker', ['image', 'inspect', '--format', '{{.Id}}', fixtureImages.waste])
	).stdout.trim();
	type Report = {image: {id: string}; findings: Array<{ruleId: string; bytes: number}>};
	const archive = await inBareContainer('/images/waste.tar', '--json');
	assert.equal(archive.code, 0, archive.stderr);
	const archiveReport = JSON.parse(archive.stdout) as Report;
	assert.equal(archiveReport.image.id, imageId);
	assert.ok(archiveReport.findings.some((finding) => finding.ruleId === 'LL-WASTE-LATE-CLEANUP'));

	const daemon = await inBareContainer(fixtureImages.waste, '--json');
	assert.equal(daemon.code, 0, daemon.stderr);
	const daemonReport = JSON.parse(daemon.stdout) as Report;
	assert.equal(daemonReport.image.id, imageId);
	assert.deepEqual(
		daemonReport.findings.map((finding) => [finding.ruleId, finding.bytes]),
		archiveReport.findings.map((finding) => [finding.ruleId, finding.bytes]),
		'the daemon and the archive give the same findings',
	);

	const missing = await inBareContainer('/images/missing.tar');
	assert.equal(missing.code, 2);
	assert.equal(missing.stderr.trim().split('\n').length, 1, `one line: ${missing.stderr}`);
	assert.doesNotMatch(missing.stderr, /\n\s+at /, 'no stack trace');
});

test('the single executable opens the explorer through `docker run -it` in a real terminal, and q leaves it', {
	skip: skip || tmuxAvailable(),
	timeout: 300_000,
}, async () => {
	assertDockerAvailable(availability);
	await assertExplorerInDockerRun(
		`layerlens-sea-e2e-${process.pid}`,
		`docker run --rm -it ${mounts().join(' ')} ${bareImage} layerlens ${fixtureImages.waste}`,
		work,
	);
});
