import assert from 'node:assert/strict';
import {mkdtemp} from 'node:fs/promises';
import {join} from 'node:path';
import {describe, test} from 'node:test';
import {fixtureImages} from '../helpers/docker.js';
import {getBuffer, pushBlob, pushManifest, skopeoCopy, startFaultProxy} from '../helpers/registry.js';
import {
	daemonImage,
	expectUserError,
	fromDaemon,
	model,
	open,
	pushLayout,
	readJson,
	skip,
	withoutId,
	workDir,
} from './registry-setup.js';

describe('an open registry', {skip}, () => {
	test('a reference with a registry host is read from the registry when no daemon has it', async () => {
		const report = await readJson([`${open!.host}/waste:latest`]);
		assert.equal(report.image.source, 'registry');
		assert.deepEqual(report.image.repoTags, [`${open!.host}/waste:latest`]);
		assert.ok(report.layers.every((layer) => layer.compression === 'gzip'));
		assert.deepEqual(model(report), model(fromDaemon));
	});

	test('--source registry reads by digest too, and the numbers are the same', async () => {
		const head = await getBuffer(`http://${open!.host}/v2/waste/manifests/latest`, {
			accept: 'application/vnd.docker.distribution.manifest.v2+json',
		});
		const digest = String(head.headers['docker-content-digest']);
		const report = await readJson([`${open!.host}/waste@${digest}`, '--source', 'registry']);
		assert.deepEqual(model(report), model(fromDaemon));
	});

	test('zstd layers are streamed and decoded', async () => {
		const layout = join(workDir, 'zstd-layout');
		await skopeoCopy(daemonImage, `oci:${layout}:latest`, [
			'--format',
			'oci',
			'--dest-compress',
			'--dest-compress-format',
			'zstd',
		]);
		// Pushed blob by blob: skopeo would reuse the gzip blobs the registry already has for the same layers.
		await pushLayout(open!.host, 'waste-zstd', layout);
		const report = await readJson([`${open!.host}/waste-zstd:latest`]);
		assert.deepEqual(
			report.layers.map((layer) => layer.compression),
			report.layers.map(() => 'zstd'),
		);
		assert.deepEqual(withoutId(report), withoutId(fromDaemon));
	});

	test('a multi-platform index: the host platform by default, --platform picks another, a missing one is an error', async () => {
		await skopeoCopy(daemonImage, `docker://${open!.host}/multi:amd64`, [
			'--dest-tls-verify=false',
			'--format',
			'oci',
		]);
		const amd64 = await getBuffer(`http://${open!.host}/v2/multi/manifests/amd64`, {
			accept: 'application/vnd.oci.image.manifest.v1+json',
		});
		const manifest = JSON.parse(amd64.body.toString()) as {
			config: {digest: string; size: number};
			layers: unknown[];
		};
		const config = JSON.parse(
			(await getBuffer(`http://${open!.host}/v2/multi/blobs/${manifest.config.digest}`)).body.toString(),
		);
		// The same layers under an arm64 config: only the platform tells the two apart.
		const armConfig = Buffer.from(JSON.stringify({...config, architecture: 'arm64', variant: 'v8'}));
		const armConfigDigest = await pushBlob(open!.host, 'multi', armConfig);
		const armManifest = Buffer.from(
			JSON.stringify({
				...manifest,
				config: {...manifest.config, digest: armConfigDigest, size: armConfig.length},
			}),
		);
		const ociManifest = 'application/vnd.oci.image.manifest.v1+json';
		const armDigest = await pushManifest(open!.host, 'multi', 'arm64', armManifest, ociManifest);
		const amdDigest = String(amd64.headers['docker-content-digest']);
		const index = Buffer.from(
			JSON.stringify({
				schemaVersion: 2,
				mediaType: 'application/vnd.oci.image.index.v1+json',
				manifests: [
					{
						mediaType: ociManifest,
						digest: armDigest,
						size: armManifest.length,
						platform: {os: 'linux', architecture: 'arm64', variant: 'v8'},
					},
					{
						mediaType: ociManifest,
						digest: amdDigest,
						size: amd64.body.length,
						platform: {os: 'linux', architecture: 'amd64'},
					},
				],
			}),
		);
		await pushManifest(open!.host, 'multi', 'latest', index, 'application/vnd.oci.image.index.v1+json');

		// skopeo --format oci rewrote the config (another image ID); everything measured is the same.
		const host = await readJson([`${open!.host}/multi`]);
		assert.equal(host.image.architecture, 'amd64');
		assert.deepEqual(withoutId(host), withoutId(fromDaemon));
		assert.deepEqual(
			withoutId(await readJson([`${open!.host}/multi`, '--platform', 'linux/amd64'])),
			withoutId(fromDaemon),
		);
		const arm = await readJson([`${open!.host}/multi`, '--platform', 'linux/arm64']);
		assert.equal(arm.image.architecture, 'arm64');
		const {
			id: _armId,
			architecture: _arch,
			variant: _variant,
			...armImage
		} = (model(arm) as {image: Record<string, unknown>}).image;
		const {
			id: _id,
			architecture: _hostArch,
			...hostImage
		} = (model(host) as {image: Record<string, unknown>}).image;
		assert.deepEqual(armImage, hostImage);
		assert.deepEqual(arm.layers, host.layers);
		await expectUserError(
			[`${open!.host}/multi`, '--platform', 'linux/s390x'],
			/no image for platform linux\/s390x.*offers linux\/arm64\/v8, linux\/amd64/,
		);
	});

	test('an unknown tag and an unknown repository are one line each, exit 2', async () => {
		await expectUserError([`${open!.host}/waste:nope`], /has no tag nope/);
		await expectUserError(
			[`${open!.host}/nothing-here:1`, '--source', 'registry'],
			/nothing-here has no (tag 1|repository)/,
		);
	});

	test('a second open is answered from the cache by the manifest digest; a moved tag is noticed', async () => {
		const proxy = await startFaultProxy(open!.host);
		const cache = await mkdtemp(join(workDir, 'cache-'));
		try {
			await skopeoCopy(daemonImage, `docker://${open!.host}/moving:1`, ['--dest-tls-verify=false']);
			const first = await readJson([`${proxy.host}/moving:1`], {XDG_CACHE_HOME: cache});
			assert.ok(proxy.requests.some((entry) => entry.url.includes('/blobs/')));
			proxy.requests.length = 0;
			const second = await readJson([`${proxy.host}/moving:1`], {XDG_CACHE_HOME: cache});
			assert.deepEqual(second, first);
			assert.deepEqual(
				proxy.requests.filter((entry) => entry.url !== '/v2/').map((entry) => `${entry.method} ${entry.url}`),
				['HEAD /v2/moving/manifests/1'],
			);
			await skopeoCopy(
				`docker-daemon:${fixtureImages.waste.replace('waste', 'busybox-base')}:latest`,
				`docker://${open!.host}/moving:1`,
				['--dest-tls-verify=false'],
			);
			const moved = await readJson([`${proxy.host}/moving:1`], {XDG_CACHE_HOME: cache});
			assert.notEqual(moved.image.id, first.image.id);
		} finally {
			await proxy.stop();
		}
	});
});
