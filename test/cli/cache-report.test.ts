import assert from 'node:assert/strict';
import {readdir, readFile, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {test} from 'node:test';
import {parseCliOptions} from '../../source/cli/options.js';
import {loadImage} from '../../source/run/load-image.js';
import {resealReport} from '../helpers/cache-forgery.js';
import {type ImageSpec, withTemporaryDirectory, writeImageArchive} from '../helpers/fixture-writer.js';
import {runCli} from '../helpers/run-cli.js';

const spec: ImageSpec = {
	layers: [
		{
			createdBy: 'ADD base',
			files: [
				{path: 'etc/os-release', content: 'ID=debian\n'},
				{path: 'usr/bin/gcc', size: 4000},
			],
		},
		{
			createdBy: 'RUN npm install',
			files: [
				{path: 'root/.npm/_cacache/index-v5/aa', size: 3000},
				{path: 'usr/bin/gcc', type: 'whiteout'},
				{path: 'app/main.js', content: 'console.log(1)'},
			],
		},
	],
};

async function reportFile(cacheHome: string): Promise<string> {
	const directory = join(cacheHome, 'layerlens');
	const names = (await readdir(directory)).filter((name) => name.endsWith('.report.json'));
	assert.equal(names.length, 1, `one stored report in ${directory}`);
	return join(directory, names[0]!);
}

test('a second report of the same archive is the stored one; a damaged store is recomputed and rewritten', async () => {
	await withTemporaryDirectory(async (directory) => {
		const archive = join(directory, 'image.tar');
		await writeImageArchive(spec, archive);
		const env = {XDG_CACHE_HOME: join(directory, 'cache')};
		const first = await runCli([archive, '--json'], {env});
		assert.equal(first.code, 0, first.stderr);
		const stored = await reportFile(env.XDG_CACHE_HOME);

		// Mark the stored report (sealed again): a run that prints the mark was answered from the cache.
		resealReport(stored, (report) => {
			report.image.sizeBytes = 424_242;
		});
		const cached = await runCli([archive, '--json'], {env});
		assert.equal(cached.code, 0, cached.stderr);
		assert.equal(JSON.parse(cached.stdout).image.sizeBytes, 424_242);

		// --no-cache reads nothing from it.
		const fresh = await runCli([archive, '--json', '--no-cache'], {env});
		assert.equal(fresh.stdout, first.stdout);

		// A cut-off store is ignored, the report recomputed, and the store written again.
		const text = await readFile(stored, 'utf8');
		await writeFile(stored, text.slice(0, text.length / 2));
		const recovered = await runCli([archive, '--json'], {env});
		assert.equal(recovered.code, 0, recovered.stderr);
		assert.equal(recovered.stdout, first.stdout);
		assert.equal(
			JSON.parse(await readFile(stored, 'utf8')).report.image.sizeBytes,
			JSON.parse(first.stdout).image.sizeBytes,
		);
	});
});

test('a run with --dockerfile is never answered from the stored report', async () => {
	await withTemporaryDirectory(async (directory) => {
		const archive = join(directory, 'image.tar');
		await writeImageArchive(spec, archive);
		const dockerfile = join(directory, 'Dockerfile');
		await writeFile(dockerfile, 'FROM scratch\nADD base /\nRUN npm install\n');
		const env = {XDG_CACHE_HOME: join(directory, 'cache')};
		assert.equal((await runCli([archive, '--json'], {env})).code, 0);
		const stored = await reportFile(env.XDG_CACHE_HOME);
		resealReport(stored, (report) => {
			report.image.sizeBytes = 424_242;
		});
		const withDockerfile = await runCli([archive, '--json', '--dockerfile', dockerfile], {env});
		assert.equal(withDockerfile.code, 0, withDockerfile.stderr);
		assert.notEqual(JSON.parse(withDockerfile.stdout).image.sizeBytes, 424_242);
	});
});

test('the explorer gets the stored report and the same path tree, stacked from the cached entries', async () => {
	await withTemporaryDirectory(async (directory) => {
		const archive = join(directory, 'image.tar');
		await writeImageArchive(spec, archive);
		const saved = process.env.XDG_CACHE_HOME;
		process.env.XDG_CACHE_HOME = join(directory, 'cache');
		try {
			const options = parseCliOptions([archive], {
				demo: false,
				json: false,
				output: [],
				ci: false,
				cache: true,
				debug: false,
			});
			const first = await loadImage(options);
			const second = await loadImage(options);
			assert.deepEqual(second.report, first.report);
			assert.deepEqual(second.tree, first.tree);
			assert.ok(first.report.findings.length > 0, 'the fixture has findings to cache');
		} finally {
			if (saved === undefined) delete process.env.XDG_CACHE_HOME;
			else process.env.XDG_CACHE_HOME = saved;
		}
	});
});
