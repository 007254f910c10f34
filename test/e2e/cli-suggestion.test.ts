import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {cp, mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import process from 'node:process';
import {after, before, test} from 'node:test';
import {promisify} from 'node:util';
import type {JsonReport} from '../../source/report/json.js';
import {
	assertDockerAvailable,
	connectDocker,
	dockerAvailability,
	dockerSkip,
	fixtureImages,
} from '../helpers/docker.js';
import {fetchWithRetry} from '../helpers/http.js';
import {repositoryRoot, runCliJson} from '../helpers/run-cli.js';

// The proof that the suggested Dockerfile is a real fix: build what layerlens suggests for the naive fixture,
// in the naive fixture's own build context, and check that the result is the size layerlens projected and
// still serves HTTP. The only edit to the suggestion is the documented one: `<base image>` (the image does
// not record its base) becomes the base the naive image was built on.

const nodeBase = 'layerlens-fixture/node-base';
const availability = await dockerAvailability({images: [fixtureImages.naive, nodeBase]});
const skip = dockerSkip(availability);
const run = promisify(execFile);
const docker = connectDocker();
// The build stage is tagged too: the classic builder leaves it as an untagged image no label reaches, and
// removing both tags removes every intermediate image of the build with them.
const tag = `layerlens-e2e/suggested-naive:${process.pid}`;
const buildStageTag = `layerlens-e2e/suggested-naive-build:${process.pid}`;

let workDir = '';

before(async () => {
	workDir = await mkdtemp(join(tmpdir(), 'layerlens-e2e-suggestion-'));
});

after(async () => {
	await rm(workDir, {recursive: true, force: true});
	if (availability.available) {
		await run('docker', ['image', 'rm', '--force', tag, buildStageTag]).catch(() => undefined);
	}
});

/**
The context test/fixtures/build-images.sh gave the naive build: the app sources and naive Dockerfile from
the repository, plus what the host prepared, node_modules and the npm cache (.npm-cache), taken back out of
the naive image (its /app/node_modules, and /root/.npm/_cacache where the build moved the cache). No network.
*/
async function naiveBuildContext(context: string): Promise<void> {
	const app = join(repositoryRoot, 'test', 'fixtures', 'images', 'app');
	await cp(app, context, {
		recursive: true,
		filter: (source) => !/[/\\](node_modules|dist)$/.test(source),
	});
	await cp(
		join(repositoryRoot, 'test', 'fixtures', 'images', 'naive', 'Dockerfile'),
		join(context, 'Dockerfile'),
	);
	const {stdout} = await run('docker', ['create', fixtureImages.naive]);
	const container = stdout.trim();
	try {
		await run('docker', ['cp', `${container}:/app/node_modules`, join(context, 'node_modules')]);
		await mkdir(join(context, '.npm-cache'));
		await run('docker', ['cp', `${container}:/root/.npm/_cacache`, join(context, '.npm-cache', '_cacache')]);
	} finally {
		await run('docker', ['rm', '--force', container]);
	}
}

test('the suggested Dockerfile for the naive image builds offline, lands on the projected size and still runs', {
	skip,
	timeout: 600_000,
}, async () => {
	assertDockerAvailable(availability);
	const context = join(workDir, 'context');
	// Independent, and each takes seconds: the analysis and the copy out of the naive image run side by side.
	const [naive] = await Promise.all([
		runCliJson<JsonReport>([fixtureImages.naive, '--json'], {timeoutMs: 120_000}),
		naiveBuildContext(context),
	]);
	const suggestion = naive.suggestion;
	assert.ok(suggestion, 'the JSON report carries the suggestion');
	assert.equal(suggestion.dockerfile.split('FROM <base image>').length - 1, 2, suggestion.dockerfile);
	// What makes it a fix: a build stage that prunes, and a runtime stage without sources, tests or cache.
	assert.match(suggestion.dockerfile, /\nRUN npm prune --omit=dev\n/);
	assert.match(suggestion.dockerfile, /\nCOPY --from=build \/app\/node_modules \.\/node_modules\n/);
	assert.match(suggestion.dockerfile, /\nCOPY --from=build \/app\/dist \.\/dist\n/);
	const runtimeStage = suggestion.dockerfile.slice(suggestion.dockerfile.lastIndexOf('FROM '));
	assert.doesNotMatch(runtimeStage, /\/app\/(src|test|tsconfig\.json)\b|npm (ci|install)/);

	await writeFile(
		join(context, 'Dockerfile.layerlens'),
		suggestion.dockerfile.replaceAll('<base image>', nodeBase),
	);
	await writeFile(join(context, '.dockerignore'), `${suggestion.dockerignore.join('\n')}\n`);
	const build = (...args: string[]) =>
		run('docker', ['build', '--quiet', '--force-rm', '--file', 'Dockerfile.layerlens', ...args, '.'], {
			cwd: context,
			env: {...process.env, DOCKER_BUILDKIT: '0'},
			maxBuffer: 16 * 1024 * 1024,
		});
	try {
		await build('--target', 'build', '--tag', buildStageTag);
		// Every step of the build stage is in the cache now: this only runs the runtime stage.
		await build('--tag', tag);
	} catch (error) {
		const {stderr, stdout} = error as {stderr?: string; stdout?: string};
		assert.fail(`the suggested Dockerfile does not build:\n${stdout ?? ''}\n${stderr ?? ''}`);
	}

	const built = await runCliJson<JsonReport>([tag, '--json'], {timeoutMs: 120_000});
	const inspectSize = (await docker.getImage(tag).inspect()).Size;
	const projected = suggestion.projectedSizeBytes;
	const figures = `naive final ${naive.image.finalSizeBytes} B, projected ${projected} B; built final ${built.image.finalSizeBytes} B, built projected ${built.suggestion?.projectedSizeBytes} B, docker inspect Size ${inspectSize} B`;
	process.stderr.write(`# suggestion proof: ${figures}\n`);
	// The projection is of the final filesystem, so it is compared with the built image's final filesystem.
	assert.ok(Math.abs(built.image.finalSizeBytes - projected) / projected < 0.1, figures);
	// The projection also removes what the base image itself ships (duplicate docs, logs), which no
	// Dockerfile of the app can fix: with those taken off the built image too, the two agree within 1 %.
	assert.ok(built.suggestion, figures);
	assert.ok(Math.abs(built.suggestion.projectedSizeBytes - projected) / projected < 0.01, figures);
	assert.ok(Math.abs(inspectSize - projected) / projected < 0.1, figures);
	assert.ok(
		naive.image.finalSizeBytes - built.image.finalSizeBytes > 90_000_000,
		`the rebuild drops the devDependencies and npm cache: ${figures}`,
	);
	assert.deepEqual(
		built.findings.filter((finding) => finding.category === 'build-only').map((finding) => finding.ruleId),
		[],
	);
	assert.ok(!built.findings.some((finding) => finding.ruleId === 'LL-CACHE-NPM'));

	const container = await docker.createContainer({
		Image: tag,
		HostConfig: {PortBindings: {'3000/tcp': [{HostIp: '127.0.0.1', HostPort: ''}]}},
	});
	try {
		await container.start();
		const port = (await container.inspect()).NetworkSettings.Ports['3000/tcp']?.[0]?.HostPort;
		assert.ok(port, 'port 3000 is published');
		const body = await fetchWithRetry(`http://127.0.0.1:${port}/greet?name=layerlens`, 10_000);
		assert.deepEqual(body, {greeting: 'hello, layerlens'});
	} finally {
		await container.remove({force: true});
	}
});
