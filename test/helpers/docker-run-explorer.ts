import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {promisify} from 'node:util';
import {startTmux} from './tmux.js';

const run = promisify(execFile);

/**
The explorer of a packaged layerlens (the single executable or the container image) in tmux: `dockerRun` is the
`docker run -it …` command without `--name`; the tree is drawn, `G` reaches a later layer, `q` exits 0 and leaves
the alternate screen. The container is removed whatever happens.
*/
export async function assertExplorerInDockerRun(
	container: string,
	dockerRun: string,
	work: string,
): Promise<void> {
	const exitFile = join(work, 'exit');
	const command = `${dockerRun.replace(/^docker run /, `docker run --name ${container} `)}; echo $? > ${exitFile}; sleep 60`;
	const session = await startTmux(container, command, {columns: 120, rows: 40});
	try {
		const first = await session.waitFor((screen) => screen.includes('Changes in layer 0'), 120_000);
		assert.match(first, /├─ |└─ /, 'the file tree is drawn');
		await session.sendKeys('G');
		await session.waitFor((screen) => /Changes in layer [1-9]/.test(screen));
		await session.sendKeys('q');
		const deadline = Date.now() + 30_000;
		let code = '';
		while (Date.now() < deadline && code === '') {
			code = (await readFile(exitFile, 'utf8').catch(() => '')).trim();
			await new Promise((resolve) => setTimeout(resolve, 200));
		}

		assert.equal(code, '0', 'q exits 0');
		assert.equal(await session.paneFlag('#{alternate_on}'), '0', 'left the alternate screen');
	} finally {
		await session.kill();
		await run('docker', ['rm', '--force', container]).catch(() => undefined);
	}
}
