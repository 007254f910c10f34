import assert from 'node:assert/strict';
import {execFile, spawn} from 'node:child_process';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {promisify} from 'node:util';
import {buildContainerImage} from '../../packaging/build-container-image.js';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';
import {assertExplorerInDockerRun} from '../helpers/docker-run-explorer.js';
import {tmuxAvailable} from '../helpers/tmux.js';

/**
The repository's Dockerfile, built from the local Node base (the fixture node-base; the public default is the
official node image) and used as its README says: the daemon through the mounted socket, an archive in a
mounted directory or on stdin, the explorer with -it. Its own `layerlens --ci` passes with no finding.
*/
const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const localBase = 'layerlens-fixture/node-base';
const availability = await dockerAvailability({images: [localBase, fixtureImages.waste]});
const skip = dockerSkip(availability);
const socket = ['--volume', '/var/run/docker.sock:/var/run/docker.sock'];
let work = '';
let image = '';
let wasteId = '';

before(async () => {
	if (skip) return;
	work = await mkdtemp(join(tmpdir(), 'layerlens-image-'));
	image = (await buildContainerImage(localBase)).tag;
	await run('docker', ['save', '--output', join(work, 'waste.tar'), fixtureImages.waste]);
	wasteId = (
		await run('docker', ['image', 'inspect', '--format', '{{.Id}}', fixtureImages.waste])
	).stdout.trim();
});

after(async () => {
	if (work) await rm(work, {recursive: true, force: true});
});

type Report = {image: {id: string}; findings: Array<{ruleId: string}>};

test('layerlens --ci on its own image, through the image and the mounted socket, passes with no finding', {
	skip,
	timeout: 900_000,
}, async () => {
	assertDockerAvailable(availability);
	const dockerfile = ['--volume', `${join(root, 'Dockerfile')}:/src/Dockerfile:ro`];
	const ci = await run('docker', [
		'run',
		'--rm',
		...socket,
		...dockerfile,
		image,
		image,
		'--ci',
		'--dockerfile',
		'/src/Dockerfile',
	]);
	assert.match(ci.stdout, /^PASS \[pass:\d+ fail:0 /m);
	const json = await run(
		'docker',
		['run', '--rm', ...socket, ...dockerfile, image, image, '--json', '--dockerfile', '/src/Dockerfile'],
		{
			maxBuffer: 64 * 1024 * 1024,
		},
	);
	const report = JSON.parse(json.stdout) as Report;
	assert.deepEqual(
		report.findings.map((finding) => finding.ruleId),
		[],
		'no finding at any confidence',
	);
});

test('the image reads an archive from a mounted directory and from stdin', {
	skip,
	timeout: 600_000,
}, async () => {
	assertDockerAvailable(availability);
	const mounted = await run(
		'docker',
		[
			'run',
			'--rm',
			'--network',
			'none',
			'--volume',
			`${work}:/images:ro`,
			image,
			'/images/waste.tar',
			'--json',
		],
		{
			maxBuffer: 64 * 1024 * 1024,
		},
	);
	assert.equal((JSON.parse(mounted.stdout) as Report).image.id, wasteId);

	// `docker save IMAGE | docker run -i layerlens`: the archive is stdin, no argument.
	const stdout = await new Promise<string>((resolve, reject) => {
		const child = spawn('docker', ['run', '--rm', '-i', '--network', 'none', image, '--json'], {
			stdio: ['pipe', 'pipe', 'inherit'],
		});
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => {
			output += chunk.toString();
		});
		child.on('error', reject);
		child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`exit ${code}`))));
		const save = spawn('docker', ['save', fixtureImages.waste], {stdio: ['ignore', 'pipe', 'inherit']});
		save.stdout.pipe(child.stdin);
	});
	assert.equal((JSON.parse(stdout) as Report).image.id, wasteId);
});

test('docker run -it with the socket opens the explorer on a daemon image, and q leaves it', {
	skip: skip || tmuxAvailable(),
	timeout: 300_000,
}, async () => {
	assertDockerAvailable(availability);
	await assertExplorerInDockerRun(
		`layerlens-image-e2e-${process.pid}`,
		`docker run --rm -it ${socket.join(' ')} ${image} ${fixtureImages.waste}`,
		work,
	);
});
