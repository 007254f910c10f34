/**
Every mistake a user can make on the command line, or with the daemon, ends in one `layerlens:` line on
stderr and exit 2: no stack, no Node warning, no hang. The daemon is faked (a unix socket or a TCP port
this test owns), so these run without Docker.
*/
import assert from 'node:assert/strict';
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createServer as createHttpServer, type Server as HttpServer} from 'node:http';
import {createServer as createTcpServer, type Server, type Socket} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, describe, test} from 'node:test';
import {runCli, userErrorProblems} from '../helpers/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'layerlens-cli-errors-'));
chmodSync(scratch, 0o755);
after(() => rmSync(scratch, {recursive: true, force: true}));

async function expectUserError(
	args: string[],
	pattern: RegExp,
	env: Record<string, string | undefined> = {},
) {
	const result = await runCli(args, {env: {CI: undefined, ...env}, timeoutMs: 40_000});
	assert.deepEqual(userErrorProblems(result, pattern), []);
	return result;
}

/** A fake Docker API on a unix socket: every image inspect answers 404 the way dockerd does. */
async function fakeDaemon(socketPath: string): Promise<HttpServer> {
	const server = createHttpServer((request, response) => {
		const missing = /\/images\/(.+)\/json$/.exec(request.url ?? '');
		response.writeHead(missing ? 404 : 500, {'content-type': 'application/json'});
		response.end(JSON.stringify({message: `No such image: ${decodeURIComponent(missing?.[1] ?? '')}`}));
	});
	await new Promise<void>((resolve) => server.listen(socketPath, resolve));
	return server;
}

describe('image references and the daemon', {concurrency: 2}, () => {
	test('a malformed reference is named and the accepted forms are listed', async () => {
		await expectUserError(
			['Not A Valid:Ref!'],
			/'Not A Valid:Ref!' is not a valid image reference\. Use name\[:tag\]/,
		);
	});

	test('an unknown image with --pull=never says which daemon was asked and suggests docker pull / docker images', async () => {
		const socketPath = join(scratch, 'fake-docker.sock');
		const server = await fakeDaemon(socketPath);
		try {
			await expectUserError(
				['no-such-image:1.0', '--pull=never'],
				new RegExp(
					`image 'no-such-image:1\\.0' not found in the docker daemon at unix://${socketPath}\\. Run \`docker pull no-such-image:1\\.0\` or check \`docker images\``,
				),
				{DOCKER_HOST: `unix://${socketPath}`},
			);
		} finally {
			server.close();
		}
	});

	test('a daemon that is not running (no socket) asks whether it is running and how to point elsewhere', async () => {
		await expectUserError(
			['alpine:3'],
			/cannot connect to the docker daemon at unix:\/\/\/.*missing\.sock \(ENOENT\)\. Is it running\? .*DOCKER_HOST/,
			{DOCKER_HOST: `unix://${join(scratch, 'missing.sock')}`},
		);
	});

	test('a refused TCP connection is the same "is it running" line', async () => {
		// Port 1 on loopback: nothing listens there.
		await expectUserError(
			['alpine:3'],
			/cannot connect to the docker daemon at tcp:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/,
			{
				DOCKER_HOST: 'tcp://127.0.0.1:1',
			},
		);
	});

	test('a DOCKER_HOST that accepts and never answers fails within the inspect deadline, not a hang', async () => {
		const sockets: Socket[] = [];
		const server: Server = createTcpServer((socket) => sockets.push(socket));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const {port} = server.address() as {port: number};
		try {
			await expectUserError(
				['alpine:3'],
				new RegExp(
					`the docker daemon at tcp://127\\.0\\.0\\.1:${port} did not answer within 10 s\\. Check DOCKER_HOST`,
				),
				{DOCKER_HOST: `tcp://127.0.0.1:${port}`},
			);
			// The message names the step that hung; the test's own timeout catches a hang. Nothing here is timed.
		} finally {
			for (const socket of sockets) socket.destroy();
			server.close();
		}
	});

	test('podman with no socket at CONTAINER_HOST says how to start the service and ignores DOCKER_HOST', async () => {
		const runtime = mkdtempSync(join(scratch, 'xdg-'));
		// CONTAINER_HOST wins over the rootful /run/podman socket, which may exist on this machine.
		await expectUserError(
			['--source', 'podman', 'alpine:3'],
			/cannot connect to the podman daemon at unix:\/\/\S*podman\.sock \(ENOENT\)\. Is it running\? Start it with `systemctl --user start podman\.socket`/,
			{
				XDG_RUNTIME_DIR: runtime,
				CONTAINER_HOST: `unix://${join(runtime, 'podman', 'podman.sock')}`,
				DOCKER_HOST: 'tcp://127.0.0.1:1',
			},
		);
	});

	test('a socket the user may not open says how to fix it (docker group or DOCKER_HOST)', async (t) => {
		const socketPath = join(scratch, 'locked.sock');
		const server = await fakeDaemon(socketPath);
		// Mode 000 shuts out the owner too; root gets past any mode through CAP_DAC_OVERRIDE, so as root the CLI
		// runs without that capability. It stays the same user, so it reads the clone wherever it lives (a 0700
		// directory included), which another user such as nobody could not.
		chmodSync(socketPath, 0o000);
		try {
			const withoutDacOverride =
				process.getuid?.() === 0
					? {file: 'setpriv', args: ['--bounding-set=-dac_override,-dac_read_search']}
					: undefined;
			const result = await runCli(['alpine:3'], {
				env: {CI: undefined, DOCKER_HOST: `unix://${socketPath}`, HOME: scratch},
				...(withoutDacOverride ? {command: withoutDacOverride} : {}),
			});
			if (result.stderr.includes('setpriv:')) {
				// One line: setpriv's own complaint, not the whole stderr, so the skip reads as a single reason.
				const complaint = result.stderr
					.split('\n')
					.find((line) => line.includes('setpriv:'))!
					.trim();
				t.skip(`cannot drop CAP_DAC_OVERRIDE here: ${complaint}`);
				return;
			}

			assert.deepEqual(
				userErrorProblems(
					result,
					/permission denied connecting to the docker daemon at unix:\/\/.*locked\.sock\. Add your user to the docker group .*DOCKER_HOST/,
				),
				[],
			);
		} finally {
			server.close();
		}
	});
});

describe('flags and options', {concurrency: 2}, () => {
	test('two images', async () => {
		await expectUserError(['a', 'b'], /Expected one image, got 2: a b\. Run layerlens --help/);
	});

	test('an unknown flag', async () => {
		const result = await runCli(['--no-such-flag', 'alpine'], {env: {CI: undefined}});
		assert.equal(result.code, 2);
		assert.match(result.stderr, /no-such-flag/);
		assert.doesNotMatch(result.stderr, /Warning:|\bat .*:\d+:\d+/);
	});

	test('an unknown --source', async () => {
		await expectUserError(
			['--source', 'lxc', 'x'],
			/Unknown source 'lxc'\. Use one of: docker, podman, docker-archive, oci/,
		);
	});

	test('a --source archive path that does not exist', async () => {
		await expectUserError(
			['--source', 'docker-archive', join(scratch, 'nope.tar')],
			/^layerlens: no such file: \S*nope\.tar$/,
		);
	});

	test('a directory that is not an OCI layout', async () => {
		await expectUserError([scratch], /is a directory but not an OCI image layout/);
	});

	test('an invalid --platform', async () => {
		await expectUserError(['--platform', 'linux', '--demo'], /Invalid platform 'linux'\. Write os\/arch/);
	});

	test('an invalid --max-layer-bytes', async () => {
		await expectUserError(
			['--max-layer-bytes', 'lots', '--demo'],
			/invalid size 'lots' for --max-layer-bytes/,
		);
	});

	test('an unknown report format', async () => {
		await expectUserError(['--format', 'xml', '--demo'], /Unknown report format 'xml'/);
	});

	test('--output with no recognisable extension', async () => {
		await expectUserError(
			['--output', join(scratch, 'report.txt'), '--demo'],
			/Cannot tell the report format/,
		);
	});

	test('--debug adds the stack to the one line', async () => {
		const result = await runCli(['--debug', '--platform', 'linux', '--demo'], {env: {CI: undefined}});
		assert.equal(result.code, 2);
		const lines = result.stderr.split('\n');
		assert.match(lines[0]!, /^layerlens: Invalid platform 'linux'/);
		assert.match(result.stderr, /\n {4}at /);
	});
});

describe('CI config at the command line', {concurrency: 2}, () => {
	const config = (name: string, text: string): string => {
		const path = join(scratch, name);
		writeFileSync(path, text);
		return path;
	};

	test('an unknown key', async () => {
		const path = config('unknown.yml', 'rules:\n  nope: 1\n');
		await expectUserError(
			['--ci', '--config', path, '--demo'],
			/unknown\.yml: unknown key 'rules\.nope'\. Known keys: lowestEfficiency/,
		);
	});

	test('a wrong type', async () => {
		const path = config('type.yml', 'rules:\n  lowestEfficiency: abc\n');
		await expectUserError(
			['--ci', '--config', path, '--demo'],
			/type\.yml: rules\.lowestEfficiency must be a number between 0 and 1, got 'abc'/,
		);
	});

	test('a threshold out of range', async () => {
		const path = config('range.yml', 'rules:\n  lowestEfficiency: 5\n');
		await expectUserError(
			['--ci', '--config', path, '--demo'],
			/range\.yml: rules\.lowestEfficiency must be between 0 and 1, got 5/,
		);
	});

	test('a threshold out of range on the command line names the flag as typed', async () => {
		await expectUserError(
			['--ci', '--lowest-efficiency', '7', '--demo'],
			/--lowest-efficiency: rules\.lowestEfficiency must be between 0 and 1, got 7/,
		);
	});

	test('invalid YAML', async () => {
		const path = config('broken.yml', 'rules: [\n');
		await expectUserError(['--ci', '--config', path, '--demo'], /broken\.yml/);
	});

	test('a missing config file', async () => {
		await expectUserError(
			['--ci', '--config', join(scratch, 'none.yml'), '--demo'],
			/Cannot read config file .*none\.yml\. Check the --config path/,
		);
	});
});
