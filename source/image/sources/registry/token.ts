/** The token side of registry authentication: which realms may be asked, and with what; the token request itself. */
import type {IncomingMessage, OutgoingHttpHeaders} from 'node:http';
import {LayerlensError} from '../../../shared/errors.js';
import type {RegistryClientOptions} from './client-support.js';
import type {Credentials} from './credentials.js';
import {printable} from './printable.js';
import {hostName, isLoopbackHost} from './reference.js';
import {type BodyTiming, readBody, sendRequest} from './transport.js';

/** Docker Hub's registry sends clients for tokens to its own auth host, a name it does not share. */
const knownTokenHosts = new Map([['registry-1.docker.io', 'auth.docker.io']]);

/**
Whether the registry's credentials may go to the token realm it names. Docker's distribution client
(`th.creds.Basic(realm)` with a store that ignores the realm) and containerd's authorizer both send the
registry's credentials to whatever realm the registry names, so a registry (or anyone who can answer for
it) collects them for another host. Stricter here: only a realm on the registry's own host name (any
port), or Docker Hub's known auth host, gets them; any other realm is asked anonymously.
*/
export function realmMayReceiveCredentials(registry: string, realm: URL): boolean {
	const registryHost = hostName(registry);
	const realmHost = hostName(realm.host);
	return realmHost === registryHost || knownTokenHosts.get(registryHost) === realmHost;
}

/**
The token realm a registry names, as a URL that may be asked: http or https, and plain HTTP only on a
loopback host. Even an `--insecure-registry` or loopback registry cannot send us to a plain-HTTP realm
elsewhere: the token (and any credentials) would cross the network unencrypted.
*/
export function checkedRealm(registry: string, realm: string): URL {
	let url: URL;
	try {
		url = new URL(realm);
	} catch {
		throw new LayerlensError(`${registry} names a token realm that is not a URL: ${printable(realm, 80)}`, {
			hint: 'Check the registry',
		});
	}

	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new LayerlensError(
			`${registry} names a token realm that is not http(s): ${printable(url.protocol, 20)}`,
			{
				hint: 'Check the registry',
			},
		);
	}

	if (url.protocol === 'http:' && !isLoopbackHost(url.host)) {
		throw new LayerlensError(
			`${registry} sends for tokens to plain-HTTP ${printable(url.host, 80)}, which is not loopback`,
			{
				hint: 'Refused: the token and any credentials would travel unencrypted; the token server must use HTTPS',
			},
		);
	}

	return url;
}

/** What a token request needs of the client: its retries, its deadlines and how it words failures. */
export type TokenClient = {
	registry: string;
	options: RegistryClientOptions;
	tokenRequests: Map<string, number>;
	withRetries: (step: string, send: () => Promise<IncomingMessage>) => Promise<IncomingMessage>;
	timing: (bytes: number) => BodyTiming;
	describeTransport: (error: unknown, step: string) => LayerlensError;
	unauthorized: (detail: string | undefined, credentials: Credentials | undefined) => LayerlensError;
};

export type TokenRequest = {
	realm: string;
	service: string | undefined;
	scope: string;
	credentials: Credentials | undefined;
};

/** The token endpoint: GET with Basic credentials (or none), or an OAuth POST for an identity token. */
export async function requestToken(client: TokenClient, request: TokenRequest): Promise<string> {
	const {realm, service, scope, credentials} = request;
	const url = checkedRealm(client.registry, realm);
	// Only the registry's own host gets its credentials (see realmMayReceiveCredentials); others are asked anonymously.
	const sent =
		credentials !== undefined && realmMayReceiveCredentials(client.registry, url) ? credentials : undefined;
	const step = `requesting a token from ${printable(url.host, 80)} for ${scope}`;
	const key = `${realm}\n${service ?? ''}\n${scope}`;
	client.tokenRequests.set(key, (client.tokenRequests.get(key) ?? 0) + 1);
	const response = await sendTokenRequest(client, url, {service, scope, sent, step});
	const body = await readBody(response, 1024 * 1024, step, client.timing(1024 * 1024)).catch(
		(error: unknown) => {
			throw client.describeTransport(error, step);
		},
	);
	if (response.statusCode === 401 || response.statusCode === 403) {
		const withheld =
			credentials !== undefined && sent === undefined
				? '; the credentials for this registry were not sent to it, as it is on another host'
				: '';
		throw client.unauthorized(
			`the token server ${printable(url.host, 80)} said HTTP ${response.statusCode}${withheld}`,
			sent,
		);
	}

	if (response.statusCode !== 200) {
		throw new LayerlensError(`${step}: HTTP ${response.statusCode}`, {
			hint: 'Check the registry and try again',
		});
	}

	return tokenOfAnswer(body, step);
}

/** An OAuth POST when there is an identity token, else a GET with Basic credentials (or none). */
function sendTokenRequest(
	client: TokenClient,
	url: URL,
	{
		service,
		scope,
		sent,
		step,
	}: {service: string | undefined; scope: string; sent: Credentials | undefined; step: string},
): Promise<IncomingMessage> {
	if (sent?.identityToken !== undefined) {
		const body = new URLSearchParams({
			grant_type: 'refresh_token',
			refresh_token: sent.identityToken,
			client_id: 'layerlens',
			scope,
			...(service === undefined ? {} : {service}),
		}).toString();
		const headers = {'content-type': 'application/x-www-form-urlencoded'};
		return client.withRetries(step, () =>
			sendRequest({url, method: 'POST', body, headers, step}, client.options),
		);
	}

	if (service !== undefined) url.searchParams.set('service', service);
	url.searchParams.set('scope', scope);
	const headers: OutgoingHttpHeaders = {};
	if (sent !== undefined && sent.username !== '') {
		headers.authorization = `Basic ${Buffer.from(`${sent.username}:${sent.password}`).toString('base64')}`;
	}

	return client.withRetries(step, () => sendRequest({url, headers, step}, client.options));
}

/** The token in the server's answer (`token`, or OAuth's `access_token`); one line when there is none. */
function tokenOfAnswer(body: Buffer, step: string): string {
	try {
		const answer = JSON.parse(body.toString('utf8')) as {token?: unknown; access_token?: unknown};
		const token = typeof answer.token === 'string' ? answer.token : answer.access_token;
		if (typeof token === 'string' && token !== '') return token;
	} catch {
		// Falls through to the error below.
	}

	throw new LayerlensError(`${step}: the answer holds no token`, {hint: 'Check the registry'});
}
