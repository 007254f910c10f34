import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {promisify} from 'node:util';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';
import {startTmux, tmuxAvailable} from '../helpers/tmux.js';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const availability = await dockerAvailability({images: [fixtureImages.naive]});
const tmuxMissing = tmuxAvailable();
const skip = tmuxMissing ?? dockerSkip(availability);
let work = '';

before(async () => {
	if (skip) return;
	work = await mkdtemp(join(tmpdir(), 'layerlens-tmux-'));
	// The smoke test runs the built CLI, as a user's `layerlens` would: the whole build, ink's bundle included.
	await run('npm', ['run', 'build'], {cwd: root});
});

after(async () => {
	if (work) await rm(work, {recursive: true, force: true});
});

test('the built CLI opens the explorer on the naive fixture in a real 160x45 terminal, navigates, and q restores it', {
	skip,
}, async () => {
	assertDockerAvailable(availability);
	const exitFile = join(work, 'exit');
	const sttyFile = join(work, 'stty');
	// Ink renders only the last frame when CI is set, so the pty session runs without it.
	// Its own config directory: the user's keys or sort order must not change what it sees.
	const command = `env -u CI -u LAYERLENS_REQUIRE_DOCKER XDG_CONFIG_HOME=${join(work, 'config')} node ${join(root, 'dist/cli.js')} ${fixtureImages.naive} --no-cache; echo $? > ${exitFile}; stty -a > ${sttyFile}; sleep 60`;
	const session = await startTmux('layerlens-smoke', command);
	try {
		// The layer list with its instructions comes first, while the layers are read; the explorer follows.
		const first = await session.waitFor(
			(screen) => screen.includes('RUN npm run build') && screen.includes('Changes in layer 0'),
			90_000,
		);
		assert.match(first, /WORKDIR \/app/);
		assert.match(first, /COPY <dir> \./);
		assert.match(first, /RUN mv \.npm-cache \/root\/\.npm && npm install/);
		assert.match(first, /Changes in layer 0/);
		assert.match(first, /├─ /, 'the file tree is drawn');
		assert.equal(
			first.split('\n').filter((line) => line.length > 160).length,
			0,
			'no line wider than the terminal',
		);

		await session.sendKeys('G');
		const last = await session.waitFor((screen) => screen.includes('Changes in layer 7'));
		assert.match(last, /dist\//, 'the build layer adds dist/');

		await session.sendKeys('Tab', 'a');
		await session.waitFor((screen) => screen.includes('Filesystem as of layer 7'));

		await session.sendKeys('f');
		const findings = await session.waitFor((screen) => screen.includes('Findings (largest first)'));
		assert.match(findings, /LL-BUILD-DEVDEPS/);
		await session.sendKeys('Escape', 'q');
		const deadline = Date.now() + 15_000;
		let code = '';
		while (Date.now() < deadline && code === '') {
			code = (await readFile(exitFile, 'utf8').catch(() => '')).trim();
			await new Promise((resolve) => setTimeout(resolve, 200));
		}

		assert.equal(code, '0', 'q exits 0');
		assert.equal(await session.paneFlag('#{alternate_on}'), '0', 'left the alternate screen');
		assert.equal(await session.paneFlag('#{cursor_flag}'), '1', 'cursor visible again');
		const stty = await readFile(sttyFile, 'utf8');
		assert.match(stty, /(^|\s)icanon(\s|$)/, 'canonical mode restored');
		assert.match(stty, /(^|\s)echo(\s|$)/, 'echo restored');
	} finally {
		await session.kill();
	}
});
