import assert from 'node:assert/strict';
import {createServer} from 'node:http';
import {join} from 'node:path';
import {before, describe, test} from 'node:test';
import type {JsonReport} from '../../source/report/json.js';
import {fixtureImages} from '../helpers/docker.js';
import {skopeoCopy} from '../helpers/registry.js';
import {describeRun, runCli, userErrorProblems} from '../helpers/run-cli.js';
import {daemonImage, fromDaemon, model, open, skip, workDir} from './registry-setup.js';

// Docker Hub short names missing from the daemon are read from a local registry standing in as a Hub mirror:
// named with --registry-mirror, or found in the daemon's own registry-mirrors (its /info API).

/** A Hub name no daemon has; the mirror holds it under library/, as Docker Hub holds official images. */
const shortName = 'layerlens-mirror-waste:1.0';

/** A daemon that has no image and reports `mirrors` in /info, as one with registry-mirrors in daemon.json does. */
async function daemonWithMirrors(socketPath: string, mirrors: string[]): Promise<() => Promise<void>> {
	const server = createServer((request, response) => {
		const url = request.url ?? '';
		if (/\/info$/.test(url)) {
			response.writeHead(200, {'content-type': 'application/json'});
			response.end(JSON.stringify({RegistryConfig: {Mirrors: mirrors}}));
			return;
		}

		response.writeHead(/\/images\/.+\/json$/.test(url) ? 404 : 500, {'content-type': 'application/json'});
		response.end(JSON.stringify({message: 'No such image'}));
	});
	await new Promise<void>((resolve) => server.listen(socketPath, resolve));
	return () => new Promise<void>((resolve) => server.close(() => resolve()));
}

function stderrLines(stderr: string): string[] {
	return stderr.split('\n').filter((line) => line !== '');
}

describe('a Docker Hub short name missing from the daemon', {skip}, () => {
	before(async () => {
		await skopeoCopy(daemonImage, `docker://${open!.host}/library/${shortName}`, ['--dest-tls-verify=false']);
		await skopeoCopy(daemonImage, `docker://${open!.host}/${fixtureImages.waste}:latest`, [
			'--dest-tls-verify=false',
		]);
	});

	test('is read through --registry-mirror, saying so in one line, with the daemon numbers', async () => {
		const mirror = `http://${open!.host}`;
		const result = await runCli([shortName, '--json', '--no-cache', '--registry-mirror', mirror], {
			timeoutMs: 120_000,
		});
		assert.equal(result.code, 0, describeRun(result));
		assert.deepEqual(stderrLines(result.stderr), [
			`layerlens: ${shortName} is not in the docker daemon; reading registry-1.docker.io/library/${shortName} through the mirror ${mirror}`,
		]);
		const report = JSON.parse(result.stdout) as JsonReport;
		assert.equal(report.image.source, 'registry');
		assert.equal(report.image.reference, shortName);
		assert.deepEqual(model(report), model(fromDaemon));
	});

	test("is read through the daemon's registry-mirrors (its /info)", async () => {
		const socketPath = join(workDir, 'mirrored-docker.sock');
		const mirror = `http://${open!.host}`;
		const close = await daemonWithMirrors(socketPath, [`${mirror}/`]);
		try {
			const result = await runCli([shortName, '--json', '--no-cache'], {
				env: {DOCKER_HOST: `unix://${socketPath}`},
				timeoutMs: 120_000,
			});
			assert.equal(result.code, 0, describeRun(result));
			assert.deepEqual(stderrLines(result.stderr), [
				`layerlens: ${shortName} is not in the docker daemon; reading registry-1.docker.io/library/${shortName} through the mirror ${mirror}`,
			]);
			assert.deepEqual(model(JSON.parse(result.stdout) as JsonReport), model(fromDaemon));
		} finally {
			await close();
		}
	});

	test('--pull=never refuses in one line instead', async () => {
		const result = await runCli(
			[shortName, '--json', '--pull=never', '--registry-mirror', `http://${open!.host}`],
			{timeoutMs: 60_000},
		);
		assert.deepEqual(
			userErrorProblems(result, new RegExp(`image '${shortName}' not found in the docker daemon`)),
			[],
			describeRun(result),
		);
	});

	test('--pull=always reads the registry even for an image the daemon has', async () => {
		const mirror = `http://${open!.host}`;
		const result = await runCli(
			[fixtureImages.waste, '--json', '--no-cache', '--pull=always', '--registry-mirror', mirror],
			{timeoutMs: 120_000},
		);
		assert.equal(result.code, 0, describeRun(result));
		assert.deepEqual(stderrLines(result.stderr), [
			`layerlens: --pull=always asks for the registry's copy of ${fixtureImages.waste}; reading registry-1.docker.io/${fixtureImages.waste}:latest through the mirror ${mirror}`,
		]);
		assert.equal((JSON.parse(result.stdout) as JsonReport).image.source, 'registry');
	});

	test('a bad --pull or --registry-mirror is one line, and a mirror URL with credentials is never echoed', async () => {
		const pull = await runCli([shortName, '--json', '--pull=sometimes'], {timeoutMs: 30_000});
		assert.deepEqual(userErrorProblems(pull, /--pull "sometimes" is not one of missing, always, never/), []);
		const secret = await runCli(
			[shortName, '--json', '--registry-mirror', 'https://user:hunter2@mirror.example'],
			{
				timeoutMs: 30_000,
			},
		);
		assert.deepEqual(
			userErrorProblems(secret, /--registry-mirror \(a URL with a user name or password\)/),
			[],
		);
		assert.doesNotMatch(secret.stderr, /hunter2/);
	});
});
