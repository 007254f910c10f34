import {readFileSync, readlinkSync} from 'node:fs';
import process from 'node:process';
import {LayerlensError} from '../shared/errors.js';

/**
True when the shell started us with stdout closed (`>&-`). Node reopens a closed standard descriptor on
/dev/null read-write at start-up, so a run would "succeed" writing its report nowhere; a user's own
`> /dev/null` opens it write-only, which tells the two apart. Linux only (it reads /proc); elsewhere false.
*/
export function stdoutWasClosed(): boolean {
	if (process.platform !== 'linux') return false;
	try {
		if (readlinkSync('/proc/self/fd/1') !== '/dev/null') return false;
		const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/fdinfo/1', 'utf8'))?.[1];
		// O_ACCMODE is 3; O_RDWR is 2.
		return flags !== undefined && (Number.parseInt(flags, 8) & 3) === 2;
	} catch {
		return false;
	}
}

/** A failed write to stdout (closed, /dev/full): one line, not an unexpected error. */
export function describeStdoutError(error: NodeJS.ErrnoException): LayerlensError {
	const reason = error.code === 'ENOSPC' ? 'the device is full (ENOSPC)' : (error.code ?? error.message);
	return new LayerlensError(`Cannot write to stdout: ${reason}`, {
		hint: 'Redirect stdout to a file you can write, or give --output FILE',
		cause: error,
	});
}

/** `layerlens ... >&-`: the same one line as any other stdout that cannot be written. */
export function closedStdoutError(): LayerlensError {
	return new LayerlensError('Cannot write to stdout: it is closed', {
		hint: 'Redirect stdout to a file (`> report.txt`), or give --output FILE',
	});
}
