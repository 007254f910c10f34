import Docker from 'dockerode';

/** The images test/fixtures/build-images.sh makes; see test/fixtures/images/<name>/Dockerfile for what is in each. */
export const fixtureImages = {
	naive: 'layerlens-fixture/naive',
	multistage: 'layerlens-fixture/multistage',
	waste: 'layerlens-fixture/waste',
	python: 'layerlens-fixture/python',
	go: 'layerlens-fixture/go',
	c: 'layerlens-fixture/c',
	baseOnly: 'layerlens-fixture/base-only',
	java: 'layerlens-fixture/java',
	ruby: 'layerlens-fixture/ruby',
	/** Built with BuildKit. */
	php: 'layerlens-fixture/php',
	perl: 'layerlens-fixture/perl',
	data: 'layerlens-fixture/data',
	/** images/python built with BuildKit. */
	pythonBuildkit: 'layerlens-fixture/python-buildkit',
	multistageLeaky: 'layerlens-fixture/multistage-leaky',
} as const;

export type FixtureImage = (typeof fixtureImages)[keyof typeof fixtureImages];

export type DockerAvailability = {available: true; reason: undefined} | {available: false; reason: string};

const buildHint = 'run `bash test/fixtures/build-images.sh`';

/** CI sets LAYERLENS_REQUIRE_DOCKER=1: there a missing daemon or fixture is a failure, not a skip. */
export function isDockerRequired(env: NodeJS.ProcessEnv = process.env): boolean {
	return env.LAYERLENS_REQUIRE_DOCKER === '1';
}

/** A client for the daemon the `docker` CLI would use (DOCKER_HOST, else /var/run/docker.sock) unless told otherwise. */
export function connectDocker(options?: Docker.DockerOptions): Docker {
	return new Docker(options);
}

/**
Whether daemon tests can run: the daemon answers a ping within `timeoutMs` and every image in `images` exists.
Never throws: the reason is meant to be shown as the skip message.
*/
export async function dockerAvailability(
	options: {images?: readonly string[]; timeoutMs?: number; docker?: Docker} = {},
): Promise<DockerAvailability> {
	const docker = options.docker ?? connectDocker();
	const timeoutMs = options.timeoutMs ?? 3000;
	try {
		await withTimeout(docker.ping(), timeoutMs, `no answer within ${timeoutMs} ms`);
	} catch (error) {
		return {available: false, reason: `no Docker daemon reachable (${describe(error)})`};
	}

	const missing: string[] = [];
	for (const image of options.images ?? []) {
		try {
			await docker.getImage(image).inspect();
		} catch (error) {
			if (statusCode(error) !== 404) {
				return {available: false, reason: `cannot inspect ${image} (${describe(error)})`};
			}

			missing.push(image);
		}
	}

	if (missing.length > 0) {
		return {available: false, reason: `fixture images not built: ${missing.join(', ')}; ${buildHint}`};
	}

	return {available: true, reason: undefined};
}

/**
The `skip` option for a daemon test: the reason when it cannot run, unless Docker is required, in which case the
test runs and `assertDockerAvailable` fails it with the same reason.
*/
export function dockerSkip(
	availability: DockerAvailability,
	env: NodeJS.ProcessEnv = process.env,
): string | false {
	if (availability.available || isDockerRequired(env)) {
		return false;
	}

	return availability.reason;
}

/** First line of every daemon test, so that a required-but-missing daemon fails with a clear message. */
export function assertDockerAvailable(availability: DockerAvailability): void {
	if (!availability.available) {
		throw new Error(`LAYERLENS_REQUIRE_DOCKER=1 but ${availability.reason}`);
	}
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => reject(new Error(message)), ms);
	});
	try {
		return await Promise.race([promise, timeout]);
	} finally {
		clearTimeout(timer);
	}
}

function statusCode(error: unknown): number | undefined {
	return typeof error === 'object' &&
		error !== null &&
		'statusCode' in error &&
		typeof error.statusCode === 'number'
		? error.statusCode
		: undefined;
}

function describe(error: unknown): string {
	return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}
