import assert from 'node:assert/strict';
import {mkdtemp, rm} from 'node:fs/promises';
import {createServer, type Server} from 'node:http';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {isLayerlensError} from '../source/errors.js';
import {createDaemonSource} from '../source/image/daemon-source.js';

let scratch = '';
before(async () => {
	scratch = await mkdtemp(join(tmpdir(), 'layerlens-stall-'));
});
after(async () => {
	await rm(scratch, {recursive: true, force: true});
});

/** A Docker API that knows the image but stalls its export: `headers` says whether it starts the response. */
async function stallingDaemon(socketPath: string, headers: boolean): Promise<Server> {
	const server = createServer((request, response) => {
		if (/\/images\/[^/]+\/json$/.test(request.url ?? '')) {
			response.writeHead(200, {'content-type': 'application/json'});
			response.end(JSON.stringify({Id: `sha256:${'a'.repeat(64)}`, Size: 1024, RepoTags: ['stalls:latest']}));
			return;
		}

		if (headers) {
			response.writeHead(200, {'content-type': 'application/x-tar'});
			response.write(Buffer.alloc(512));
		}
		// ... and then nothing, forever.
	});
	await new Promise<void>((resolve) => server.listen(socketPath, resolve));
	return server;
}

for (const headers of [true, false]) {
	test(`an export that stalls ${headers ? 'mid-stream' : 'before answering'} fails with one line, not a hang`, async () => {
		const socketPath = join(scratch, `stall-${headers}.sock`);
		const server = await stallingDaemon(socketPath, headers);
		try {
			// dockerode reads DOCKER_HOST from the process environment; this file runs in its own process.
			process.env.DOCKER_HOST = `unix://${socketPath}`;
			const source = createDaemonSource('stalls:latest', {exportIdleTimeoutMs: 400});
			const started = Date.now();
			await assert.rejects(source.load({}), (error: unknown) => {
				assert.ok(isLayerlensError(error), String(error));
				assert.match(error.line, /sent nothing of 'stalls:latest' for 0 s\. Check the daemon/);
				return true;
			});
			assert.ok(Date.now() - started < 5000, 'failed within the idle timeout, not after a long wait');
		} finally {
			server.closeAllConnections();
			server.close();
		}
	});
}
