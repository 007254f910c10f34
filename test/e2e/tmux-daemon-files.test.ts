import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {mkdir, mkdtemp, readdir, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {promisify} from 'node:util';
import {fileReadLabel} from '../../source/image/sources/daemon/daemon-files.js';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';
import {startDockerProxy} from '../helpers/docker-proxy.js';
import {cliCommand} from '../helpers/run-cli.js';
import {startTmux, tmuxAvailable} from '../helpers/tmux.js';

// `v` on a daemon image: the final version of a file through a created (never started) container, a hidden
// version from one export spooled to disk, and the same file again from memory. The daemon's requests are
// counted through a proxy socket in front of it.

const run = promisify(execFile);
const availability = await dockerAvailability({images: [fixtureImages.waste]});
const skip = tmuxAvailable() ?? dockerSkip(availability);
let work = '';

before(async () => {
	if (!skip) work = await mkdtemp(join(tmpdir(), 'layerlens-daemon-files-'));
});

after(async () => {
	if (work) await rm(work, {recursive: true, force: true});
});

/** The spool directories in `directory` (tsx keeps its own cache there too). */
async function spoolDirectories(directory: string): Promise<string[]> {
	return (await readdir(directory)).filter((name) => name.startsWith('layerlens-layers-'));
}

const quoted = (words: readonly string[]): string =>
	words.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');

test('v twice on a daemon image reads no second export, and no container or spooled layer is left behind', {
	skip,
}, async () => {
	assertDockerAvailable(availability);
	const proxy = await startDockerProxy(join(work, 'docker.sock'));
	const scratch = join(work, 'tmp');
	await mkdir(scratch);
	const exitFile = join(work, 'exit');
	const layerlens = quoted(cliCommand([fixtureImages.waste, '--no-cache']));
	const command = `env -u CI -u NODE_OPTIONS DOCKER_HOST=unix://${join(work, 'docker.sock')} TMPDIR=${scratch} XDG_CONFIG_HOME=${join(work, 'config')} ${layerlens}; echo $? > ${exitFile}; sleep 60`;
	const exports = () =>
		proxy.requests.filter((request) => /^\/(v[\d.]+\/)?images\/.+\/get$/.test(request.path));
	const creates = () => proxy.requests.filter((request) => request.path.includes('/containers/create'));
	const session = await startTmux('layerlens-daemon-files', command);
	const key = async (name: string, until: (screen: string) => boolean): Promise<string> => {
		await session.sendKeys(name);
		return session.waitFor(until, 20_000);
	};
	try {
		await session.waitFor((screen) => screen.includes('Changes in layer 0'), 90_000);
		assert.equal(exports().length, 1, 'the load exports the image once');
		for (let layer = 1; layer <= 5; layer++) {
			await key('j', (screen) => screen.includes(`Changes in layer ${layer}`));
		}

		// Layer 5 writes grows.bin, and nothing later touches it: the final version.
		await session.sendKeys('Tab', 'j');
		await key('v', (screen) => screen.includes('/data/grows.bin') && screen.includes('grows-v2'));
		assert.equal(creates().length, 1, 'the final version came through a created container');
		assert.ok(
			proxy.requests.some((request) =>
				/\/containers\/[0-9a-f]+\/archive\?path=%2Fdata%2Fgrows\.bin/.test(request.path),
			),
		);
		assert.equal(exports().length, 1, 'no export for the final version');
		await session.sendKeys('Escape');
		await key('v', (screen) => screen.includes('/data/grows.bin') && screen.includes('grows-v2'));
		assert.equal(creates().length, 1, 'the second view is answered from memory');
		assert.equal(exports().length, 1);

		// Layer 1's deleted-later.bin is removed by layer 2: only its layer has it.
		await session.sendKeys('Escape', 'Tab');
		for (let layer = 4; layer >= 1; layer--) {
			await key('k', (screen) => screen.includes(`Changes in layer ${layer}`));
		}

		await session.sendKeys('Tab', 'j');
		await key(
			'v',
			(screen) => screen.includes('/data/deleted-later.bin') && screen.includes('deleted-later'),
		);
		assert.equal(exports().length, 2, 'a hidden version costs one export');
		assert.equal((await spoolDirectories(scratch)).length, 1, 'its layers are spooled');
		await session.sendKeys('Escape');
		await key(
			'v',
			(screen) => screen.includes('/data/deleted-later.bin') && screen.includes('deleted-later'),
		);
		assert.equal(exports().length, 2, 'and only one');

		await session.sendKeys('Escape', 'q');
		const deadline = Date.now() + 15_000;
		let code = '';
		while (Date.now() < deadline && code === '') {
			code = (await readFile(exitFile, 'utf8').catch(() => '')).trim();
			await new Promise((resolve) => setTimeout(resolve, 200));
		}

		assert.equal(code, '0', 'q exits 0');
		const left = await run('docker', ['ps', '-a', '-q', '--filter', `label=${fileReadLabel}`]);
		assert.equal(left.stdout.trim(), '', 'no container left behind');
		assert.deepEqual(await spoolDirectories(scratch), [], 'the spooled layers are removed');
	} finally {
		await session.kill();
		await proxy.close();
	}
});
