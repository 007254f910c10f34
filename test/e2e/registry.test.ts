import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import type {JsonReport} from '../../source/report/json.js';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';
import {
	type FaultProxy,
	getBuffer,
	pushBlob,
	pushManifest,
	type RunningRegistry,
	registryAvailability,
	registrySkip,
	skopeoCopy,
	startFaultProxy,
	startRegistry,
	startTokenServer,
	type TokenServer,
} from '../helpers/registry.js';
import {describeRun, runCli, runCliJson, userErrorProblems} from '../helpers/run-cli.js';

// Images read straight from a real registry (Debian's docker-registry on loopback) must give the numbers the
// daemon gives for the same image, with the daemon out of reach (DOCKER_HOST pointing nowhere).

const dockerState = await dockerAvailability({images: [fixtureImages.waste]});
const registryState = await registryAvailability();
const skip = dockerSkip(dockerState) || registrySkip(registryState);
/** No daemon: a closed port on loopback. */
const noDaemon = {DOCKER_HOST: 'tcp://127.0.0.1:9', LAYERLENS_REGISTRY_PASSWORD: undefined};
const daemonImage = `docker-daemon:${fixtureImages.waste}:latest`;

let open: RunningRegistry | undefined;
let workDir = '';
let fromDaemon: JsonReport;

/** What depends on the way in, not on the image (as in cli-sources.test.ts): reference, source, tags, storage of blobs. */
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

/** The model without the image ID: an image converted to OCI by skopeo has other config bytes, the same layers. */
function withoutId(report: JsonReport): unknown {
	const modelled = model(report) as {image: Record<string, unknown>};
	const {id: _id, ...image} = modelled.image;
	return {...modelled, image};
}

async function readJson(args: string[], env: Record<string, string | undefined> = {}): Promise<JsonReport> {
	return runCliJson<JsonReport>([...args, '--json'], {env: {...noDaemon, ...env}, timeoutMs: 120_000});
}

async function expectUserError(
	args: string[],
	pattern: RegExp,
	env: Record<string, string | undefined> = {},
): Promise<void> {
	const result = await runCli([...args, '--json'], {env: {...noDaemon, ...env}, timeoutMs: 120_000});
	assert.deepEqual(userErrorProblems(result, pattern), [], describeRun(result));
}

before(async () => {
	if (skip) return;
	assertDockerAvailable(dockerState);
	workDir = await mkdtemp(join(tmpdir(), 'layerlens-e2e-registry-'));
	open = await startRegistry();
	await skopeoCopy(daemonImage, `docker://${open.host}/waste:latest`, ['--dest-tls-verify=false']);
	fromDaemon = await runCliJson<JsonReport>([fixtureImages.waste, '--json']);
});

after(async () => {
	await open?.stop();
	if (workDir !== '') await rm(workDir, {recursive: true, force: true});
});

/** An OCI layout's image (index.json → manifest → config and layers) uploaded blob by blob, tagged `latest`. */
async function pushLayout(host: string, repository: string, layout: string): Promise<void> {
	const blob = (digest: string) => readFile(join(layout, 'blobs', ...digest.split(':')));
	const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as {
		manifests: Array<{digest: string}>;
	};
	const manifestBytes = await blob(index.manifests[0]!.digest);
	const manifest = JSON.parse(manifestBytes.toString()) as {
		config: {digest: string};
		layers: Array<{digest: string}>;
	};
	for (const descriptor of [manifest.config, ...manifest.layers]) {
		await pushBlob(host, repository, await blob(descriptor.digest));
	}

	await pushManifest(host, repository, 'latest', manifestBytes, 'application/vnd.oci.image.manifest.v1+json');
}

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

describe('faults between layerlens and the registry', {skip}, () => {
	let proxy: FaultProxy;
	before(async () => {
		proxy = await startFaultProxy(open!.host);
	});
	after(async () => {
		await proxy.stop();
	});

	test('a connection cut in the middle of a blob is resumed with a Range request', async () => {
		proxy.requests.length = 0;
		let cut = false;
		proxy.rule = (incoming, response, forward) => {
			if (cut || !incoming.url?.includes('/blobs/') || incoming.headers.range !== undefined) {
				forward();
				return;
			}

			void getBuffer(`http://${open!.host}${incoming.url}`).then((blob) => {
				if (blob.body.length < 4096) {
					response.writeHead(blob.status, {'content-length': String(blob.body.length)}).end(blob.body);
					return;
				}

				cut = true;
				response.writeHead(200, {
					'content-length': String(blob.body.length),
					'content-type': 'application/octet-stream',
				});
				response.write(blob.body.subarray(0, Math.floor(blob.body.length / 2)), () =>
					response.socket?.destroy(),
				);
			});
		};
		try {
			const report = await readJson([`${proxy.host}/waste:latest`]);
			assert.ok(cut, 'no blob was cut');
			assert.ok(
				proxy.requests.some((entry) => /^bytes=\d+-$/.test(String(entry.headers.range ?? ''))),
				'no Range request after the cut',
			);
			assert.deepEqual(model(report), model(fromDaemon));
		} finally {
			proxy.rule = undefined;
		}
	});

	test('a 429 with Retry-After is waited out and retried', async () => {
		proxy.requests.length = 0;
		let limited = 0;
		proxy.rule = (incoming, response, forward) => {
			if (limited === 0 && incoming.url?.includes('/manifests/')) {
				limited++;
				response
					.writeHead(429, {'retry-after': '1', 'content-type': 'application/json'})
					.end('{"errors":[{"code":"TOOMANYREQUESTS"}]}');
				return;
			}

			forward();
		};
		try {
			const report = await readJson([`${proxy.host}/waste:latest`]);
			assert.equal(limited, 1);
			assert.ok(proxy.requests.filter((entry) => entry.url.includes('/manifests/')).length >= 2);
			assert.deepEqual(model(report), model(fromDaemon));
		} finally {
			proxy.rule = undefined;
		}
	});

	test('a 429 whose Retry-After is far off fails at once, saying when to try again', async () => {
		proxy.rule = (incoming, response, forward) => {
			if (incoming.url?.includes('/manifests/')) {
				response.writeHead(429, {'retry-after': '3600'}).end();
				return;
			}

			forward();
		};
		try {
			await expectUserError(
				[`${proxy.host}/waste:latest`],
				/rate limiting.*allows more after \d{4}-\d\d-\d\dT/,
			);
		} finally {
			proxy.rule = undefined;
		}
	});

	test('a blob whose bytes do not match its digest is refused', async () => {
		proxy.rule = (incoming, response, forward) => {
			if (!incoming.url?.includes('/blobs/')) {
				forward();
				return;
			}

			void getBuffer(`http://${open!.host}${incoming.url}`).then((blob) => {
				const altered = Buffer.from(blob.body);
				// Layers only (the config is a few KiB): a flipped byte near the end, where gzip keeps its CRC.
				if (altered.length > 16_384) altered[altered.length - 9]! ^= 0xff;
				response.writeHead(blob.status, {'content-length': String(altered.length)}).end(altered);
			});
		};
		try {
			await expectUserError(
				[`${proxy.host}/waste:latest`],
				/digest mismatch in layer \d+ of .*the registry sent sha256:[a-f0-9]{64}, the manifest names sha256:/,
			);
		} finally {
			proxy.rule = undefined;
		}
	});
});

describe('a registry with htpasswd (Basic) auth', {skip}, () => {
	let basic: RunningRegistry;
	before(async () => {
		basic = await startRegistry({kind: 'htpasswd', users: {reader: 's3cret pass'}});
		await skopeoCopy(daemonImage, `docker://${basic.host}/waste:latest`, [
			'--dest-tls-verify=false',
			'--dest-creds',
			'reader:s3cret pass',
		]);
	});
	after(async () => {
		await basic.stop();
	});

	test('without credentials: unauthorized, with how to log in', async () => {
		await expectUserError(
			[`${basic.host}/waste`],
			/refused access to waste without credentials.*docker login 127\.0\.0\.1:\d+.*--registry-username/,
		);
	});

	test('--registry-username with the password in LAYERLENS_REGISTRY_PASSWORD or on stdin', async () => {
		const fromEnv = await readJson([`${basic.host}/waste`, '--registry-username', 'reader'], {
			LAYERLENS_REGISTRY_PASSWORD: 's3cret pass',
		});
		assert.deepEqual(model(fromEnv), model(fromDaemon));
		const result = await runCli(
			[`${basic.host}/waste`, '--registry-username', 'reader', '--registry-password-stdin', '--json'],
			{
				env: noDaemon,
				stdin: 's3cret pass\n',
				timeoutMs: 120_000,
			},
		);
		assert.equal(result.code, 0, describeRun(result));
		assert.deepEqual(model(JSON.parse(result.stdout) as JsonReport), model(fromDaemon));
		await expectUserError(
			[`${basic.host}/waste`, '--registry-username', 'reader'],
			/has no password.*--registry-password-stdin/,
		);
		await expectUserError(
			[`${basic.host}/waste`, '--registry-username', 'reader'],
			/refused access.*--registry-username/,
			{
				LAYERLENS_REGISTRY_PASSWORD: 'wrong',
			},
		);
	});

	test('credentials from $DOCKER_CONFIG/config.json and from Podman auth.json', async () => {
		const dockerConfig = await mkdtemp(join(workDir, 'docker-config-'));
		const auth = Buffer.from('reader:s3cret pass').toString('base64');
		await writeFile(
			join(dockerConfig, 'config.json'),
			JSON.stringify({auths: {[`http://${basic.host}`]: {auth}}}),
		);
		const fromDocker = await readJson([`${basic.host}/waste`], {
			DOCKER_CONFIG: dockerConfig,
			XDG_RUNTIME_DIR: undefined,
			REGISTRY_AUTH_FILE: undefined,
		});
		assert.deepEqual(model(fromDocker), model(fromDaemon));

		const runtime = await mkdtemp(join(workDir, 'runtime-'));
		await writeFile(join(dockerConfig, 'config.json'), '{}');
		const {mkdir} = await import('node:fs/promises');
		await mkdir(join(runtime, 'containers'));
		await writeFile(
			join(runtime, 'containers', 'auth.json'),
			JSON.stringify({auths: {[basic.host]: {auth}}}),
		);
		const fromPodman = await readJson([`${basic.host}/waste`], {
			DOCKER_CONFIG: dockerConfig,
			XDG_RUNTIME_DIR: runtime,
			REGISTRY_AUTH_FILE: undefined,
		});
		assert.deepEqual(model(fromPodman), model(fromDaemon));
	});

	test('a redirect to blob storage on another host gets no Authorization header', async () => {
		const storageRequests: Array<{url: string; authorization: string | undefined}> = [];
		const basicHeader = `Basic ${Buffer.from('reader:s3cret pass').toString('base64')}`;
		const storage = createServer((incoming, response) => {
			storageRequests.push({url: incoming.url ?? '', authorization: incoming.headers.authorization});
			void getBuffer(`http://${basic.host}${incoming.url}`, {authorization: basicHeader}).then((blob) => {
				response.writeHead(blob.status, {'content-length': String(blob.body.length)}).end(blob.body);
			});
		});
		await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve));
		const storagePort = (storage.address() as AddressInfo).port;
		const proxy = await startFaultProxy(basic.host);
		proxy.rule = (incoming, response, forward, log) => {
			if (incoming.url?.includes('/blobs/') && incoming.headers.authorization !== undefined) {
				log.status = 307;
				// `localhost` is another host than `127.0.0.1` for the client: the header must not follow.
				response.writeHead(307, {location: `http://localhost:${storagePort}${incoming.url}`}).end();
				return;
			}

			forward();
		};
		try {
			const report = await readJson([`${proxy.host}/waste`, '--registry-username', 'reader'], {
				LAYERLENS_REGISTRY_PASSWORD: 's3cret pass',
			});
			assert.deepEqual(model(report), model(fromDaemon));
			assert.ok(storageRequests.length >= 8, `storage saw ${storageRequests.length} requests`);
			assert.deepEqual(
				storageRequests.filter((entry) => entry.authorization !== undefined),
				[],
			);
			assert.ok(proxy.requests.some((entry) => entry.status === 307));
		} finally {
			await proxy.stop();
			storage.closeAllConnections();
			await new Promise((resolve) => storage.close(resolve));
		}
	});
});

describe('a registry with Bearer token auth', {skip}, () => {
	let tokens: TokenServer;
	let registry: RunningRegistry;
	before(async () => {
		tokens = await startTokenServer({deny: ['secret']});
		registry = await startRegistry({
			kind: 'token',
			realm: tokens.realm,
			service: tokens.service,
			issuer: tokens.issuer,
			certificatePath: tokens.certificatePath,
		});
		await skopeoCopy(daemonImage, `docker://${registry.host}/waste:latest`, ['--dest-tls-verify=false']);
	});
	after(async () => {
		await registry?.stop();
		await tokens?.stop();
	});

	test('one token for the pull scope serves the manifest, the config and every layer', async () => {
		tokens.requests.length = 0;
		const report = await readJson([`${registry.host}/waste`]);
		assert.deepEqual(model(report), model(fromDaemon));
		assert.deepEqual(
			tokens.requests.map((request) => [request.service, request.scope]),
			[[tokens.service, ['repository:waste:pull']]],
		);
	});

	test('a scope the token server refuses is unauthorized, with how to log in', async () => {
		await expectUserError(
			[`${registry.host}/secret:1`],
			/refused access to secret without credentials \(the token server 127\.0\.0\.1:\d+ said HTTP 401\).*docker login/,
		);
	});
});
