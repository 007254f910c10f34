import {request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders} from 'node:http';
import {request as httpsRequest} from 'node:https';
import type {Socket} from 'node:net';
import {rootCertificates, connect as tlsConnect} from 'node:tls';
import {isLayerlensError, LayerlensError} from '../../../shared/errors.js';
import {certificateBundleLimitBytes, readRegularFileSync} from '../../../shared/read-local-file.js';
import {printable, withoutUserInfo} from './printable.js';
import {hostName, isLoopbackHost} from './reference.js';

/**
One HTTP exchange with a registry, a token server or blob storage: HTTPS with Node's CAs, the system's and
NODE_EXTRA_CA_CERTS; HTTPS_PROXY / HTTP_PROXY / NO_PROXY as Go's net/http reads them (loopback is never
proxied); a deadline on the answer's headers and on every pause in its body, each naming the step.
Written out by hand: a CONNECT tunnel is a dozen lines, and a proxy library would bring its own agent
and URL rules where these must match Docker's.
*/

export type TransportOptions = {
	env?: NodeJS.ProcessEnv;
	/** Hosts (`host` or `host:port`) whose certificate is not checked, from `--insecure-registry`. */
	insecureHosts?: readonly string[];
	/** How long the headers may take (default 30 s). */
	headersTimeoutMs?: number;
	/** How long the body may send nothing (default 60 s). */
	idleTimeoutMs?: number;
};

/** How long a body may take: no pause longer than `idleMs`, and all of it within `totalMs`. */
export type BodyTiming = {idleMs: number; totalMs: number};

export type HttpRequest = {
	url: URL;
	method?: 'GET' | 'HEAD' | 'POST';
	headers?: OutgoingHttpHeaders;
	body?: string;
	/** What the user is told hung or failed, e.g. `fetching the manifest of localhost:5000/app:1.0`. */
	step: string;
};

/** A failure to get an answer at all (refused, reset, timed out, TLS): retried by the client. */
export class TransportError extends Error {
	constructor(
		message: string,
		readonly step: string,
		readonly code: string | undefined,
	) {
		super(message);
	}
}

const systemBundles = [
	'/etc/ssl/certs/ca-certificates.crt',
	'/etc/pki/tls/certs/ca-bundle.crt',
	'/etc/ssl/cert.pem',
];
let trustedCertificates: string[] | undefined;

/** Node's bundled CAs, the system's bundle and NODE_EXTRA_CA_CERTS: what curl and docker would trust together. */
export function trustedCas(env: NodeJS.ProcessEnv = process.env): string[] {
	if (trustedCertificates !== undefined) return trustedCertificates;
	const certificates = [...rootCertificates];
	const read = (path: string | undefined): boolean => {
		if (path === undefined || path === '') return false;
		let bundle: Buffer | undefined;
		try {
			// A regular file within the limit only: NODE_EXTRA_CA_CERTS=/dev/urandom is not read for ever.
			bundle = readRegularFileSync(path, 'CA bundle', certificateBundleLimitBytes);
		} catch (error) {
			if (isLayerlensError(error)) throw error;
		}

		// A missing bundle is not an error: the other CAs still apply.
		if (bundle === undefined) return false;
		certificates.push(bundle.toString('utf8'));
		return true;
	};

	systemBundles.some(read);
	read(env.NODE_EXTRA_CA_CERTS);

	trustedCertificates = certificates;
	return certificates;
}

function matchesNoProxy(url: URL, noProxy: string): boolean {
	const host = hostName(url.host);
	const port = url.port || (url.protocol === 'https:' ? '443' : '80');
	for (const raw of noProxy.split(/[,\s]+/)) {
		const entry = raw.trim().toLowerCase();
		if (entry === '') continue;
		if (entry === '*') return true;
		const [entryHost = '', entryPort] = entry.startsWith('[')
			? [entry.slice(1, entry.indexOf(']')), entry.split(']:')[1]]
			: (entry.split(':') as [string, string?]);
		if (entryPort !== undefined && entryPort !== port) continue;
		const bare = entryHost.replace(/^\*?\./, '');
		if (host === bare || host.endsWith(`.${bare}`)) return true;
	}

	return false;
}

/** The proxy for `url`, as Go's httpproxy does: HTTPS_PROXY for https, HTTP_PROXY for http, NO_PROXY, never loopback. */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv = process.env): URL | undefined {
	if (isLoopbackHost(url.host)) return undefined;
	// Go's getEnvAny: the first of the two spellings that is set and not empty.
	const noProxy = env.NO_PROXY || env.no_proxy || '';
	if (matchesNoProxy(url, noProxy)) return undefined;
	const value =
		url.protocol === 'https:' ? env.HTTPS_PROXY || env.https_proxy : env.HTTP_PROXY || env.http_proxy;
	if (value === undefined || value === '') return undefined;
	try {
		return new URL(value.includes('://') ? value : `http://${value}`);
	} catch {
		// The value may hold user:password: only what is left without it is shown.
		throw new LayerlensError(`the proxy '${printable(withoutUserInfo(value))}' is not a URL`, {
			hint: 'Fix HTTPS_PROXY / HTTP_PROXY',
		});
	}
}

function proxyAuthorization(proxy: URL): OutgoingHttpHeaders {
	if (proxy.username === '') return {};
	const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
	return {'proxy-authorization': `Basic ${Buffer.from(credentials).toString('base64')}`};
}

/** A CONNECT tunnel through `proxy` to `url`'s host and port. */
function openTunnel(proxy: URL, url: URL, step: string, timeoutMs: number): Promise<Socket> {
	const port = url.port || '443';
	const target = `${hostName(url.host).includes(':') ? `[${hostName(url.host)}]` : hostName(url.host)}:${port}`;
	return new Promise((resolve, reject) => {
		const connectRequest = httpRequest({
			host: proxy.hostname,
			port: proxy.port || 80,
			method: 'CONNECT',
			path: target,
			headers: {host: target, ...proxyAuthorization(proxy)},
			timeout: timeoutMs,
		});
		connectRequest.on('connect', (response, socket) => {
			if (response.statusCode !== 200) {
				socket.destroy();
				reject(
					new TransportError(
						`the proxy ${proxy.host} refused the tunnel to ${target} (HTTP ${response.statusCode})`,
						step,
						'EPROXY',
					),
				);
				return;
			}

			resolve(socket);
		});
		connectRequest.on('timeout', () =>
			connectRequest.destroy(new TransportError(`the proxy ${proxy.host} did not answer`, step, 'ETIMEDOUT')),
		);
		connectRequest.on('error', (error: NodeJS.ErrnoException) =>
			reject(
				error instanceof TransportError
					? error
					: new TransportError(`cannot reach the proxy ${proxy.host}: ${error.message}`, step, error.code),
			),
		);
		connectRequest.end();
	});
}

function isInsecureHost(url: URL, insecure: readonly string[]): boolean {
	const host = url.host.toLowerCase();
	return insecure.some((entry) => entry.toLowerCase() === host || entry.toLowerCase() === hostName(host));
}

/**
Send one request and resolve with the response once its headers are in. The body is the caller's to read;
it is destroyed with a TransportError naming the step when it sends nothing for the idle timeout.
*/
export async function sendRequest(
	request: HttpRequest,
	options: TransportOptions = {},
): Promise<IncomingMessage> {
	const env = options.env ?? process.env;
	const {url, step} = request;
	const headersTimeoutMs = options.headersTimeoutMs ?? 30_000;
	const isHttps = url.protocol === 'https:';
	const proxy = proxyFor(url, env);
	const headers: OutgoingHttpHeaders = {'user-agent': 'layerlens', ...request.headers};
	if (request.body !== undefined) headers['content-length'] = Buffer.byteLength(request.body);
	const tunnel =
		isHttps && proxy !== undefined ? await openTunnel(proxy, url, step, headersTimeoutMs) : undefined;
	const tls = {
		ca: trustedCas(env),
		// --insecure-registry: as Docker, a certificate that does not verify is accepted for that host.
		rejectUnauthorized: !isInsecureHost(url, options.insecureHosts ?? []),
		servername: /^[\d.]+$|:/.test(url.hostname) ? undefined : url.hostname,
	};
	return new Promise((resolve, reject) => {
		let settled = false;
		const fail = (error: Error): void => {
			if (settled) return;
			settled = true;
			reject(error);
		};

		const common = {method: request.method ?? 'GET', headers, agent: false as const};
		const outgoing = isHttps
			? httpsRequest(url, {
					...common,
					...tls,
					...(tunnel === undefined ? {} : {createConnection: () => tlsConnect({...tls, socket: tunnel})}),
				})
			: proxy !== undefined
				? httpRequest({
						...common,
						host: proxy.hostname,
						port: proxy.port || 80,
						path: url.href,
						headers: {...headers, host: url.host, ...proxyAuthorization(proxy)},
					})
				: httpRequest(url, common);
		const headersTimer = setTimeout(() => {
			outgoing.destroy(
				new TransportError(
					`${url.host} did not answer within ${headersTimeoutMs / 1000} s`,
					step,
					'ETIMEDOUT',
				),
			);
		}, headersTimeoutMs);
		outgoing.on('error', (error: NodeJS.ErrnoException) => {
			clearTimeout(headersTimer);
			fail(
				error instanceof TransportError
					? error
					: new TransportError(`${url.host}: ${error.message}`, step, error.code),
			);
		});
		outgoing.on('response', (response) => {
			clearTimeout(headersTimer);
			settled = true;
			resolve(response);
		});
		outgoing.end(request.body);
	});
}

/**
The body chunk by chunk, failing with a TransportError naming `step` when the sender sends nothing for
`timing.idleMs`, or has not finished within `timing.totalMs` of the first read (a trickle that never
pauses long enough for the idle clock). The idle clock runs only while we wait for the next chunk: time
the caller spends on a chunk (back-pressure from the parser) is not the sender's stall.
*/
export async function* bodyChunks(
	response: IncomingMessage,
	timing: BodyTiming,
	step: string,
): AsyncGenerator<Buffer> {
	const iterator = response[Symbol.asyncIterator]();
	const deadline = Date.now() + timing.totalMs;
	const host = (): string => (response.socket as {servername?: string} | null)?.servername ?? 'the server';
	try {
		for (;;) {
			const left = deadline - Date.now();
			const overall = left < timing.idleMs;
			let timer: NodeJS.Timeout | undefined;
			const stalled = new Promise<never>((_resolve, reject) => {
				timer = setTimeout(
					() => {
						reject(
							new TransportError(
								overall
									? `${host()} did not finish sending within ${timing.totalMs / 1000} s`
									: `${host()} sent nothing for ${timing.idleMs / 1000} s`,
								step,
								'ETIMEDOUT',
							),
						);
					},
					Math.max(0, Math.min(left, timing.idleMs)),
				);
			});
			let next: IteratorResult<Buffer>;
			try {
				next = (await Promise.race([iterator.next(), stalled])) as IteratorResult<Buffer>;
			} finally {
				clearTimeout(timer);
			}

			if (next.done) return;
			yield next.value;
		}
	} finally {
		response.destroy();
	}
}

/** The whole body, refusing more than `limit` bytes (manifests, configs, token answers, error documents). */
export async function readBody(
	response: IncomingMessage,
	limit: number,
	step: string,
	timing: BodyTiming,
): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let length = 0;
	try {
		for await (const chunk of bodyChunks(response, timing, step)) {
			length += (chunk as Buffer).length;
			if (length > limit) {
				response.destroy();
				throw new LayerlensError(`${step}: the answer is larger than ${limit} bytes`, {
					hint: 'The registry sent something that is not a manifest or config',
				});
			}

			chunks.push(chunk as Buffer);
		}
	} catch (error) {
		if (error instanceof LayerlensError || error instanceof TransportError) throw error;
		const failure = error as NodeJS.ErrnoException;
		throw new TransportError(failure.message, step, failure.code);
	}

	return Buffer.concat(chunks);
}

/** Drain and drop a body we do not need, so the socket closes cleanly. */
export function discardBody(response: IncomingMessage): void {
	response.resume();
	response.on('error', () => undefined);
}
