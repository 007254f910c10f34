import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {promisify} from 'node:util';
import type {JsonReport} from '../../source/report/json.js';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';
import {runCliJson} from '../helpers/run-cli.js';
import {writeOciLayoutFromSave} from './oci-layout.js';

// One image, three ways in: the daemon, a `docker save` archive and an OCI layout made from that archive.
// The analysis is of the same bytes, so everything but where the image came from must agree.

const availability = await dockerAvailability({images: [fixtureImages.waste]});
const skip = dockerSkip(availability);
const run = promisify(execFile);

let workDir = '';

before(async () => {
	workDir = await mkdtemp(join(tmpdir(), 'layerlens-e2e-sources-'));
});

after(async () => {
	await rm(workDir, {recursive: true, force: true});
});

/**
What depends on the way in and not on the image: the reference typed, the source kind, the tags an archive
or layout may not carry, and how each layer blob is stored (the layout gzips them, the daemon does not).
*/
function model(report: JsonReport): unknown {
	const {reference: _reference, source: _source, repoTags: _repoTags, ...image} = report.image;
	return {
		...report,
		image,
		layers: report.layers.map(
			({compression: _compression, compressedSizeBytes: _compressed, digest: _digest, ...layer}) => layer,
		),
	};
}

test('the daemon, a docker save archive and an OCI layout of the waste fixture give the same analysis', {
	skip,
}, async () => {
	assertDockerAvailable(availability);
	const archive = join(workDir, 'waste.tar');
	await run('docker', ['save', '-o', archive, fixtureImages.waste]);
	const layout = join(workDir, 'waste-oci');
	await writeOciLayoutFromSave(archive, layout, 'waste');

	const fromDaemon = await runCliJson<JsonReport>([fixtureImages.waste, '--json']);
	const fromArchive = await runCliJson<JsonReport>([archive, '--json']);
	const fromLayout = await runCliJson<JsonReport>([layout, '--json']);

	assert.deepEqual(
		[fromDaemon.image.source, fromArchive.image.source, fromLayout.image.source],
		['docker', 'docker-archive', 'oci-dir'],
	);
	// The layout really is another storage of the same layers: gzip blobs where the others have plain tars.
	assert.ok(fromLayout.layers.every((layer) => layer.compression === 'gzip'));
	assert.ok(fromDaemon.layers.every((layer) => layer.compression === 'none'));
	assert.equal(fromDaemon.layers.length, 8);

	assert.deepEqual(model(fromArchive), model(fromDaemon));
	assert.deepEqual(model(fromLayout), model(fromDaemon));
});
