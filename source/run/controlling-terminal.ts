import {closeSync, constants, openSync} from 'node:fs';
import {isatty, ReadStream} from 'node:tty';

export type ControllingTerminal =
	| {kind: 'opened'; keys: ReadStream; close(): void}
	| {kind: 'unavailable'; reason: string};

/**
The terminal the user types into when stdin carries an archive (`docker save app | layerlens`): the
explorer reads its keys from `/dev/tty`, as `less` and `fzf` do. Without a controlling terminal (a cron job,
`setsid`, a container without a tty) the open fails with ENXIO and the caller falls back to the summary.
*/
export function openControllingTerminal(path = '/dev/tty'): ControllingTerminal {
	let fd: number;
	try {
		// O_NOCTTY: opening the terminal must never make it this process's controlling terminal.
		fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY);
	} catch (error) {
		return {
			kind: 'unavailable',
			reason: `${path}: ${(error as NodeJS.ErrnoException).code ?? 'cannot open'}`,
		};
	}

	if (!isatty(fd)) {
		closeSync(fd);
		return {kind: 'unavailable', reason: `${path} is not a terminal`};
	}

	const keys = new ReadStream(fd);
	let closed = false;
	return {
		kind: 'opened',
		keys,
		close() {
			if (closed) return;
			closed = true;
			// Raw mode is the session's to undo (Ink does on unmount); here the descriptor is only let go.
			keys.destroy();
		},
	};
}
