/**
`layerlens diff` opens as the one-image explorer does: both images' layers from the start, the base B shares with
A marked, and the files of each side as its layers are read. A is a saved archive; B comes from the daemon
through a proxy that holds B's export after its first bytes, so the frame is asserted while B is certainly still
being read, on a fast machine or a slow one; then the export flows and the comparison opens.
*/
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {promisify} from 'node:util';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';
import {startDockerProxy} from '../helpers/docker-proxy.js';
import {cliCommand} from '../helpers/run-cli.js';
import {startTmux, tmuxAvailable} from '../helpers/tmux.js';

const run = promisify(execFile);
/** The base the naive fixture is built on (build-images.sh): B shares its four layers. */
const nodeBase = 'layerlens-fixture/node-base';
const availability = await dockerAvailability({images: [fixtureImages.naive, nodeBase]});
const skip = tmuxAvailable() ?? dockerSkip(availability);
let work = '';

before(async () => {
	if (skip) return;
	work = await mkdtemp(join(tmpdir(), 'layerlens-tmux-diff-fill-'));
});

after(async () => {
	if (work) await rm(work, {recursive: true, force: true});
});

const quote = (argument: string) => `'${argument.replace(/'/g, "'\\''")}'`;

test('diff layers first: the shared base marked, A’s files once read while B still reads, then the comparison', {
	skip,
	timeout: 600_000,
}, async () => {
	assertDockerAvailable(availability);
	const archive = join(work, 'node-base.tar');
	await run('docker', ['save', '-o', archive, nodeBase], {maxBuffer: 1 << 20});
	const proxyPath = join(work, 'docker.sock');
	const proxy = await startDockerProxy(proxyPath, undefined, {holdExports: true});
	const exitFile = join(work, 'exit');
	const cli = cliCommand(['diff', archive, fixtureImages.naive, '--no-cache']).map(quote).join(' ');
	const command = `env -u CI -u LAYERLENS_REQUIRE_DOCKER DOCKER_HOST=${quote(`unix://${proxyPath}`)} XDG_CACHE_HOME=${join(work, 'cache')} XDG_CONFIG_HOME=${join(work, 'config')} ${cli}; echo $? > ${exitFile}; sleep 60`;
	const session = await startTmux('layerlens-diff-fill', command, {columns: 160, rows: 45});
	try {
		await proxy.exportHeld;
		// B's export is held: A is read, B is not, whatever the machine's speed.
		const held = await session.waitFor((screen) => screen.includes('A · every layer'), 300_000);
		assert.match(held, /B · reading · layerlens-fixture\/naive · 8 layers, 4 shared with A/);
		assert.match(held, /A · read · .*node-base\.tar · 4/);
		assert.match(held, /^ {4}1 {3}98\.9 MB .* = COPY <file> \/usr\/local\/bin\/node/m);
		// A shared layer shows one size on both sides: its files' bytes once either side has read it (an archive
		// counts a layer by its tar, the daemon by its files).
		const sizesOf = (row: string) =>
			[...held.matchAll(new RegExp(`^ {4}${row} +([\\d.]+ [kMG]?B) `, 'gm'))].map((match) => match[1]);
		for (const row of ['0', '2', '3']) {
			const [a, b] = sizesOf(row);
			assert.ok(a !== undefined && a === b, `layer ${row}: ${a} in A, ${b} in B`);
		}
		assert.match(held, /^ {4}5 {3}98\.7 MB .* {4}COPY <dir> \./m, 'a layer of B’s own is not marked');
		assert.match(held, /A · every layer · filesystem as of layer 3 · by size/);
		assert.match(held, /⊕ usr\//, 'A’s files, top-level folders by size');
		assert.doesNotMatch(held, /▶ Files/, 'the comparison waits for B');
		await session.sendKeys('j');
		await session.waitFor((screen) => screen.includes('1 keys kept for it'));

		proxy.release();
		const compared = await session.waitFor((screen) => screen.includes('▶ Files'), 300_000);
		assert.match(compared, /\(shared\)/);
		await session.sendKeys('q');
		assert.equal(await session.exitCode(exitFile), '0');
	} finally {
		await session.kill();
		await proxy.close();
	}
});
