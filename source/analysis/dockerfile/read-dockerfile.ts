import {isLayerlensError, LayerlensError} from '../../shared/errors.js';
import {dockerfileLimitBytes, readLocalFile} from '../../shared/read-local-file.js';
import {parseDockerfile} from './parse-dockerfile.js';
import type {ParsedDockerfile} from './types.js';

/** Reads and parses `--dockerfile PATH`; a missing, empty or oversized file is the user's to fix. */
export async function readDockerfile(path: string): Promise<ParsedDockerfile> {
	let text: string;
	try {
		text = (await readLocalFile(path, 'Dockerfile', dockerfileLimitBytes)).toString('utf8');
	} catch (error) {
		if (isLayerlensError(error)) throw error;
		throw new LayerlensError(`Cannot read the Dockerfile ${path}`, {
			hint: 'Check the --dockerfile path',
			cause: error,
		});
	}

	const parsed = parseDockerfile(text);
	if (parsed.stages.length === 0) {
		throw new LayerlensError(`${path} has no FROM instruction`, {
			hint: 'Pass the Dockerfile the image was built from',
		});
	}

	return parsed;
}
