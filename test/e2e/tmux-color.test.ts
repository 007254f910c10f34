import assert from 'node:assert/strict';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';
import {cliCommand} from '../helpers/run-cli.js';
import {startTmux, tmuxAvailable} from '../helpers/tmux.js';

// NO_COLOR (no-color.org) turns colour off in the explorer too; FORCE_COLOR wins over it. A real pty (tmux),
// the demo image, the screen captured with its escape sequences.

const skip = tmuxAvailable() ?? false;
/** An SGR sequence that sets a foreground or background colour (30-37, 40-47, 90-97, 38;…, 48;…). */
const colourSequence = /\u001b\[(?:[\d;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[\d;]*)?m/;

async function explorerScreen(name: string, environment: string): Promise<string> {
	// An empty config directory of its own: the user's keys or sort order must not change what it sees.
	const config = await mkdtemp(join(tmpdir(), 'layerlens-tmux-color-'));
	const command = `env -u CI -u FORCE_COLOR -u NO_COLOR XDG_CONFIG_HOME=${config} ${environment} ${cliCommand(['--demo', '--no-cache']).join(' ')}; sleep 60`;
	const session = await startTmux(name, command);
	try {
		await session.waitFor((screen) => /Changes in layer 0/.test(screen), 90_000);
		// Move to a layer that adds files so the tree shows coloured rows.
		await session.sendKeys('j');
		await session.waitFor((screen) => /Changes in layer 1/.test(screen));
		return await session.captureStyled();
	} finally {
		await session.sendKeys('q');
		await session.kill();
		await rm(config, {recursive: true, force: true});
	}
}

test('the explorer is coloured by default, plain with NO_COLOR, coloured again with FORCE_COLOR', {
	skip,
	timeout: 300_000,
}, async () => {
	const plain = await explorerScreen('layerlens-no-color', 'NO_COLOR=1');
	assert.match(plain, /Changes in layer 1/);
	assert.doesNotMatch(plain, colourSequence, 'no colour escape with NO_COLOR');

	const coloured = await explorerScreen('layerlens-color', 'TERM=xterm-256color');
	assert.match(coloured, colourSequence, 'the check is real: colours appear without NO_COLOR');

	const forced = await explorerScreen('layerlens-force-color', 'NO_COLOR=1 FORCE_COLOR=1');
	assert.match(forced, colourSequence, 'FORCE_COLOR wins over NO_COLOR');
});
