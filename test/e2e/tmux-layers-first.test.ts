import assert from 'node:assert/strict';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {assertDockerAvailable, dockerAvailability, dockerSkip} from '../helpers/docker.js';
import {ensureLargeReadImage} from '../helpers/large-image.js';
import {startTmux, tmuxAvailable} from '../helpers/tmux.js';

// The daemon's image opens layers first: its layer list and instructions are on screen while its layers are still
// read, and keys typed from the very start act. Asserted on what the screen shows, never on a time.

const root = new URL('../..', import.meta.url).pathname;
const tsx = import.meta.resolve('tsx');
const availability = await dockerAvailability({images: ['layerlens-fixture/busybox-base']});
const skip = tmuxAvailable() ?? dockerSkip(availability);
let work = '';
let image = '';

before(async () => {
	if (skip) return;
	work = await mkdtemp(join(tmpdir(), 'layerlens-layers-first-'));
	image = await ensureLargeReadImage();
});

after(async () => {
	if (work) await rm(work, {recursive: true, force: true});
});

test('layers first from the daemon: the list while a layer reads, keys typed before the first frame act', {
	skip,
	timeout: 600_000,
}, async () => {
	assertDockerAvailable(availability);
	const exitFile = join(work, 'exit');
	const command = `env -u CI -u LAYERLENS_REQUIRE_DOCKER XDG_CONFIG_HOME=${join(work, 'config')} XDG_CACHE_HOME=${join(work, 'cache')} node --import ${tsx} ${join(root, 'source/cli.tsx')} ${image} --no-cache; echo $? > ${exitFile}; sleep 120`;
	const session = await startTmux('layerlens-layers-first', command, {columns: 120, rows: 36});
	try {
		// Typed at once, long before Node has drawn anything: kept by the terminal, then by the explorer.
		await session.sendKeys('j');
		const reading = await session.waitFor(
			(screen) => /reading \d+%/.test(screen) || screen.includes('Changes in layer'),
			300_000,
		);
		assert.doesNotMatch(reading, /Changes in layer/, 'the layer list came before the read ended');
		assert.match(reading, /RUN head -c 250000000 \/dev\/urandom > \/blob-a/);
		assert.match(reading, /RUN head -c 150000000 \/dev\/urandom > \/blob-b/);
		assert.match(reading, /WORKDIR \/app/);
		assert.match(reading, /CMD \["cat"/);
		assert.match(reading, /Layers \(\d+\)/);
		assert.match(reading, /Findings pending/, 'findings are pending, not zero');
		assert.match(reading, / of ~\d/, 'bytes read of the expected total');
		assert.match(reading, /Layer 1\b/, 'the early j moved to layer 1');

		// While layers are still read: the help, then the findings (pending now, kept for the explorer).
		await session.sendKeys('?');
		const help = await session.waitFor(
			(screen) => screen.includes('Show all keys') || screen.includes('Changes in layer'),
		);
		assert.match(help, /Show all keys/);
		// Esc on its own (a key right after it would read as Alt+key), then f.
		await session.sendKeys('Escape');
		await session.waitFor((screen) => !screen.includes('Show all keys'));
		await session.sendKeys('f');
		const pending = await session.waitFor(
			(screen) => screen.includes('The findings: pending') || screen.includes('Findings (largest first)'),
		);
		assert.match(pending, /The findings: pending|Findings \(largest first\)/);

		// The read ends: the explorer opens where the keys led, the findings overlay open, layer 1 behind it.
		const findings = await session.waitFor(
			(screen) => screen.includes('Findings (largest first)') && !screen.includes('The findings: pending'),
			300_000,
		);
		assert.match(findings, /Findings \(largest first\)/);
		await session.sendKeys('Escape');
		const explorer = await session.waitFor((screen) => screen.includes('Changes in layer 1'));
		assert.match(explorer, /blob-a/);
		await session.sendKeys('q');
		// The session ends once the source has let go of what it holds (up to its dispose timeout).
		assert.equal(await session.exitCode(exitFile), '0');
	} finally {
		await session.kill();
	}
});
