import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';
import {imageTotals, literal, shrinkHeadline} from '../helpers/image-totals.js';
import {cliCommand} from '../helpers/run-cli.js';
import {startTmux, tmuxAvailable} from '../helpers/tmux.js';

const availability = await dockerAvailability({images: [fixtureImages.naive, fixtureImages.multistage]});
const skip = tmuxAvailable() ?? dockerSkip(availability);
let work = '';

before(async () => {
	if (skip) return;
	work = await mkdtemp(join(tmpdir(), 'layerlens-tmux-diff-'));
});

after(async () => {
	if (work) await rm(work, {recursive: true, force: true});
});

const quote = (argument: string) => `'${argument.replace(/'/g, "'\\''")}'`;

test('the diff explorer in a real 140x40 terminal: layers side by side, +/-/~ rows with deltas, sort, filter, findings, q restores the terminal', {
	skip,
}, async () => {
	assertDockerAvailable(availability);
	const naive = await imageTotals(fixtureImages.naive);
	const multistage = await imageTotals(fixtureImages.multistage);
	const exitFile = join(work, 'exit');
	const sttyFile = join(work, 'stty');
	const cli = cliCommand(['diff', fixtureImages.naive, fixtureImages.multistage]).map(quote).join(' ');
	// Ink renders only the last frame when CI is set, so the pty session runs without it. The session presses s:
	// its own config directory keeps the user's untouched.
	const command = `env -u CI -u LAYERLENS_REQUIRE_DOCKER XDG_CACHE_HOME=${join(work, 'cache')} XDG_CONFIG_HOME=${join(work, 'config')} ${cli}; echo $? > ${exitFile}; stty -a > ${sttyFile}; sleep 60`;
	const session = await startTmux('layerlens-diff', command, {columns: 140, rows: 40});
	try {
		const first = await session.waitFor((screen) => screen.includes('▶ Files'), 180_000);
		assert.match(first, new RegExp(literal(shrinkHeadline(naive, multistage))));
		// The shared base once, then each image's own layers side by side.
		assert.match(first, /^= {3}1 {2}98\.9 MB {2}COPY <file> \/usr\/local\/bin\/node {2}\(shared\)/m);
		assert.match(
			first,
			/^A {3}6 {2}51\.4 MB {2}RUN mv \.npm-cache.*\| B {3}6 {3}5\.1 kB {2}COPY --chown=node:node <dir> \.\/dist/m,
		);
		// Sorted by size change: the npm cache first, readable without colour (markers and signed sizes).
		assert.match(first, /^- {3}-51\.3 MB {4}▸ \.npm\/$/m);
		assert.match(first, /^~ {3}-46\.7 MB {4}▸ node_modules\/$/m);
		assert.equal(
			first.split('\n').filter((line) => line.length > 140).length,
			0,
			'no line wider than the terminal',
		);

		// s: by name, so app/ comes before root/.
		await session.sendKeys('s');
		const byName = await session.waitFor((screen) => screen.includes('sort: name'));
		assert.ok(byName.indexOf('▾ app/') < byName.indexOf('▾ root/'));

		// The path filter opens every directory down to the matches.
		await session.sendKeys('/', 'typescript.js', 'Enter');
		const filtered = await session.waitFor((screen) => screen.includes('filter: /typescript.js'));
		assert.match(filtered, /^- {4}-8\.9 MB {12}typescript\.js$/m);
		assert.doesNotMatch(filtered, /▸ \.npm\//, 'rows that do not match are filtered out');
		await session.sendKeys('Escape');

		await session.sendKeys('f');
		const findings = await session.waitFor((screen) =>
			/Findings: \d+ resolved, 0 new, \d+ kept/.test(screen),
		);
		assert.match(findings, /46\.7 MB {2}LL-BUILD-DEVDEPS {2}devDependencies installed in the final image/);
		await session.sendKeys('Escape', '?');
		const help = await session.waitFor((screen) => screen.includes('File tree pane'));
		// The keymap's own help text, limited to the keys this view answers to (no export, no Dockerfile).
		assert.match(help, /^ {2}Tab {20}Next pane$/m);
		assert.match(help, /^ {2}f {22}Findings, largest first, with evidence and fix$/m);
		assert.doesNotMatch(help, /Export a report/);
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
