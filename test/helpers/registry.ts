import {type ChildProcess, execFile, spawn} from 'node:child_process';
import {createHash, createPrivateKey, generateKeyPairSync, randomUUID, sign} from 'node:crypto';
import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {
	createServer,
	type IncomingHttpHeaders,
	type IncomingMessage,
	request,
	type Server,
	type ServerResponse,
} from 'node:http';
import type {AddressInfo} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {promisify} from 'node:util';
import {isDockerRequired} from './docker.js';

/**
A real registry for the tests: Debian's `docker-registry` (distribution 2.8) on a free loopback port with
its own storage, optionally behind htpasswd or token auth; a token server that signs JWTs with a key made
here; and a proxy that forwards to a registry and can break the exchange on purpose.
*/

const run = promisify(execFile);

export type RegistryAvailability = {available: boolean; reason: string | undefined};

export async function registryAvailability(): Promise<RegistryAvailability> {
	for (const [program, args] of [
		['docker-registry', ['--version']],
		['skopeo', ['--version']],
		['htpasswd', ['-h']],
		['openssl', ['version']],
	] as const) {
		try {
			await run(program, [...args]);
		} catch (error) {
			const failure = error as NodeJS.ErrnoException;
			// htpasswd -h exits 1 but runs.
			if (failure.code === 'ENOENT') {
				return {
					available: false,
					reason: `${program} is not installed (apt: docker-registry skopeo apache2-utils openssl)`,
				};
			}
		}
	}

	return {available: true, reason: undefined};
}

/** Skip without the tools, unless CI requires the daemon tests (then the missing tool fails the test). */
export function registrySkip(availability: RegistryAvailability): string | false {
	return availability.available || isDockerRequired() ? false : (availability.reason ?? 'no registry');
}

export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.listen(0, '127.0.0.1', () => {
			const {port} = server.address() as AddressInfo;
			server.close(() => resolve(port));
		});
		server.on('error', reject);
	});
}

export type RunningRegistry = {host: string; port: number; stop(): Promise<void>};

export type RegistryAuth =
	| {kind: 'htpasswd'; users: Record<string, string>}
	| {kind: 'token'; realm: string; service: string; issuer: string; certificatePath: string};

/** Poll until `url` answers anything (an HTTP status, even 401), for at most `withinMs`. */
export async function waitForHttp(url: string, withinMs: number): Promise<void> {
	const deadline = Date.now() + withinMs;
	for (;;) {
		const answered = await new Promise<boolean>((resolve) => {
			const outgoing = request(url, {timeout: 1000}, (response) => {
				response.resume();
				resolve(true);
			});
			outgoing.on('error', () => resolve(false));
			outgoing.on('timeout', () => outgoing.destroy());
			outgoing.end();
		});
		if (answered) return;
		if (Date.now() > deadline) throw new Error(`${url} did not answer within ${withinMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

export async function startRegistry(auth?: RegistryAuth): Promise<RunningRegistry> {
	const directory = await mkdtemp(join(tmpdir(), 'layerlens-registry-'));
	const port = await freePort();
	let authBlock = '';
	if (auth?.kind === 'htpasswd') {
		const lines: string[] = [];
		for (const [user, password] of Object.entries(auth.users)) {
			// distribution accepts bcrypt entries only.
			const {stdout} = await run('htpasswd', ['-Bbn', user, password]);
			lines.push(stdout.trim());
		}

		await writeFile(join(directory, 'htpasswd'), `${lines.join('\n')}\n`);
		authBlock = `auth:\n  htpasswd:\n    realm: layerlens-test\n    path: ${join(directory, 'htpasswd')}\n`;
	} else if (auth?.kind === 'token') {
		authBlock = `auth:\n  token:\n    realm: ${auth.realm}\n    service: ${auth.service}\n    issuer: ${auth.issuer}\n    rootcertbundle: ${auth.certificatePath}\n`;
	}

	const config = `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(directory, 'data')}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
${authBlock}`;
	await writeFile(join(directory, 'config.yml'), config);
	const child: ChildProcess = spawn('docker-registry', ['serve', join(directory, 'config.yml')], {
		stdio: ['ignore', 'ignore', 'pipe'],
	});
	// A test process killed by its timeout must not leave the registry running.
	const killOnExit = (): void => {
		child.kill('SIGKILL');
	};
	process.once('exit', killOnExit);
	// The test runner ends a file that outlives its timeout with SIGTERM, which skips 'exit' handlers.
	const onTerm = (): void => {
		killOnExit();
		process.exit(143);
	};
	process.once('SIGTERM', onTerm);
	let stderr = '';
	child.stderr?.setEncoding('utf8').on('data', (text: string) => {
		stderr = (stderr + text).slice(-4000);
	});
	try {
		await waitForHttp(`http://127.0.0.1:${port}/v2/`, 20_000);
	} catch (error) {
		child.kill('SIGKILL');
		throw new Error(`docker-registry did not start: ${(error as Error).message}\n${stderr}`);
	}

	return {
		host: `127.0.0.1:${port}`,
		port,
		async stop() {
			process.off('exit', killOnExit);
			process.off('SIGTERM', onTerm);
			if (child.exitCode === null) {
				const exited = new Promise((resolve) => child.once('exit', resolve));
				child.kill('SIGTERM');
				await exited;
			}

			await rm(directory, {recursive: true, force: true});
		},
	};
}

export async function skopeoCopy(from: string, to: string, extra: readonly string[] = []): Promise<void> {
	await run('skopeo', ['copy', '--quiet', ...extra, from, to], {maxBuffer: 16 * 1024 * 1024});
}

/** libtrust's key ID, which distribution matches a token's `kid` against: SHA-256 of the SPKI, 240 bits in base32, groups of 4. */
function libtrustKeyId(spkiDer: Buffer): string {
	const bytes = createHash('sha256').update(spkiDer).digest().subarray(0, 30);
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
	let bits = '';
	for (const byte of bytes) bits += byte.toString(2).padStart(8, '0');
	let encoded = '';
	for (let index = 0; index < bits.length; index += 5)
		encoded += alphabet[Number.parseInt(bits.slice(index, index + 5), 2)];
	return encoded.match(/.{4}/g)!.join(':');
}

export type TokenRequest = {scope: string[]; service: string | undefined; authorization: string | undefined};

export type TokenServer = {
	realm: string;
	service: string;
	issuer: string;
	certificatePath: string;
	requests: TokenRequest[];
	stop(): Promise<void>;
};

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/**
A token server as Docker Hub's auth service works: GET realm?service=&scope=, optional Basic credentials,
answers `{token}` — an RS256 JWT whose `access` grants what was asked, except for repositories in `deny`
(401) and except when `users` is set and the Basic credentials are not one of them (401).
*/
export async function startTokenServer(
	options: {deny?: string[]; users?: Record<string, string>} = {},
): Promise<TokenServer> {
	const directory = await mkdtemp(join(tmpdir(), 'layerlens-token-'));
	const {privateKey, publicKey} = generateKeyPairSync('rsa', {modulusLength: 2048});
	const keyPath = join(directory, 'key.pem');
	const certificatePath = join(directory, 'cert.pem');
	await writeFile(keyPath, privateKey.export({type: 'pkcs8', format: 'pem'}));
	await run('openssl', [
		'req',
		'-x509',
		'-new',
		'-key',
		keyPath,
		'-subj',
		'/CN=layerlens-test-token',
		'-days',
		'2',
		'-out',
		certificatePath,
	]);
	const kid = libtrustKeyId(publicKey.export({type: 'spki', format: 'der'}));
	const signingKey = createPrivateKey(privateKey.export({type: 'pkcs8', format: 'pem'}));
	const service = 'layerlens-test-registry';
	const issuer = 'layerlens-test-issuer';
	const requests: TokenRequest[] = [];
	const server: Server = createServer((incoming, response) => {
		const url = new URL(incoming.url ?? '/', 'http://localhost');
		const scope = url.searchParams.getAll('scope');
		const authorization = incoming.headers.authorization;
		requests.push({scope, service: url.searchParams.get('service') ?? undefined, authorization});
		if (options.users !== undefined) {
			const decoded = authorization?.startsWith('Basic ')
				? Buffer.from(authorization.slice(6), 'base64').toString('utf8')
				: '';
			const [user = '', ...rest] = decoded.split(':');
			if (options.users[user] === undefined || options.users[user] !== rest.join(':')) {
				response.writeHead(401, {'content-type': 'application/json'}).end('{"details":"bad credentials"}');
				return;
			}
		}

		const access = scope.flatMap((text) => {
			const [type = '', name = '', actions = ''] = text.split(':');
			return type === 'repository' && !(options.deny ?? []).includes(name)
				? [{type, name, actions: actions.split(',').filter(Boolean)}]
				: [];
		});
		if (scope.length > 0 && access.length === 0) {
			response.writeHead(401, {'content-type': 'application/json'}).end('{"details":"access denied"}');
			return;
		}

		const now = Math.floor(Date.now() / 1000);
		const header = base64url(JSON.stringify({typ: 'JWT', alg: 'RS256', kid}));
		const claims = base64url(
			JSON.stringify({
				iss: issuer,
				sub: 'layerlens-test',
				aud: service,
				exp: now + 600,
				nbf: now - 60,
				iat: now,
				jti: randomUUID(),
				access,
			}),
		);
		const signature = base64url(sign('sha256', Buffer.from(`${header}.${claims}`), signingKey));
		const token = `${header}.${claims}.${signature}`;
		response
			.writeHead(200, {'content-type': 'application/json'})
			.end(JSON.stringify({token, expires_in: 600}));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {
		realm: `http://127.0.0.1:${port}/token`,
		service,
		issuer,
		certificatePath,
		requests,
		async stop() {
			await new Promise((resolve) => server.close(resolve));
			await rm(directory, {recursive: true, force: true});
		},
	};
}

export type ProxiedRequest = {method: string; url: string; headers: IncomingHttpHeaders; status?: number};

/** Decides what to do with one request; `forward()` sends it on to the registry unchanged. */
export type FaultRule = (
	incoming: IncomingMessage,
	response: ServerResponse,
	forward: () => void,
	log: ProxiedRequest,
) => void;

export type FaultProxy = {
	host: string;
	requests: ProxiedRequest[];
	rule: FaultRule | undefined;
	stop(): Promise<void>;
};

/** A plain HTTP proxy in front of `target` (host:port) that logs every request and lets `rule` break it. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
	const [targetHost, targetPort] = target.split(':') as [string, string];
	const proxy: FaultProxy = {host: '', requests: [], rule: undefined, stop: async () => undefined};
	const server = createServer((incoming, response) => {
		const log: ProxiedRequest = {
			method: incoming.method ?? 'GET',
			url: incoming.url ?? '/',
			headers: incoming.headers,
		};
		proxy.requests.push(log);
		const forward = (): void => {
			const outgoing = request(
				{
					host: targetHost,
					port: Number(targetPort),
					method: incoming.method,
					path: incoming.url,
					headers: {...incoming.headers, host: target},
				},
				(answer) => {
					log.status = answer.statusCode;
					const headers = {...answer.headers};
					if (typeof headers.location === 'string')
						headers.location = headers.location.replace(target, proxy.host);
					response.writeHead(answer.statusCode ?? 502, headers);
					answer.pipe(response);
				},
			);
			outgoing.on('error', () => response.destroy());
			incoming.pipe(outgoing);
		};

		if (proxy.rule === undefined) forward();
		else proxy.rule(incoming, response, forward, log);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	proxy.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
	proxy.stop = async () => {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	};
	return proxy;
}

/** GET a URL whole (the test's own reads of the registry), with optional headers. */
export function getBuffer(
	url: string,
	headers: Record<string, string> = {},
): Promise<{status: number; headers: IncomingHttpHeaders; body: Buffer}> {
	return new Promise((resolve, reject) => {
		const outgoing = request(url, {headers}, (response) => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () =>
				resolve({status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks)}),
			);
			response.on('error', reject);
		});
		outgoing.on('error', reject);
		outgoing.end();
	});
}

/** Send a body (blob upload, manifest put) to an open registry. */
export function sendBuffer(
	url: string,
	method: 'POST' | 'PUT',
	body: Buffer,
	headers: Record<string, string> = {},
): Promise<{status: number; headers: IncomingHttpHeaders; body: Buffer}> {
	return new Promise((resolve, reject) => {
		const outgoing = request(
			url,
			{method, headers: {'content-length': String(body.length), ...headers}},
			(response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('end', () =>
					resolve({status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks)}),
				);
				response.on('error', reject);
			},
		);
		outgoing.on('error', reject);
		outgoing.end(body);
	});
}

/** Upload one blob to an open registry (POST an upload, PUT it with its digest). */
export async function pushBlob(host: string, repository: string, data: Buffer): Promise<string> {
	const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
	const started = await sendBuffer(`http://${host}/v2/${repository}/blobs/uploads/`, 'POST', Buffer.alloc(0));
	if (started.status !== 202 || typeof started.headers.location !== 'string') {
		throw new Error(`upload start answered ${started.status}`);
	}

	const location = new URL(started.headers.location, `http://${host}`);
	location.searchParams.set('digest', digest);
	const done = await sendBuffer(location.href, 'PUT', data, {'content-type': 'application/octet-stream'});
	if (done.status !== 201) throw new Error(`blob upload answered ${done.status}: ${done.body.toString()}`);
	return digest;
}

export async function pushManifest(
	host: string,
	repository: string,
	reference: string,
	data: Buffer,
	mediaType: string,
): Promise<string> {
	const done = await sendBuffer(`http://${host}/v2/${repository}/manifests/${reference}`, 'PUT', data, {
		'content-type': mediaType,
	});
	if (done.status !== 201) throw new Error(`manifest put answered ${done.status}: ${done.body.toString()}`);
	return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export type FakeRequest = {method: string; url: string; headers: IncomingHttpHeaders};

/**
A registry written here, in memory, on a loopback address: enough of the distribution API for the client
(manifests by tag or digest with HEAD, blobs by digest) and a `rule` that answers a request before the
store does, for registries that misbehave on purpose. Every request is logged, so a test can count them.
*/
export type FakeRegistry = {
	host: string;
	requests: FakeRequest[];
	manifests: Map<string, {bytes: Buffer; mediaType: string}>;
	blobs: Map<string, Buffer>;
	/** Handles the request and returns true, or returns false to let the store answer. */
	rule: ((incoming: IncomingMessage, response: ServerResponse) => boolean) | undefined;
	stop(): Promise<void>;
};

const sha256Of = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export async function startFakeRegistry(address = '127.0.0.1'): Promise<FakeRegistry> {
	const fake: FakeRegistry = {
		host: '',
		requests: [],
		manifests: new Map(),
		blobs: new Map(),
		rule: undefined,
		stop: async () => undefined,
	};
	const server = createServer((incoming, response) => {
		fake.requests.push({
			method: incoming.method ?? 'GET',
			url: incoming.url ?? '/',
			headers: incoming.headers,
		});
		if (fake.rule?.(incoming, response)) return;
		const url = incoming.url ?? '/';
		if (url === '/v2/') {
			response.writeHead(200).end('{}');
			return;
		}

		const manifest = /^\/v2\/.+\/manifests\/([^/]+)$/.exec(url);
		const stored = manifest ? fake.manifests.get(decodeURIComponent(manifest[1]!)) : undefined;
		if (stored !== undefined) {
			response.writeHead(200, {
				'content-type': stored.mediaType,
				'content-length': String(stored.bytes.length),
				'docker-content-digest': sha256Of(stored.bytes),
			});
			response.end(incoming.method === 'HEAD' ? undefined : stored.bytes);
			return;
		}

		const blob = /^\/v2\/.+\/blobs\/([^/]+)$/.exec(url);
		const data = blob ? fake.blobs.get(decodeURIComponent(blob[1]!)) : undefined;
		if (data !== undefined) {
			response.writeHead(200, {'content-length': String(data.length)}).end(data);
			return;
		}

		response
			.writeHead(404, {'content-type': 'application/json'})
			.end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"not here"}]}');
	});
	await new Promise<void>((resolve) => server.listen(0, address, resolve));
	fake.host = `${address}:${(server.address() as AddressInfo).port}`;
	fake.stop = async () => {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	};
	return fake;
}

/** Store `bytes` as a manifest under its digest and, when given, a tag; returns the digest. */
export function storeManifest(fake: FakeRegistry, bytes: Buffer, mediaType: string, tag?: string): string {
	const digest = sha256Of(bytes);
	fake.manifests.set(digest, {bytes, mediaType});
	if (tag !== undefined) fake.manifests.set(tag, {bytes, mediaType});
	return digest;
}

/** Store a blob under its digest; returns its descriptor. */
export function storeBlob(
	fake: FakeRegistry,
	data: Buffer,
	mediaType: string,
): {mediaType: string; digest: string; size: number} {
	const digest = sha256Of(data);
	fake.blobs.set(digest, data);
	return {mediaType, digest, size: data.length};
}
