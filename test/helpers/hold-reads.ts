import {spawnSync} from 'node:child_process';
import {realpathSync} from 'node:fs';
import {join} from 'node:path';

const source = new URL('hold-reads.c', import.meta.url).pathname;

/** Why the read-holding library cannot be built here, or false when it can. */
export const holdReadsUnavailable: string | false =
	spawnSync('cc', ['--version'], {stdio: 'ignore'}).status === 0
		? false
		: 'no C compiler to build the read-holding library (install gcc)';

/**
Builds hold-reads.c into `directory` and returns the environment that makes a process's large reads of `file`
from `fromOffset` on wait until `release` exists (see the C source): a read held half way, like a slow disk.
*/
export function holdReadsEnvironment(
	directory: string,
	file: string,
	fromOffset: number,
	release: string,
): Record<string, string> {
	const library = join(directory, 'hold-reads.so');
	const built = spawnSync('cc', ['-shared', '-fPIC', '-O2', '-o', library, source, '-ldl'], {
		encoding: 'utf8',
	});
	if (built.status !== 0) throw new Error(`cc hold-reads.c failed: ${built.stderr}`);
	return {
		LD_PRELOAD: library,
		LAYERLENS_TEST_HOLD_PATH: realpathSync(file),
		LAYERLENS_TEST_HOLD_FROM: String(fromOffset),
		LAYERLENS_TEST_HOLD_RELEASE: release,
		// libuv's io_uring reads would bypass the library's read functions.
		UV_USE_IO_URING: '0',
	};
}
