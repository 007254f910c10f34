import assert from 'node:assert/strict';
import {mkdtempSync, rmSync} from 'node:fs';
import {createServer} from 'node:http';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import test from 'node:test';
import {
	claimEarlyAnswer,
	claimEarlyInspect,
	requestDaemonImageEarly,
} from '../../source/image/sources/daemon/early-requests.js';

/** A daemon on a unix socket that answers inspect, history and the export, and records what was asked. */
async function fakeDaemon(): Promise<{socketPath: string; asked: string[]; close: () => Promise<void>}> {
	const directory = mkdtempSync(join(tmpdir(), 'layerlens-early-'));
	const socketPath = join(directory, 'docker.sock');
	const asked: string[] = [];
	const server = createServer((request, response) => {
		asked.push(request.url ?? '');
		if (request.url === '/images/app:1/json') response.end(JSON.stringify({Id: 'sha256:abc'}));
		else if (request.url === '/images/sha256:abc/history')
			response.end(JSON.stringify([{CreatedBy: 'RUN x'}]));
		else if (request.url === '/images/sha256:abc/get') response.end('archive bytes');
		else {
			response.statusCode = 404;
			response.end(JSON.stringify({message: 'no such image'}));
		}
	});
	await new Promise<void>((resolve) => server.listen(socketPath, resolve));
	return {
		socketPath,
		asked,
		close: async () => {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
			rmSync(directory, {recursive: true, force: true});
		},
	};
}

test('early requests: inspect, history and the export are asked once and claimed once', async () => {
	const daemon = await fakeDaemon();
	try {
		requestDaemonImageEarly('app:1', {env: {DOCKER_HOST: `unix://${daemon.socketPath}`}, withExport: true});
		const signal = new AbortController().signal;
		const inspect = claimEarlyInspect(daemon.socketPath, 'app:1');
		assert.deepEqual(await inspect?.claim(signal), {Id: 'sha256:abc'});
		assert.equal(claimEarlyInspect(daemon.socketPath, 'app:1'), undefined, 'claimed once');
		const history = await claimEarlyAnswer(daemon.socketPath, 'app:1', 'history', 'sha256:abc');
		assert.deepEqual(await history?.claim(signal), [{CreatedBy: 'RUN x'}]);
		const exported = await claimEarlyAnswer(daemon.socketPath, 'app:1', 'export', 'sha256:abc');
		const stream = await exported?.claim(signal);
		assert.ok(stream);
		const chunks: Buffer[] = [];
		for await (const chunk of stream) chunks.push(chunk as Buffer);
		assert.equal(Buffer.concat(chunks).toString('utf8'), 'archive bytes');
		assert.deepEqual(daemon.asked.sort(), [
			'/images/app:1/json',
			'/images/sha256:abc/get',
			'/images/sha256:abc/history',
		]);
	} finally {
		await daemon.close();
	}
});

test('early requests: no export unless asked, none for another image ID, none for an implausible reference', async () => {
	const daemon = await fakeDaemon();
	try {
		const env = {DOCKER_HOST: `unix://${daemon.socketPath}`};
		requestDaemonImageEarly('app:1', {env});
		await claimEarlyInspect(daemon.socketPath, 'app:1')?.claim(new AbortController().signal);
		assert.equal(await claimEarlyAnswer(daemon.socketPath, 'app:1', 'export', 'sha256:abc'), undefined);
		assert.equal(await claimEarlyAnswer(daemon.socketPath, 'app:1', 'history', 'sha256:other'), undefined);
		requestDaemonImageEarly('Not A Reference', {env});
		assert.equal(claimEarlyInspect(daemon.socketPath, 'Not A Reference'), undefined);
		assert.ok(!daemon.asked.some((path) => path.includes('/get')));
	} finally {
		await daemon.close();
	}
});
