import {PassThrough, type Readable} from 'node:stream';

/**
Pass `input` through, failing with `makeError()` when no byte arrives for `idleMs`. A daemon that
answers inspect but then stalls its export must end in an error, never a hang; the clock restarts on
every chunk, so a slow but moving export of a huge image is never cut off.
*/
export function withIdleTimeout(input: Readable, idleMs: number, makeError: () => Error): Readable {
	const output = new PassThrough({highWaterMark: 1024 * 1024});
	let timer: NodeJS.Timeout | undefined;
	const arm = () => {
		clearTimeout(timer);
		timer = setTimeout(() => {
			const error = makeError();
			input.destroy(error);
			output.destroy(error);
		}, idleMs);
	};

	// While the consumer applies back-pressure the input is paused: that is our wait, not the daemon's.
	output.on('drain', arm);
	input.on('data', (chunk: Buffer) => {
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

/** Resolve with `promise`, or reject with `makeError()` after `ms`. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, makeError: () => Error): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const deadline = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => reject(makeError()), ms);
	});
	try {
		return await Promise.race([promise, deadline]);
	} finally {
		clearTimeout(timer);
	}
}
