import {rm} from 'node:fs/promises';
import {createConnection, createServer, type Server, type Socket} from 'node:net';

/** A request line seen on its way to the daemon: `GET /images/x/get`. */
export type ProxiedRequest = {method: string; path: string};

export type DockerProxy = {
	requests: ProxiedRequest[];
	/** Settles once an image export is held (with `holdExports`). */
	exportHeld: Promise<void>;
	/** Lets every held image export flow again (and stops holding new ones). */
	release(): void;
	close(): Promise<void>;
};

/** An image export: `GET /images/ID/get` or `GET /images/get?names=…`. */
const exportPath = /^\/(v[\d.]+\/)?images\/(.+\/)?get(\?|$)/;

/**
A unix socket in front of the docker daemon's that passes every byte through and notes each request line,
so a test can count what layerlens asked the daemon for (DOCKER_HOST=unix://<path>).

With `holdExports`, an image export's answer stops after its first `holdAfterBytes` until `release()`: the
load is then certainly under way, whatever the machine's speed, when a test acts on it.
*/
export async function startDockerProxy(
	path: string,
	target = '/var/run/docker.sock',
	options: {holdExports?: boolean; holdAfterBytes?: number} = {},
): Promise<DockerProxy> {
	await rm(path, {force: true});
	const requests: ProxiedRequest[] = [];
	let holding = options.holdExports === true;
	const holdAfter = options.holdAfterBytes ?? 64 * 1024;
	const held = new Set<() => void>();
	const sockets = new Set<Socket>();
	let markHeld = () => {};
	const exportHeld = new Promise<void>((resolve) => {
		markHeld = resolve;
	});
	const server: Server = createServer((client) => {
		const daemon = createConnection(target);
		sockets.add(client).add(daemon);
		// Requests follow each other on a kept-alive connection: each head is read, its body (Content-Length) skipped.
		let head = '';
		let bodyLeft = 0;
		let exporting = false;
		let forwarded = 0;
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
				if (method === 'GET' && exportPath.test(path)) exporting = true;
				const length = lines.find((line) => /^content-length:/i.test(line));
				bodyLeft = length === undefined ? 0 : Number(length.slice(length.indexOf(':') + 1).trim());
				rest = Buffer.from(head.slice(end + 4), 'latin1');
				head = '';
			}
		});
		let isHeld = false;
		daemon.on('data', (chunk: Buffer) => {
			const flowing = client.write(chunk);
			if (exporting && holding) forwarded += chunk.length;
			if (exporting && holding && forwarded >= holdAfter) {
				isHeld = true;
				daemon.pause();
				markHeld();
				held.add(() => {
					isHeld = false;
					daemon.resume();
				});
			} else if (!flowing) {
				// Back-pressure, as `pipe` would: wait for the client to drain.
				daemon.pause();
				client.once('drain', () => {
					if (!isHeld) daemon.resume();
				});
			}
		});
		daemon.on('end', () => client.end());
		client.on('end', () => daemon.end());
		client.on('error', () => daemon.destroy());
		daemon.on('error', () => client.destroy());
		client.on('close', () => {
			daemon.destroy();
			sockets.delete(client);
		});
		daemon.on('close', () => sockets.delete(daemon));
	});
	await new Promise<void>((resolve) => server.listen(path, resolve));
	return {
		requests,
		exportHeld,
		release() {
			holding = false;
			for (const resume of held) resume();
			held.clear();
		},
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}
