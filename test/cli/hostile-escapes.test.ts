/**
Escape sequences from the image or the user never reach the terminal: layer names, config names, platforms
from an index, JSON parse errors and the reference itself are printed on stderr in error lines, and file
names on stdout in every report. Each case runs the CLI as a child process and checks the bytes it wrote;
the last one runs the explorer in tmux and checks that the title and the clipboard were left alone.
*/
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import {promisify} from 'node:util';
import {rawTar, writeImageArchive} from '../helpers/fixture-writer.js';
import {cliCommand, describeRun, runCli} from '../helpers/run-cli.js';
import {tmuxAvailable} from '../helpers/tmux.js';

const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'layerlens-escapes-'));
after(() => rmSync(scratch, {recursive: true, force: true}));

/** A title change (OSC 0), a clipboard write (OSC 52, "pwned"), a colour (CSI) and an 8-bit CSI clearing the screen. */
const evil = '\u001B]0;pwned-title\u0007\u001B]52;c;cHduZWQ=\u0007\u001B[31m\u009B2J';
/** Any C0 control but the line feed, DEL, or a C1 control (decoded from UTF-8, as a terminal would). */
const controlByte = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

function assertNoControlBytes(text: string, where: string): void {
	const match = controlByte.exec(text);
	assert.equal(
		match,
		null,
		`${where} carries control byte 0x${match?.[0].charCodeAt(0).toString(16)}: ${JSON.stringify(text)}`,
	);
}

async function archive(name: string, entries: Parameters<typeof rawTar>[0]): Promise<string> {
	const path = join(scratch, name);
	writeFileSync(path, await rawTar(entries));
	return path;
}

const emptyConfig = JSON.stringify({rootfs: {type: 'layers', diff_ids: []}});

const failures: Array<{name: string; args: () => Promise<string[]>; pattern: RegExp}> = [
	{
		name: 'a layer name in the manifest',
		args: async () => [
			await archive('missing-layer.tar', [
				{
					name: 'manifest.json',
					content: JSON.stringify([{Config: 'config.json', RepoTags: [], Layers: [`${evil}/layer.tar`]}]),
				},
				{name: 'config.json', content: emptyConfig},
			]),
		],
		pattern: /layer 1 \(\\x1b\]0;pwned-title\\x07.*\) is listed but missing/,
	},
	{
		name: 'a config name in the manifest',
		args: async () => [
			await archive('missing-config.tar', [
				{
					name: 'manifest.json',
					content: JSON.stringify([{Config: `${evil}.json`, RepoTags: [], Layers: []}]),
				},
			]),
		],
		pattern: /the image config \\x1b\]0;pwned-title.* is missing/,
	},
	{
		name: 'a JSON parse error quoting the document',
		args: async () => [
			await archive('bad-json.tar', [{name: 'manifest.json', content: `[{"Config": ${evil}`}]),
		],
		pattern: /manifest\.json in .* is not valid JSON: .*\\x1b/,
	},
	{
		name: 'a platform from an OCI index that does not offer the one asked for',
		args: async () => {
			const path = join(scratch, 'platform.tar');
			await writeImageArchive(
				{os: evil, architecture: 'amd64', layers: [{createdBy: 'RUN x', files: [{path: 'a', content: 'a'}]}]},
				path,
				{format: 'oci'},
			);
			return [path, '--platform', 'linux/s390x'];
		},
		pattern: /has no image for platform linux\/s390x; it offers \\x1b\]0;pwned-title.*\/amd64/,
	},
	{
		name: 'the image reference the user typed',
		args: async () => [`${evil}:latest`],
		pattern: /'\\x1b\]0;pwned-title.*:latest' is not a valid image reference/,
	},
];

for (const failure of failures) {
	for (const mode of [['--json'], ['--ci'], []]) {
		test(`${failure.name}: the error line is sanitised (${mode.join(' ') || 'summary'})`, async () => {
			const result = await runCli([...(await failure.args()), ...mode], {timeoutMs: 60_000});
			assert.equal(result.code, 2, describeRun(result));
			assertNoControlBytes(result.stderr, 'stderr');
			assertNoControlBytes(result.stdout, 'stdout');
			assert.match(result.stderr, /^layerlens: /);
			assert.match(result.stderr, failure.pattern);
			// With --debug the stack (whose first line repeats the message) is sanitised too.
			const debug = await runCli([...(await failure.args()), ...mode, '--debug'], {timeoutMs: 60_000});
			assertNoControlBytes(debug.stderr, 'stderr with --debug');
		});
	}
}

test('file names, history and config values with escapes: every report and the CI lines are clean', async () => {
	const path = join(scratch, 'names.tar');
	await writeImageArchive(
		{
			config: {env: [`EVIL=${evil}`], workingDir: `/app${evil}`, cmd: [`run${evil}`]},
			layers: [
				{
					createdBy: `RUN echo ${evil}`,
					files: [
						{path: `app/${evil}.env`, content: 'SECRET=1\n'},
						{path: `app/node_modules/${evil}/index.js`, size: 300_000},
						{path: `root/.npm/_cacache/${evil}`, size: 400_000},
					],
				},
				{createdBy: `RUN rm ${evil}`, files: [{path: `root/.npm/_cacache/${evil}`, type: 'whiteout'}]},
			],
		},
		path,
	);
	for (const args of [
		['--json'],
		['--format', 'markdown'],
		['--format', 'sarif'],
		[],
		['--ci', '--highest-wasted-bytes', '1B'],
	]) {
		const result = await runCli([path, ...args], {timeoutMs: 60_000});
		assert.ok(result.code === 0 || result.code === 1, describeRun(result));
		assert.ok(result.stdout.length > 0, `${args.join(' ')} printed a report`);
		assertNoControlBytes(result.stdout, `stdout of ${args.join(' ') || 'the summary'}`);
		assertNoControlBytes(result.stderr, `stderr of ${args.join(' ') || 'the summary'}`);
	}
});

/**
The explorer's load fails on a layer name carrying OSC 0 and OSC 52; its error line goes to the pane.
A private tmux server with set-clipboard on accepts OSC 52 into a paste buffer, so a clipboard write
would show up in list-buffers, and a title change in #{pane_title}.
*/
test('a failed explorer load in tmux leaves the pane title and the clipboard untouched', {
	skip: tmuxAvailable(),
}, async () => {
	const archivePath = join(scratch, 'explorer-missing-layer.tar');
	writeFileSync(
		archivePath,
		await rawTar([
			{
				name: 'manifest.json',
				content: JSON.stringify([{Config: 'config.json', RepoTags: [], Layers: [`${evil}/layer.tar`]}]),
			},
			{name: 'config.json', content: emptyConfig},
		]),
	);
	const socket = `layerlens-escapes-${process.pid}`;
	const config = join(scratch, 'tmux.conf');
	writeFileSync(config, 'set -s set-clipboard on\nset -g allow-rename on\n');
	const exitFile = join(scratch, 'explorer-exit');
	const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
	const command = [
		`env -u CI -u NODE_OPTIONS -u NODE_TEST_CONTEXT XDG_CACHE_HOME=${quote(join(scratch, 'cache'))} ${cliCommand([archivePath]).map(quote).join(' ')}`,
		`echo $? > ${quote(exitFile)}`,
		'sleep 60',
	].join('; ');
	const tmux = (...args: string[]) => run('tmux', ['-L', socket, ...args]);
	await tmux('-f', config, 'new-session', '-d', '-s', 'escapes', '-x', '120', '-y', '30', command);
	try {
		const titleBefore = (await tmux('display-message', '-p', '-t', 'escapes', '#{pane_title}')).stdout.trim();
		let exit = '';
		const deadline = Date.now() + 60_000;
		while (exit === '' && Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 200));
			exit = (() => {
				try {
					return readFileSync(exitFile, 'utf8').trim();
				} catch {
					return '';
				}
			})();
		}

		const screen = (await tmux('capture-pane', '-p', '-t', 'escapes')).stdout;
		assert.equal(exit, '2', `the explorer's load failed with exit 2; screen:\n${screen}`);
		assert.match(screen, /is listed but missing/, 'the error line is on screen');
		const title = (await tmux('display-message', '-p', '-t', 'escapes', '#{pane_title}')).stdout.trim();
		assert.doesNotMatch(title, /pwned/, 'OSC 0 did not change the title');
		assert.equal(title, titleBefore);
		const buffers = (await tmux('list-buffers')).stdout;
		assert.equal(buffers, '', 'OSC 52 did not write a paste buffer');
		assert.match(screen, /\\x1b\]0;pwned-title\\x07/, 'the escape is shown as text');
	} finally {
		await tmux('kill-server').catch(() => undefined);
	}
});
