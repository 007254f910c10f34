import process from 'node:process';
import {clearCacheDirectory} from '../../cache/cache-files.js';
import {imageCacheDirectory} from '../../cache/image-cache.js';
import {LayerlensError} from '../../shared/errors.js';
import {formatBytes} from '../../shared/format-bytes.js';
import {sanitize} from '../../shared/sanitize-text.js';

/** `layerlens --clear-cache`: remove every analysis cache file layerlens wrote, say how much, exit 0. */
export async function runClearCache(input: readonly string[]): Promise<number> {
	if (input.length > 0) {
		throw new LayerlensError('--clear-cache takes no image', {hint: 'Run it on its own'});
	}

	const directory = imageCacheDirectory();
	const {files, bytes} = await clearCacheDirectory(directory);
	process.stdout.write(
		`Removed ${files} cache file${files === 1 ? '' : 's'} (${formatBytes(bytes)}) from ${sanitize(directory)}\n`,
	);
	return 0;
}
