import {rm} from 'node:fs/promises';
import {createConnection, createServer, type Server} from 'node:net';

/** A request line seen on its way to the daemon: `GET /images/x/get`. */
export type ProxiedRequest = {method: string; path: string};

/**
A unix socket in front of the docker daemon's that passes every byte through and notes each request line,
so a test can count what layerlens asked the daemon for (DOCKER_HOST=unix://<path>).
*/
export async function startDockerProxy(
	path: string,
	target = '/var/run/docker.sock',
): Promise<{requests: ProxiedRequest[]; close(): Promise<void>}> {
	await rm(path, {force: true});
	const requests: ProxiedRequest[] = [];
	const server: Server = createServer((client) => {
		const daemon = createConnection(target);
		// Requests follow each other on a kept-alive connection: each head is read, its body (Content-Length) skipped.
		let head = '';
		let bodyLeft = 0;
		client.on('data', (chunk: Buffer) => {
			daemon.write(chunk);
			let rest = chunk;
			while (rest.length > 0) {
				if (bodyLeft > 0) {
					const skipped = Math.min(bodyLeft, rest.length);
					bodyLeft -= skipped;
					rest = rest.subarray(skipped);
					continue;
				}

				head += rest.toString('latin1');
				const end = head.indexOf('\r\n\r\n');
				if (end === -1) return;
				const lines = head.slice(0, end).split('\r\n');
				const [method = '', path = ''] = lines[0]!.split(' ');
				requests.push({method, path});
				const length = lines.find((line) => /^content-length:/i.test(line));
				bodyLeft = length === undefined ? 0 : Number(length.slice(length.indexOf(':') + 1).trim());
				rest = Buffer.from(head.slice(end + 4), 'latin1');
				head = '';
			}
		});
		daemon.pipe(client);
		client.on('end', () => daemon.end());
		client.on('error', () => daemon.destroy());
		daemon.on('error', () => client.destroy());
		client.on('close', () => daemon.destroy());
	});
	await new Promise<void>((resolve) => server.listen(path, resolve));
	return {
		requests,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
			}),
	};
}
