/**
Where the image comes from, as a newcomer types it: a real pipe (`cat image.tar | layerlens`), `-`,
`/dev/stdin`, a file as stdin, a process substitution, dive's `docker-archive://` prefix, a Podman-shaped
archive, and a path that does not exist (never sent to the daemon). The CLI runs as a child process.
*/
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createServer, type Socket} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import type {JsonReport} from '../../source/report/json.js';
import {type ImageSpec, listArchive, packArchive, writeImageArchive} from '../helpers/fixture-writer.js';
import {
	cliCommand,
	describeRun,
	repositoryRoot,
	runCli,
	runCliJson,
	userErrorProblems,
} from '../helpers/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'layerlens-cli-input-'));
const archive = join(scratch, 'image.tar');
after(() => rmSync(scratch, {recursive: true, force: true}));

const spec: ImageSpec = {
	layers: [
		{
			createdBy: 'ADD base',
			files: [
				{path: 'etc/os-release', content: 'ID=debian\n'},
				{path: 'bin/tool', size: 3000},
			],
		},
		{
			createdBy: 'RUN rm',
			files: [
				{path: 'bin/tool', type: 'whiteout'},
				{path: 'app/main.js', content: 'hello'},
			],
		},
	],
};

before(async () => {
	await writeImageArchive(spec, archive);
});

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

type ShellResult = {code: number; stdout: string; stderr: string};

/** Runs `script` in bash with `$LAYERLENS` set to the CLI command, so pipes and redirections are real ones. */
function shell(script: string, timeoutMs = 60_000): Promise<ShellResult> {
	const layerlens = cliCommand([]).map(quote).join(' ');
	return new Promise((resolve) => {
		execFile(
			'bash',
			['-c', script.replaceAll('$LAYERLENS', layerlens)],
			{
				cwd: repositoryRoot,
				timeout: timeoutMs,
				maxBuffer: 64 * 1024 * 1024,
				env: {
					...process.env,
					NO_COLOR: '1',
					NODE_OPTIONS: '',
					NODE_TEST_CONTEXT: '',
					CI: '',
					XDG_CACHE_HOME: join(scratch, 'cache'),
				},
			},
			(error, stdout, stderr) => {
				const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
				resolve({code, stdout, stderr});
			},
		);
	});
}

/** What does not depend on the way the archive came in. */
function model(report: JsonReport): unknown {
	const {reference: _reference, source: _source, ...image} = report.image;
	return {...report, image};
}

describe('standard input', {concurrency: 2}, () => {
	let expected: JsonReport;
	before(async () => {
		expected = await runCliJson<JsonReport>([archive, '--json']);
	});

	for (const [what, script] of [
		['a pipe with no image argument', `cat ${quote(archive)} | $LAYERLENS --format json`],
		['a pipe and `-`', `cat ${quote(archive)} | $LAYERLENS - --json`],
		['a file as stdin and `-`', `$LAYERLENS - --json < ${quote(archive)}`],
		['a pipe and /dev/stdin', `cat ${quote(archive)} | $LAYERLENS /dev/stdin --json`],
		['a file as stdin and no argument', `$LAYERLENS --json < ${quote(archive)}`],
	] as const) {
		test(`${what} is read as the image, never the demo`, async () => {
			const result = await shell(script);
			assert.equal(result.code, 0, result.stderr);
			const report = JSON.parse(result.stdout) as JsonReport;
			assert.equal(report.image.reference, 'stdin');
			assert.notEqual(report.image.reference, 'layerlens-demo:naive');
			assert.deepEqual(model(report), model(expected));
		});
	}

	test('a process substitution (a FIFO path) is read as it streams', async () => {
		const result = await shell(`$LAYERLENS <(cat ${quote(archive)}) --json`);
		assert.equal(result.code, 0, result.stderr);
		assert.deepEqual(model(JSON.parse(result.stdout) as JsonReport), model(expected));
	});

	test('an empty pipe is one error line, exit 2, not the demo', async () => {
		const result = await shell('true | $LAYERLENS --format json');
		assert.equal(result.code, 2);
		assert.equal(result.stdout, '');
		assert.match(result.stderr, /^layerlens: nothing on standard input\. [^\n]*\n$/);
	});

	test('stdin that is /dev/null (no pipe) still opens the demo, as documented', async () => {
		const result = await shell('$LAYERLENS --json < /dev/null');
		assert.equal(result.code, 0, result.stderr);
		assert.equal((JSON.parse(result.stdout) as JsonReport).image.source, 'demo');
	});

	test('a pipe that is not an image archive is one error line', async () => {
		const result = await shell('printf "hello world" | $LAYERLENS -');
		assert.equal(result.code, 2);
		assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
		assert.match(result.stderr, /^layerlens: /);
		assert.doesNotMatch(result.stderr, /unexpected error/);
	});
});

describe('paths and prefixes', {concurrency: 2}, () => {
	test('docker-archive://PATH reads the archive', async () => {
		const report = await runCliJson<JsonReport>([`docker-archive://${archive}`, '--json']);
		assert.equal(report.image.source, 'docker-archive');
		assert.equal(report.layers.length, 2);
	});

	test('--source disagreeing with a prefix is an error', async () => {
		const result = await runCli(['--source', 'podman', `docker-archive://${archive}`]);
		assert.deepEqual(userErrorProblems(result, /--source podman disagrees with docker-archive:/), []);
	});

	test('a Podman-shaped archive (top-level <diff-id>.tar, <id>/layer.tar symlinks) reads like docker save', async () => {
		const {createHash} = await import('node:crypto');
		const files = await listArchive(await import('node:fs/promises').then((fs) => fs.readFile(archive)));
		const manifest = JSON.parse(files.find((file) => file.name === 'manifest.json')!.content.toString()) as {
			Layers: string[];
		}[];
		const renamed = new Map<string, string>();
		const podmanFiles = files.flatMap((file) => {
			if (!file.name.endsWith('/layer.tar')) return [file];
			const top = `${createHash('sha256').update(file.content).digest('hex')}.tar`;
			renamed.set(file.name, top);
			return [
				{...file, name: top},
				{name: file.name, type: 'symlink' as const, content: Buffer.alloc(0), linkname: `../${top}`},
			];
		});
		manifest[0]!.Layers = manifest[0]!.Layers.map((name) => renamed.get(name) ?? name);
		const manifestFile = podmanFiles.find((file) => file.name === 'manifest.json')!;
		manifestFile.content = Buffer.from(JSON.stringify(manifest));
		// Podman writes the layers first and manifest.json last.
		podmanFiles.sort((a, b) => Number(a.name === 'manifest.json') - Number(b.name === 'manifest.json'));
		const podmanArchive = join(scratch, 'podman.tar');
		writeFileSync(podmanArchive, await packArchive(podmanFiles));

		const fromDocker = await runCliJson<JsonReport>([archive, '--json']);
		const fromPodman = await runCliJson<JsonReport>([podmanArchive, '--json']);
		assert.ok(renamed.size === 2);
		assert.deepEqual(model(fromPodman), model(fromDocker));
	});

	test('a path that does not exist is "no such file", exit 2, and the daemon is never asked', async () => {
		const connections: Socket[] = [];
		const server = createServer((socket) => {
			connections.push(socket);
			socket.destroy();
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const {port} = server.address() as {port: number};
		try {
			for (const argument of [
				'./x.tar',
				'x.tar',
				'images/app.tgz',
				'image.tar.gz',
				'layout.oci',
				'/no/such/dir',
			]) {
				const result = await runCli([argument, '--json'], {env: {DOCKER_HOST: `tcp://127.0.0.1:${port}`}});
				const pattern = new RegExp(
					`^layerlens: no such file: ${argument.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`,
				);
				assert.deepEqual(userErrorProblems(result, pattern), [], describeRun(result));
			}

			assert.equal(connections.length, 0, 'no path-like argument reached the daemon');
		} finally {
			server.close();
		}
	});
});
