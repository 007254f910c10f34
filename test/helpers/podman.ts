import {execFile} from 'node:child_process';
import {existsSync} from 'node:fs';
import {promisify} from 'node:util';
import {daemonEndpoint} from '../../source/image/sources/daemon/daemon-source.js';

const run = promisify(execFile);

export type PodmanAvailability = {available: true; reason: undefined} | {available: false; reason: string};

/** CI (.ci/run) sets LAYERLENS_REQUIRE_PODMAN=1: there a missing podman, skopeo or socket fails the test. */
export function isPodmanRequired(env: NodeJS.ProcessEnv = process.env): boolean {
	return env.LAYERLENS_REQUIRE_PODMAN === '1';
}

async function answers(file: string, args: string[]): Promise<string | undefined> {
	try {
		await run(file, args, {timeout: 30_000});
		return undefined;
	} catch (error) {
		const failure = error as {code?: string; stderr?: string; message?: string};
		return failure.code === 'ENOENT'
			? `${file} is not installed`
			: `\`${file} ${args.join(' ')}\` failed: ${(failure.stderr || failure.message || '').trim().split('\n')[0]}`;
	}
}

/**
Whether Podman tests can run: the podman and skopeo CLIs work and the Podman API socket layerlens would use
answers a ping. Never throws; the reason is the skip message.
*/
export async function podmanAvailability(): Promise<PodmanAvailability> {
	for (const [file, args] of [
		['podman', ['version', '--format', '{{.Client.Version}}']],
		['skopeo', ['--version']],
	] as const) {
		const problem = await answers(file, [...args]);
		if (problem !== undefined) return {available: false, reason: problem};
	}

	const {options} = daemonEndpoint('podman');
	const socket = options.socketPath as string;
	if (!existsSync(socket)) {
		return {
			available: false,
			reason: `no Podman API socket at ${socket} (start one: podman system service --time=0 unix://${socket} &)`,
		};
	}

	const problem = await answers('curl', [
		'-sf',
		'--max-time',
		'10',
		'--unix-socket',
		socket,
		'http://d/_ping',
	]);
	return problem === undefined
		? {available: true, reason: undefined}
		: {available: false, reason: `the Podman socket ${socket} does not answer (${problem})`};
}

/** The `skip` option for a Podman test: the reason, unless Podman is required (then the test fails with it). */
export function podmanSkip(
	availability: PodmanAvailability,
	env: NodeJS.ProcessEnv = process.env,
): string | false {
	return availability.available || isPodmanRequired(env) ? false : availability.reason;
}

export function assertPodmanAvailable(availability: PodmanAvailability): void {
	if (!availability.available) {
		throw new Error(`LAYERLENS_REQUIRE_PODMAN=1 but ${availability.reason}`);
	}
}

/** Copies an image from the Docker daemon into Podman's store unless Podman already has this very image ID. */
export async function copyDockerImageToPodman(reference: string): Promise<void> {
	const dockerId = (
		await run('docker', ['image', 'inspect', '--format', '{{.Id}}', reference])
	).stdout.trim();
	const podmanId = await run('podman', ['image', 'inspect', '--format', '{{.Id}}', reference]).then(
		(result) => `sha256:${result.stdout.trim()}`,
		() => undefined,
	);
	if (podmanId !== dockerId) {
		await run('podman', ['pull', '-q', `docker-daemon:${reference}:latest`], {maxBuffer: 16 * 1024 * 1024});
	}
}
