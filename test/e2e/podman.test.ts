import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {promisify} from 'node:util';
import type {JsonReport} from '../../source/report/json.js';
import {assertDockerAvailable, dockerAvailability, fixtureImages} from '../helpers/docker.js';
import {
	assertPodmanAvailable,
	copyDockerImageToPodman,
	podmanAvailability,
	podmanSkip,
} from '../helpers/podman.js';
import {runCliJson} from '../helpers/run-cli.js';

// The same fixture images read from Docker and from a real Podman 4 (its API socket, `podman save` in both
// formats, and the three `skopeo copy` outputs) must give the same analysis, number for number.

const docker = await dockerAvailability({images: [fixtureImages.waste, fixtureImages.naive]});
const podman = await podmanAvailability();
const skip = podmanSkip(podman) || (docker.available ? false : podmanSkip(docker));
const run = promisify(execFile);

let workDir = '';

before(async () => {
	if (skip) return;
	assertDockerAvailable(docker);
	assertPodmanAvailable(podman);
	workDir = await mkdtemp(join(tmpdir(), 'layerlens-e2e-podman-'));
	await copyDockerImageToPodman(fixtureImages.waste);
	await copyDockerImageToPodman(fixtureImages.naive);
});

after(async () => {
	if (workDir !== '') await rm(workDir, {recursive: true, force: true});
});

/** What may differ with the way in: the reference typed, the source kind and the tags (Podman adds docker.io/). */
function model(report: JsonReport): unknown {
	const {reference: _reference, source: _source, repoTags: _repoTags, ...image} = report.image;
	return {...report, image};
}

/**
An OCI copy also re-encodes the config (another image ID) and gzips each layer (another digest and stored size):
everything read from the layers' contents must still be equal.
*/
function contentModel(report: JsonReport): unknown {
	const {id: _id, ...image} = (model(report) as JsonReport).image;
	return {
		...(model(report) as JsonReport),
		image,
		layers: report.layers.map(
			({compression: _compression, compressedSizeBytes: _stored, digest: _digest, ...layer}) => layer,
		),
	};
}

for (const image of [fixtureImages.waste, fixtureImages.naive]) {
	test(`${image}: the Podman socket and a podman save archive read exactly as from Docker`, {
		skip,
		timeout: 600_000,
	}, async () => {
		const archive = join(workDir, `${image.replace('/', '_')}-podman.tar`);
		await run('podman', ['save', '-o', archive, image]);
		// The shape that broke: top-level <diff-id>.tar layers, <id>/layer.tar symlinks to them.
		const {stdout: listing} = await run('tar', ['tvf', archive], {maxBuffer: 16 * 1024 * 1024});
		assert.match(listing, /^-.* [0-9a-f]{64}\.tar$/m);
		assert.match(listing, /^l.* [0-9a-f]{64}\/layer\.tar -> \.\.\/[0-9a-f]{64}\.tar$/m);

		const fromDocker = await runCliJson<JsonReport>([image, '--json']);
		const fromSocket = await runCliJson<JsonReport>(['--source', 'podman', image, '--json']);
		const fromPrefix = await runCliJson<JsonReport>([`podman://${image}`, '--json']);
		const fromSave = await runCliJson<JsonReport>([archive, '--json']);

		assert.deepEqual(
			[fromDocker.image.source, fromSocket.image.source, fromPrefix.image.source, fromSave.image.source],
			['docker', 'podman', 'podman', 'docker-archive'],
		);
		assert.ok(fromDocker.layers.length > 1);
		assert.ok(fromDocker.image.sizeBytes > 0);
		assert.deepEqual(model(fromSocket), model(fromDocker));
		assert.deepEqual(model(fromPrefix), model(fromDocker));
		assert.deepEqual(model(fromSave), model(fromDocker));
	});
}

test('podman save --format oci-archive and skopeo copy to docker-archive, oci-archive and oci: read as from Docker', {
	skip,
	timeout: 600_000,
}, async () => {
	const image = fixtureImages.waste;
	const from = `docker-daemon:${image}:latest`;
	const outputs = {
		podmanOci: join(workDir, 'podman-oci.tar'),
		skopeoDocker: join(workDir, 'skopeo-docker.tar'),
		skopeoOciArchive: join(workDir, 'skopeo-oci.tar'),
		skopeoOciDir: join(workDir, 'skopeo-oci'),
	};
	await run('podman', ['save', '--format', 'oci-archive', '-o', outputs.podmanOci, image]);
	await run('skopeo', ['copy', '-q', from, `docker-archive:${outputs.skopeoDocker}:${image}:latest`]);
	await run('skopeo', ['copy', '-q', from, `oci-archive:${outputs.skopeoOciArchive}`]);
	await run('skopeo', ['copy', '-q', from, `oci:${outputs.skopeoOciDir}:latest`]);

	const fromDocker = await runCliJson<JsonReport>([image, '--json']);
	const fromSkopeoDocker = await runCliJson<JsonReport>([
		`docker-archive://${outputs.skopeoDocker}`,
		'--json',
	]);
	assert.equal(fromSkopeoDocker.image.source, 'docker-archive');
	assert.deepEqual(model(fromSkopeoDocker), model(fromDocker));

	for (const [path, source] of [
		[outputs.podmanOci, 'oci-archive'],
		[outputs.skopeoOciArchive, 'oci-archive'],
		[outputs.skopeoOciDir, 'oci-dir'],
	] as const) {
		const report = await runCliJson<JsonReport>([path, '--json']);
		assert.equal(report.image.source, source, path);
		assert.ok(
			report.layers.every((layer) => layer.compression === 'gzip'),
			`${path}: the OCI copies store gzip layers`,
		);
		assert.deepEqual(contentModel(report), contentModel(fromDocker), path);
	}
});

test("a file's final version comes through Podman's container archive API, a hidden one through a spooled export; no container is left", {
	skip,
}, async () => {
	const {createDaemonSource} = await import('../../source/image/sources/daemon/daemon-source.js');
	const source = createDaemonSource(fixtureImages.waste, {engine: 'podman'});
	try {
		const final = await source.readFinalFile!('data/grows.bin', 64, 80_000);
		assert.equal(final.toString(), 'grows-v2\n'.repeat(8).slice(0, 64));
		await assert.rejects(
			source.readFinalFile!('data/grows.bin', 64, 50_000),
			/has 80000 bytes, the analysed image 50000/,
		);
		await source.load({});
		const layers = source.layerEntryNames!();
		assert.equal(layers.length, 8);
		const hidden = await source.readFile(1, 'data/grows.bin', 64);
		assert.equal(hidden.toString(), 'grows-v1\n'.repeat(8).slice(0, 64), 'layer 1 wrote the first version');
	} finally {
		await source.dispose!();
	}

	const {stdout} = await run('podman', ['ps', '-a', '-q', '--filter', 'label=org.layerlens.file-read']);
	assert.equal(stdout.trim(), '');
});
