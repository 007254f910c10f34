/**
The HTML report opened in Debian's headless Chromium: the naive fixture's page loads with no console error
and no request, its treemap draws the top directories in size order with `app/node_modules` the largest of
the app's rectangles and `typescript` inside it build-only, a click zooms and Backspace comes back; a page
of hostile file names shows them as text and runs nothing of theirs.
*/
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import {pathToFileURL} from 'node:url';
import {chromiumAvailable, chromiumPath, openPage} from '../helpers/chromium.js';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';
import {writeImageArchive} from '../helpers/fixture-writer.js';
import {describeRun, runCli} from '../helpers/run-cli.js';

const noChromium = chromiumAvailable ? false : `no Chromium at ${chromiumPath} (apt-get install chromium)`;
const availability = await dockerAvailability({images: [fixtureImages.naive]});
const scratch = mkdtempSync(join(tmpdir(), 'layerlens-html-'));
after(() => rmSync(scratch, {recursive: true, force: true}));

type Tile = {
	path: string;
	category: string;
	bytes: number;
	x: number;
	y: number;
	width: number;
	height: number;
};

const tilesScript = (
	selector: string,
) => `[...document.querySelectorAll(${JSON.stringify(selector)})].map((tile) => {
	const box = tile.getBoundingClientRect();
	return {path: tile.dataset.path, category: tile.dataset.category, bytes: Number(tile.dataset.bytes),
		x: box.x, y: box.y, width: box.width, height: box.height};
})`;

async function writeReport(args: string[], name: string): Promise<string> {
	const path = join(scratch, name);
	const result = await runCli([...args, '--output', `html=${path}`], {timeoutMs: 180_000});
	assert.equal(result.code, 0, describeRun(result));
	return path;
}

test('naive fixture: the treemap in Chromium, size order, typescript build-only, a click zooms', {
	skip: noChromium || dockerSkip(availability),
	timeout: 300_000,
}, async () => {
	assertDockerAvailable(availability);
	const path = await writeReport([fixtureImages.naive], 'naive.html');
	const page = await openPage(pathToFileURL(path).href);
	try {
		// Mouse events reach only what is in the viewport.
		await page.evaluate(`document.getElementById('treemap-section').scrollIntoView()`);
		const top = await page.evaluate<Tile[]>(tilesScript('#treemap > .tile'));
		assert.ok(top.length >= 3, `top-level rectangles: ${JSON.stringify(top)}`);
		// Drawn in size order: each rectangle's area follows its bytes, largest first.
		const areas = top.map((tile) => tile.width * tile.height);
		for (let index = 1; index < top.length; index++) {
			assert.ok(top[index - 1]!.bytes >= top[index]!.bytes, 'listed largest first');
			if (top[index]!.bytes > top[0]!.bytes / 100) {
				assert.ok(
					areas[index - 1]! >= areas[index]! * 0.99,
					`${top[index - 1]!.path} drawn larger than ${top[index]!.path}`,
				);
			}
		}

		const all = await page.evaluate<Tile[]>(tilesScript('#treemap .tile'));
		const byPath = new Map(all.map((tile) => [tile.path, tile]));
		const nodeModules = byPath.get('app/node_modules');
		assert.ok(nodeModules, `app/node_modules drawn (paths: ${[...byPath.keys()].slice(0, 30).join(', ')})`);
		// The app's own rectangles (not the base image's, not a cache): node_modules is the largest below a top directory.
		const userTiles = all.filter(
			(tile) => tile.path.split('/').length >= 2 && !['base', 'cache', 'runtime'].includes(tile.category),
		);
		const largest = userTiles.reduce((best, tile) => (tile.bytes > best.bytes ? tile : best));
		assert.equal(largest.path, 'app/node_modules');
		const typescript = byPath.get('app/node_modules/typescript');
		assert.ok(typescript, 'typescript drawn inside node_modules');
		assert.equal(typescript.category, 'build-only');
		assert.ok(
			typescript.x >= nodeModules.x &&
				typescript.x + typescript.width <= nodeModules.x + nodeModules.width + 0.5,
			'typescript lies inside node_modules',
		);

		// Hover shows the path and bytes.
		await page.hover(typescript.x + typescript.width / 2, typescript.y + 30);
		const details = await page.evaluate<string>(`document.getElementById('details').textContent`);
		assert.match(details, /app\/node_modules\/typescript/);
		assert.match(details, /Build-only/);

		// A click on app zooms into it: its children become the top rectangles, the breadcrumb says where.
		const app = byPath.get('app')!;
		await page.click(app.x + 5, app.y + 5);
		assert.equal(await page.evaluate<string>(`document.getElementById('treemap').dataset.path`), 'app');
		const zoomed = await page.evaluate<Tile[]>(tilesScript('#treemap > .tile'));
		assert.equal(zoomed[0]?.path, 'app/node_modules');
		assert.ok(
			zoomed[0]!.width * zoomed[0]!.height > nodeModules.width * nodeModules.height * 1.5,
			'zoomed in',
		);
		assert.match(await page.evaluate<string>(`document.getElementById('crumbs').textContent`), /app \(/);
		// Backspace on a focused rectangle goes back out.
		await page.evaluate(`document.querySelector('#treemap > .tile').focus()`);
		await page.evaluate(
			`document.querySelector('#treemap > .tile').dispatchEvent(new KeyboardEvent('keydown', {key: 'Backspace', bubbles: true}))`,
		);
		assert.equal(await page.evaluate<string>(`document.getElementById('treemap').dataset.path`), '');

		assert.deepEqual(page.consoleErrors, []);
		assert.deepEqual(page.requests, [pathToFileURL(path).href], 'no request but the page itself');
	} finally {
		await page.close();
	}
});

test('hostile file names render as text and run nothing', {skip: noChromium, timeout: 120_000}, async () => {
	const hostile = [
		'app/</script><script>document.title="pwned"</script>.js',
		'app/<!--<img src=x onerror="document.title=1">.js',
		'app/<img src=x onerror=alert(1)>.js',
		'app/evil\u202efdp.exe',
		'app/x\n## heading | a |',
	];
	const archive = join(scratch, 'hostile.tar');
	await writeImageArchive(
		{
			layers: [
				{
					createdBy: 'RUN echo "<script>alert(1)</script>" </script><!--',
					files: hostile.map((path, index) => ({path, size: 200_000 + index * 10_000})),
				},
			],
		},
		archive,
	);
	const path = await writeReport([archive], 'hostile.html');
	const page = await openPage(pathToFileURL(path).href);
	try {
		await page.evaluate(`document.getElementById('treemap-section').scrollIntoView()`);
		const app = (await page.evaluate<Tile[]>(tilesScript('#treemap .tile'))).find(
			(tile) => tile.path === 'app',
		);
		assert.ok(app, 'app drawn');
		await page.click(app.x + 5, app.y + 5);
		// `</script>` holds a slash: that name is drawn as directories, nested inside the zoomed map.
		const labels = await page.evaluate<string[]>(
			`[...document.querySelectorAll('#treemap .tile')].map((tile) => tile.dataset.path)`,
		);
		const shownText = await page.evaluate<string>(`document.getElementById('treemap').textContent`);
		assert.ok(shownText.includes('<img src=x onerror=alert(1)>.js'), 'the name is drawn as text');
		for (const name of hostile) {
			const shown = name.replace('\u202e', '\\u202e').replace('\n', '\\x0a');
			assert.ok(labels.includes(shown), `${JSON.stringify(shown)} among ${JSON.stringify(labels)}`);
		}

		assert.equal(await page.evaluate<number>(`document.scripts.length`), 2, 'only the page’s own scripts');
		assert.equal(await page.evaluate<number>(`document.images.length`), 0);
		assert.doesNotMatch(await page.evaluate<string>('document.title'), /pwned|^1$/);
		assert.deepEqual(page.consoleErrors, []);
		assert.deepEqual(page.requests, [pathToFileURL(path).href]);
	} finally {
		await page.close();
	}
});
