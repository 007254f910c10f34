import {realpathSync, statSync} from 'node:fs';
import {dirname, resolve, sep} from 'node:path';
import {LayerlensError} from '../shared/errors.js';

type Identity = {dev: number; ino: number; isDirectory: boolean; real: string};

function identify(path: string): Identity | undefined {
	try {
		// stat follows symlinks and a hard link shares the inode: both name the same file as the original.
		const info = statSync(path);
		return {dev: info.dev, ino: info.ino, isDirectory: info.isDirectory(), real: realpathSync(path)};
	} catch {
		return undefined;
	}
}

function realParent(path: string): string | undefined {
	try {
		return realpathSync(dirname(resolve(path)));
	} catch {
		return undefined;
	}
}

/**
Refuse, before anything is read, an output that would overwrite an input: the archive itself (by any
name: a symlink, a hard link, `./x`), a file inside an OCI layout directory being read, the Dockerfile,
the CI config or the baseline. Compared by device and inode, so no spelling of a path gets through.
*/
export function assertOutputsSpareInputs(
	outputs: ReadonlyArray<string | undefined>,
	inputs: ReadonlyArray<string | undefined>,
): void {
	const identities = inputs
		.filter((input): input is string => input !== undefined)
		.map((input) => ({input, identity: identify(input)}))
		.filter((entry): entry is {input: string; identity: Identity} => entry.identity !== undefined);
	for (const output of outputs) {
		if (output === undefined || output === '-') continue;
		const target = identify(output);
		const parent = realParent(output);
		for (const {input, identity} of identities) {
			const same = target !== undefined && target.dev === identity.dev && target.ino === identity.ino;
			const inside =
				identity.isDirectory &&
				parent !== undefined &&
				(parent === identity.real || parent.startsWith(`${identity.real}${sep}`));
			if (same || inside) {
				throw new LayerlensError(
					`Refusing to write ${output}: it ${same ? 'is' : 'is inside'} the input ${input}`,
					{hint: 'Choose another output path'},
				);
			}
		}
	}
}
