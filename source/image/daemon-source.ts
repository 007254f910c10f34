import {existsSync} from 'node:fs';
import {join} from 'node:path';
import type {Readable} from 'node:stream';
import type Docker from 'dockerode';
import {LayerlensError} from '../errors.js';
import {withDeadline, withIdleTimeout} from './idle-timeout.js';
import type {PlatformSpec} from './platform.js';
import {readImageArchive} from './read-archive.js';
import {readFileFromArchive} from './read-layer-file.js';
import type {ImageSource, LoadProgress} from './types.js';

export type DaemonEngine = 'docker' | 'podman';

export type DaemonSourceOptions = {
	engine?: DaemonEngine;
	platform?: PlatformSpec;
	maxLayerBytes?: number;
	/** Environment to read DOCKER_HOST / XDG_RUNTIME_DIR from (tests). */
	env?: NodeJS.ProcessEnv;
	/** How long the export may send nothing before it counts as stalled (default 5 minutes). */
	exportIdleTimeoutMs?: number;
};

/** How long `inspect` may take: a DOCKER_HOST pointing nowhere must fail, not hang. */
const inspectTimeoutMs = 10_000;
/**
How long `docker save` may send nothing. Generous: the daemon can take minutes to start streaming a big
image from the containerd store; but it is bounded, so a stalled daemon is an error, not a hang.
*/
const exportIdleTimeoutMs = 5 * 60_000;

export type DaemonEndpoint = {
	/** Shown to the user, e.g. `unix:///var/run/docker.sock`. */
	address: string;
	/** dockerode options; empty for docker means "DOCKER_HOST or the default socket", as the docker CLI does. */
	options: Docker.DockerOptions;
};

/**
Where the daemon is: DOCKER_HOST (unix:// or tcp://) for docker; for podman CONTAINER_HOST (unix://), else the
rootless then the rootful socket, the first that exists.
*/
export function daemonEndpoint(engine: DaemonEngine, env: NodeJS.ProcessEnv = process.env): DaemonEndpoint {
	if (engine === 'podman') {
		// CONTAINER_HOST is where podman's own remote client looks first.
		const containerHost = env.CONTAINER_HOST?.startsWith('unix://') ? env.CONTAINER_HOST.slice(7) : undefined;
		const candidates = [
			containerHost,
			env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock') : undefined,
			'/run/podman/podman.sock',
		].filter((path): path is string => path !== undefined);
		const socketPath = containerHost ?? candidates.find((path) => existsSync(path)) ?? candidates.at(-1)!;
		// `host: undefined` stops a tcp DOCKER_HOST from overriding the podman socket.
		return {address: `unix://${socketPath}`, options: {socketPath, host: undefined}};
	}

	const host = env.DOCKER_HOST;
	return {address: host && host !== '' ? host : 'unix:///var/run/docker.sock', options: {}};
}

/** Docker's reference grammar, loosely: catches typos without rejecting valid names. */
const referencePattern = /^[a-z0-9][a-z0-9._\-/:@]*$/;

export function isPlausibleReference(reference: string): boolean {
	const [name = ''] = reference.split('@');
	const lastSlash = name.lastIndexOf('/');
	const repository = name.lastIndexOf(':') > lastSlash ? name.slice(0, name.lastIndexOf(':')) : name;
	// The first component is a registry host (which may carry a port and upper case) only when it looks like one.
	const first = repository.split('/')[0] ?? '';
	const hasHost =
		repository.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
	const path = hasHost ? repository.slice(first.length + 1) : repository;
	return reference.length <= 4096 && referencePattern.test(path);
}

function describeDaemonError(
	error: unknown,
	reference: string,
	engine: DaemonEngine,
	address: string,
): LayerlensError {
	const failure = error as {statusCode?: number; code?: string; message?: string};
	const daemon = `the ${engine} daemon at ${address}`;
	if (failure.statusCode === 404) {
		return new LayerlensError(`image '${reference}' not found in ${daemon}`, {
			hint: `Run \`${engine} pull ${reference}\` or check \`${engine} images\``,
			cause: error,
		});
	}

	if (failure.statusCode === 400) {
		return new LayerlensError(`'${reference}' is not a valid image reference`, {
			hint: 'Use name[:tag] or name@sha256:digest, or give a path to an archive',
			cause: error,
		});
	}

	if (failure.code === 'EACCES' || failure.code === 'EPERM') {
		return new LayerlensError(`permission denied connecting to ${daemon}`, {
			hint: `Add your user to the ${engine} group (then log in again) or point DOCKER_HOST at a socket you can use`,
			cause: error,
		});
	}

	if (failure.code === 'ECONNREFUSED' || failure.code === 'ENOENT' || failure.code === 'EHOSTUNREACH') {
		// Podman ignores DOCKER_HOST here (see daemonEndpoint), so its hint is how to start the socket.
		const start =
			engine === 'podman'
				? 'Start it with `systemctl --user start podman.socket`'
				: 'Start docker, set DOCKER_HOST';
		return new LayerlensError(`cannot connect to ${daemon} (${failure.code})`, {
			hint: `Is it running? ${start}, or give the path of a \`${engine} save\` archive`,
			cause: error,
		});
	}

	if (failure.code === 'ECONNRESET' || /timeout|socket hang up/i.test(failure.message ?? '')) {
		return new LayerlensError(`${daemon} did not answer within ${inspectTimeoutMs / 1000} s`, {
			hint: 'Check DOCKER_HOST and that the daemon is running',
			cause: error,
		});
	}

	return new LayerlensError(`${daemon} failed for '${reference}': ${failure.message ?? String(error)}`, {
		hint: 'Check the daemon, or give the path of a saved archive',
		cause: error,
	});
}

/** Inspect with a hard deadline; the modem's socket timeout alone does not cover a connect that never completes. */
async function inspectWithDeadline(docker: Docker, reference: string): Promise<Docker.ImageInspectInfo> {
	let timer: NodeJS.Timeout | undefined;
	const deadline = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => reject(new Error('timeout')), inspectTimeoutMs);
	});
	try {
		return await Promise.race([docker.getImage(reference).inspect(), deadline]);
	} finally {
		clearTimeout(timer);
	}
}

/** An image in a docker or podman daemon, exported with `get` and streamed straight into the archive reader. */
export function createDaemonSource(reference: string, options: DaemonSourceOptions = {}): ImageSource {
	const engine = options.engine ?? 'docker';
	const endpoint = daemonEndpoint(engine, options.env);
	const description = `${engine} daemon at ${endpoint.address}`;
	let inspected: Docker.ImageInspectInfo | undefined;
	let layerNames: string[] = [];

	// dockerode and its dependencies take a quarter of a second to load: only runs that talk to a daemon pay it.
	const connect = async (timeout?: number): Promise<Docker> => {
		const {default: DockerClient} = await import('dockerode');
		return new DockerClient({...endpoint.options, ...(timeout === undefined ? {} : {timeout})});
	};
	const inspect = async (): Promise<Docker.ImageInspectInfo> => {
		if (!isPlausibleReference(reference)) {
			throw describeDaemonError({statusCode: 400}, reference, engine, endpoint.address);
		}

		try {
			inspected ??= await inspectWithDeadline(await connect(inspectTimeoutMs), reference);
			return inspected;
		} catch (error) {
			throw describeDaemonError(error, reference, engine, endpoint.address);
		}
	};

	const idleMs = options.exportIdleTimeoutMs ?? exportIdleTimeoutMs;
	const stalled = () =>
		new LayerlensError(
			`the ${engine} daemon at ${endpoint.address} sent nothing of '${reference}' for ${Math.round(idleMs / 1000)} s`,
			{
				hint: `Check the daemon (\`${engine} info\`), or export the image yourself with \`${engine} save -o image.tar ${reference}\` and give that path`,
			},
		);
	const exportImage = async (): Promise<Readable> => {
		const info = await inspect();
		let stream: Readable;
		try {
			stream = (await withDeadline((await connect()).getImage(info.Id).get(), idleMs, stalled)) as Readable;
		} catch (error) {
			throw error instanceof LayerlensError
				? error
				: describeDaemonError(error, reference, engine, endpoint.address);
		}

		return withIdleTimeout(stream, idleMs, stalled);
	};

	return {
		kind: engine,
		description,
		async load({onProgress, signal}) {
			const info = await inspect();
			const layersTotal = info.RootFS?.Layers?.length;
			const archive = await exportImage();
			const result = await readImageArchive(archive, {
				reference,
				source: engine,

				...(options.platform ? {platform: options.platform} : {}),
				...(options.maxLayerBytes === undefined ? {} : {maxLayerBytes: options.maxLayerBytes}),
				// The daemon's Size counts file bytes, the export stream tar bytes (headers, padding): comparing them
				// printed "363 MB of 349 MB". The layer count from inspect is the same unit as layersDone.
				...(onProgress
					? {
							onProgress: (progress: LoadProgress) =>
								onProgress({...progress, ...(layersTotal === undefined ? {} : {layersTotal})}),
						}
					: {}),
				...(signal ? {signal} : {}),
			});
			layerNames = result.layerNames;
			return {...result.image, id: info.Id, repoTags: info.RepoTags ?? result.image.repoTags};
		},
		async readFile(layerIndex, path, limit) {
			const name = layerNames[layerIndex];
			if (name === undefined) {
				throw new LayerlensError(`layer ${layerIndex + 1} is not part of the loaded image`, {
					hint: 'Load the image first',
				});
			}

			return readFileFromArchive(await exportImage(), name, path, limit);
		},
		// The image ID is the digest of the config, known from inspect before any export.
		async cacheKey() {
			const info = await inspect();
			const platform = options.platform === undefined ? '' : JSON.stringify(options.platform);
			return `daemon\n${engine}\n${info.Id}\n${platform}`;
		},
		cacheState: () => layerNames,
		restoreCacheState(state) {
			layerNames = state;
		},
	};
}
