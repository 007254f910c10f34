import assert from 'node:assert/strict';
import {execFile, spawn} from 'node:child_process';
import {cp, mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import process from 'node:process';
import {after, before, describe, test} from 'node:test';
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

// The proof that a suggested Dockerfile is a real fix, for each stack of test/fixtures/build-images.sh (issue 12):
// take what layerlens suggests for the single-stage fixture image, write it into a copy of the fixture's own
// build context, build it with the daemon exactly as suggested, run it next to the original and compare what
// they do, and measure it against the projection. With --dockerfile the suggestion must build unmodified; from
// history alone (Node and Go) the only edit is the documented one, `<base image>` becomes the fixture's base.
// The base-only and multistage fixtures have nothing to fix: no build-only, cache or waste finding.
// Each run prints `# suggestion proof: stack=…, original=…, projected=…, measured=…` for the README table.
// One stack alone: `node --import tsx --test --test-force-exit --test-name-pattern='^go ' <this file>`.
// The built images stay, tagged layerlens-suggested/<stack>-<mode> and labelled layerlens.fixture.hash (so that
// `docker image prune --filter label=layerlens.fixture.hash`, run by build-images.sh, removes the ones a later
// build replaced): a warm run finds every step in Docker's build cache and only analyses. Two runs at once on
// one daemon share those tags. Fixtures built with BuildKit (php, python-buildkit) get their suggestion built
// with BuildKit too, by the docker 20.10 client of Debian's docker.io ($LAYERLENS_BUILDKIT_DOCKER, default
// /usr/bin/docker), as build-images.sh does.

const run = promisify(execFile);
const docker = connectDocker();
const fixturesDirectory = join(repositoryRoot, 'test', 'fixtures', 'images');
const cliTimeoutMs = 300_000;
const buildkitDocker = process.env.LAYERLENS_BUILDKIT_DOCKER ?? '/usr/bin/docker';
/** The label build-images.sh puts on every fixture, whose dangling images its housekeeping prunes. */
const keepLabel = 'layerlens.fixture.hash=layerlens-suggested';

type HttpBehaviour = {
	kind: 'http';
	port: number;
	/** Paths asked of both containers, with what the original answers (so the comparison is never of two errors). */
	answers: Record<string, unknown>;
};
type StdoutBehaviour = {kind: 'stdout'; stdout: string};

const pythonAnswers = {
	'/health': {status: 'ok', service: 'greeter-py', version: '1.0.0'},
	'/greet?name=layerlens': {greeting: 'hello, layerlens'},
};
// What each stdout fixture prints (its CMD, or the stack's command): see its Dockerfile and sources.
const JAVA_STDOUT = 'hello, Layerlens | reversed snelreyal | centred [**layerlens**] | java 17\n';
const RUBY_STDOUT =
	'{"greeting":"hello, layerlens","tags":["ruby","rack"],"note":"&lt;fast&gt;","rack":"2.2"}\n';
const PHP_STDOUT = 'ähnlich Ähre apfel Äpfel Baer Bär Zebra\nGRÖSSE CAFÉ LAYERLENS (10 chars)\n';
const PERL_STDOUT =
	'{"orders":7,"regions":{"east":{"cents":7320,"orders":2,"quantity":12},"north":{"cents":2160,"orders":2,"quantity":5},' +
	'"north, upper":{"cents":10000,"orders":1,"quantity":1},"south":{"cents":2999,"orders":2,"quantity":5}},"total_cents":22479}\n';
const DATA_STDOUT = 'd001b556a84221f8b2ebf0f6561dbe29  -\n';

const nodeAnswers = {
	'/greet?name=layerlens': {greeting: 'hello, layerlens'},
	'/greet': {greeting: 'hello, world'},
};

type Mode = 'dockerfile' | 'history';

type Stack = {
	name: string;
	image: string;
	/** The image the fixture's Dockerfile starts FROM: what replaces `<base image>` in a history reconstruction. */
	base: string;
	/** Writes the fixture's build context (with its Dockerfile) into an empty directory. */
	context: (directory: string) => Promise<void>;
	behaviour: HttpBehaviour | StdoutBehaviour;
	/** What a stdout behaviour runs instead of the image's CMD (a data image has no program of its own). */
	command?: readonly string[];
	modes: readonly Mode[];
	/**
	True when every byte the fix removes is hidden already (waste: written by one layer, deleted by a later one):
	the final filesystem stays the same size and only the image (its layers) shrinks.
	*/
	savesOnlyHiddenBytes?: true;
	/**
	True when nothing in the image's own layers is build-only: the suggestion must say no builder stage helps and
	write no Dockerfile; its projection is the in-place fixes (there is nothing to build).
	*/
	noBuilderStage?: true;
	/** The builder the fixture was built with, and so the suggestion's: classic unless said. */
	builder?: 'classic' | 'buildkit';
	/** Checks of the suggestion's text that only make sense for this stack. */
	shape?: (dockerfile: string, mode: Mode) => void;
};

const greeting = {greeting: 'hello, layerlens'};

const stacks: readonly Stack[] = [
	{
		name: 'node',
		image: fixtureImages.naive,
		base: 'layerlens-fixture/node-base',
		context: naiveBuildContext,
		// /health carries the uptime, which differs between any two containers.
		behaviour: {kind: 'http', port: 3000, answers: nodeAnswers},
		modes: ['dockerfile', 'history'],
		shape(dockerfile, mode) {
			if (mode === 'history') {
				assert.equal(dockerfile.split('FROM <base image>').length - 1, 2, dockerfile);
			}

			// What makes it a fix: a build stage that prunes, and a runtime stage without sources, tests or cache.
			assert.match(dockerfile, /\nRUN npm prune --omit=dev\n/);
			assert.match(dockerfile, /\nCOPY --from=build \/app\/node_modules \/app\/node_modules\n/);
			assert.match(dockerfile, /\nCOPY --from=build \/app\/dist \/app\/dist\n/);
			const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
			assert.doesNotMatch(runtimeStage, /\/app\/(src|test|tsconfig\.json)\b|npm (ci|install)/);
		},
	},
	{
		name: 'python',
		image: fixtureImages.python,
		base: 'layerlens-fixture/debian-base',
		context: fixtureDirectoryContext('python'),
		behaviour: {kind: 'http', port: 8000, answers: pythonAnswers},
		modes: ['dockerfile'],
	},
	{
		name: 'python-buildkit',
		image: fixtureImages.pythonBuildkit,
		base: 'layerlens-fixture/debian-base',
		context: fixtureDirectoryContext('python'),
		behaviour: {kind: 'http', port: 8000, answers: pythonAnswers},
		modes: ['dockerfile', 'history'],
		builder: 'buildkit',
	},
	{
		name: 'go',
		image: fixtureImages.go,
		base: 'layerlens-fixture/debian-base',
		context: fixtureDirectoryContext('go'),
		behaviour: {
			kind: 'http',
			port: 8080,
			answers: {'/health': {status: 'ok', service: 'greeter-go'}, '/greet?name=layerlens': greeting},
		},
		modes: ['dockerfile', 'history'],
	},
	{
		name: 'c',
		image: fixtureImages.c,
		base: 'layerlens-fixture/debian-base',
		context: fixtureDirectoryContext('c'),
		behaviour: {kind: 'stdout', stdout: 'hello, layerlens\ncrc32(layerlens) = ef5a595a\nzlib 1.2.13\n'},
		modes: ['dockerfile'],
	},
	{
		name: 'java',
		image: fixtureImages.java,
		base: 'layerlens-fixture/debian-base',
		context: fixtureDirectoryContext('java'),
		behaviour: {kind: 'stdout', stdout: JAVA_STDOUT},
		modes: ['dockerfile', 'history'],
	},
	{
		name: 'ruby',
		image: fixtureImages.ruby,
		base: 'layerlens-fixture/debian-base',
		context: fixtureDirectoryContext('ruby'),
		behaviour: {kind: 'stdout', stdout: RUBY_STDOUT},
		modes: ['dockerfile'],
	},
	{
		name: 'php',
		image: fixtureImages.php,
		base: 'layerlens-fixture/debian-base',
		context: fixtureDirectoryContext('php'),
		behaviour: {kind: 'stdout', stdout: PHP_STDOUT},
		modes: ['dockerfile', 'history'],
		builder: 'buildkit',
	},
	{
		name: 'perl',
		image: fixtureImages.perl,
		base: 'layerlens-fixture/debian-base',
		context: fixtureDirectoryContext('perl'),
		behaviour: {kind: 'stdout', stdout: PERL_STDOUT},
		modes: ['dockerfile'],
	},
	{
		name: 'data',
		image: fixtureImages.data,
		base: 'layerlens-fixture/debian-base',
		context: fixtureDirectoryContext('data'),
		// The checksum of the 150 000 000 bytes under /srv/data (see images/data/Dockerfile).
		behaviour: {kind: 'stdout', stdout: DATA_STDOUT},
		command: ['sh', '-c', 'cat /srv/data/* | md5sum'],
		modes: ['dockerfile', 'history'],
		savesOnlyHiddenBytes: true,
		noBuilderStage: true,
	},
	{
		name: 'multistage-leaky',
		image: fixtureImages.multistageLeaky,
		base: 'layerlens-fixture/node-base',
		context: leakyBuildContext,
		behaviour: {kind: 'http', port: 3000, answers: nodeAnswers},
		modes: ['dockerfile'],
	},
];

/** Fixtures with nothing to fix, and the Dockerfile each was built from. */
const alreadyRight = [
	{
		name: 'base-only',
		image: fixtureImages.baseOnly,
		dockerfile: join(fixturesDirectory, 'base-only', 'Dockerfile'),
	},
	{
		name: 'multistage',
		image: fixtureImages.multistage,
		dockerfile: join(fixturesDirectory, 'multistage', 'Dockerfile'),
	},
] as const;

const availability = await dockerAvailability({
	images: [
		...new Set([
			...stacks.flatMap((stack) => [stack.image, stack.base]),
			...alreadyRight.map((item) => item.image),
		]),
	],
});
const skip = dockerSkip(availability);

let workDir = '';

before(async () => {
	workDir = await mkdtemp(join(tmpdir(), 'layerlens-e2e-stacks-'));
});

// Only the build contexts go: the built images are kept for the next run's build cache (see the top).
after(async () => {
	await rm(workDir, {recursive: true, force: true});
});

function fixtureDirectoryContext(name: string): (directory: string) => Promise<void> {
	// The same files with the same times: the classic builder's cache then matches the fixture's own steps.
	return (directory) =>
		cp(join(fixturesDirectory, name), directory, {recursive: true, preserveTimestamps: true});
}

/**
The context test/fixtures/build-images.sh gave the naive build: the app sources and naive Dockerfile from
the repository, plus what the host prepared, node_modules and the npm cache (.npm-cache), taken back out of
the naive image (its /app/node_modules, and /root/.npm/_cacache where the build moved the cache). No network.
*/
async function naiveBuildContext(context: string): Promise<void> {
	await appSources(context);
	await cp(join(fixturesDirectory, 'naive', 'Dockerfile'), join(context, 'Dockerfile'));
	await fromNaiveImage(context, true);
}

/**
The context build-images.sh gave multistage-leaky: the app sources, its Dockerfile and .dockerignore, and the npm
cache (.npm-cache), taken back out of the naive image as above. No network.
*/
async function leakyBuildContext(context: string): Promise<void> {
	await appSources(context);
	for (const file of ['Dockerfile', '.dockerignore']) {
		await cp(join(fixturesDirectory, 'multistage-leaky', file), join(context, file));
	}

	await fromNaiveImage(context, false);
}

/** The app's sources from the repository, without anything a developer built in images/app. */
async function appSources(context: string): Promise<void> {
	await cp(join(fixturesDirectory, 'app'), context, {
		recursive: true,
		filter: (source) => !/[/\\](node_modules|dist)$/.test(source),
	});
}

/** The npm cache (and node_modules when asked) the host prepared, out of the naive image. */
async function fromNaiveImage(context: string, withNodeModules: boolean): Promise<void> {
	const {stdout} = await run('docker', ['create', fixtureImages.naive]);
	const container = stdout.trim();
	try {
		if (withNodeModules) {
			await run('docker', ['cp', `${container}:/app/node_modules`, join(context, 'node_modules')]);
		}

		await mkdir(join(context, '.npm-cache'));
		await run('docker', ['cp', `${container}:/root/.npm/_cacache`, join(context, '.npm-cache', '_cacache')]);
	} finally {
		await run('docker', ['rm', '--force', container]);
	}
}

type BuildResult = {ok: boolean; log: string};

/**
`docker build` of the context with the fixture's builder, as a user would run it (`--network host` so that apt
reaches the mirror), labelled for the housekeeping. The log is kept whole: it is the failure message.
*/
async function dockerBuild(context: string, tag: string, builder: Stack['builder']): Promise<BuildResult> {
	const buildkit = builder === 'buildkit';
	const args = [
		'build',
		'--network',
		'host',
		'--label',
		keepLabel,
		'--file',
		'Dockerfile.layerlens',
		'--tag',
		tag,
	];
	const child = spawn(
		buildkit ? buildkitDocker : 'docker',
		[...args, ...(buildkit ? ['--progress', 'plain'] : ['--force-rm']), '.'],
		{
			cwd: context,
			env: {...process.env, DOCKER_BUILDKIT: buildkit ? '1' : '0'},
			stdio: ['ignore', 'pipe', 'pipe'],
		},
	);
	let log = '';
	child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
		log += chunk;
	});
	child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
		log += chunk;
	});
	const code = await new Promise<number | null>((resolve) => {
		child.on('error', (error) => {
			log += `${error.message}\n`;
		});
		child.on('close', resolve);
	});
	return {ok: code === 0, log};
}

type Proof = {
	stack: Stack;
	mode: Mode;
	original: JsonReport;
	suggestion: NonNullable<JsonReport['suggestion']>;
	/** The Dockerfile that was built: the suggestion, with `<base image>` filled in for history mode. */
	dockerfile: string;
	build: BuildResult;
	tag: string;
	/** `docker image inspect` Size of the fixture image. */
	originalInspectSize: number;
	built?: {report: JsonReport; inspectSize: number};
};

async function prove(stack: Stack, mode: Mode): Promise<Proof> {
	const context = join(workDir, `${stack.name}-${mode}`);
	const args = [
		stack.image,
		'--json',
		...(mode === 'dockerfile' ? ['--dockerfile', join(context, 'Dockerfile')] : []),
	];
	// The context first: --dockerfile names the Dockerfile in it.
	await stack.context(context);
	const original = await runCliJson<JsonReport>(args, {timeoutMs: cliTimeoutMs});
	const suggestion = original.suggestion;
	assert.ok(suggestion, `layerlens ${args.join(' ')} made no suggestion`);
	const dockerfile =
		mode === 'history' ? suggestion.dockerfile.replaceAll('<base image>', stack.base) : suggestion.dockerfile;
	await writeFile(join(context, 'Dockerfile.layerlens'), dockerfile);
	await writeFile(join(context, '.dockerignore'), `${suggestion.dockerignore.join('\n')}\n`);
	const tag = `layerlens-suggested/${stack.name}-${mode}`;
	const build =
		suggestion.dockerfile.trim() === ''
			? {ok: false, log: `the suggestion has no Dockerfile (basedOn ${suggestion.basedOn}): nothing to build`}
			: await dockerBuild(context, tag, stack.builder);
	const originalInspectSize = (await docker.getImage(stack.image).inspect()).Size;
	const proof: Proof = {stack, mode, original, suggestion, dockerfile, build, tag, originalInspectSize};
	if (build.ok) {
		const report = await runCliJson<JsonReport>([tag, '--json'], {timeoutMs: cliTimeoutMs});
		const inspectSize = (await docker.getImage(tag).inspect()).Size;
		proof.built = {report, inspectSize};
	}

	process.stderr.write(`${proofLine(proof)}\n`);
	return proof;
}

function proofLine(proof: Proof): string {
	const measured = proof.built ? String(proof.built.report.image.finalSizeBytes) : 'not built';
	const inspect = proof.built ? String(proof.built.inspectSize) : 'not built';
	return `# suggestion proof: stack=${proof.stack.name}, mode=${proof.mode === 'dockerfile' ? '--dockerfile' : 'history'}, original=${proof.original.image.finalSizeBytes}, projected=${proof.suggestion.projectedSizeBytes}, measured=${measured}, docker inspect Size original=${proof.originalInspectSize} built=${inspect}`;
}

function lastLines(text: string, count: number): string {
	return text.trimEnd().split('\n').slice(-count).join('\n');
}

/**
The built image, or a failure. The build test (`whole`) shows what was built and how the build went; the tests
that need the image say only that it is missing, with the build's last line.
*/
function requireBuilt(proof: Proof, whole = false): NonNullable<Proof['built']> {
	if (!proof.build.ok || !proof.built) {
		assert.fail(
			whole
				? `the suggested Dockerfile does not build (${proof.stack.image}, ${proof.mode}):\n` +
						`--- Dockerfile.layerlens\n${proof.dockerfile}\n--- .dockerignore\n${proof.suggestion.dockerignore.join('\n')}\n` +
						`--- docker build (last 40 lines)\n${lastLines(proof.build.log, 40)}`
				: `no image to check: the suggestion does not build (${lastLines(proof.build.log, 1)})`,
		);
	}

	return proof.built;
}

type Behaviour = {answers: Record<string, unknown>} | {stdout: string};

/** What the image does: its answers on the behaviour's paths, or its stdout. Throws with the container's logs. */
async function behaviourOf(image: string, stack: Stack): Promise<Behaviour> {
	const {behaviour} = stack;
	if (behaviour.kind === 'stdout') {
		try {
			const {stdout} = await run(
				'docker',
				['run', '--rm', '--network', 'none', image, ...(stack.command ?? [])],
				{
					timeout: 60_000,
					maxBuffer: 16 * 1024 * 1024,
				},
			);
			return {stdout};
		} catch (error) {
			const {stderr, stdout, code} = error as {stderr?: string; stdout?: string; code?: unknown};
			throw new Error(`docker run ${image} failed (exit ${String(code)}):\n${stdout ?? ''}${stderr ?? ''}`);
		}
	}

	const portKey = `${behaviour.port}/tcp`;
	const container = await docker.createContainer({
		Image: image,
		Labels: {'layerlens.e2e': String(process.pid)},
		HostConfig: {PortBindings: {[portKey]: [{HostIp: '127.0.0.1', HostPort: ''}]}},
	});
	try {
		await container.start();
		const port = (await container.inspect()).NetworkSettings.Ports[portKey]?.[0]?.HostPort;
		assert.ok(port, `${image}: port ${behaviour.port} is published`);
		const answers: Record<string, unknown> = {};
		try {
			// The first path waits for the server to listen; the others are answered at once.
			for (const path of Object.keys(behaviour.answers)) {
				answers[path] = await fetchWithRetry(`http://127.0.0.1:${port}${path}`, 15_000);
			}
		} catch (error) {
			const state = (await container.inspect()).State;
			const logs = (await container.logs({stdout: true, stderr: true, follow: false})).toString('utf8');
			throw new Error(
				`${image} does not answer (${error instanceof Error ? error.message : String(error)}); container ` +
					`${state.Status}, exit ${state.ExitCode}${state.Error ? `, ${state.Error}` : ''}; logs:\n${lastLines(logs, 30)}`,
			);
		}

		return {answers};
	} finally {
		await container.remove({force: true});
	}
}

const findingCategoriesToFix = new Set(['build-only', 'cache', 'waste']);

function describeFindings(report: JsonReport, categories: ReadonlySet<string>): string[] {
	return report.findings
		.filter((finding) => categories.has(finding.category))
		.map(
			(finding) =>
				`${finding.ruleId} (${finding.category}, layer ${finding.layerIndex}, ${finding.pathCount} paths, ${finding.bytes} B): ${finding.groups
					.slice(0, 3)
					.map((group) => group.path)
					.join(', ')}`,
		);
}

for (const stack of stacks) {
	for (const mode of stack.modes) {
		const how = mode === 'dockerfile' ? 'with --dockerfile' : 'from history, <base image> filled in';
		describe(`${stack.name} (${stack.image}), ${how}`, {skip}, () => {
			let proof: Promise<Proof> | undefined;
			const proven = () => {
				assertDockerAvailable(availability);
				proof ??= prove(stack, mode);
				return proof;
			};

			test('the projection reconciles to the byte: final = kept parts + removed parts, each removed byte named by a finding', async () => {
				const {original, suggestion} = await proven();
				const kept = suggestion.projectionParts.reduce((sum, part) => sum + part.bytes, 0);
				const removed = suggestion.removedParts.reduce((sum, part) => sum + part.bytes, 0);
				assert.equal(kept, suggestion.projectedSizeBytes);
				assert.equal(suggestion.projectedSizeBytes, original.image.finalSizeBytes - removed);
				const ruleIds = new Set(original.findings.map((finding) => finding.ruleId));
				for (const part of suggestion.removedParts) {
					assert.ok(
						ruleIds.has(part.ruleId),
						`${part.ruleId} (${part.bytes} B) is not a finding of the image`,
					);
					assert.ok(part.bytes > 0, part.ruleId);
				}
				// The packages the Dockerfile installs bring exactly the packages the projection counts.
				for (const name of suggestion.runtime.packages) {
					assert.ok(suggestion.runtime.installedPackages.includes(name), name);
				}
			});

			if (stack.noBuilderStage) {
				test('no builder stage: no Dockerfile to build, and the note says why', async () => {
					const {suggestion} = await proven();
					assert.equal(suggestion.basedOn, 'none');
					assert.equal(suggestion.dockerfile, '');
					assert.match(suggestion.notes[0] ?? '', /^No builder stage needed/);
				});

				// Every visible byte is data to keep; the only saving is the 30 000 000-byte staging file written by one
				// RUN and deleted by a later one (images/data/Dockerfile): hidden already, so the final filesystem stays.
				test('the projection is the final filesystem: nothing visible is removed', async () => {
					const current = await proven();
					const {original, suggestion} = current;
					assert.ok(
						original.waste.reclaimableBytes >= 30_000_000 && original.waste.reclaimableBytes < 31_000_000,
						`waste ${original.waste.reclaimableBytes} B; ${proofLine(current)}`,
					);
					assert.equal(suggestion.projectedSizeBytes, original.image.finalSizeBytes, proofLine(current));
					assert.deepEqual(suggestion.removedParts, []);
				});
				return;
			}

			test('the suggestion builds from the same context, as suggested', {timeout: 1_800_000}, async () => {
				requireBuilt(await proven(), true);
			});

			if (stack.shape) {
				test('the suggestion has the shape of the fix', async () => {
					const {suggestion} = await proven();
					stack.shape!(suggestion.dockerfile, mode);
				});
			}

			test('the built image behaves like the original', {timeout: 120_000}, async () => {
				const current = await proven();
				requireBuilt(current);
				const [original, suggested] = await Promise.allSettled([
					behaviourOf(stack.image, stack),
					behaviourOf(current.tag, stack),
				]);
				if (original.status === 'rejected') throw original.reason;
				const expected =
					stack.behaviour.kind === 'http'
						? {answers: stack.behaviour.answers}
						: {stdout: stack.behaviour.stdout};
				assert.deepEqual(original.value, expected, `the original ${stack.image} behaves as its fixture says`);
				if (suggested.status === 'rejected') {
					assert.fail(
						`${suggested.reason instanceof Error ? suggested.reason.message : String(suggested.reason)}\n` +
							`--- Dockerfile.layerlens\n${current.dockerfile}`,
					);
				}

				assert.deepEqual(suggested.value, original.value, `--- Dockerfile.layerlens\n${current.dockerfile}`);
			});

			test('the built image is smaller than the original', async () => {
				const current = await proven();
				const built = requireBuilt(current);
				// Removing only hidden bytes leaves the final filesystem as it was: the layers are what shrink.
				const finalSmaller = stack.savesOnlyHiddenBytes
					? built.report.image.finalSizeBytes <= current.original.image.finalSizeBytes
					: built.report.image.finalSizeBytes < current.original.image.finalSizeBytes;
				assert.ok(finalSmaller && built.inspectSize < current.originalInspectSize, proofLine(current));
			});

			test('the built image is not larger than the original', async () => {
				const current = await proven();
				const built = requireBuilt(current);
				assert.ok(
					built.report.image.finalSizeBytes <= current.original.image.finalSizeBytes &&
						built.inspectSize <= current.originalInspectSize,
					proofLine(current),
				);
			});

			test('the built image measures within 5 % of the projection', async (t) => {
				const current = await proven();
				t.diagnostic(proofLine(current));
				const built = requireBuilt(current);
				const projected = current.suggestion.projectedSizeBytes;
				const measured = built.report.image.finalSizeBytes;
				assert.ok(
					Math.abs(measured - projected) / projected < 0.05,
					`measured/projected = ${(measured / projected).toFixed(3)}; ${proofLine(current)}`,
				);
			});

			test('the built image has no build-only or cache finding left', async () => {
				const built = requireBuilt(await proven());
				assert.deepEqual(describeFindings(built.report, new Set(['build-only', 'cache'])), []);
			});

			if (stack.name === 'node' && mode === 'history') {
				// The rebuilt image's own projection: nothing more to take away than what the base ships (duplicate
				// docs, logs), which no Dockerfile of the app can fix. And the rebuild drops real weight.
				test('node: the rebuilt image projects within 1 % of itself and drops devDependencies + npm cache', async () => {
					const current = await proven();
					const built = requireBuilt(current);
					const projected = current.suggestion.projectedSizeBytes;
					assert.ok(built.report.suggestion, proofLine(current));
					assert.ok(
						Math.abs(built.report.suggestion.projectedSizeBytes - projected) / projected < 0.01,
						`built projects ${built.report.suggestion.projectedSizeBytes} B; ${proofLine(current)}`,
					);
					assert.ok(
						current.original.image.finalSizeBytes - built.report.image.finalSizeBytes > 90_000_000,
						proofLine(current),
					);
				});
			}
		});
	}
}

for (const fixture of alreadyRight) {
	for (const withDockerfile of [false, true]) {
		test(`${fixture.name} (${fixture.image})${withDockerfile ? ' with --dockerfile' : ''}: no build-only, cache or waste finding`, {
			skip,
			timeout: cliTimeoutMs + 10_000,
		}, async () => {
			assertDockerAvailable(availability);
			const report = await runCliJson<JsonReport>(
				[fixture.image, '--json', ...(withDockerfile ? ['--dockerfile', fixture.dockerfile] : [])],
				{timeoutMs: cliTimeoutMs},
			);
			const suggestion = report.suggestion
				? `; it suggests (projected ${report.suggestion.projectedSizeBytes} B of ${report.image.finalSizeBytes} B):\n${report.suggestion.dockerfile}`
				: '; no suggestion';
			assert.deepEqual(
				describeFindings(report, findingCategoriesToFix),
				[],
				`findings of ${fixture.image}${suggestion}`,
			);
		});
	}
}
