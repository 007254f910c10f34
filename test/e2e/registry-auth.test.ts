import assert from 'node:assert/strict';
import {mkdir, mkdtemp, writeFile} from 'node:fs/promises';
import {createServer} from 'node:http';
import type {AddressInfo} from 'node:net';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import type {JsonReport} from '../../source/report/json.js';
import {
	getBuffer,
	type RunningRegistry,
	skopeoCopy,
	startFaultProxy,
	startRegistry,
	startTokenServer,
	type TokenServer,
} from '../helpers/registry.js';
import {describeRun, runCli} from '../helpers/run-cli.js';
import {
	daemonImage,
	expectUserError,
	fromDaemon,
	model,
	noDaemon,
	readJson,
	skip,
	workDir,
} from './registry-setup.js';

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
