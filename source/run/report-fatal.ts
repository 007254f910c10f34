import process from 'node:process';
import {errorLine, errorLines, isLayerlensError} from '../shared/errors.js';

const reportUrl = 'https://github.com/layerlens/layerlens/issues';

/**
The last line of defence: a LayerlensError is the user's problem and gets its one line and exit 2;
anything else is our bug and says where to report it. `--debug` adds the stack either way.
Layer names, platforms, JSON parse errors and the reference the user typed end up in messages: errorLine
sanitises and caps every line written here.
*/
export function reportFatal(error: unknown, debug: boolean): void {
	if (isLayerlensError(error)) {
		process.stderr.write(`${errorLine(`layerlens: ${error.line}`)}\n`);
		if (debug && error.stack) {
			process.stderr.write(`${errorLines(error.stack)}\n`);
		}

		process.exitCode = error.exitCode;
	} else {
		const message = error instanceof Error ? error.message : String(error);
		// The report address comes before the message, so a long message cannot cut it off.
		process.stderr.write(
			`${errorLine(`layerlens: unexpected error (please report it at ${reportUrl}, run with --debug for details): ${message}`)}\n`,
		);
		if (debug && error instanceof Error && error.stack) {
			process.stderr.write(`${errorLines(error.stack)}\n`);
		}

		process.exitCode = 2;
	}
}
