import assert from 'node:assert/strict';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';
import {cliCommand} from '../helpers/run-cli.js';
import {startTmux, tmuxAvailable} from '../helpers/tmux.js';

/*
The size map (m) in a real terminal on the naive fixture, at 160×45 and 80×24: opened from the tree on the
final filesystem, `app` and its `node_modules` are large rectangles, Enter zooms in, Esc backs out and then
closes, a resize lays it out again, and with NO_COLOR the selection is still there (inverse, no colour).
*/

const availability = await dockerAvailability({images: [fixtureImages.naive]});
const skip = tmuxAvailable() ?? dockerSkip(availability);
let work = '';
let sessions = 0;

before(async () => {
	if (tmuxAvailable()) return;
	work = await mkdtemp(join(tmpdir(), 'layerlens-tmux-map-'));
});

after(async () => {
	if (work) await rm(work, {recursive: true, force: true});
});

const quote = (argument: string) => `'${argument.replace(/'/g, "'\\''")}'`;
/** An SGR sequence that sets a foreground or background colour (30-37, 40-47, 90-97, 38;…, 48;…). */
const colourSequence = /\u001b\[(?:[\d;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[\d;]*)?m/;

async function explorer(size: {columns: number; rows: number}, environment = '') {
	sessions += 1;
	const cli = cliCommand([fixtureImages.naive]).map(quote).join(' ');
	const name = `layerlens-map-${process.pid}-${sessions}`;
	// Its own config directory (no user keys); the analysis cache is shared by this file's sessions.
	const command = `env -u CI -u LAYERLENS_REQUIRE_DOCKER -u FORCE_COLOR -u NO_COLOR TERM=xterm-256color XDG_CONFIG_HOME=${quote(join(work, `config-${sessions}`))} XDG_CACHE_HOME=${quote(join(work, 'cache'))} ${environment} ${cli}; sleep 60`;
	const session = await startTmux(name, command, size);
	await session.waitFor((screen) => /Changes in layer 0/.test(screen), 180_000);
	return session;
}

type Session = Awaited<ReturnType<typeof explorer>>;

/** The last layer's whole filesystem, folded, cursor on `app/`, then m. */
async function openMapOnApp(session: Session): Promise<string> {
	await session.sendKeys('G', 'C-a', 'Tab', 'z', 'g');
	await session.waitFor((screen) => /Filesystem as of layer 7/.test(screen) && /⊕ app\//.test(screen));
	const cursorLine = async () => selectedTreeLine(await session.captureStyled()) ?? '';
	for (let step = 0; step < 8; step++) {
		const line = await cursorLine();
		if (/─ ⊕ app\/\s*$/.test(line)) break;
		await session.sendKeys('j');
		// One row at a time, each drawn before the next key: a busy machine draws late.
		const deadline = Date.now() + 15_000;
		while ((await cursorLine()) === line && Date.now() < deadline)
			await new Promise((done) => setTimeout(done, 100));
	}

	assert.match(await cursorLine(), /─ ⊕ app\/\s*$/, 'the cursor on app/');

	await session.sendKeys('m');
	return session.waitFor((screen) => screen.includes('Size map · Filesystem as of layer 7 (final) · / ·'));
}

/** The first line drawn in inverse video, as text (the tree's cursor row). */
function selectedTreeLine(styled: string): string | undefined {
	return styledCells(styled)
		.map((line) =>
			line
				.filter((cell) => cell.inverse)
				.map((cell) => cell.character)
				.join(''),
		)
		.find((text) => /─ /.test(text));
}

type Cell = {character: string; inverse: boolean};

/** The styled screen as cells; tmux writes an attribute only where it changes, so the state carries across lines. */
function styledCells(screen: string): Cell[][] {
	const lines: Cell[][] = [[]];
	let inverse = false;
	for (const [text, parameters] of screen.matchAll(/\u001b\[([\d;]*)m|\u001b\[[\d;?]*[A-Za-z]|\n|./gsu)) {
		if (text === '\n') {
			lines.push([]);
		} else if (parameters !== undefined) {
			const codes = parameters === '' ? [0] : parameters.split(';').map(Number);
			for (let index = 0; index < codes.length; index++) {
				const code = codes[index]!;
				if (code === 38 || code === 48) index += codes[index + 1] === 5 ? 2 : 4;
				else if (code === 0 || code === 27) inverse = false;
				else if (code === 7) inverse = true;
			}
		} else if (!text.startsWith('\u001b')) {
			lines.at(-1)!.push({character: text, inverse});
		}
	}

	return lines;
}

/**
The rectangle whose label starts with `label`, measured on the screen: its inside runs from the label's
column to the next border on the right, and from the label's row down to the next border line below.
*/
function rectangleOf(screen: string, label: string): {width: number; height: number} {
	const lines = screen.split('\n').map((line) => [...line]);
	for (const [row, line] of lines.entries()) {
		const text = line.join('');
		const column = text.indexOf(`│${label}`);
		if (column === -1) continue;
		const start = [...text.slice(0, column)].length + 1;
		let width = 0;
		while (start + width < line.length && line[start + width] !== '│') width++;
		let height = 0;
		while (row + height < lines.length && lines[row + height]![start - 1] === '│') height++;
		return {width, height};
	}

	assert.fail(`no rectangle labelled ${label}:\n${screen}`);
}

/** Cells inside the map: its lines between the title and the legend, less the borders. */
function mapCells(screen: string): number {
	const lines = screen.split('\n');
	const top = lines.findIndex((line) => line.startsWith('┌'));
	const bottom = lines.findIndex((line) => line.startsWith('└'));
	return ([...lines[top]!].length - 2) * (bottom - top - 1);
}

const footerOf = (screen: string) => screen.trimEnd().split('\n').at(-2) ?? '';

test('160x45: the final filesystem; app and node_modules are large; Enter zooms in, Esc backs out and closes; resize lays it out again', {
	skip,
	timeout: 400_000,
}, async () => {
	assertDockerAvailable(availability);
	const session = await explorer({columns: 160, rows: 45});
	try {
		const top = await openMapOnApp(session);
		assert.match(
			footerOf(top),
			/^\/app\/ {2}[\d.]+ MB \(\d+ B\) · build-only · [\d.]+ % of this map · Enter opens it/,
		);
		assert.match(top, /│i usr\//, 'the base image, lettered');
		assert.match(top, /│b app\//, 'app, lettered build-only');
		const app = rectangleOf(top, 'b app/');
		assert.ok(
			app.width * app.height >= 0.08 * mapCells(top),
			`app is a large rectangle: ${app.width}x${app.height} of ${mapCells(top)} cells`,
		);
		assert.match(top.trimEnd().split('\n').at(-1)!, /Enter open {2}Esc back {2}q close/);

		await session.sendKeys('Enter');
		const inApp = await session.waitFor((screen) => / · \/app · /.test(screen));
		assert.match(footerOf(inApp), /^\/app\/node_modules\/ {2}[\d.]+ MB .* · build-only · /);
		const nodeModules = rectangleOf(inApp, 'b node_modules/');
		assert.ok(
			nodeModules.width * nodeModules.height >= 0.8 * mapCells(inApp),
			`node_modules fills most of /app: ${nodeModules.width}x${nodeModules.height}`,
		);

		await session.sendKeys('Enter');
		const inNodeModules = await session.waitFor((screen) => / · \/app\/node_modules · /.test(screen));
		assert.match(inNodeModules, /│b typescript\//);
		assert.match(footerOf(inNodeModules), /^\/app\/node_modules\/typescript\/ .* · build-only · /);

		await session.resize(100, 30);
		// tmux first re-wraps the old frame; the new one has a whole bottom border 100 wide.
		const resized = await session.waitFor((screen) =>
			screen.split('\n').some((line) => /^└.*┘$/.test(line) && [...line].length === 100),
		);
		assert.match(resized, / · \/app\/node_modules · /, 'the same place after the resize');
		assert.ok(resized.split('\n').every((line) => [...line].length <= 100));
		assert.match(resized, /│b typescript\//);

		await session.sendKeys('Escape');
		const backInApp = await session.waitFor((screen) => / · \/app · /.test(screen));
		assert.match(footerOf(backInApp), /^\/app\/node_modules\//, 'on the directory it came out of');
		await session.sendKeys('BSpace');
		const backAtTop = await session.waitFor((screen) => / · \/ · /.test(screen));
		assert.match(footerOf(backAtTop), /^\/app\//);
		await session.sendKeys('Escape');
		const closed = await session.waitFor((screen) => !screen.includes('Size map'));
		assert.match(closed, /Filesystem as of layer 7/, 'back in the explorer');
	} finally {
		await session.sendKeys('q');
		await session.kill();
	}
});

test('80x24 with NO_COLOR: the map reads without colour, the selection is inverse, zoom in and out', {
	skip,
	timeout: 400_000,
}, async () => {
	assertDockerAvailable(availability);
	const session = await explorer({columns: 80, rows: 24}, 'NO_COLOR=1');
	try {
		const top = await openMapOnApp(session);
		assert.ok(top.split('\n').every((line) => [...line].length <= 80));
		assert.match(top, /▒ b build-only/, 'the legend names the patterns');
		const styled = await session.captureStyled();
		assert.doesNotMatch(styled, colourSequence, 'no colour escape with NO_COLOR');
		const cells = styledCells(styled);
		const inverseText = (pattern: RegExp) =>
			cells
				.map((line) =>
					line
						.filter((cell) => cell.inverse)
						.map((cell) => cell.character)
						.join(''),
				)
				.filter((text) => pattern.test(text));
		assert.ok(inverseText(/b app\//).length > 0, 'the selected rectangle (app) is inverse');
		assert.equal(inverseText(/i usr\//).length, 0, 'the others are not');
		const app = rectangleOf(top, 'b app/');
		assert.ok(app.width * app.height >= 0.08 * mapCells(top), `app is large: ${app.width}x${app.height}`);

		await session.sendKeys('Enter');
		const inApp = await session.waitFor((screen) => / · \/app · /.test(screen));
		assert.match(inApp, /│b node_modules\//);
		const zoomed = styledCells(await session.captureStyled());
		assert.ok(
			zoomed.some((line) =>
				line
					.filter((cell) => cell.inverse)
					.map((cell) => cell.character)
					.join('')
					.includes('b node_modules/'),
			),
			'the selection follows into the directory',
		);

		await session.sendKeys('Escape');
		const back = await session.waitFor((screen) => / · \/ · /.test(screen));
		assert.match(footerOf(back), /^\/app\//);
		await session.sendKeys('q');
		await session.waitFor(
			(screen) => !screen.includes('Size map') && /Filesystem as of layer 7/.test(screen),
		);
	} finally {
		await session.sendKeys('q');
		await session.kill();
	}
});
