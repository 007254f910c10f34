import process from 'node:process';
import {isLayerlensError} from '../errors.js';
import {sanitize, sanitizeLines} from '../sanitize-text.js';

const reportUrl = 'https://github.com/layerlens/layerlens/issues';

/**
The last line of defence: a LayerlensError is the user's problem and gets its one line and exit 2;
anything else is our bug and says where to report it. `--debug` adds the stack either way.
The one place errors reach stderr, so the one place they are sanitised: layer names, platforms, JSON
parse errors and the reference the user typed end up in messages, and none may drive the terminal.
*/
export function reportFatal(error: unknown, debug: boolean): void {
	if (isLayerlensError(error)) {
		process.stderr.write(`layerlens: ${sanitize(error.line)}\n`);
		if (debug && error.stack) {
			process.stderr.write(`${sanitizeLines(error.stack)}\n`);
		}

		process.exitCode = error.exitCode;
	} else {
		const message = error instanceof Error ? error.message : String(error);
		process.stderr.write(
			`layerlens: unexpected error: ${sanitize(message)}. Please report it at ${reportUrl} (run with --debug for details)\n`,
		);
		if (debug && error instanceof Error && error.stack) {
			process.stderr.write(`${sanitizeLines(error.stack)}\n`);
		}

		process.exitCode = 2;
	}
}
