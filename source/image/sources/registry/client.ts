import type {IncomingMessage, OutgoingHttpHeaders} from 'node:http';
import {LayerlensError} from '../../../shared/errors.js';
import {maxJsonDocumentBytes} from '../../formats/json-document.js';
import {checkedDigest} from '../../formats/manifest-selection.js';
import {downloadBlob} from './blob-download.js';
import {parseChallenges} from './challenge.js';
import {
	digestMismatchError,
	notFoundError,
	rateLimitedError,
	transportFailure,
	unauthorizedError,
	unexpectedStatusError,
} from './client-errors.js';
import {
	defaultMinBytesPerSecond,
	defaultMinDeadlineMs,
	errorCodes,
	maxSmallBodyBytes,
	positiveSetting,
	type RegistryClientOptions,
	redirectCodes,
	retryAfterMs,
	retryableCodes,
	retryableTransport,
	type Sent,
	sha256Digest,
	sleep,
} from './client-support.js';
import {type Credentials, findCredentials} from './credentials.js';
import {printable} from './printable.js';
import {isLoopbackHost, type RegistryReference} from './reference.js';
import {requestToken, type TokenClient} from './token.js';
import {type BodyTiming, discardBody, readBody, sendRequest, TransportError} from './transport.js';

/** Every manifest kind layerlens reads, most specific first, as Docker's own client asks for them. */
export const manifestAccept = [
	'application/vnd.oci.image.index.v1+json',
	'application/vnd.docker.distribution.manifest.list.v2+json',
	'application/vnd.oci.image.manifest.v1+json',
	'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export {type RegistryClientOptions, retryAfterMs, sha256Digest} from './client-support.js';
export {checkedRealm, realmMayReceiveCredentials} from './token.js';

export type FetchedManifest = {bytes: Buffer; digest: string; mediaType: string | undefined};

/**
A client for one repository on one registry (the OCI distribution API): authentication as Docker does it
(anonymous, Basic, Bearer tokens per scope), redirects that never carry the Authorization header to another
host, retries with back-off on 429/5xx and dropped connections, and every failure as one LayerlensError line.
*/
export class RegistryClient {
	readonly name: string;
	private base: Promise<URL> | undefined;
	private authorization: string | undefined;
	private readonly tokens = new Map<string, string>();
	private credentials: Promise<Credentials | undefined> | undefined;
	/** Token requests sent, per scope key: a test checks that a token is reused. */
	readonly tokenRequests = new Map<string, number>();

	private readonly minBytesPerSecond: number;
	private readonly minDeadlineMs: number;

	constructor(
		readonly reference: RegistryReference,
		private readonly options: RegistryClientOptions = {},
	) {
		this.name = `${reference.registry}/${reference.repository}`;
		const env = options.env ?? process.env;
		this.minBytesPerSecond =
			options.minBytesPerSecond ??
			positiveSetting(env, 'LAYERLENS_REGISTRY_MIN_RATE') ??
			defaultMinBytesPerSecond;
		const deadlineSeconds = positiveSetting(env, 'LAYERLENS_REGISTRY_MIN_DEADLINE');
		this.minDeadlineMs =
			options.minDeadlineMs ??
			(deadlineSeconds === undefined ? defaultMinDeadlineMs : deadlineSeconds * 1000);
	}

	/** The time a body of (at most) `bytes` is given: a pause of the idle timeout, all of it at the minimum rate. */
	private timing(bytes: number): BodyTiming {
		const idleMs = this.options.idleTimeoutMs ?? 60_000;
		const totalMs = Math.max(this.minDeadlineMs, Math.ceil((bytes / this.minBytesPerSecond) * 1000));
		return {idleMs: Math.min(idleMs, totalMs), totalMs};
	}

	private get env(): NodeJS.ProcessEnv {
		return this.options.env ?? process.env;
	}

	private allowsPlainHttp(): boolean {
		const registry = this.reference.registry.toLowerCase();
		return (
			isLoopbackHost(registry) ||
			(this.options.insecureHosts ?? []).some(
				(host) => host.toLowerCase() === registry || host.toLowerCase() === registry.replace(/:\d+$/, ''),
			)
		);
	}

	/**
	HTTPS, except for a loopback or `--insecure-registry` host that does not speak TLS: as Docker, HTTPS is
	tried first and plain HTTP used when the TLS handshake fails.
	*/
	private resolveBase(): Promise<URL> {
		this.base ??= (async () => {
			const secure = new URL(`https://${this.reference.registry}/`);
			if (!this.allowsPlainHttp()) return secure;
			try {
				const {response} = await this.sendOnce(
					new URL('/v2/', secure),
					'GET',
					{},
					`checking whether ${this.reference.registry} speaks HTTPS`,
				);
				discardBody(response);
				return secure;
			} catch (error) {
				if (error instanceof TransportError && error.code !== 'ETIMEDOUT') {
					return new URL(`http://${this.reference.registry}/`);
				}

				throw error;
			}
		})();
		return this.base;
	}

	private sendOnce(
		url: URL,
		method: 'GET' | 'HEAD',
		headers: OutgoingHttpHeaders,
		step: string,
	): Promise<Sent> {
		return sendRequest({url, method, headers, step}, this.options).then((response) => ({response, url}));
	}

	/** Follow redirects (at most 5); the Authorization header goes only to the registry's own origin. */
	private async sendFollowing(
		url: URL,
		method: 'GET' | 'HEAD',
		headers: OutgoingHttpHeaders,
		step: string,
	): Promise<Sent> {
		const origin = url.origin;
		let current = url;
		for (let hop = 0; hop <= 5; hop++) {
			const sameOrigin = current.origin === origin;
			const sent: OutgoingHttpHeaders = {...headers};
			if (sameOrigin && this.authorization !== undefined) sent.authorization = this.authorization;
			const {response} = await this.sendOnce(current, method, sent, step);
			const location = response.headers.location;
			if (!redirectCodes.has(response.statusCode ?? 0) || location === undefined) {
				return {response, url: current};
			}

			discardBody(response);
			const next = new URL(location, current);
			if (next.protocol !== 'https:' && next.protocol !== 'http:') {
				throw new LayerlensError(`${step}: the registry redirected to ${printable(next.protocol, 20)} URL`, {
					hint: 'Only http and https redirects are followed',
				});
			}

			if (next.protocol === 'http:' && current.protocol === 'https:' && !isLoopbackHost(next.host)) {
				throw new LayerlensError(
					`${step}: the registry redirected from HTTPS to plain HTTP (${printable(next.host, 80)})`,
					{
						hint: 'Refused: the download would not be protected',
					},
				);
			}

			current = next;
		}

		throw new LayerlensError(`${step}: more than 5 redirects`, {hint: 'Check the registry'});
	}

	private loadCredentials(): Promise<Credentials | undefined> {
		this.credentials ??= findCredentials(this.reference.registry, {
			env: this.env,
			...(this.options.flagCredentials ? {flags: this.options.flagCredentials} : {}),
		});
		return this.credentials;
	}

	/** Answer a 401: fetch a Bearer token for the pull scope, or use Basic credentials. False: nothing more to try. */
	private async authenticate(response: IncomingMessage): Promise<boolean> {
		const header = response.headers['www-authenticate'];
		const challenges = parseChallenges(Array.isArray(header) ? header.join(', ') : (header ?? ''));
		const credentials = await this.loadCredentials();
		const bearer = challenges.find((challenge) => challenge.scheme === 'bearer');
		if (bearer !== undefined) {
			const realm = bearer.params.realm;
			if (realm === undefined) return false;
			const scope = `repository:${this.reference.repository}:pull`;
			const key = `${realm}\n${bearer.params.service ?? ''}\n${scope}`;
			const cached = this.tokens.get(key);
			const header = cached === undefined ? undefined : `Bearer ${cached}`;
			if (header !== undefined && header !== this.authorization) {
				this.authorization = header;
				return true;
			}

			// The token we sent was refused: it expired during a long pull (Docker Hub's last 5 minutes), or the
			// scope is not granted. A fresh one is asked for, a bounded number of times per scope.
			if (header !== undefined && (this.tokenRequests.get(key) ?? 0) >= 3) return false;
			const token = await requestToken(this.tokenClient(), {
				realm,
				service: bearer.params.service,
				scope,
				credentials,
			});
			this.tokens.set(key, token);
			this.authorization = `Bearer ${token}`;
			return true;
		}

		if (challenges.some((challenge) => challenge.scheme === 'basic')) {
			if (credentials === undefined || credentials.username === '') return false;
			const header = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
			if (header === this.authorization) return false;
			this.authorization = header;
			return true;
		}

		return false;
	}

	private unauthorized(detail: string | undefined, credentials: Credentials | undefined): LayerlensError {
		return unauthorizedError(this.reference, detail, credentials);
	}

	private describeTransport(error: unknown, step: string): LayerlensError {
		return transportFailure(this.reference, error, step);
	}

	/** The small error document a failed request carries, or nothing when it cannot be read. */
	private errorBody(response: IncomingMessage, step: string): Promise<Buffer> {
		if (response.method === 'HEAD') return Promise.resolve(Buffer.alloc(0));
		return readBody(response, maxSmallBodyBytes, step, this.timing(maxSmallBodyBytes)).catch(() =>
			Buffer.alloc(0),
		);
	}

	/** Run `send` again on 429/5xx and dropped connections, with back-off; Retry-After is honoured. */
	private async withRetries(step: string, send: () => Promise<IncomingMessage>): Promise<IncomingMessage> {
		const attempts = this.options.attempts ?? 5;
		const backoffMs = this.options.backoffMs ?? 500;
		const maxRetryAfter = this.options.maxRetryAfterMs ?? 60_000;
		for (let attempt = 1; ; attempt++) {
			let response: IncomingMessage;
			try {
				response = await send();
			} catch (error) {
				const code = error instanceof TransportError ? error.code : undefined;
				if (attempt < attempts && code !== undefined && retryableTransport.has(code)) {
					await sleep(backoffMs * 2 ** (attempt - 1));
					continue;
				}

				throw this.describeTransport(error, step);
			}

			const status = response.statusCode ?? 0;
			if (!retryableCodes.has(status)) return response;
			const wait = retryAfterMs(String(response.headers['retry-after'] ?? ''));
			if (attempt >= attempts || (wait !== undefined && wait > maxRetryAfter)) {
				if (status === 429) {
					discardBody(response);
					throw rateLimitedError(this.reference, response, step);
				}

				return response;
			}

			discardBody(response);
			await sleep(wait ?? backoffMs * 2 ** (attempt - 1));
		}
	}

	/**
	A request to the registry's API (`path` under its base URL), authenticated as the registry asks, with
	retries; any status the caller has to judge (200, 206, 404, …) comes back with its body unread.
	*/
	async request(
		path: string,
		options: {method?: 'GET' | 'HEAD'; headers?: OutgoingHttpHeaders; step: string},
	): Promise<Sent> {
		const base = await this.resolveBase().catch((error: unknown) => {
			throw this.describeTransport(error, options.step);
		});
		const url = new URL(path, base);
		const method = options.method ?? 'GET';
		let final = url;
		for (let round = 0; round < 3; round++) {
			const response = await this.withRetries(options.step, async () => {
				const sent = await this.sendFollowing(url, method, options.headers ?? {}, options.step);
				final = sent.url;
				return sent.response;
			});
			if (response.statusCode !== 401) return {response, url: final};
			const detail =
				method === 'HEAD'
					? undefined
					: errorCodes(
							// The message only adds detail: a body that cannot be read is left out.
							await readBody(response, maxSmallBodyBytes, options.step, this.timing(maxSmallBodyBytes)).catch(
								() => Buffer.alloc(0),
							),
						).message;
			if (method === 'HEAD') discardBody(response);
			if (!(await this.authenticate(response))) {
				throw this.unauthorized(
					detail === undefined ? undefined : printable(detail),
					await this.loadCredentials(),
				);
			}
		}

		throw this.unauthorized(undefined, await this.loadCredentials());
	}

	private async notFound(response: IncomingMessage, what: string, step: string): Promise<LayerlensError> {
		return notFoundError(this.reference, what, await this.errorBody(response, step));
	}

	private async unexpected(response: IncomingMessage, step: string): Promise<LayerlensError> {
		return unexpectedStatusError(
			this.reference,
			response.statusCode,
			await this.errorBody(response, step),
			step,
		);
	}

	/** The digest a tag (or digest) points at now, from a HEAD; falls back to a GET when the header is missing. */
	async resolveDigest(reference: string): Promise<string> {
		const step = `resolving ${this.name}:${reference}`;
		const {response} = await this.request(`/v2/${this.reference.repository}/manifests/${reference}`, {
			method: 'HEAD',
			headers: {accept: manifestAccept},
			step,
		});
		discardBody(response);
		const header = response.headers['docker-content-digest'];
		if (response.statusCode === 200 && typeof header === 'string' && /^sha256:[a-f0-9]{64}$/.test(header)) {
			return header;
		}

		if (response.statusCode === 404) {
			// A HEAD has no body to tell an unknown repository from an unknown tag: ask again with GET.
			return (await this.getManifest(reference)).digest;
		}

		return (await this.getManifest(reference)).digest;
	}

	/** A manifest or index by tag or digest; by digest, its bytes are checked against it. */
	async getManifest(reference: string): Promise<FetchedManifest> {
		// A tag was checked with the reference; anything with a colon becomes part of the URL only as a digest.
		if (reference.includes(':')) checkedDigest(reference, 'a manifest', this.name);
		const named = `${this.name}${reference.includes(':') ? '@' : ':'}${reference}`;
		const step = `fetching the manifest ${named}`;
		const {response} = await this.request(`/v2/${this.reference.repository}/manifests/${reference}`, {
			headers: {accept: manifestAccept},
			step,
		});
		if (response.statusCode === 404) {
			throw await this.notFound(
				response,
				reference.includes(':') ? `manifest ${reference}` : `tag ${reference}`,
				step,
			);
		}

		if (response.statusCode !== 200) throw await this.unexpected(response, step);
		const bytes = await readBody(
			response,
			maxJsonDocumentBytes,
			step,
			this.timing(maxJsonDocumentBytes),
		).catch((error: unknown) => {
			throw this.describeTransport(error, step);
		});
		const digest = sha256Digest(bytes);
		if (reference.startsWith('sha256:') && digest !== reference) {
			throw new LayerlensError(
				`digest mismatch: the manifest ${this.name}@${reference} the registry sent hashes to ${digest}`,
				{
					hint: 'The registry or something between sent altered bytes; try again, and report it if it persists',
				},
			);
		}

		const contentType = response.headers['content-type']?.split(';')[0]?.trim();
		if (contentType?.startsWith('application/vnd.docker.distribution.manifest.v1')) {
			throw new LayerlensError(
				`${this.name}${reference.includes(':') ? '@' : ':'}${reference} is a schema 1 manifest, which layerlens does not read`,
				{
					hint: 'Push the image again with a current Docker, Podman or skopeo',
				},
			);
		}

		return {bytes, digest, mediaType: contentType};
	}

	/** A blob's bytes as they arrive, bounded and checked against its digest (see downloadBlob). */
	blob(
		digest: string,
		what: string,
		bound: {size: number} | {atMost: number},
		/** `false`: the caller hashes the bytes (on another thread) and checks them with `checkBlobDigest`. */
		verify = true,
	): AsyncGenerator<Buffer> {
		return downloadBlob(
			{
				name: this.name,
				repository: this.reference.repository,
				options: this.options,
				request: (path, init) => this.request(path, init),
				timing: (bytes) => this.timing(bytes),
				unexpected: (response, step) => this.unexpected(response, step),
				describeTransport: (error, step) => this.describeTransport(error, step),
				checkBlobDigest: (blobDigest, blobWhat, hex) => this.checkBlobDigest(blobDigest, blobWhat, hex),
			},
			digest,
			what,
			bound,
			verify,
		);
	}

	/** The client as the token request sees it. */
	private tokenClient(): TokenClient {
		return {
			registry: this.reference.registry,
			options: this.options,
			tokenRequests: this.tokenRequests,
			withRetries: (step, send) => this.withRetries(step, send),
			timing: (bytes) => this.timing(bytes),
			describeTransport: (error, step) => this.describeTransport(error, step),
			unauthorized: (detail, credentials) => this.unauthorized(detail, credentials),
		};
	}

	/** One line when the bytes received (`actualHex`, hashed with the digest's algorithm) are not the blob named. */
	checkBlobDigest(digest: string, what: string, actualHex: string): void {
		const actual = `${digest.split(':')[0]}:${actualHex}`;
		if (actual !== digest) throw digestMismatchError(what, this.name, actual, digest);
	}

	/** A small blob (the config) whole, checked against its digest: its descriptor's size when known, never over `limit`. */
	async blobBytes(digest: string, what: string, limit: number, size?: number): Promise<Buffer> {
		if (size !== undefined && size > limit) {
			throw new LayerlensError(
				`${what} of ${this.name} is ${size} bytes, more than the ${limit} it may have`,
				{
					hint: 'Check the image',
				},
			);
		}

		const chunks: Buffer[] = [];
		for await (const chunk of this.blob(digest, what, size === undefined ? {atMost: limit} : {size})) {
			chunks.push(chunk);
		}

		return Buffer.concat(chunks);
	}
}
