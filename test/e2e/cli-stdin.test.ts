import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {test} from 'node:test';
import type {JsonReport} from '../../source/report/json.js';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';
import {cliCommand, repositoryRoot, runCliJson} from '../helpers/run-cli.js';

// `docker save IMAGE | layerlens` through a real shell pipe, and dive's `docker://` prefix, against the daemon.

const availability = await dockerAvailability({images: [fixtureImages.waste]});
const skip = dockerSkip(availability);

function model(report: JsonReport): unknown {
	const {reference: _reference, source: _source, ...image} = report.image;
	return {...report, image};
}

function pipeline(script: string): Promise<{code: number; stdout: string; stderr: string}> {
	const layerlens = cliCommand([])
		.map((word) => `'${word.replace(/'/g, `'\\''`)}'`)
		.join(' ');
	return new Promise((resolve) => {
		execFile(
			'bash',
			['-o', 'pipefail', '-c', script.replaceAll('$LAYERLENS', layerlens)],
			{
				cwd: repositoryRoot,
				maxBuffer: 64 * 1024 * 1024,
				env: {...process.env, NO_COLOR: '1', NODE_OPTIONS: '', NODE_TEST_CONTEXT: '', CI: ''},
			},
			(error, stdout, stderr) =>
				resolve({code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr}),
		);
	});
}

test('docker save IMAGE | layerlens --format json reads the pipe (not the demo), same numbers as the daemon', {
	skip,
}, async () => {
	assertDockerAvailable(availability);
	const fromDaemon = await runCliJson<JsonReport>([fixtureImages.waste, '--json']);
	const piped = await pipeline(`docker save ${fixtureImages.waste} | $LAYERLENS --format json --no-cache`);
	assert.equal(piped.code, 0, piped.stderr);
	const fromPipe = JSON.parse(piped.stdout) as JsonReport;
	assert.equal(fromPipe.image.reference, 'stdin');
	assert.equal(fromPipe.image.source, 'docker-archive');
	assert.deepEqual(model(fromPipe), model(fromDaemon));

	const fromPrefix = await runCliJson<JsonReport>([`docker://${fixtureImages.waste}`, '--json']);
	assert.equal(fromPrefix.image.source, 'docker');
	assert.deepEqual(model(fromPrefix), model(fromDaemon));
});
