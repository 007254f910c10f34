import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {createHash} from 'node:crypto';
import {createReadStream} from 'node:fs';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {promisify} from 'node:util';
import {gzipSync} from 'node:zlib';
import type {JsonReport} from '../../source/report/json.js';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';
import {runCliJson} from '../helpers/run-cli.js';
import {readSaveStream} from './save-archive.js';

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
type SaveManifestItem = {Config: string; RepoTags: string[] | null; Layers: string[]};

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
Turns a classic `docker save` archive (Docker 20.10 writes no index.json) into an OCI image layout
directory: the config and every layer become blobs, layers gzip-compressed as a registry would store
them, with an OCI manifest and an index that names the image `refName`. No skopeo needed, no network.
*/
export async function writeOciLayoutFromSave(
	archivePath: string,
	directory: string,
	refName: string,
): Promise<void> {
	const saved = await readSaveStream(createReadStream(archivePath), () => true);
	const manifestText = saved.kept.get('manifest.json');
	if (!manifestText) {
		throw new Error(`${archivePath} has no manifest.json`);
	}

	const [item] = JSON.parse(manifestText.toString('utf8')) as SaveManifestItem[];
	if (!item) {
		throw new Error(`${archivePath} holds no image`);
	}

	const blobs = join(directory, 'blobs', 'sha256');
	await mkdir(blobs, {recursive: true});
	const putBlob = async (data: Buffer, mediaType: string) => {
		const digest = sha256(data);
		await writeFile(join(blobs, digest), data);
		return {mediaType, digest: `sha256:${digest}`, size: data.length};
	};

	const config = await putBlob(entry(saved.kept, item.Config), 'application/vnd.oci.image.config.v1+json');
	const layers = [];
	for (const path of item.Layers) {
		layers.push(
			await putBlob(gzipSync(entry(saved.kept, path)), 'application/vnd.oci.image.layer.v1.tar+gzip'),
		);
	}

	const manifest = await putBlob(
		Buffer.from(
			JSON.stringify({
				schemaVersion: 2,
				mediaType: 'application/vnd.oci.image.manifest.v1+json',
				config,
				layers,
			}),
		),
		'application/vnd.oci.image.manifest.v1+json',
	);
	await writeFile(join(directory, 'oci-layout'), JSON.stringify({imageLayoutVersion: '1.0.0'}));
	await writeFile(
		join(directory, 'index.json'),
		JSON.stringify({
			schemaVersion: 2,
			mediaType: 'application/vnd.oci.image.index.v1+json',
			manifests: [{...manifest, annotations: {'org.opencontainers.image.ref.name': refName}}],
		}),
	);
}

function entry(kept: Map<string, Buffer>, name: string): Buffer {
	const data = kept.get(name);
	if (!data) {
		throw new Error(`the save archive has no ${name}`);
	}

	return data;
}
