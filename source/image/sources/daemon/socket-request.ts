import {type IncomingMessage, request} from 'node:http';
import type {Socket} from 'node:net';

/** The daemon's own answer to a failed request, as dockerode reports it: the HTTP status and the daemon's message. */
export class DaemonHttpError extends Error {
	constructor(
		readonly statusCode: number,
		message: string,
	) {
		super(message);
	}
}

/** The unix socket of an endpoint when it is one (the usual local daemon), else undefined (dockerode then talks to it). */
export function unixSocketOf(address: string, socketPath: string | undefined): string | undefined {
	if (socketPath !== undefined) return socketPath;
	return address.startsWith('unix://') ? address.slice('unix://'.length) : undefined;
}

const reasons: Record<number, string> = {404: 'no such image', 500: 'server error'};

async function errorOf(response: IncomingMessage): Promise<DaemonHttpError> {
	const chunks: Buffer[] = [];
	let bytes = 0;
	for await (const chunk of response) {
		if (bytes < 64 * 1024) chunks.push(chunk as Buffer);
		bytes += (chunk as Buffer).length;
	}

	const text = Buffer.concat(chunks).toString('utf8');
	let message = text.trim();
	try {
		message = String((JSON.parse(text) as {message?: unknown}).message ?? message);
	} catch {
		// Not JSON: the text as it is.
	}

	// Worded as dockerode words it, so a failure reads the same whichever client asked.
	const reason = reasons[response.statusCode ?? 0] ?? 'unexpected';
	return new DaemonHttpError(
		response.statusCode ?? 0,
		`(HTTP code ${response.statusCode}) ${reason} - ${message} `,
	);
}

/**
A GET on the daemon's unix socket with node:http: the answer's body as a stream (`stream`) or parsed JSON.
What `inspect` and the export need, without loading dockerode (a quarter of a second or more before the
export could even be asked for, while the daemon would already be building it).
*/
export function socketGet(
	socketPath: string,
	path: string,
	signal: AbortSignal,
	stream: true,
	onSocket?: (socket: Socket) => void,
): Promise<IncomingMessage>;
export function socketGet(
	socketPath: string,
	path: string,
	signal: AbortSignal,
	stream: false,
	onSocket?: (socket: Socket) => void,
): Promise<unknown>;
export function socketGet(
	socketPath: string,
	path: string,
	signal: AbortSignal,
	stream: boolean,
	onSocket?: (socket: Socket) => void,
): Promise<IncomingMessage | unknown> {
	return new Promise((resolve, reject) => {
		const outgoing = request({socketPath, path, method: 'GET', signal}, (response) => {
			if (response.statusCode !== 200) {
				errorOf(response).then(reject, reject);
				return;
			}

			if (stream) {
				resolve(response);
				return;
			}

			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('error', reject);
			response.on('end', () => {
				try {
					resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
				} catch (error) {
					reject(error);
				}
			});
		});
		outgoing.on('error', reject);
		if (onSocket) outgoing.on('socket', onSocket);
		outgoing.end();
	});
}
