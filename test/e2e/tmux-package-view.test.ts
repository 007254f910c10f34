import assert from 'node:assert/strict';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {formatBytes} from '../../source/shared/format-bytes.js';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';
import {cliCommand, runCliJson} from '../helpers/run-cli.js';
import {startTmux, tmuxAvailable} from '../helpers/tmux.js';

/*
The package view (P) in a real terminal on the naive fixture (Debian packages and an npm tree): a dpkg
package filtered by name shows the exact bytes `--json` gives it, Enter leaves the tree on the final
filesystem filtered to its files, Esc shows every file again, and o shows who owns each file.
*/

const availability = await dockerAvailability({images: [fixtureImages.naive]});
const skip = tmuxAvailable() ?? dockerSkip(availability);
let work = '';

before(async () => {
	if (tmuxAvailable()) return;
	work = await mkdtemp(join(tmpdir(), 'layerlens-tmux-packages-'));
});

after(async () => {
	if (work) await rm(work, {recursive: true, force: true});
});

const quote = (argument: string) => `'${argument.replace(/'/g, "'\\''")}'`;

type JsonPackage = {ecosystem: string; name: string; version: string; bytes: number; fileCount: number};

test('P on the naive fixture: libc6 with --json’s exact bytes, Enter shows its files, o the owners', {
	skip,
	timeout: 600_000,
}, async () => {
	assertDockerAvailable(availability);
	const report = await runCliJson<{packages: {packages: JsonPackage[]}}>([fixtureImages.naive, '--json'], {
		timeoutMs: 300_000,
	});
	const libc = report.packages.packages.find((entry) => entry.ecosystem === 'deb' && entry.name === 'libc6');
	assert.ok(libc, 'the report lists libc6');

	const cli = cliCommand([fixtureImages.naive]).map(quote).join(' ');
	const command = `env -u CI -u LAYERLENS_REQUIRE_DOCKER -u FORCE_COLOR -u NO_COLOR TERM=xterm-256color XDG_CONFIG_HOME=${quote(join(work, 'config'))} XDG_CACHE_HOME=${quote(join(work, 'cache'))} ${cli}; sleep 60`;
	const session = await startTmux(`layerlens-packages-${process.pid}`, command, {columns: 160, rows: 45});
	try {
		await session.waitFor((screen) => /Changes in layer 0/.test(screen), 300_000);
		await session.sendKeys('P');
		let screen = await session.waitFor((text) => /^ Packages · \d+ \(/.test(text), 60_000);
		assert.match(screen, /Size {2}Eco {3}Name/);
		assert.match(screen, /npm {3}typescript/);

		await session.sendKeys('/', '^deb:libc6$');
		screen = await session.waitFor((text) => /Package filter: \^deb:libc6\$/.test(text));
		await session.sendKeys('Enter');
		screen = await session.waitFor((text) => /filter \^deb:libc6\$: 1 match/.test(text));
		const line = screen.split('\n').find((text) => /deb {3}libc6 /.test(text)) ?? '';
		const version = libc.version.replace(/[.+]/g, '\\$&');
		assert.match(line, new RegExp(` ${formatBytes(libc.bytes)} {2}deb {3}libc6 +${version} +0 {2}runtime`));
		// The status line names the selection with its exact bytes: --json's.
		assert.match(screen, new RegExp(`${libc.fileCount} files, ${libc.bytes} B · runtime: `));

		await session.sendKeys('Enter');
		screen = await session.waitFor((text) => /files of libc6/.test(text), 60_000);
		assert.match(screen, /Filesystem as of layer 7 · by size · files of libc6 /);
		assert.match(screen, /Tree filtered to the files of libc6 .*Esc: every file/);
		assert.match(screen, /x86_64-linux-gnu\/\n.*gconv\//);
		assert.ok(
			!/─ (passwd|node_modules|app)\//.test(screen) && !/─ passwd/.test(screen),
			'only libc6’s files',
		);

		await session.sendKeys('o');
		screen = await session.waitFor((text) => text.includes('Owner (final)'));
		const owned = screen.split('\n').find((text) => /─ \S+\.so\s*$/.test(text)) ?? '';
		assert.match(owned, / libc6 +\d/);

		await session.sendKeys('Escape');
		screen = await session.waitFor((text) => !text.includes('Tree filtered'));
		await session.sendKeys('/', '^/etc/passwd$', 'Enter');
		screen = await session.waitFor((text) => /passwd/.test(text.split('\n').slice(1, -2).join('\n')));
		assert.match(screen.split('\n').find((text) => /─ passwd/.test(text)) ?? '', / yours +\d/);
	} finally {
		await session.kill();
	}
});

test('the package view’s status line gives the selected package’s exact bytes', {
	skip,
	timeout: 600_000,
}, async () => {
	assertDockerAvailable(availability);
	const report = await runCliJson<{packages: {packages: JsonPackage[]}}>([fixtureImages.naive, '--json'], {
		timeoutMs: 300_000,
	});
	const largest = report.packages.packages[0]!;
	const cli = cliCommand([fixtureImages.naive]).map(quote).join(' ');
	const command = `env -u CI -u LAYERLENS_REQUIRE_DOCKER -u FORCE_COLOR -u NO_COLOR TERM=xterm-256color XDG_CONFIG_HOME=${quote(join(work, 'config-2'))} XDG_CACHE_HOME=${quote(join(work, 'cache'))} ${cli}; sleep 60`;
	const session = await startTmux(`layerlens-packages-bytes-${process.pid}`, command, {
		columns: 160,
		rows: 45,
	});
	try {
		await session.waitFor((screen) => /Changes in layer 0/.test(screen), 300_000);
		await session.sendKeys('P');
		const screen = await session.waitFor((text) => / B · (build-only|runtime|unknown): /.test(text), 60_000);
		const status = screen.split('\n').find((text) => / B · (build-only|runtime|unknown): /.test(text))!;
		const [, files, bytes] = /(\d+) files?, (\d+) B · /.exec(status) ?? [];
		assert.equal(Number(bytes), largest.bytes, `${largest.name}: --json's bytes`);
		assert.equal(Number(files), largest.fileCount);
		await session.sendKeys('Enter');
		const tree = await session.waitFor((text) => text.includes('Tree filtered to the files of'), 60_000);
		const top = tree.split('\n').find((text) => /[└├]─ \S+\/$/.test(text.trimEnd())) ?? '';
		assert.ok(top.includes(formatBytes(largest.bytes)), `the tree's top row holds all of it: ${top}`);
	} finally {
		await session.kill();
	}
});
