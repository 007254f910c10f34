/** Blob downloads: bounded, resumed with HTTP Range after a cut, checked against their digest. */
import {createHash} from 'node:crypto';
import type {IncomingMessage, OutgoingHttpHeaders} from 'node:http';
import {LayerlensError} from '../../../shared/errors.js';
import {checkedDigest} from '../../formats/manifest-selection.js';
import {type RegistryClientOptions, type Sent, sleep} from './client-support.js';
import {type BodyTiming, bodyChunks, discardBody, TransportError} from './transport.js';

/** What a download needs of the client: its authenticated requests, deadlines and failure wording. */
export type BlobClient = {
	name: string;
	repository: string;
	options: RegistryClientOptions;
	request: (path: string, init: {headers: OutgoingHttpHeaders; step: string}) => Promise<Sent>;
	timing: (bytes: number) => BodyTiming;
	unexpected: (response: IncomingMessage, step: string) => Promise<LayerlensError>;
	describeTransport: (error: unknown, step: string) => LayerlensError;
	checkBlobDigest: (digest: string, what: string, actualHex: string) => void;
};

/**
A blob's bytes as they arrive, checked against its digest at the end: exactly `bound.size` bytes when the
descriptor names it, else at most `bound.atMost`. Nothing past that is read, and each request must finish
within the deadline its remaining bytes get at the minimum rate. A connection cut part-way is resumed
with an HTTP Range request from the byte it stopped at (a server that ignores Range is skipped forward),
so a multi-gigabyte layer survives a flaky link without being kept anywhere.
*/
export async function* downloadBlob(
	client: BlobClient,
	digest: string,
	what: string,
	bound: {size: number} | {atMost: number},
	/** `false`: the caller hashes the bytes (on another thread) and checks them with `checkBlobDigest`. */
	verify = true,
): AsyncGenerator<Buffer> {
	checkedDigest(digest, what, client.name);
	const step = `downloading ${what} (${digest.slice(0, 19)}…) of ${client.name}`;
	const expectedSize = 'size' in bound ? bound.size : undefined;
	const limit = 'size' in bound ? bound.size : bound.atMost;
	const hash = createHash(digest.startsWith('sha512:') ? 'sha512' : 'sha256');
	let received = 0;
	let resumes = 0;
	const maxResumes = client.options.resumes ?? 5;
	for (;;) {
		const {response} = await client.request(`/v2/${client.repository}/blobs/${digest}`, {
			headers: received > 0 ? {range: `bytes=${received}-`} : {},
			step,
		});
		let skip = await bytesToSkip(client, response, received, {digest, what, step});
		let cut: unknown;
		try {
			for await (const data of bodyChunks(response, client.timing(limit - received + skip), step)) {
				let chunk = data;
				if (skip > 0) {
					const dropped = Math.min(skip, chunk.length);
					skip -= dropped;
					chunk = chunk.subarray(dropped);
					if (chunk.length === 0) continue;
				}

				received += chunk.length;
				if (received > limit) throw oversized(step, limit, expectedSize);

				if (verify) hash.update(chunk);
				yield chunk;
			}
		} catch (error) {
			if (error instanceof LayerlensError) throw error;
			cut = error;
		}

		const short = expectedSize !== undefined && received < expectedSize;
		if (cut === undefined && !short) break;
		// A body that outlived its deadline is too slow, not cut: asking again would only wait as long again.
		const slow = cut instanceof TransportError && cut.code === 'ETIMEDOUT';
		if (slow || resumes >= maxResumes) {
			throw client.describeTransport(
				cut ?? new Error(`the connection ended after ${received} of ${expectedSize} bytes`),
				step,
			);
		}

		resumes++;
		await sleep((client.options.backoffMs ?? 500) * resumes);
	}

	if (verify) client.checkBlobDigest(digest, what, hash.digest('hex'));
}

/**
How many bytes of a (re)started answer to drop: none for a first answer or a 206 from the byte asked for, what
was already received for a 200 that ignored the Range. Anything else fails with the registry's own words.
*/
async function bytesToSkip(
	client: BlobClient,
	response: IncomingMessage,
	received: number,
	blob: {digest: string; what: string; step: string},
): Promise<number> {
	if (response.statusCode === 404) {
		discardBody(response);
		throw new LayerlensError(`${client.name} has no blob ${blob.digest} (${blob.what})`, {
			hint: 'The image in the registry is incomplete; push it again',
		});
	}

	if (response.statusCode === 200) return received;
	if (response.statusCode !== 206 || received === 0) throw await client.unexpected(response, blob.step);
	return 0;
}

function oversized(step: string, limit: number, expectedSize: number | undefined): LayerlensError {
	return new LayerlensError(
		expectedSize === undefined
			? `${step}: the registry sent more than ${limit} bytes`
			: `${step}: the registry sent more than the ${expectedSize} bytes the manifest names`,
		{hint: 'The registry or something between sent altered bytes; try again'},
	);
}
