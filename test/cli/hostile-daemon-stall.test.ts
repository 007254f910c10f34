/**
A daemon that stalls at each step of an export: inspect never answered, the export request never answered,
headers sent and then no data, data stopped halfway. Each ends in one line naming the step, through the
source and through the CLI as a child process. The timeouts are injected (a fraction of a second here;
60 s by default), so nothing waits for the real ones.
*/
import assert from 'node:assert/strict';
import {mkdtemp, rm} from 'node:fs/promises';
import {createServer, type Server} from 'node:http';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {createDaemonSource} from '../../source/image/sources/daemon/daemon-source.js';
import {isLayerlensError} from '../../source/shared/errors.js';
import {buildImageArchive} from '../helpers/fixture-writer.js';
import {describeRun, runCli, userErrorProblems} from '../helpers/run-cli.js';

let scratch = '';
let archiveStart: Buffer = Buffer.alloc(0);
before(async () => {
	scratch = await mkdtemp(join(tmpdir(), 'layerlens-stall-'));
	const archive = await buildImageArchive({
		layers: [{createdBy: 'RUN x', files: [{path: 'app/big.bin', size: 256 * 1024}]}],
	});
	// The start of a real export: headers and the first part of the first entry, then silence.
	archiveStart = archive.subarray(0, 64 * 1024);
});
after(async () => {
	await rm(scratch, {recursive: true, force: true});
});

type Phase = 'inspect' | 'request' | 'headers' | 'body';

/** A Docker API that knows the image but hangs at `phase`: it then sends nothing, forever. */
async function stallingDaemon(socketPath: string, phase: Phase): Promise<Server> {
	const server = createServer((request, response) => {
		if (/\/images\/[^/]+\/json$/.test(request.url ?? '')) {
			if (phase === 'inspect') return;
			response.writeHead(200, {'content-type': 'application/json'});
			response.end(JSON.stringify({Id: `sha256:${'a'.repeat(64)}`, Size: 1024, RepoTags: ['stalls:latest']}));
			return;
		}

		if (phase === 'request') return;
		response.writeHead(200, {'content-type': 'application/x-tar'});
		response.flushHeaders();
		if (phase === 'body') response.write(archiveStart);
	});
	await new Promise<void>((resolve) => server.listen(socketPath, resolve));
	return server;
}

/** What each stall says after `seconds` (as the message prints it). */
function expected(phase: Phase, seconds: string): RegExp {
	const daemon = 'the docker daemon at unix:\\/\\/\\S+';
	const after = seconds.replace('.', '\\.');
	const lines: Record<Phase, string> = {
		inspect: `${daemon} did not answer within ${after} s\\. Check DOCKER_HOST`,
		request: `${daemon} did not answer the export request for 'stalls:latest' within ${after} s\\. Check the daemon`,
		headers: `${daemon} answered the export request for 'stalls:latest' but sent no data for ${after} s\\. Check the daemon`,
		body: `the export of 'stalls:latest' from ${daemon} stalled after 65\\.5 kB: nothing for ${after} s\\. Check the daemon`,
	};
	return new RegExp(lines[phase]);
}

async function withDaemon(phase: Phase, run: (socketPath: string) => Promise<void>): Promise<void> {
	const socketPath = join(scratch, `stall-${phase}-${Math.random().toString(16).slice(2)}.sock`);
	const server = await stallingDaemon(socketPath, phase);
	try {
		await run(socketPath);
	} finally {
		server.closeAllConnections();
		server.close();
	}
}

for (const phase of ['inspect', 'request', 'headers', 'body'] as const) {
	test(`a daemon that stalls at ${phase}: the source fails with one line naming the step`, async () => {
		await withDaemon(phase, async (socketPath) => {
			// Only the step under test gets the short timeout: the others must not trip on a busy machine.
			const source = createDaemonSource('stalls:latest', {
				env: {DOCKER_HOST: `unix://${socketPath}`},
				inspectTimeoutMs: phase === 'inspect' ? 300 : 30_000,
				exportIdleTimeoutMs: phase === 'inspect' ? 30_000 : 300,
			});
			// dockerode reads DOCKER_HOST from the process environment; this file runs in its own process.
			process.env.DOCKER_HOST = `unix://${socketPath}`;
			await assert.rejects(source.load({}), (error: unknown) => {
				assert.ok(isLayerlensError(error), String(error));
				assert.match(error.line, expected(phase, '0.3'));
				return true;
			});
		});
	});

	test(`a daemon that stalls at ${phase}: the CLI says which step hung, exit 2, and ends`, async () => {
		await withDaemon(phase, async (socketPath) => {
			const result = await runCli(['stalls:latest', '--json'], {
				// One knob for every step, as a user sets it; long enough for a loaded machine to get through the others.
				env: {DOCKER_HOST: `unix://${socketPath}`, LAYERLENS_DAEMON_TIMEOUT: '3'},
				timeoutMs: 60_000,
			});
			assert.deepEqual(userErrorProblems(result, expected(phase, '3')), [], describeRun(result));
		});
	});
}

test('a cancelled load stops waiting on a stalled daemon at once', async () => {
	await withDaemon('request', async (socketPath) => {
		process.env.DOCKER_HOST = `unix://${socketPath}`;
		const source = createDaemonSource('stalls:latest', {env: {DOCKER_HOST: `unix://${socketPath}`}});
		const controller = new AbortController();
		const load = source.load({signal: controller.signal});
		setTimeout(() => controller.abort(new Error('the user quit')), 200);
		await assert.rejects(load, /the user quit/);
	});
});
