import type {IncomingMessage} from 'node:http';
import type {Socket} from 'node:net';
import process from 'node:process';
import {type DaemonEngine, daemonEndpoint, isPlausibleReference} from './endpoint.js';
import {socketGet, unixSocketOf} from './socket-request.js';

/*
The daemon's answers asked for before the modes (React and Ink for the explorer, the analysis for a report) are
imported: `inspect` and `history` are the explorer's layer list, and the export is what the daemon needs many
seconds to start sending. A daemon source for the same reference on the same socket then claims them instead of
asking again; each answer is claimed at most once.
*/

/** One request sent ahead of its user: until it is claimed its socket keeps no process alive. */
export class EarlyRequest<T> {
	readonly answer: Promise<T>;
	private readonly controller = new AbortController();
	private socket: Socket | undefined;
	private claimed = false;
	private settled = false;

	constructor(start: (signal: AbortSignal, onSocket: (socket: Socket) => void) => Promise<T>) {
		this.answer = start(this.controller.signal, (socket) => {
			this.socket = socket;
			if (!this.claimed) socket.unref();
		});
		// An answer nobody claims (the run ended first, or read another source) is no error of the run.
		this.answer.then(
			() => {
				this.settled = true;
			},
			() => {
				this.settled = true;
			},
		);
	}

	/** The answer, now the caller's: `signal` aborts the request, and its socket holds the process again. */
	claim(signal: AbortSignal): Promise<T> {
		this.claimed = true;
		// A finished JSON answer's socket is back in the agent's pool, which keeps it unreferenced.
		if (!this.settled) this.socket?.ref();
		if (signal.aborted) this.controller.abort(signal.reason);
		else signal.addEventListener('abort', () => this.controller.abort(signal.reason), {once: true});
		return this.answer;
	}
}

/** A request that needs the image ID, which only inspect's answer gives. */
type ByImageId<T> = Promise<{id: string; request: EarlyRequest<T>} | undefined>;

type EarlyAnswers = {
	inspect: EarlyRequest<unknown> | undefined;
	history: ByImageId<unknown> | undefined;
	export: ByImageId<IncomingMessage> | undefined;
};

const early = new Map<string, EarlyAnswers>();

const keyOf = (socketPath: string, reference: string): string => `${socketPath}\n${reference}`;

/**
Ask the local daemon (a unix socket) for `reference`'s inspect and history now, and for its export too when
`withExport` (a run that will read it whatever happens: no cache to answer first). Nothing for a daemon behind
tcp:// (dockerode talks to it) or a reference the daemon would refuse.
*/
export function requestDaemonImageEarly(
	reference: string,
	{
		engine = 'docker',
		env = process.env,
		withExport = false,
	}: {engine?: DaemonEngine; env?: NodeJS.ProcessEnv; withExport?: boolean} = {},
): void {
	const endpoint = daemonEndpoint(engine, env);
	const socketPath = unixSocketOf(endpoint.address, endpoint.options.socketPath);
	if (socketPath === undefined || !isPlausibleReference(reference)) return;
	const inspect = new EarlyRequest((signal, onSocket) =>
		socketGet(socketPath, `/images/${reference}/json`, signal, false, onSocket),
	);
	const afterInspect = <T>(
		start: (id: string, signal: AbortSignal, onSocket: (socket: Socket) => void) => Promise<T>,
	): ByImageId<T> =>
		inspect.answer.then(
			(info) => {
				const id = (info as {Id?: unknown} | undefined)?.Id;
				if (typeof id !== 'string') return undefined;
				return {id, request: new EarlyRequest((signal, onSocket) => start(id, signal, onSocket))};
			},
			() => undefined,
		);
	early.set(keyOf(socketPath, reference), {
		inspect,
		history: afterInspect((id, signal, onSocket) =>
			socketGet(socketPath, `/images/${id}/history`, signal, false, onSocket),
		),
		export: withExport
			? afterInspect((id, signal, onSocket) =>
					socketGet(socketPath, `/images/${id}/get`, signal, true, onSocket),
				)
			: undefined,
	});
}

/** The inspect asked for early for `reference` on `socketPath`, once; undefined when none was. */
export function claimEarlyInspect(socketPath: string, reference: string): EarlyRequest<unknown> | undefined {
	const answers = early.get(keyOf(socketPath, reference));
	const inspect = answers?.inspect;
	if (answers) answers.inspect = undefined;
	return inspect;
}

/** The history or export asked for early for the image `id`, once; undefined when none was. */
export async function claimEarlyAnswer<K extends 'history' | 'export'>(
	socketPath: string,
	reference: string,
	kind: K,
	id: string,
): Promise<(K extends 'export' ? EarlyRequest<IncomingMessage> : EarlyRequest<unknown>) | undefined> {
	const answers = early.get(keyOf(socketPath, reference));
	const pending = answers?.[kind];
	if (answers === undefined || pending === undefined) return undefined;
	answers[kind] = undefined;
	const asked = await pending;
	return asked?.id === id
		? (asked.request as K extends 'export' ? EarlyRequest<IncomingMessage> : EarlyRequest<unknown>)
		: undefined;
}
