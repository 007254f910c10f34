import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {imageOptions} from '../../bench/image-options.js';
import {WhatIfModel} from '../../source/analysis/what-if/what-if-model.js';
import {loadImage} from '../../source/run/load-image.js';
import {formatBytes} from '../../source/shared/format-bytes.js';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';
import {cliCommand} from '../helpers/run-cli.js';
import {startTmux, tmuxAvailable} from '../helpers/tmux.js';

// The what-if in a real terminal: mark app/node_modules/typescript on the naive fixture and read the
// projection the image pane shows, against the model's own number for the same mark.

const availability = await dockerAvailability({images: [fixtureImages.naive]});
const skip = tmuxAvailable() ?? dockerSkip(availability);
let work = '';

before(async () => {
	if (!skip) work = await mkdtemp(join(tmpdir(), 'layerlens-what-if-'));
});

after(async () => {
	if (work) await rm(work, {recursive: true, force: true});
});

const quoted = (words: readonly string[]): string =>
	words.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');

test('r on app/node_modules/typescript shows the projection the model computes; U takes it back', {
	skip,
}, async () => {
	assertDockerAvailable(availability);
	const loaded = await loadImage({...imageOptions(fixtureImages.naive), cache: false});
	const {report} = loaded;
	const figures = new WhatIfModel({
		tree: loaded.tree.tree,
		layers: report.layers,
		finalSizeBytes: report.image.finalSizeBytes,
		findings: report.findings,
		...(report.suggestion ? {suggestion: report.suggestion} : {}),
	}).apply([{kind: 'path', path: 'app/node_modules/typescript', action: 'remove'}]);
	assert.ok(figures.finalSavedBytes > 1_000_000, 'typescript is megabytes of the final filesystem');
	const projectedBefore = formatBytes(report.suggestion?.projectedSizeBytes ?? report.image.finalSizeBytes);

	const exitFile = join(work, 'exit');
	const layerlens = quoted(cliCommand([fixtureImages.naive, '--no-cache']));
	const command = `env -u CI -u NODE_OPTIONS XDG_CONFIG_HOME=${join(work, 'config')} ${layerlens}; echo $? > ${exitFile}; sleep 60`;
	const session = await startTmux('layerlens-what-if', command, {columns: 140, rows: 40});
	try {
		await session.waitFor((screen) => screen.includes('Changes in layer 0'), 120_000);
		// The last layer's whole filesystem, filtered down to the package's directory, which is then the last row.
		await session.sendKeys('G', 'Tab', 'a', '/');
		await session.sendKeys('-l', 'app/node_modules/typescript$');
		await session.sendKeys('Enter');
		await session.waitFor(
			(screen) => /Path filter: app\/node_modules\/typescript\$\s+3 rows/.test(screen),
			20_000,
		);
		await session.sendKeys('G', 'r');
		const marked = await session.waitFor((screen) => screen.includes('Image, what if'), 20_000);
		const line = (label: string) => marked.split('\n').find((each) => each.startsWith(label)) ?? '';
		assert.match(
			line('Projected'),
			new RegExp(
				`^Projected\\s+${literal(projectedBefore)} → ${literal(formatBytes(figures.projectedSizeBytes))}(\\s|$)`,
			),
		);
		assert.match(
			line('Final'),
			new RegExp(
				`^Final\\s+${literal(formatBytes(report.image.finalSizeBytes))} → ${literal(formatBytes(figures.finalSizeBytes))}(\\s|$)`,
			),
		);
		assert.match(
			line('If marked'),
			new RegExp(`saves ${literal(formatBytes(figures.finalSavedBytes))} final`),
		);

		await session.sendKeys('U');
		await session.waitFor(
			(screen) => !screen.includes('Image, what if') && screen.includes('dive score'),
			20_000,
		);
		await session.sendKeys('q');
		await session.waitFor(() => true);
		let code = '';
		for (let attempt = 0; attempt < 50 && code === ''; attempt++) {
			code = (await readFile(exitFile, 'utf8').catch(() => '')).trim();
			if (code === '') await new Promise((resolve) => setTimeout(resolve, 200));
		}

		assert.equal(code, '0');
	} finally {
		await session.kill();
	}
});

function literal(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
