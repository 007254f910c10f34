/** The registry client's failures, each as the one line (and hint) the user reads. */
import type {IncomingMessage} from 'node:http';
import {LayerlensError} from '../../../shared/errors.js';
import {errorCodes, retryAfterMs} from './client-support.js';
import type {Credentials} from './credentials.js';
import {printable} from './printable.js';
import {formatRegistryReference, type RegistryReference} from './reference.js';

function loginHint(registry: string): string {
	return `Log in with \`docker login ${registry}\` or \`podman login ${registry}\`, or pass --registry-username with the password on stdin (--registry-password-stdin) or in LAYERLENS_REGISTRY_PASSWORD`;
}

export function unauthorizedError(
	reference: RegistryReference,
	detail: string | undefined,
	credentials: Credentials | undefined,
): LayerlensError {
	const used =
		credentials === undefined ? 'without credentials' : `with the credentials from ${credentials.from}`;
	return new LayerlensError(
		`${reference.registry} refused access to ${reference.repository} ${used}${detail ? ` (${detail})` : ''}`,
		{hint: loginHint(reference.registry)},
	);
}

/** A failure below HTTP (DNS, TLS, a cut connection) while `step`; a LayerlensError passes unchanged. */
export function transportFailure(reference: RegistryReference, error: unknown, step: string): LayerlensError {
	if (error instanceof LayerlensError) return error;
	const message = printable(error instanceof Error ? error.message : String(error));
	return new LayerlensError(`${step}: ${message}`, {
		hint: `Check that ${reference.registry} is reachable (proxy: HTTPS_PROXY / NO_PROXY; certificates: NODE_EXTRA_CA_CERTS)`,
		cause: error,
	});
}

export function rateLimitedError(
	reference: RegistryReference,
	response: IncomingMessage,
	step: string,
): LayerlensError {
	const wait = retryAfterMs(String(response.headers['retry-after'] ?? ''));
	const reset = Number(response.headers['ratelimit-reset'] ?? Number.NaN);
	const at =
		wait !== undefined
			? new Date(Date.now() + wait)
			: Number.isFinite(reset) && reset > 0
				? new Date(reset > 1e9 ? reset * 1000 : Date.now() + reset * 1000)
				: undefined;
	return new LayerlensError(
		`${reference.registry} is rate limiting requests (HTTP 429 while ${step})${at ? `; it allows more after ${at.toISOString()}` : ''}`,
		{hint: 'Wait and run again, or log in: authenticated pulls usually get a higher limit'},
	);
}

/** A 404 for `what` (a tag or manifest), told apart from an unknown repository by the error document `body`. */
export function notFoundError(reference: RegistryReference, what: string, body: Buffer): LayerlensError {
	const {codes} = errorCodes(body);
	const name = `${reference.registry}/${reference.repository}`;
	if (codes.includes('NAME_UNKNOWN')) {
		return new LayerlensError(`${reference.registry} has no repository ${reference.repository}`, {
			hint: `Check the name (${formatRegistryReference(reference)}); a private repository may also answer this way before you log in`,
		});
	}

	return new LayerlensError(`${name} has no ${what}`, {
		hint: `Check the tag or digest (\`skopeo list-tags docker://${name}\` lists the tags)`,
	});
}

export function unexpectedStatusError(
	reference: RegistryReference,
	status: number | undefined,
	body: Buffer,
	step: string,
): LayerlensError {
	const {message} = errorCodes(body);
	return new LayerlensError(
		`${step}: ${reference.registry} answered HTTP ${status}${message ? ` (${printable(message)})` : ''}`,
		{hint: 'Check the registry and try again'},
	);
}

export function digestMismatchError(
	what: string,
	name: string,
	actual: string,
	named: string,
): LayerlensError {
	return new LayerlensError(
		`digest mismatch in ${what} of ${name}: the registry sent ${actual}, the manifest names ${named}`,
		{
			hint: 'The registry or something between sent altered bytes; try again, and report it if it persists',
		},
	);
}
