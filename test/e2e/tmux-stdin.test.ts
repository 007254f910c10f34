import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';
import {cliCommand} from '../helpers/run-cli.js';
import {startTmux, tmuxAvailable} from '../helpers/tmux.js';

// `docker save IMAGE | layerlens` typed in a terminal: the archive comes through the pipe, the keys from /dev/tty.

/** The base the waste fixture is built on (build-images.sh): the two share it. */
const busyboxBase = 'layerlens-fixture/busybox-base';
const availability = await dockerAvailability({images: [fixtureImages.waste, busyboxBase]});
const skip = tmuxAvailable() ?? dockerSkip(availability);
let work = '';

before(async () => {
	if (!skip) work = await mkdtemp(join(tmpdir(), 'layerlens-tmux-stdin-'));
});

after(async () => {
	if (work) await rm(work, {recursive: true, force: true});
});

const quoted = (words: readonly string[]): string =>
	words.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');

async function waitForFile(path: string): Promise<string> {
	const deadline = Date.now() + 15_000;
	while (Date.now() < deadline) {
		const text = (await readFile(path, 'utf8').catch(() => '')).trim();
		if (text !== '') return text;
		await new Promise((resolve) => setTimeout(resolve, 200));
	}

	throw new Error(`${path} was never written`);
}

/** After q: off the alternate screen, the cursor shown, the line discipline as it was (`stty -a` written after the exit). */
async function assertTerminalRestored(
	session: Awaited<ReturnType<typeof startTmux>>,
	sttyFile: string,
): Promise<void> {
	assert.equal(await session.paneFlag('#{alternate_on}'), '0', 'left the alternate screen');
	assert.equal(await session.paneFlag('#{cursor_flag}'), '1', 'cursor visible again');
	const stty = await waitForFile(sttyFile);
	assert.match(stty, /(^|\s)icanon(\s|$)/, 'canonical mode restored');
	assert.match(stty, /(^|\s)echo(\s|$)/, 'echo restored');
}

test('docker save IMAGE | layerlens in a terminal opens the explorer, keys act, q restores the terminal', {
	skip,
}, async () => {
	assertDockerAvailable(availability);
	const exitFile = join(work, 'exit');
	const sttyFile = join(work, 'stty');
	const layerlens = quoted(cliCommand(['--no-cache']));
	const command = `docker save ${fixtureImages.waste} | env -u CI -u NODE_OPTIONS XDG_CONFIG_HOME=${join(work, 'config')} ${layerlens}; echo $? > ${exitFile}; stty -a > ${sttyFile}; sleep 60`;
	const session = await startTmux('layerlens-stdin', command);
	try {
		const first = await session.waitFor((screen) => screen.includes('Changes in layer 0'), 90_000);
		assert.match(first, /RUN rm \/data\/deleted-later\.bin/, 'the layer list is drawn');
		await session.sendKeys('j');
		const moved = await session.waitFor((screen) => screen.includes('Changes in layer 1'));
		assert.match(moved, /deleted-later\.bin/, 'layer 1 shows its files');
		await session.sendKeys('q');
		assert.equal(await waitForFile(exitFile), '0', 'q exits 0');
		await assertTerminalRestored(session, sttyFile);
	} finally {
		await session.kill();
	}
});

test('without a controlling terminal (setsid) the pipe gets the plain summary and one line saying why', {
	skip,
}, async () => {
	assertDockerAvailable(availability);
	const exitFile = join(work, 'exit-setsid');
	const layerlens = quoted(cliCommand(['--no-cache']));
	const command = `docker save ${fixtureImages.waste} | env -u CI -u NODE_OPTIONS setsid -w ${layerlens}; echo $? > ${exitFile}; sleep 60`;
	const session = await startTmux('layerlens-stdin-setsid', command);
	try {
		assert.equal(await waitForFile(exitFile), '0');
		const screen = await session.capture();
		assert.match(
			screen,
			/layerlens: no terminal to read keys from \(\/dev\/tty: ENXIO\): printing the summary/,
		);
		assert.match(screen, /Image: stdin/);
		assert.match(screen, /Reclaimable \(hidden by later layers\)/);
	} finally {
		await session.kill();
	}
});

test('docker save A | layerlens diff - B in a terminal opens the diff explorer, keys from the terminal', {
	skip,
}, async () => {
	assertDockerAvailable(availability);
	const exitFile = join(work, 'exit-diff');
	const sttyFile = join(work, 'stty-diff');
	const layerlens = quoted(cliCommand(['diff', '-', fixtureImages.waste, '--no-cache']));
	const command = `docker save ${busyboxBase} | env -u CI -u NODE_OPTIONS XDG_CONFIG_HOME=${join(work, 'config')} ${layerlens}; echo $? > ${exitFile}; stty -a > ${sttyFile}; sleep 60`;
	const session = await startTmux('layerlens-stdin-diff', command);
	try {
		const first = await session.waitFor((screen) => screen.includes('▶ Files'), 90_000);
		assert.match(first, /A: stdin {2}B: layerlens-fixture\/waste/);
		assert.match(first, /\(shared\)/, 'the base both have, once');
		assert.doesNotMatch(first, /Run in a terminal/);
		await session.sendKeys('s');
		await session.waitFor((screen) => screen.includes('sort: name'));
		await session.sendKeys('q');
		assert.equal(await waitForFile(exitFile), '0', 'q exits 0');
		await assertTerminalRestored(session, sttyFile);
	} finally {
		await session.kill();
	}
});
