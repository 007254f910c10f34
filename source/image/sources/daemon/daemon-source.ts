import process from 'node:process';
import type {Readable} from 'node:stream';
import type Docker from 'dockerode';
import {LayerlensError} from '../../../shared/errors.js';
import {formatBytes} from '../../../shared/format-bytes.js';
import type {PlatformSpec} from '../../formats/platform.js';
import type {ImagePreview, ImageSource, LoadProgress, RawImage} from '../../types.js';
import {readImageArchive} from '../archive/read-archive.js';
import {endAtArchiveEnd} from './archive-end.js';
import {LayerSpool, readFinalFileThroughContainer} from './daemon-files.js';
import {type DaemonHistoryEntry, previewFromDaemon} from './daemon-preview.js';
import {claimEarlyAnswer, claimEarlyInspect} from './early-requests.js';
import {type DaemonEndpoint, type DaemonEngine, daemonEndpoint, isPlausibleReference} from './endpoint.js';
import {withDeadline, withIdleTimeout} from './idle-timeout.js';
import {socketGet, unixSocketOf} from './socket-request.js';

export {type DaemonEngine, daemonEndpoint, isPlausibleReference} from './endpoint.js';

export type DaemonSourceOptions = {
	engine?: DaemonEngine;
	platform?: PlatformSpec;
	maxLayerBytes?: number;
	/** Environment to read DOCKER_HOST / XDG_RUNTIME_DIR / LAYERLENS_DAEMON_TIMEOUT from (tests). */
	env?: NodeJS.ProcessEnv;
	/** How long each step of the export (request, headers, every gap in the data) may send nothing (default 60 s). */
	exportIdleTimeoutMs?: number;
	/** How long `inspect` may take (default 10 s). */
	inspectTimeoutMs?: number;
};

/** How long `inspect` may take: a DOCKER_HOST pointing nowhere must fail, not hang. */
const defaultInspectTimeoutMs = 10_000;
/**
How long any step of `docker save` may send nothing: the answer to the request, the first byte after the
headers, and every gap in the data. Bounded so a stalled daemon is an error that names the step within a
minute; LAYERLENS_DAEMON_TIMEOUT (seconds) raises it for a daemon that is slow to start a huge export.
*/
const defaultExportIdleTimeoutMs = 60_000;

/** LAYERLENS_DAEMON_TIMEOUT in seconds, when it is a positive number. */
function timeoutFromEnvironment(env: NodeJS.ProcessEnv): number | undefined {
	const seconds = Number(env.LAYERLENS_DAEMON_TIMEOUT);
	return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

function formatSeconds(ms: number): string {
	return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

function describeDaemonError(
	error: unknown,
	reference: string,
	engine: DaemonEngine,
	address: string,
	inspectTimeoutMs = defaultInspectTimeoutMs,
): LayerlensError {
	if (error instanceof LayerlensError) {
		return error;
	}

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
		return new LayerlensError(`${daemon} did not answer within ${formatSeconds(inspectTimeoutMs)}`, {
			hint: 'Check DOCKER_HOST and that the daemon is running',
			cause: error,
		});
	}

	return new LayerlensError(`${daemon} failed for '${reference}': ${failure.message ?? String(error)}`, {
		hint: 'Check the daemon, or give the path of a saved archive',
		cause: error,
	});
}

/**
One Docker API request through dockerode's modem, so it can be aborted: dockerode's own `inspect` and
`get` take no AbortSignal, and a request left behind keeps a socket (and the process) alive.
*/
function dial<T>(docker: Docker, path: string, signal: AbortSignal, isStream: boolean): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		docker.modem.dial(
			{
				path,
				method: 'GET',
				isStream,
				abortSignal: signal,
				options: {},
				statusCodes: {200: true, 404: 'no such image', 500: 'server error'},
			} as Parameters<Docker['modem']['dial']>[0],
			(error: unknown, data: unknown) => (error ? reject(error) : resolve(data as T)),
		);
	});
}

/** How one source talks to its daemon: the endpoint, the timeouts, and one GET that names its failures. */
type DaemonClient = {
	engine: DaemonEngine;
	reference: string;
	endpoint: DaemonEndpoint;
	/** The local daemon's unix socket (asked with node:http); undefined for any other endpoint (dockerode). */
	socketPath: string | undefined;
	inspectMs: number;
	idleMs: number;
	/** dockerode, loaded on demand: it and its dependencies take a quarter of a second to load. */
	connect: (timeout?: number) => Promise<Docker>;
	get: <T>(path: string, abort: AbortSignal, isStream: boolean, timeout?: number) => Promise<T>;
	describe: (error: unknown) => LayerlensError;
	inspectTimedOut: () => LayerlensError;
};

function daemonClient(reference: string, options: DaemonSourceOptions): DaemonClient {
	const engine = options.engine ?? 'docker';
	const endpoint = daemonEndpoint(engine, options.env);
	const connect = async (timeout?: number): Promise<Docker> => {
		const {default: DockerClient} = await import('dockerode');
		return new DockerClient({...endpoint.options, ...(timeout === undefined ? {} : {timeout})});
	};
	const socketPath = unixSocketOf(endpoint.address, endpoint.options.socketPath);
	const env = options.env ?? process.env;
	const inspectMs = options.inspectTimeoutMs ?? timeoutFromEnvironment(env) ?? defaultInspectTimeoutMs;
	return {
		engine,
		reference,
		endpoint,
		socketPath,
		inspectMs,
		idleMs: options.exportIdleTimeoutMs ?? timeoutFromEnvironment(env) ?? defaultExportIdleTimeoutMs,
		connect,
		get: async <T>(path: string, abort: AbortSignal, isStream: boolean, timeout?: number): Promise<T> =>
			socketPath === undefined
				? dial<T>(await connect(timeout), path, abort, isStream)
				: ((await socketGet(socketPath, path, abort, isStream as false)) as T),
		describe: (error) => describeDaemonError(error, reference, engine, endpoint.address, inspectMs),
		inspectTimedOut: () =>
			describeDaemonError(new Error('timeout'), reference, engine, endpoint.address, inspectMs),
	};
}

/** `inspect`, asked once per source (or claimed from the CLI's early request), within the inspect timeout. */
function inspectOnce(client: DaemonClient): (signal?: AbortSignal) => Promise<Docker.ImageInspectInfo> {
	let inspected: Docker.ImageInspectInfo | undefined;
	const {reference, socketPath} = client;
	return async (signal) => {
		if (!isPlausibleReference(reference)) {
			throw describeDaemonError({statusCode: 400}, reference, client.engine, client.endpoint.address);
		}

		try {
			const early = socketPath === undefined ? undefined : claimEarlyInspect(socketPath, reference);
			inspected ??= await withDeadline(
				(abort) =>
					(early?.claim(abort) as Promise<Docker.ImageInspectInfo> | undefined) ??
					client.get<Docker.ImageInspectInfo>(`/images/${reference}/json`, abort, false, client.inspectMs),
				client.inspectMs,
				client.inspectTimedOut,
				signal,
			);
			return inspected;
		} catch (error) {
			signal?.throwIfAborted();
			throw client.describe(error);
		}
	};
}

/**
The export (`GET /images/ID/get`), guarded so each step names itself when it hangs: the user learns whether
the daemon never answered, answered and sent nothing, or stopped halfway.
*/
function exporter(
	client: DaemonClient,
	inspect: (signal?: AbortSignal) => Promise<Docker.ImageInspectInfo>,
): {exportImage: (signal?: AbortSignal) => Promise<Readable>; guard: (stream: Readable) => Readable} {
	const {engine, reference, idleMs, socketPath} = client;
	const daemon = `the ${engine} daemon at ${client.endpoint.address}`;
	const hint = `Check the daemon (\`${engine} info\`), or export the image yourself with \`${engine} save -o image.tar ${reference}\` and give that path; LAYERLENS_DAEMON_TIMEOUT=SECONDS waits longer`;
	const requestStalled = () =>
		new LayerlensError(
			`${daemon} did not answer the export request for '${reference}' within ${formatSeconds(idleMs)}`,
			{hint},
		);
	const dataStalled = (bytes: number) =>
		new LayerlensError(
			bytes === 0
				? `${daemon} answered the export request for '${reference}' but sent no data for ${formatSeconds(idleMs)}`
				: `the export of '${reference}' from ${daemon} stalled after ${formatBytes(bytes)}: nothing for ${formatSeconds(idleMs)}`,
			{hint},
		);
	const guard = (stream: Readable) => withIdleTimeout(stream, idleMs, dataStalled);
	const exportImage = async (signal?: AbortSignal): Promise<Readable> => {
		const info = await inspect(signal);
		let stream: Readable;
		try {
			const early =
				socketPath === undefined
					? undefined
					: await claimEarlyAnswer(socketPath, reference, 'export', info.Id);
			stream = await withDeadline(
				(abort) => early?.claim(abort) ?? client.get<Readable>(`/images/${info.Id}/get`, abort, true),
				idleMs,
				requestStalled,
				signal,
			);
		} catch (error) {
			signal?.throwIfAborted();
			throw client.describe(error);
		}

		// The answer ends, for the reader, at the archive's end-of-archive marker: not after the daemon's cleanup.
		return guard(endAtArchiveEnd(stream));
	};

	return {exportImage, guard};
}

/** The export streamed straight into the archive reader, with the layer count from inspect in the progress. */
async function loadFromDaemon(
	client: DaemonClient,
	options: DaemonSourceOptions,
	inspect: (signal?: AbortSignal) => Promise<Docker.ImageInspectInfo>,
	exportImage: (signal?: AbortSignal) => Promise<Readable>,
	{onProgress, signal}: Parameters<ImageSource['load']>[0],
): Promise<{image: RawImage; layerNames: string[]}> {
	const info = await inspect(signal);
	const layersTotal = info.RootFS?.Layers?.length;
	const archive = await exportImage(signal);
	const result = await readImageArchive(archive, {
		reference: client.reference,
		source: client.engine,
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
	return {
		image: {...result.image, id: info.Id, repoTags: info.RepoTags ?? result.image.repoTags},
		layerNames: result.layerNames,
	};
}

/** Inspect and history: the layer list, its instructions and sizes, in milliseconds, before the export. */
async function previewOfDaemonImage(
	client: DaemonClient,
	inspect: (signal?: AbortSignal) => Promise<Docker.ImageInspectInfo>,
	signal: AbortSignal | undefined,
): Promise<ImagePreview> {
	const info = await inspect(signal);
	const {socketPath, reference} = client;
	try {
		const early =
			socketPath === undefined
				? undefined
				: await claimEarlyAnswer(socketPath, reference, 'history', info.Id);
		const history = await withDeadline(
			(abort) =>
				(early?.claim(abort) as Promise<DaemonHistoryEntry[]> | undefined) ??
				client.get<DaemonHistoryEntry[]>(`/images/${info.Id}/history`, abort, false, client.inspectMs),
			client.inspectMs,
			client.inspectTimedOut,
			signal,
		);
		return previewFromDaemon(info, Array.isArray(history) ? history : []);
	} catch {
		// The preview is a head start: without the history the read still names every layer.
		signal?.throwIfAborted();
		return previewFromDaemon(info, []);
	}
}

/** An image in a docker or podman daemon, exported with `get` and streamed straight into the archive reader. */
export function createDaemonSource(reference: string, options: DaemonSourceOptions = {}): ImageSource {
	const client = daemonClient(reference, options);
	const inspect = inspectOnce(client);
	const {exportImage, guard} = exporter(client, inspect);
	let layerNames: string[] = [];
	// Ended by dispose: reads still running then stop, and their containers are removed.
	const session = new AbortController();
	const reads = new Set<Promise<Buffer>>();
	const spool = new LayerSpool((signal) => exportImage(signal));
	const readFinalFile = (path: string, limit: number, expectedSize: number): Promise<Buffer> =>
		(async () => {
			const info = await inspect(session.signal);
			return readFinalFileThroughContainer({
				docker: await client.connect(client.inspectMs),
				streamingDocker: await client.connect(),
				imageId: info.Id,
				path,
				limit,
				expectedSize,
				signal: session.signal,
				guard,
			});
		})().catch((error: unknown) => {
			session.signal.throwIfAborted();
			throw client.describe(error);
		});

	return {
		kind: client.engine,
		description: `${client.engine} daemon at ${client.endpoint.address}`,
		async load(loadOptions) {
			const loaded = await loadFromDaemon(client, options, inspect, exportImage, loadOptions);
			layerNames = loaded.layerNames;
			return loaded.image;
		},
		preview: (signal) => previewOfDaemonImage(client, inspect, signal),
		async readFile(layerIndex, path, limit, onProgress) {
			const name = layerNames[layerIndex];
			if (name === undefined) {
				throw new LayerlensError(`layer ${layerIndex + 1} is not part of the loaded image`, {
					hint: 'Load the image first',
				});
			}

			return spool.readFile(layerNames, name, path, limit, session.signal, onProgress);
		},
		async readFinalFile(path, limit, expectedSize) {
			session.signal.throwIfAborted();
			const read = readFinalFile(path, limit, expectedSize);
			// Kept from its start until it settles: the session's end waits for its container to be removed.
			reads.add(read);
			try {
				return await read;
			} finally {
				reads.delete(read);
			}
		},
		async dispose() {
			session.abort(new LayerlensError('the session is over'));
			await Promise.allSettled(reads);
			spool.dispose();
		},
		// The image ID is the digest of the config, known from inspect before any export.
		async cacheKey() {
			const info = await inspect();
			const platform = options.platform === undefined ? '' : JSON.stringify(options.platform);
			return `daemon\n${client.engine}\n${info.Id}\n${platform}`;
		},
		cacheState: () => layerNames,
		restoreCacheState(state) {
			layerNames = state;
		},
		layerEntryNames: () => layerNames,
	};
}

/** Whether the daemon answered that it does not have the image (not that it could not be asked). */
export function isImageNotFound(error: unknown): boolean {
	return (
		error instanceof LayerlensError && (error.cause as {statusCode?: number} | undefined)?.statusCode === 404
	);
}

/**
The Docker Hub mirrors the daemon uses (`registry-mirrors` in daemon.json, as `docker info` reports them:
what the daemon actually applies). None when the daemon cannot be asked within the inspect timeout.
*/
export async function daemonRegistryMirrors(options: DaemonSourceOptions = {}): Promise<unknown> {
	const engine = options.engine ?? 'docker';
	const env = options.env ?? process.env;
	const endpoint = daemonEndpoint(engine, env);
	const timeout = options.inspectTimeoutMs ?? timeoutFromEnvironment(env) ?? defaultInspectTimeoutMs;
	try {
		const {default: DockerClient} = await import('dockerode');
		const docker = new DockerClient({...endpoint.options, timeout});
		const info = (await withDeadline(
			(abort) => dial<{RegistryConfig?: {Mirrors?: unknown}}>(docker, '/info', abort, false),
			timeout,
			() => new Error('timeout'),
		)) as {RegistryConfig?: {Mirrors?: unknown}};
		return info.RegistryConfig?.Mirrors;
	} catch {
		return undefined;
	}
}
