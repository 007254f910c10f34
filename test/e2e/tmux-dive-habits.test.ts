import assert from 'node:assert/strict';
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';
import {cliCommand} from '../helpers/run-cli.js';
import {startTmux, tmuxAvailable} from '../helpers/tmux.js';

/*
A dive user's first minute, in a real terminal (tmux) on the naive fixture: NO_COLOR keeps the cursor and
the selected layer visible, d is on the first screen, 80×24 reaches every layer and wraps the fixes, a filter
opens the folders holding its matches, and a config file remaps keys. Every session gets its own
XDG_CONFIG_HOME (s writes the sort order there), never the user's.
*/

const availability = await dockerAvailability({images: [fixtureImages.naive]});
const diffAvailability = await dockerAvailability({images: [fixtureImages.naive, fixtureImages.multistage]});
const skip = tmuxAvailable() ?? dockerSkip(availability);
let work = '';
let sessions = 0;

before(async () => {
	if (tmuxAvailable()) return;
	work = await mkdtemp(join(tmpdir(), 'layerlens-tmux-dive-'));
});

after(async () => {
	if (work) await rm(work, {recursive: true, force: true});
});

const quote = (argument: string) => `'${argument.replace(/'/g, "'\\''")}'`;

/** An SGR sequence that sets a foreground or background colour (30-37, 40-47, 90-97, 38;…, 48;…). */
const colourSequence = /\u001b\[(?:[\d;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[\d;]*)?m/;

type Cell = {character: string; inverse: boolean; bold: boolean};

/**
The styled screen as cells. tmux writes an attribute only where it changes, so a row that continues the
style of the line above carries no escape of its own: the state is followed across the whole capture.
*/
function cells(screen: string): Cell[][] {
	const lines: Cell[][] = [[]];
	let inverse = false;
	let bold = false;
	for (const [text, parameters] of screen.matchAll(/\u001b\[([\d;]*)m|\u001b\[[\d;?]*[A-Za-z]|\n|./gsu)) {
		if (text === '\n') {
			lines.push([]);
		} else if (parameters !== undefined) {
			const codes = parameters === '' ? [0] : parameters.split(';').map(Number);
			for (let index = 0; index < codes.length; index++) {
				const code = codes[index]!;
				if (code === 38 || code === 48) index += codes[index + 1] === 5 ? 2 : 4;
				else if (code === 0) [inverse, bold] = [false, false];
				else if (code === 1) bold = true;
				else if (code === 22) bold = false;
				else if (code === 7) inverse = true;
				else if (code === 27) inverse = false;
			}
		} else if (!text.startsWith('\u001b')) {
			lines.at(-1)!.push({character: text, inverse, bold});
		}
	}

	return lines;
}

const lineText = (line: Cell[]) => line.map((cell) => cell.character).join('');

/** The style of the first cell of the first row matching `pattern`, at the match of `anchor` in it. */
function styleAt(screen: string, pattern: RegExp, anchor: RegExp): Cell {
	const row = cells(screen).find((line) => pattern.test(lineText(line)));
	assert.ok(row, `a row matches ${pattern}:\n${screen}`);
	const at = anchor.exec(lineText(row))?.index;
	assert.ok(at !== undefined, `${anchor} in ${lineText(row)}`);
	return row[at]!;
}

async function explorer(
	options: {size?: {columns: number; rows: number}; environment?: string; configYaml?: string} = {},
) {
	sessions += 1;
	const directory = join(work, `session-${sessions}`);
	const configHome = join(directory, 'config');
	await mkdir(join(configHome, 'layerlens'), {recursive: true});
	if (options.configYaml !== undefined) {
		await writeFile(join(configHome, 'layerlens', 'config.yaml'), options.configYaml);
	}

	const exitFile = join(directory, 'exit');
	const cli = cliCommand([fixtureImages.naive]).map(quote).join(' ');
	// Ink renders only the last frame when CI is set, so the pty session runs without it. The analysis cache
	// is shared by the sessions of this file (only the first one analyses the image).
	const command = `env -u CI -u LAYERLENS_REQUIRE_DOCKER -u FORCE_COLOR -u NO_COLOR TERM=xterm-256color XDG_CONFIG_HOME=${quote(configHome)} XDG_CACHE_HOME=${quote(join(work, 'cache'))} ${options.environment ?? ''} ${cli}; echo $? > ${quote(exitFile)}; sleep 60`;
	const session = await startTmux(`layerlens-dive-${sessions}`, command, options.size);
	await session.waitFor((screen) => /Changes in layer 0/.test(screen), 120_000);
	return {
		...session,
		configFile: join(configHome, 'layerlens', 'config.yaml'),
		async exitCode(timeoutMs = 15_000): Promise<string> {
			const deadline = Date.now() + timeoutMs;
			let code = '';
			while (Date.now() < deadline && code === '') {
				code = (await readFile(exitFile, 'utf8').catch(() => '')).trim();
				await new Promise((resolve) => setTimeout(resolve, 200));
			}

			return code;
		},
	};
}

const layerZeroRow = /^!?b? *0 +[\d.]+ [kMG]?B /;
const firstTreeRow = /├─ usr\/$/;

test('NO_COLOR: no colour codes, but the selected layer and the tree cursor stay inverse/bold, markers stay', {
	skip,
	timeout: 300_000,
}, async () => {
	assertDockerAvailable(availability);
	const session = await explorer({environment: 'NO_COLOR=1'});
	try {
		const layersFocused = await session.captureStyled();
		assert.doesNotMatch(layersFocused, colourSequence, 'no colour escape with NO_COLOR');
		assert.match(layersFocused, /\u001b\[[\d;]*7[;m]/, 'inverse is written');
		assert.match(layersFocused, /\u001b\[[\d;]*1[;m]/, 'bold is written');
		const layer = styleAt(layersFocused, layerZeroRow, /0 /);
		assert.ok(layer.inverse, 'the selected layer is inverse while the layers pane has the focus');
		const row = styleAt(layersFocused, firstTreeRow, /(?<=─ )usr\//);
		assert.ok(row.bold && !row.inverse, 'the tree cursor is bold while the tree has no focus');
		assert.match(
			(await session.capture()).split('\n').find((line) => firstTreeRow.test(line)) ?? '',
			/\+ +[\d.]+ [kMG]?B/,
			'the + marker says what colour would',
		);

		await session.sendKeys('Tab');
		await session.waitFor((screen) => /Space fold/.test(screen));
		const treeFocused = await session.captureStyled();
		assert.doesNotMatch(treeFocused, colourSequence);
		assert.ok(
			styleAt(treeFocused, firstTreeRow, /(?<=─ )usr\//).inverse,
			'the tree cursor is inverse when focused',
		);
		const selected = styleAt(treeFocused, layerZeroRow, /0 /);
		assert.ok(selected.bold && !selected.inverse, 'the selected layer stays bold');

		await session.sendKeys('j');
		await session.waitFor((screen) => / 2\/\d+/.test(screen));
		const moved = await session.captureStyled();
		assert.ok(!styleAt(moved, firstTreeRow, /(?<=─ )usr\//).inverse, 'the cursor left the first row');
		assert.ok(styleAt(moved, /├─ share\/$/, /(?<=─ )share\//).inverse, 'and shows on the next');
	} finally {
		await session.sendKeys('q');
		await session.kill();
	}
});

test('d is on the first screen: the footer leads with it and the summary says what it gives', {
	skip,
	timeout: 300_000,
}, async () => {
	assertDockerAvailable(availability);
	for (const size of [
		{columns: 80, rows: 24},
		{columns: 160, rows: 45},
	]) {
		const session = await explorer({size});
		try {
			const screen = await session.capture();
			const lines = screen.trimEnd().split('\n');
			assert.match(lines.at(-1)!, /^d suggestion {2}/, `${size.columns}x${size.rows}: d leads the help bar`);
			assert.match(
				screen,
				/Builder stage saves [\d.]+ [kMG]?B (?:\(d\)|: press d)|A builder stage saves [\d.]+ [kMG]?B: press d/,
				'the image summary says what d gives',
			);
		} finally {
			await session.sendKeys('q');
			await session.kill();
		}
	}
});

test('80x24: every layer is reachable with a scroll indicator; findings wrap their fixes instead of cutting them', {
	skip,
	timeout: 300_000,
}, async () => {
	assertDockerAvailable(availability);
	const session = await explorer({size: {columns: 80, rows: 24}});
	try {
		const first = await session.capture();
		const count = Number(/Layers \((\d+)\)/.exec(first)?.[1]);
		assert.ok(count >= 8, `the naive image has its layers (${count})`);
		assert.match(first, /Layers \(\d+\) ↓/, 'more layers below, and the title says so');
		for (let index = 1; index < count; index++) {
			await session.sendKeys('j');
			const screen = await session.waitFor((text) => text.includes(`Layer ${index} of ${count}`));
			assert.match(
				screen,
				new RegExp(`^[! ][b ] ${index} +[\\d.]+ [kMG]?B `, 'm'),
				`layer ${index} is on screen`,
			);
			assert.ok(
				screen.split('\n').every((line) => [...line].length <= 80),
				'no line wider than the terminal',
			);
		}

		assert.match(await session.capture(), /Layers \(\d+\) ↑/, 'at the last layer, more above');

		await session.sendKeys('f');
		const findings = await session.waitFor((screen) => screen.includes('Findings (largest first)'));
		const lines = findings.split('\n');
		const fixes: string[][] = [];
		for (const [index, line] of lines.entries()) {
			if (!/^ {11}fix: /.test(line)) continue;
			const block = [line];
			for (let next = index + 1; next < lines.length && /^ {16}\S/.test(lines[next]!); next++) {
				block.push(lines[next]!);
			}

			fixes.push(block);
		}

		assert.ok(fixes.length > 0, `fixes on the first findings screen:\n${findings}`);
		assert.ok(
			fixes.some((block) => block.length > 1),
			'a long fix continues on the next line',
		);
		for (const block of fixes) {
			for (const line of block) {
				assert.doesNotMatch(line, /…$/, `a fix is wrapped, not cut: ${line}`);
				assert.ok([...line].length <= 80);
			}
		}

		const npmFix = fixes
			.map((block) => block.map((line) => line.trim()).join(' '))
			.find((text) => text.includes('npm cache clean'));
		assert.match(npmFix ?? '', /in the same RUN$/, 'the npm cache fix reads to its end');
	} finally {
		await session.sendKeys('Escape', 'q');
		await session.kill();
	}
});

test('a filter opens the folders that hold its matches; clearing it folds them back', {
	skip,
	timeout: 300_000,
}, async () => {
	assertDockerAvailable(availability);
	const session = await explorer();
	try {
		await session.sendKeys('G', 'Tab', 'a');
		await session.waitFor((screen) => /Filesystem as of layer 7/.test(screen));
		await session.sendKeys('C-Space');
		const folded = await session.waitFor((screen) => /⊕ app\//.test(screen));
		assert.doesNotMatch(folded, /tsconfig/, 'the matches are inside folded folders');

		await session.sendKeys('/', 'tsconfig');
		const filtered = await session.waitFor((screen) => /Path filter: tsconfig/.test(screen));
		assert.match(filtered, /[├└]─ tsconfig\.json$/m, 'a match inside a folded folder is shown');
		assert.doesNotMatch(filtered.split('\n').slice(0, -3).join('\n'), /⊕/, 'its folders are open');

		await session.sendKeys('Escape');
		const cleared = await session.waitFor((screen) => !/Path filter/.test(screen));
		assert.match(cleared, /⊕ app\//, 'the folding from before comes back');
	} finally {
		await session.sendKeys('q');
		await session.kill();
	}
});

test('a config file remaps keys (dive spelling), and s remembers the order in it, keeping the rest', {
	skip,
	timeout: 300_000,
}, async () => {
	assertDockerAvailable(availability);
	const configYaml = '# mine\nkeybinding:\n  quit: x\n  filter-files: ctrl+g\n';
	const session = await explorer({configYaml});
	try {
		const first = await session.capture();
		assert.match(first.trimEnd().split('\n').at(-1)!, / x quit /, 'the help bar shows the new key');

		await session.sendKeys('q');
		await new Promise((resolve) => setTimeout(resolve, 1000));
		assert.match(await session.capture(), /Changes in layer 0/, 'q no longer quits');
		assert.equal(await session.exitCode(500), '');

		await session.sendKeys('C-g');
		await session.waitFor((screen) => /Path filter:/.test(screen));
		// Each key once the previous one has shown: an Esc followed too closely by a key reads as Alt+key.
		await session.sendKeys('Escape');
		await session.waitFor((screen) => !/Path filter:/.test(screen));
		await session.sendKeys('?');
		const help = await session.waitFor((screen) => /^ Keys/m.test(screen));
		assert.match(help, /^ {2}x +Quit$/m);
		assert.match(help, /^ {2}Ctrl\+G +Filter paths/m, 'the file names every key of the action, as in dive');

		// The filter, opened from the layers pane, moved the focus to the tree it filters (as in dive).
		await session.sendKeys('Escape');
		await session.waitFor((screen) => !/^ Keys/m.test(screen) && /Space fold/.test(screen));
		await session.sendKeys('s');
		await session.waitFor((screen) => !/by size/.test(screen));
		let saved = '';
		for (let attempt = 0; attempt < 25 && !saved.includes('sort: name'); attempt++) {
			await new Promise((resolve) => setTimeout(resolve, 200));
			saved = await readFile(session.configFile, 'utf8');
		}

		assert.equal(saved, `${configYaml}sort: name\n`);

		// x extracts in the tree by default; the file gave it to quit, so it quits from the tree too.
		await session.sendKeys('x');
		assert.equal(await session.exitCode(), '0');
	} finally {
		await session.kill();
	}
});

test("Ctrl+P wraps long names at 80x24 (dive's toggle-wrap-tree): whole names under themselves, the cursor a file at a time", {
	skip,
	timeout: 300_000,
}, async () => {
	assertDockerAvailable(availability);
	const session = await explorer({size: {columns: 80, rows: 24}});
	// The tree pane: right of the left column (42 % of the width, at least 36) and its gap.
	const treePart = (screen: string) =>
		screen
			.split('\n')
			.slice(2, 22)
			.map((line) => [...line].slice(37).join(''));
	const rowLine = /^[+~\- ][! ][br ] +[\d.]+ [kMG]?B {2}/;
	try {
		await session.sendKeys('Tab');
		const cut = treePart(await session.waitFor((screen) => /Space fold/.test(screen)));
		assert.ok(
			cut.some((line) => line.endsWith('…')),
			'long names are cut at the edge by default',
		);

		await session.sendKeys('C-p');
		const wrapped = await session.waitFor((screen) =>
			treePart(screen).some(
				(line) => !rowLine.test(line) && /\S$/.test(line) && / {8}/.test(line.slice(0, 14)),
			),
		);
		const tree = treePart(wrapped);
		const continued = tree.filter((line, index) => index > 0 && !rowLine.test(line) && line.trim() !== '');
		assert.ok(continued.length > 0, `a name goes on under itself:\n${wrapped}`);
		for (const [index, line] of tree.entries()) {
			if (!continued.includes(line)) continue;
			// It starts in the column where the name above it started (under the tree lines).
			const above = tree.slice(0, index).findLast((candidate) => rowLine.test(candidate))!;
			const nameColumn = /[├└]─ /.exec(above)!.index + 3;
			assert.match([...line].slice(0, nameColumn).join(''), /^[ │]*$/, `indented under the name: ${line}`);
			assert.match([...line].slice(nameColumn).join(''), /^\S/);
		}

		assert.ok(
			tree.slice(0, -1).every((line) => !line.endsWith('…')),
			'no name is cut (only the last row on screen may be)',
		);
		assert.ok(
			wrapped.split('\n').every((line) => [...line].length <= 80),
			'no line wider than the terminal',
		);

		for (let press = 0; press < 20; press++) await session.sendKeys('j');
		const moved = await session.waitFor((screen) => / 21\/\d+$/m.test(screen.split('\n')[0]!));
		assert.match(moved.split('\n')[0]!, / 21\/\d+$/, 'one file per key, wrapped rows included');
		const cursorRows = cells(await session.captureStyled()).filter((line) =>
			line.slice(37).some((cell) => cell.inverse && cell.character.trim() !== ''),
		);
		assert.ok(cursorRows.length > 0, 'the cursor row is on screen');

		await session.sendKeys('PageDown');
		const paged = await session.waitFor((screen) => !/ 21\/\d+$/m.test(screen.split('\n')[0]!));
		const position = Number(/ (\d+)\/\d+$/m.exec(paged.split('\n')[0]!)?.[1]);
		assert.ok(position > 21 && position < 21 + 19, `a page moves by the rows on screen (${position})`);
		assert.ok(
			cells(await session.captureStyled()).some((line) => line.slice(37).some((cell) => cell.inverse)),
			'paging keeps the cursor on screen',
		);

		await session.sendKeys('C-p');
		const again = await session.waitFor((screen) =>
			treePart(screen).every((line) => line === '' || rowLine.test(line)),
		);
		assert.ok(
			treePart(again).some((line) => line.endsWith('…')),
			'Ctrl+P again cuts them',
		);
	} finally {
		await session.sendKeys('q');
		await session.kill();
	}
});

test('NO_COLOR in the diff explorer: no colour codes, the cursor row stays inverse', {
	skip: tmuxAvailable() ?? dockerSkip(diffAvailability),
	timeout: 300_000,
}, async () => {
	assertDockerAvailable(diffAvailability);
	const cli = cliCommand(['diff', fixtureImages.naive, fixtureImages.multistage]).map(quote).join(' ');
	const command = `env -u CI -u LAYERLENS_REQUIRE_DOCKER -u FORCE_COLOR NO_COLOR=1 TERM=xterm-256color XDG_CONFIG_HOME=${quote(join(work, 'diff-config'))} XDG_CACHE_HOME=${quote(join(work, 'cache'))} ${cli}; sleep 60`;
	const session = await startTmux('layerlens-dive-diff', command, {columns: 140, rows: 40});
	try {
		await session.waitFor((screen) => screen.includes('▶ Files'), 180_000);
		const first = await session.captureStyled();
		assert.doesNotMatch(first, colourSequence, 'no colour escape with NO_COLOR');
		assert.ok(styleAt(first, /▾ root\/$/, /root\//).inverse, 'the cursor is on the first row, inverse');
		await session.sendKeys('j');
		await new Promise((resolve) => setTimeout(resolve, 1000));
		const moved = await session.captureStyled();
		assert.ok(!styleAt(moved, /▾ root\/$/, /root\//).inverse, 'the cursor left the first row');
		assert.ok(styleAt(moved, /▸ \.npm\/$/, /\.npm\//).inverse, 'and moves with j');
	} finally {
		await session.sendKeys('q');
		await session.kill();
	}
});

test('the keys file applies in the diff explorer: its bar and ? show the remapped keys, and they act', {
	skip: tmuxAvailable() ?? dockerSkip(diffAvailability),
	timeout: 300_000,
}, async () => {
	assertDockerAvailable(diffAvailability);
	const configHome = join(work, 'diff-keys-config');
	await mkdir(join(configHome, 'layerlens'), {recursive: true});
	await writeFile(join(configHome, 'layerlens', 'config.yaml'), 'keybinding:\n  quit: x\n  sort: ctrl+s\n');
	const exitFile = join(work, 'diff-keys-exit');
	const cli = cliCommand(['diff', fixtureImages.naive, fixtureImages.multistage]).map(quote).join(' ');
	const command = `env -u CI -u LAYERLENS_REQUIRE_DOCKER -u FORCE_COLOR -u NO_COLOR TERM=xterm-256color XDG_CONFIG_HOME=${quote(configHome)} XDG_CACHE_HOME=${quote(join(work, 'cache'))} ${cli}; echo $? > ${quote(exitFile)}; sleep 60`;
	const session = await startTmux('layerlens-dive-diff-keys', command, {columns: 140, rows: 40});
	try {
		const first = await session.waitFor((screen) => screen.includes('▶ Files'), 180_000);
		assert.match(
			first.trimEnd().split('\n').at(-1)!,
			/Ctrl\+S sort .*x quit/,
			'the bar shows the remapped keys',
		);
		await session.sendKeys('C-s');
		await session.waitFor((screen) => /sort: name/.test(screen));
		await session.sendKeys('q');
		await new Promise((resolve) => setTimeout(resolve, 1000));
		assert.match(await session.capture(), /▶ Files/, 'q no longer quits');
		await session.sendKeys('?');
		await session.waitFor((screen) => /^ {2}x +Quit/m.test(screen));
		await session.sendKeys('Escape');
		await session.waitFor((screen) => !/^ {2}x +Quit/m.test(screen));
		await session.sendKeys('x');
		let code = '';
		for (let attempt = 0; attempt < 50 && code === ''; attempt++) {
			await new Promise((resolve) => setTimeout(resolve, 200));
			code = (await readFile(exitFile, 'utf8').catch(() => '')).trim();
		}

		assert.equal(code, '0', 'x quits');
	} finally {
		await session.kill();
	}
});

test('NO_COLOR: Ctrl+C while loading exits 130 and prints nothing (the styles are undone with the session)', {
	skip: tmuxAvailable() ?? false,
	timeout: 300_000,
}, async () => {
	const directory = await mkdtemp(join(work, 'cancel-'));
	const exitFile = join(directory, 'exit');
	const stderrFile = join(directory, 'stderr');
	// The demo image: its load is torn down mid-read by the quit (as in test/cli/hostile-terminal.test.ts).
	const cli = cliCommand(['--demo', '--no-cache']).map(quote).join(' ');
	const command = `env -u CI -u FORCE_COLOR NO_COLOR=1 XDG_CONFIG_HOME=${quote(join(directory, 'config'))} ${cli} 2> ${quote(stderrFile)}; echo $? > ${quote(exitFile)}; sleep 60`;
	const session = await startTmux('layerlens-dive-cancel', command);
	try {
		await session.waitFor((screen) => screen.includes('q or Ctrl+C to cancel'), 60_000);
		await session.sendKeys('C-c');
		const deadline = Date.now() + 15_000;
		let code = '';
		while (Date.now() < deadline && code === '') {
			code = (await readFile(exitFile, 'utf8').catch(() => '')).trim();
			await new Promise((resolve) => setTimeout(resolve, 200));
		}

		assert.equal(code, '130');
		// The terminal's own reset (cursor shown again) may go to stderr; no error line may.
		assert.doesNotMatch(await readFile(stderrFile, 'utf8'), /layerlens|error/i);
	} finally {
		await session.kill();
	}
});
