import process from 'node:process';
import {isLayerlensError} from '../errors.js';

const reportUrl = 'https://github.com/layerlens/layerlens/issues';

/**
The last line of defence: a LayerlensError is the user's problem and gets its one line and exit 2;
anything else is our bug and says where to report it. `--debug` adds the stack either way.
*/
export function reportFatal(error: unknown, debug: boolean): void {
	if (isLayerlensError(error)) {
		process.stderr.write(`layerlens: ${error.line}\n`);
		if (debug && error.stack) {
			process.stderr.write(`${error.stack}\n`);
		}

		process.exitCode = error.exitCode;
	} else {
		const message = error instanceof Error ? error.message : String(error);
		process.stderr.write(
			`layerlens: unexpected error: ${message}. Please report it at ${reportUrl} (run with --debug for details)\n`,
		);
		if (debug && error instanceof Error && error.stack) {
			process.stderr.write(`${error.stack}\n`);
		}

		process.exitCode = 2;
	}
}
