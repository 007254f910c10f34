import assert from 'node:assert/strict';
import {chmod, mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import {parseChallenges} from '../../source/image/sources/registry/challenge.js';
import {retryAfterMs} from '../../source/image/sources/registry/client.js';
import {findCredentials} from '../../source/image/sources/registry/credentials.js';
import {flagCredentials} from '../../source/image/sources/registry/flag-credentials.js';
import {
	formatRegistryReference,
	hasRegistryHost,
	parseRegistryReference,
} from '../../source/image/sources/registry/reference.js';
import {proxyFor} from '../../source/image/sources/registry/transport.js';
import {LayerlensError} from '../../source/shared/errors.js';

const scratch = await mkdtemp(join(tmpdir(), 'layerlens-registry-unit-'));
after(() => rm(scratch, {recursive: true, force: true}));
const digest = `sha256:${'ab'.repeat(32)}`;

test('references normalise as Docker does', () => {
	assert.deepEqual(parseRegistryReference('nginx:1.27'), {
		registry: 'registry-1.docker.io',
		repository: 'library/nginx',
		tag: '1.27',
		explicitRegistry: false,
	});
	assert.equal(
		formatRegistryReference(parseRegistryReference('nginx')),
		'registry-1.docker.io/library/nginx:latest',
	);
	assert.equal(
		formatRegistryReference(parseRegistryReference('docker.io/team/app')),
		'registry-1.docker.io/team/app:latest',
	);
	assert.equal(
		formatRegistryReference(parseRegistryReference('team/app:2')),
		'registry-1.docker.io/team/app:2',
	);
	assert.deepEqual(parseRegistryReference('localhost:5000/app'), {
		registry: 'localhost:5000',
		repository: 'app',
		tag: 'latest',
		explicitRegistry: true,
	});
	const byDigest = parseRegistryReference(`host.example/ns/app@${digest}`);
	assert.deepEqual(byDigest, {
		registry: 'host.example',
		repository: 'ns/app',
		digest,
		explicitRegistry: true,
	});
	assert.equal(parseRegistryReference(`ghcr.io/org/app:1@${digest}`).digest, digest);
	assert.equal(parseRegistryReference('[::1]:5000/app').registry, '[::1]:5000');
	assert.equal(hasRegistryHost('localhost/app'), true);
	assert.equal(hasRegistryHost('team/app'), false);
	assert.equal(hasRegistryHost('layerlens-fixture/waste'), false);
	for (const bad of ['Team/App', 'app@sha256:12', 'app:-x', 'host:5000/', 'a//b', '']) {
		assert.throws(() => parseRegistryReference(bad), LayerlensError, bad);
	}
});

test('WWW-Authenticate challenges: quoted values with commas, several challenges', () => {
	assert.deepEqual(
		parseChallenges(
			'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"',
		),
		[
			{
				scheme: 'bearer',
				params: {
					realm: 'https://auth.example/token',
					service: 'registry.example',
					scope: 'repository:a/b:pull,push',
				},
			},
		],
	);
	assert.deepEqual(parseChallenges('Basic realm="r", Bearer realm=x'), [
		{scheme: 'basic', params: {realm: 'r'}},
		{scheme: 'bearer', params: {realm: 'x'}},
	]);
	assert.deepEqual(parseChallenges(''), []);
});

test('Retry-After in seconds or as a date', () => {
	assert.equal(retryAfterMs('3'), 3000);
	assert.equal(
		retryAfterMs('Wed, 02 Dec 2026 06:00:10 GMT', Date.parse('Wed, 02 Dec 2026 06:00:00 GMT')),
		10_000,
	);
	assert.equal(retryAfterMs(''), undefined);
	assert.equal(retryAfterMs('soon'), undefined);
});

test('proxies as Go reads them: per scheme, NO_PROXY suffixes and ports, never loopback', () => {
	const env = {
		HTTPS_PROXY: 'http://proxy:3128',
		HTTP_PROXY: 'proxy:80',
		NO_PROXY: '.internal,exact.example,other.example:5000',
	};
	assert.equal(proxyFor(new URL('https://registry.example/v2/'), env)?.host, 'proxy:3128');
	assert.equal(proxyFor(new URL('http://registry.example/v2/'), env)?.host, 'proxy');
	assert.equal(proxyFor(new URL('https://a.b.internal/v2/'), env), undefined);
	assert.equal(proxyFor(new URL('https://exact.example/v2/'), env), undefined);
	assert.equal(proxyFor(new URL('https://sub.exact.example/v2/'), env), undefined);
	assert.equal(proxyFor(new URL('https://other.example:5000/'), env), undefined);
	assert.equal(proxyFor(new URL('https://other.example/'), env)?.host, 'proxy:3128');
	assert.equal(proxyFor(new URL('http://127.0.0.1:5000/'), env), undefined);
	assert.equal(proxyFor(new URL('http://localhost:5000/'), env), undefined);
	assert.equal(proxyFor(new URL('https://x.example/'), {...env, NO_PROXY: '*'}), undefined);
	assert.equal(proxyFor(new URL('https://x.example/'), {}), undefined);
	// An empty upper-case variable does not hide the lower-case one (Go reads the first that is not empty).
	const lower = {HTTPS_PROXY: '', https_proxy: 'http://lower:3128', NO_PROXY: '', no_proxy: 'skip.example'};
	assert.equal(proxyFor(new URL('https://x.example/'), lower)?.host, 'lower:3128');
	assert.equal(proxyFor(new URL('https://skip.example/'), lower), undefined);
});

test('credentials: Docker auths (base64), Docker Hub aliases, Podman first, credential helpers', async () => {
	const home = join(scratch, 'home');
	const dockerConfig = join(scratch, 'docker');
	const runtime = join(scratch, 'runtime');
	const bin = join(scratch, 'bin');
	await mkdir(dockerConfig, {recursive: true});
	await mkdir(join(runtime, 'containers'), {recursive: true});
	await mkdir(bin, {recursive: true});
	const auth = (text: string) => Buffer.from(text).toString('base64');
	await writeFile(
		join(dockerConfig, 'config.json'),
		JSON.stringify({
			auths: {
				'https://index.docker.io/v1/': {auth: auth('hubuser:hub:pass')},
				'http://registry.example:5000': {auth: auth('alice:pw')},
			},
			credHelpers: {'helped.example': 'fake'},
			credsStore: 'fake',
		}),
	);
	// A real helper program on PATH, as docker-credential-* are: the server URL on stdin, JSON on stdout.
	await writeFile(
		join(bin, 'docker-credential-fake'),
		'#!/bin/sh\nread url\ncase "$url" in\n  helped.example) echo \'{"Username":"helper-user","Secret":"helper-secret"}\' ;;\n  stored.example) echo \'{"Username":"<token>","Secret":"refresh-me"}\' ;;\n  *) echo "credentials not found in native keychain"; exit 1 ;;\nesac\n',
	);
	await chmod(join(bin, 'docker-credential-fake'), 0o755);
	const env = {HOME: home, DOCKER_CONFIG: dockerConfig, PATH: `${bin}:${process.env.PATH}`};
	assert.deepEqual(await findCredentials('registry-1.docker.io', {env}), {
		username: 'hubuser',
		password: 'hub:pass',
		from: join(dockerConfig, 'config.json'),
	});
	assert.equal((await findCredentials('registry.example:5000', {env}))?.username, 'alice');
	assert.deepEqual(await findCredentials('helped.example', {env}), {
		username: 'helper-user',
		password: 'helper-secret',
		from: 'docker-credential-fake',
	});
	assert.equal((await findCredentials('stored.example', {env}))?.identityToken, 'refresh-me');
	assert.equal(await findCredentials('unknown.example', {env}), undefined);

	await writeFile(
		join(runtime, 'containers', 'auth.json'),
		JSON.stringify({auths: {'registry.example:5000': {auth: auth('podman:pw2')}}}),
	);
	assert.equal(
		(await findCredentials('registry.example:5000', {env: {...env, XDG_RUNTIME_DIR: runtime}}))?.username,
		'podman',
	);
	assert.equal(
		(
			await findCredentials('registry.example:5000', {
				env: {...env, XDG_RUNTIME_DIR: runtime},
				flags: {username: 'flag', password: 'x'},
			})
		)?.username,
		'flag',
	);
});

test('the flag password comes from stdin or the environment, never from nowhere', async () => {
	const {Readable} = await import('node:stream');
	assert.deepEqual(
		await flagCredentials(
			{username: 'u', passwordStdin: true, insecureHosts: []},
			{},
			Readable.from(['pa ss\n']),
		),
		{username: 'u', password: 'pa ss'},
	);
	assert.deepEqual(
		await flagCredentials(
			{username: 'u', passwordStdin: false, insecureHosts: []},
			{LAYERLENS_REGISTRY_PASSWORD: 'p'},
		),
		{
			username: 'u',
			password: 'p',
		},
	);
	await assert.rejects(
		flagCredentials({username: 'u', passwordStdin: false, insecureHosts: []}, {}),
		/has no password/,
	);
	await assert.rejects(
		flagCredentials({passwordStdin: true, insecureHosts: []}, {}),
		/needs --registry-username/,
	);
	assert.equal(await flagCredentials({passwordStdin: false, insecureHosts: []}, {}), undefined);
});

test('a registry that stops answering fails naming the step that hung', async () => {
	const {createServer} = await import('node:http');
	const {RegistryClient} = await import('../../source/image/sources/registry/client.js');
	// Answers nothing for manifests; for blobs sends the headers and a first chunk, then nothing more.
	const server = createServer((incoming, response) => {
		if (incoming.url?.includes('/blobs/')) {
			response.writeHead(200, {'content-length': '1000'});
			response.write(Buffer.alloc(10));
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const host = `127.0.0.1:${(server.address() as {port: number}).port}`;
	const client = new RegistryClient(parseRegistryReference(`${host}/app:1`), {
		headersTimeoutMs: 300,
		idleTimeoutMs: 300,
		attempts: 1,
		resumes: 0,
		env: {},
	});
	try {
		await assert.rejects(
			client.getManifest('1'),
			/^LayerlensError: fetching the manifest 127\.0\.0\.1:\d+\/app:1: .*did not answer within 0\.3 s/,
		);
		await assert.rejects(async () => {
			for await (const _chunk of client.blob(digest, 'layer 1', {size: 1000})) {
				// drained
			}
		}, /downloading layer 1 \(sha256:abab.*\) of 127\.0\.0\.1:\d+\/app: .*sent nothing for 0\.3 s/);
	} finally {
		server.closeAllConnections();
		server.close();
	}
});
