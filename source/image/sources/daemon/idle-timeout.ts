import {PassThrough, type Readable} from 'node:stream';

/**
Pass `input` through, failing with `makeError(bytes)` when no byte arrives for `idleMs` (`bytes`: how many
came before the silence, so the message can say whether the data never started or stopped midway). A
daemon that answers but then stalls its export must end in an error, never a hang; the clock restarts on
every chunk, so a slow but moving export of a huge image is never cut off.
*/
export function withIdleTimeout(
	input: Readable,
	idleMs: number,
	makeError: (bytes: number) => Error,
): Readable {
	const output = new PassThrough({highWaterMark: 1024 * 1024});
	let timer: NodeJS.Timeout | undefined;
	let bytes = 0;
	const arm = () => {
		clearTimeout(timer);
		timer = setTimeout(() => {
			const error = makeError(bytes);
			input.destroy(error);
			output.destroy(error);
		}, idleMs);
	};

	// While the consumer applies back-pressure the input is paused: that is our wait, not the daemon's.
	output.on('drain', arm);
	input.on('data', (chunk: Buffer) => {
		bytes += chunk.length;
		arm();
		if (!output.write(chunk)) {
			clearTimeout(timer);
			input.pause();
			output.once('drain', () => input.resume());
		}
	});
	input.on('end', () => {
		clearTimeout(timer);
		output.end();
	});
	input.on('error', (error) => {
		clearTimeout(timer);
		output.destroy(error);
	});
	output.on('close', () => {
		clearTimeout(timer);
		input.destroy();
	});
	arm();
	return output;
}

/**
Resolve with `start(signal)`, or reject with `makeError()` after `ms` (or with the abort reason when
`cancel` aborts first). Either way `signal` is aborted so the request behind the promise is torn down
rather than left holding a socket (and the process) open.
*/
export async function withDeadline<T>(
	start: (signal: AbortSignal) => Promise<T>,
	ms: number,
	makeError: () => Error,
	cancel?: AbortSignal,
): Promise<T> {
	const controller = new AbortController();
	let timer: NodeJS.Timeout | undefined;
	let onCancel: (() => void) | undefined;
	const deadline = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => {
			const error = makeError();
			controller.abort(error);
			reject(error);
		}, ms);
		onCancel = () => {
			controller.abort(cancel?.reason);
			reject(cancel?.reason ?? new Error('cancelled'));
		};

		if (cancel?.aborted) onCancel();
		else cancel?.addEventListener('abort', onCancel, {once: true});
	});
	try {
		return await Promise.race([start(controller.signal), deadline]);
	} finally {
		clearTimeout(timer);
		if (onCancel) cancel?.removeEventListener('abort', onCancel);
	}
}
