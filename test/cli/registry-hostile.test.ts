import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {after, before, describe, test} from 'node:test';
import {
	checkedRealm,
	RegistryClient,
	realmMayReceiveCredentials,
} from '../../source/image/sources/registry/client.js';
import {
	oneShortLine,
	printable,
	withoutSecrets,
	withoutUserInfo,
} from '../../source/image/sources/registry/printable.js';
import {parseRegistryReference} from '../../source/image/sources/registry/reference.js';
import {createRegistrySource} from '../../source/image/sources/registry/registry-source.js';
import {proxyFor} from '../../source/image/sources/registry/transport.js';
import {LayerlensError} from '../../source/shared/errors.js';
import {type FakeRegistry, startFakeRegistry, storeBlob, storeManifest} from '../helpers/registry.js';
import {describeRun, runCli, userErrorProblems} from '../helpers/run-cli.js';
import {entry, tarOf} from '../helpers/tar-blocks.js';

// A hostile or broken registry on loopback, written here: what it can make layerlens send, print or wait for.

const manifestType = 'application/vnd.oci.image.manifest.v1+json';
const indexType = 'application/vnd.oci.image.index.v1+json';
const layerType = 'application/vnd.oci.image.layer.v1.tar';
const configType = 'application/vnd.oci.image.config.v1+json';
const password = 'pw-S3cr3t-value';
const basicHeader = `Basic ${Buffer.from(`reader:${password}`).toString('base64')}`;
/** No config file of the machine running the tests is read: credentials come from the options or nowhere. */
const isolatedEnv = {HOME: '/nonexistent', DOCKER_CONFIG: '/nonexistent', XDG_RUNTIME_DIR: '/nonexistent'};

let fake: FakeRegistry;
before(async () => {
	fake = await startFakeRegistry();
});
after(() => fake.stop());

function resetFake(): void {
	fake.rule = undefined;
	fake.requests.length = 0;
	fake.manifests.clear();
	fake.blobs.clear();
}

/** A one-layer image (one small file), stored in the fake registry; returns its manifest's parts. */
function storeTinyImage(
	tag: string | undefined,
	platform = {os: 'linux', architecture: 'amd64'},
	layerOverride?: Record<string, unknown>,
): {digest: string; bytes: Buffer} {
	const layer = storeBlob(fake, tarOf([entry({name: 'app/hello.txt'}, 'hello\n')]), layerType);
	const config = storeBlob(
		fake,
		Buffer.from(
			JSON.stringify({
				...platform,
				config: {},
				rootfs: {type: 'layers', diff_ids: [layer.digest]},
				history: [{created_by: 'COPY hello.txt /app/'}],
			}),
		),
		configType,
	);
	const bytes = Buffer.from(
		JSON.stringify({
			schemaVersion: 2,
			mediaType: manifestType,
			config,
			layers: [{...layer, ...layerOverride}],
		}),
	);
	return {digest: storeManifest(fake, bytes, manifestType, tag), bytes};
}

function client(extra: ConstructorParameters<typeof RegistryClient>[1] = {}): RegistryClient {
	return new RegistryClient(parseRegistryReference(`${fake.host}/team/app:1`), {
		env: isolatedEnv,
		attempts: 1,
		resumes: 0,
		backoffMs: 1,
		...extra,
	});
}

async function drain(chunks: AsyncIterable<Buffer>): Promise<void> {
	for await (const _chunk of chunks) {
		// Read to the end.
	}
}

/** Runs the real CLI against the fake registry; every failure must be one short line with no secret in it. */
async function expectCliLine(
	args: string[],
	pattern: RegExp,
	env: Record<string, string | undefined>,
	secrets: string[],
): Promise<string> {
	const result = await runCli(['--source', 'registry', ...args, '--json'], {
		env: {...isolatedEnv, DOCKER_HOST: 'tcp://127.0.0.1:9', ...env},
		timeoutMs: 60_000,
	});
	assert.deepEqual(userErrorProblems(result, pattern), [], describeRun(result));
	const line = result.stderr.trim();
	assert.ok(line.length <= 300, `the error line has ${line.length} characters: ${line.slice(0, 400)}`);
	for (const secret of secrets) assert.ok(!result.stderr.includes(secret), `stderr holds ${secret}: ${line}`);
	return line;
}

describe('outside text in error lines', () => {
	test('user-info leaves URLs, parseable or not', () => {
		assert.equal(withoutUserInfo('http://user:S3cr3t@[bad'), 'http://[bad');
		assert.equal(withoutUserInfo('https://a:b@proxy:3128/x'), 'https://proxy:3128/x');
		assert.equal(withoutUserInfo('http://u:p@ss/w@rd@host:1'), 'http://host:1');
		assert.equal(withoutUserInfo('user:S3cr3t@proxy:3128'), 'proxy:3128');
		assert.equal(withoutUserInfo('see http://host/a@b'), 'see http://b');
		assert.equal(withoutUserInfo('http://proxy:3128'), 'http://proxy:3128');
	});

	test('headers, tokens and passwords are redacted', () => {
		const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
		const text = withoutSecrets(
			`denied; Authorization: Basic cmVhZGVyOnB3 ok\nBearer ${jwt} token=abc123 "password": "hunter2" access_token=zz`,
		);
		for (const secret of ['cmVhZGVyOnB3', jwt, 'abc123', 'hunter2', 'zz']) {
			assert.ok(!text.includes(secret), `${secret} in ${text}`);
		}

		assert.match(text, /^denied; \[redacted\]/);
		assert.equal(withoutSecrets('manifest unknown'), 'manifest unknown');
	});

	test('one short line with the count of what was cut', () => {
		assert.equal(oneShortLine('a\nb\u001b[31m c'), 'a b [31m c');
		const cut = oneShortLine('x'.repeat(5000), 200);
		assert.equal(printable('x'.repeat(5000)), '[redacted]');
		assert.equal(cut, `${'x'.repeat(200)}… (4800 more characters)`);
		assert.equal(printable('y '.repeat(40_000)), `${'y '.repeat(50).trim()}… (79899 more characters)`);
	});

	test('a proxy URL that does not parse is named without its password', () => {
		assert.throws(
			() => proxyFor(new URL('https://registry.example/v2/'), {HTTPS_PROXY: 'http://user:S3cr3t@[bad'}),
			(error: unknown) =>
				error instanceof LayerlensError &&
				!error.line.includes('S3cr3t') &&
				!error.line.includes('user:') &&
				/the proxy 'http:\/\/\[bad' is not a URL/.test(error.line),
		);
	});

	test('the CLI with HTTPS_PROXY=user:password@[bad prints no password', async () => {
		await expectCliLine(
			['registry.example/team/app:1'],
			/proxy 'http:\/\/\[bad' is not a URL/,
			{HTTPS_PROXY: 'http://user:S3cr3t@[bad', NO_PROXY: ''},
			['S3cr3t'],
		);
	});
});

describe('token realms', () => {
	test('the rule: credentials only to the registry host (any port) or Docker Hub’s auth host', () => {
		assert.equal(realmMayReceiveCredentials('127.0.0.1:5000', new URL('http://127.0.0.1:6000/token')), true);
		assert.equal(realmMayReceiveCredentials('127.0.0.1:5000', new URL('http://127.0.0.2:5000/token')), false);
		assert.equal(realmMayReceiveCredentials('ghcr.io', new URL('https://ghcr.io/token')), true);
		assert.equal(realmMayReceiveCredentials('ghcr.io', new URL('https://evil.example/token')), false);
		assert.equal(realmMayReceiveCredentials('ghcr.io', new URL('https://ghcr.io.evil.example/t')), false);
		assert.equal(
			realmMayReceiveCredentials('registry-1.docker.io', new URL('https://auth.docker.io/token')),
			true,
		);
	});

	test('a plain-HTTP realm is refused unless on loopback, even for a loopback registry', () => {
		assert.throws(
			() => checkedRealm('127.0.0.1:5000', 'http://auth.example/token'),
			/plain-HTTP auth\.example/,
		);
		assert.throws(() => checkedRealm('localhost:5000', 'http://10.0.0.1:80/token'), /plain-HTTP 10\.0\.0\.1/);
		assert.throws(() => checkedRealm('127.0.0.1:5000', 'file:///etc/passwd'), /not http\(s\)/);
		assert.equal(checkedRealm('127.0.0.1:5000', 'https://auth.example/token').host, 'auth.example');
		assert.equal(checkedRealm('registry.example', 'http://127.0.0.2:81/token').host, '127.0.0.2:81');
		const long = `https://${'a'.repeat(5000)}`;
		assert.throws(
			() => checkedRealm('127.0.0.1:5000', `${long}:99999/`),
			(error: unknown) => error instanceof LayerlensError && error.line.length < 300,
		);
	});

	/** A token server on `address`; logs the Authorization each request carried. */
	async function tokenServer(
		address: string,
		status = 200,
	): Promise<{realm: string; seen: Array<string | undefined>; stop(): Promise<void>}> {
		const seen: Array<string | undefined> = [];
		const server = createServer((incoming, response) => {
			seen.push(incoming.headers.authorization);
			response.writeHead(status, {'content-type': 'application/json'}).end('{"token":"tok-xyz"}');
		});
		await new Promise<void>((resolve) => server.listen(0, address, resolve));
		return {
			realm: `http://${address}:${(server.address() as AddressInfo).port}/token`,
			seen,
			stop: () => new Promise((resolve) => server.close(() => resolve())),
		};
	}

	function bearerRule(realm: string): (incoming: IncomingMessage, response: ServerResponse) => boolean {
		return (incoming, response) => {
			if (!incoming.url?.includes('/manifests/') || incoming.headers.authorization === 'Bearer tok-xyz')
				return false;
			response
				.writeHead(401, {'www-authenticate': `Bearer realm="${realm}",service="fake"`})
				.end('{"errors":[{"code":"UNAUTHORIZED","message":"log in"}]}');
			return true;
		};
	}

	test('a realm on another host gets no Basic credentials; one on the registry host does', async () => {
		resetFake();
		storeTinyImage('1');
		const elsewhere = await tokenServer('127.0.0.2');
		const sameHost = await tokenServer('127.0.0.1');
		try {
			fake.rule = bearerRule(elsewhere.realm);
			await client({flagCredentials: {username: 'reader', password}}).getManifest('1');
			assert.deepEqual(elsewhere.seen, [undefined]);

			fake.rule = bearerRule(sameHost.realm);
			await client({flagCredentials: {username: 'reader', password}}).getManifest('1');
			assert.deepEqual(sameHost.seen, [basicHeader]);
		} finally {
			await elsewhere.stop();
			await sameHost.stop();
		}
	});

	test('a refusal from a realm on another host says the credentials were kept back', async () => {
		resetFake();
		const refusing = await tokenServer('127.0.0.2', 401);
		try {
			fake.rule = bearerRule(refusing.realm);
			await assert.rejects(
				client({flagCredentials: {username: 'reader', password}}).getManifest('1'),
				/refused access to team\/app without credentials \(the token server 127\.0\.0\.2:\d+ said HTTP 401; the credentials for this registry were not sent to it, as it is on another host\)/,
			);
			assert.deepEqual(refusing.seen, [undefined]);
		} finally {
			await refusing.stop();
		}
	});

	test('a plain-HTTP realm on a non-loopback name is refused before any token request', async () => {
		resetFake();
		storeTinyImage('1');
		fake.rule = bearerRule('http://auth.invalid/token');
		for (const options of [{}, {insecureHosts: [fake.host]}]) {
			await assert.rejects(
				client({flagCredentials: {username: 'reader', password}, ...options}).getManifest('1'),
				/sends for tokens to plain-HTTP auth\.invalid, which is not loopback/,
			);
		}
	});
});

describe('registry messages', () => {
	const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZWFkZXIifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
	/** Answers every manifest request with `status` and a message that echoes what it was sent. */
	const echoRule =
		(status: number) =>
		(incoming: IncomingMessage, response: ServerResponse): boolean => {
			if (!incoming.url?.includes('/manifests/')) return false;
			const authorization = incoming.headers.authorization;
			if (authorization === undefined) {
				response.writeHead(401, {'www-authenticate': 'Basic realm="fake"'}).end();
				return true;
			}

			const message = `denied for Authorization: ${authorization} (Bearer ${jwt}, token=${jwt}, password=${password}) ${'and so on '.repeat(5000)}`;
			response
				.writeHead(status, {'content-type': 'application/json'})
				.end(JSON.stringify({errors: [{code: 'DENIED', message}]}));
			return true;
		};

	test('an echoed Authorization header is neither printed nor kept whole', async () => {
		for (const status of [401, 403]) {
			resetFake();
			fake.rule = echoRule(status);
			await assert.rejects(
				client({flagCredentials: {username: 'reader', password}}).getManifest('1'),
				(error: unknown) => {
					assert.ok(error instanceof LayerlensError);
					for (const secret of [password, basicHeader.slice(6), jwt]) {
						assert.ok(!error.line.includes(secret), `${status}: ${error.line.slice(0, 400)}`);
					}

					assert.match(error.line, /denied for \[redacted\].*more characters\)/);
					assert.ok(error.message.length <= 300, `${status}: ${error.message.length} characters`);
					return true;
				},
			);
		}
	});

	test('the CLI prints one short line without the credentials the registry echoed', async () => {
		resetFake();
		fake.rule = echoRule(403);
		await expectCliLine(
			['--registry-username', 'reader', `${fake.host}/team/app:1`],
			/answered HTTP 403 \(denied for \[redacted\] .*more characters\)\)/,
			{LAYERLENS_REGISTRY_PASSWORD: password},
			[password, basicHeader.slice(6), jwt],
		);
	});
});

describe('digests from the registry', () => {
	const hostile = 'sha256:../../../../v2/other/secret';

	test('a hostile digest is refused before it becomes a URL', async () => {
		resetFake();
		await assert.rejects(client().getManifest(hostile), /not a digest/);
		await assert.rejects(drain(client().blob(hostile, 'layer 1', {size: 10})), /not a digest/);
		for (const bad of [`sha256:${'A'.repeat(64)}`, `sha256:${'a'.repeat(63)}`, `md5:${'a'.repeat(32)}`]) {
			await assert.rejects(client().getManifest(bad), /not a digest/, bad);
		}

		assert.deepEqual(fake.requests, []);
	});

	test('a manifest naming a hostile layer digest: no blob is asked for', async () => {
		resetFake();
		storeTinyImage('1', undefined, {digest: hostile});
		await assert.rejects(
			createRegistrySource(`${fake.host}/team/app:1`, {env: isolatedEnv, attempts: 1}).load({}),
			/the descriptor of layer 1 in .* names "sha256:\.\.\/\.\.\/\.\.\/\.\.\/v2\/other\/secret", not a digest/,
		);
		assert.deepEqual(
			fake.requests.filter((request) => !request.url.includes('/manifests/')),
			[],
		);
	});

	test('an index naming a hostile child digest: no child is asked for', async () => {
		resetFake();
		const index = Buffer.from(
			JSON.stringify({
				schemaVersion: 2,
				mediaType: indexType,
				manifests: [
					{
						mediaType: manifestType,
						digest: hostile,
						size: 10,
						platform: {os: 'linux', architecture: 'amd64'},
					},
				],
			}),
		);
		storeManifest(fake, index, indexType, '1');
		await assert.rejects(
			createRegistrySource(`${fake.host}/team/app:1`, {env: isolatedEnv, attempts: 1}).load({}),
			/the image index in .* names "sha256:\.\..*", not a digest/,
		);
		assert.deepEqual(
			fake.requests.filter((request) => !/\/manifests\/(1|sha256:[a-f0-9]{64})$/.test(request.url)),
			[],
		);
	});
});

describe('bodies without end', () => {
	/** Sends `chunk` for blob requests, again and again, until the client hangs up. */
	const endlessBlob =
		(chunk: Buffer, everyMs: number) =>
		(incoming: IncomingMessage, response: ServerResponse): boolean => {
			if (!incoming.url?.includes('/blobs/')) return false;
			response.writeHead(200, {'content-type': 'application/octet-stream'});
			const timer = setInterval(() => response.write(chunk), everyMs);
			response.on('close', () => clearInterval(timer));
			return true;
		};

	// Any body gets half a second, and 1 GB/s is the slowest allowed: a 16 MiB manifest limit gives no more time.
	const tinyDeadline = {
		...isolatedEnv,
		LAYERLENS_REGISTRY_MIN_DEADLINE: '0.5',
		LAYERLENS_REGISTRY_MIN_RATE: '1000000000',
	};

	test('an endless blob body stops at the size its descriptor names', async () => {
		resetFake();
		fake.rule = endlessBlob(Buffer.alloc(64 * 1024, 1), 1);
		await assert.rejects(
			drain(client().blob(`sha256:${'ab'.repeat(32)}`, 'layer 1', {size: 1000})),
			/sent more than the 1000 bytes the manifest names/,
		);
		await assert.rejects(
			client().blobBytes(`sha256:${'ab'.repeat(32)}`, 'the config', 4096),
			/sent more than 4096 bytes/,
		);
	});

	test('a trickling blob or manifest ends at the deadline its size allows', {timeout: 30_000}, async () => {
		resetFake();
		fake.rule = endlessBlob(Buffer.from('x'), 20);
		await assert.rejects(
			drain(client({env: tinyDeadline}).blob(`sha256:${'ab'.repeat(32)}`, 'layer 1', {size: 1000})),
			/downloading layer 1 .*did not finish sending within 0\.5 s/,
		);

		fake.rule = (_incoming, response) => {
			response.writeHead(200, {'content-type': manifestType});
			const timer = setInterval(() => response.write(' '), 20);
			response.on('close', () => clearInterval(timer));
			return true;
		};
		await assert.rejects(
			client({env: tinyDeadline}).getManifest('1'),
			/fetching the manifest .*did not finish sending within 0\.5 s/,
		);
	});

	test('the deadline settings must be positive numbers', () => {
		for (const value of ['abc', '0', '-1', 'Infinity']) {
			assert.throws(
				() => client({env: {LAYERLENS_REGISTRY_MIN_DEADLINE: value}}),
				/LAYERLENS_REGISTRY_MIN_DEADLINE=.* is not a positive number/,
			);
		}

		assert.throws(() => client({env: {LAYERLENS_REGISTRY_MIN_RATE: 'fast'}}), /MIN_RATE/);
	});

	test('a layer without a size, or of 10 TB, is refused before it is asked for', async () => {
		for (const [override, pattern] of [
			[{size: undefined}, /layer 1 in .* names no size/],
			[{size: 10 * 1024 ** 4}, /layer 1 of .* is 10995116277760 bytes, more than the \d+ allowed/],
			[{size: -1}, /names a size that is not a byte count/],
		] as const) {
			resetFake();
			storeTinyImage('1', undefined, override);
			await assert.rejects(
				createRegistrySource(`${fake.host}/team/app:1`, {env: isolatedEnv, attempts: 1}).load({}),
				pattern,
			);
			assert.deepEqual(
				fake.requests.filter((request) => request.url.includes('/blobs/')),
				[],
			);
		}
	});

	test('the CLI ends a trickling layer with one line', {timeout: 60_000}, async () => {
		resetFake();
		storeTinyImage('1');
		const layer = [...fake.blobs.entries()].find(([, data]) => data.length % 512 === 0)![0];
		const trickle = endlessBlob(Buffer.from('x'), 50);
		fake.rule = (incoming, response) => incoming.url?.endsWith(layer) === true && trickle(incoming, response);
		await expectCliLine(
			[`${fake.host}/team/app:1`],
			/downloading layer 1 .*did not finish sending within 1 s/,
			{LAYERLENS_REGISTRY_MIN_DEADLINE: '1'},
			[],
		);
	});
});

describe('platforms from a huge index', () => {
	const children = 20_000;
	const fakeDigest = (position: number): string =>
		`sha256:${createHash('sha256').update(String(position)).digest('hex')}`;

	function storeHugeIndex(): {index: string; chosen: string} {
		const image = storeTinyImage(undefined, {os: 'linux', architecture: 'arm64'});
		const manifests = Array.from({length: children}, (_, position) =>
			position === children - 1
				? {
						mediaType: manifestType,
						digest: image.digest,
						size: image.bytes.length,
						platform: {os: 'linux', architecture: 'arm64'},
					}
				: {
						mediaType: manifestType,
						digest: fakeDigest(position),
						size: 500,
						platform: {os: 'linux', architecture: `arch${position}`},
					},
		);
		const index = storeManifest(
			fake,
			Buffer.from(JSON.stringify({schemaVersion: 2, mediaType: indexType, manifests})),
			indexType,
			'multi',
		);
		return {index, chosen: image.digest};
	}

	const manifestRequests = (): string[] =>
		fake.requests.filter((request) => request.url.includes('/manifests/')).map((request) => request.url);

	test('20,000 children: the platform is chosen from the index, one child fetched', async () => {
		resetFake();
		const {index, chosen} = storeHugeIndex();
		const image = await createRegistrySource(`${fake.host}/team/app:multi`, {
			env: isolatedEnv,
			attempts: 1,
			platform: {os: 'linux', architecture: 'arm64'},
		}).load({});
		assert.equal(image.layers.length, 1);
		const requests = manifestRequests();
		assert.deepEqual(
			requests.filter((url) => !url.endsWith('/manifests/multi') && !url.endsWith(index)),
			[`/v2/team/app/manifests/${chosen}`],
		);
		assert.ok(requests.length <= 3, requests.join(', '));
	});

	test('no matching platform: a few are listed and the rest counted, no child fetched', async () => {
		resetFake();
		const {index} = storeHugeIndex();
		await assert.rejects(
			createRegistrySource(`${fake.host}/team/app:multi`, {
				env: isolatedEnv,
				attempts: 1,
				platform: {os: 'linux', architecture: 's390x'},
			}).load({}),
			(error: unknown) => {
				assert.ok(error instanceof LayerlensError);
				assert.match(
					error.line,
					/no image for platform linux\/s390x; it offers linux\/arch0, .* and 19995 more/,
				);
				assert.ok(error.line.length <= 300, `${error.line.length} characters`);
				return true;
			},
		);
		assert.deepEqual(
			manifestRequests().filter((url) => !url.endsWith('/manifests/multi') && !url.endsWith(index)),
			[],
		);
	});
});
