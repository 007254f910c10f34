/** What the registry client shares with its token and blob modules: options, limits, small helpers. */
import {createHash} from 'node:crypto';
import type {IncomingMessage} from 'node:http';
import {LayerlensError} from '../../../shared/errors.js';
import {printable} from './printable.js';
import type {TransportOptions} from './transport.js';

export type RegistryClientOptions = TransportOptions & {
	/** From `--registry-username` and the password from stdin or LAYERLENS_REGISTRY_PASSWORD. */
	flagCredentials?: {username: string; password: string};
	/** Tries per request on 429, 5xx and dropped connections (default 5). */
	attempts?: number;
	/** First back-off delay, doubled each try (default 500 ms). */
	backoffMs?: number;
	/** A Retry-After longer than this is not waited for: the run fails saying when to try again (default 60 s). */
	maxRetryAfterMs?: number;
	/** Resumes (HTTP Range) after a blob download is cut (default 5). */
	resumes?: number;
	/**
	The slowest a body may arrive, in bytes per second: each request must finish within
	max(minDeadlineMs, its size / this rate). Default 256 KiB/s, or LAYERLENS_REGISTRY_MIN_RATE.
	*/
	minBytesPerSecond?: number;
	/** The least time any body is given (default 60 s, or LAYERLENS_REGISTRY_MIN_DEADLINE in seconds). */
	minDeadlineMs?: number;
};

/** Error documents, token answers: small, and never shown whole. */
export const maxSmallBodyBytes = 64 * 1024;
export const defaultMinBytesPerSecond = 256 * 1024;
export const defaultMinDeadlineMs = 60_000;

/** A positive number from the environment, or one error line naming the variable. */
export function positiveSetting(env: NodeJS.ProcessEnv, name: string): number | undefined {
	const text = env[name];
	if (text === undefined || text === '') return undefined;
	const value = Number(text);
	if (!Number.isFinite(value) || value <= 0) {
		throw new LayerlensError(`${name}='${printable(text, 40)}' is not a positive number`, {
			hint: `Unset ${name} or give a number greater than 0`,
		});
	}

	return value;
}

export type Sent = {response: IncomingMessage; url: URL};

export const redirectCodes = new Set([301, 302, 303, 307, 308]);
export const retryableCodes = new Set([429, 500, 502, 503, 504]);
export const retryableTransport = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ETIMEDOUT',
	'EPIPE',
	'EAI_AGAIN',
	'ECONNABORTED',
	'ENETUNREACH',
	'EHOSTUNREACH',
	'UND_ERR_SOCKET',
]);

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const sha256Digest = (bytes: Buffer): string =>
	`sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** `Retry-After` as milliseconds from now (delta-seconds or an HTTP date), undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
	if (header === undefined || header.trim() === '') return undefined;
	if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
	const date = Date.parse(header);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function errorCodes(body: Buffer): {codes: string[]; message: string | undefined} {
	try {
		const parsed = JSON.parse(body.toString('utf8')) as {errors?: Array<{code?: string; message?: string}>};
		const errors = Array.isArray(parsed.errors) ? parsed.errors : [];
		return {
			codes: errors.map((error) => String(error.code ?? '')),
			message: errors.map((error) => error.message).find((message) => typeof message === 'string'),
		};
	} catch {
		return {codes: [], message: undefined};
	}
}
