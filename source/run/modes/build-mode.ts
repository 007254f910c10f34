import {spawn} from 'node:child_process';
import {accessSync, constants, rmSync} from 'node:fs';
import {mkdtemp, readFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {delimiter, join} from 'node:path';
import process from 'node:process';
import {LayerlensError} from '../../shared/errors.js';

/** The `docker` executable on PATH, as a shell would find it. */
export function findDocker(path: string | undefined = process.env.PATH): string | undefined {
	for (const directory of (path ?? '').split(delimiter)) {
		if (directory === '') continue;
		const candidate = join(directory, 'docker');
		try {
			accessSync(candidate, constants.X_OK);
			return candidate;
		} catch {}
	}

	return undefined;
}

/**
Run `docker build --iidfile TEMP ARGS` and return the ID of the image it built. docker's own output goes to
stderr as docker prints it (stdout is kept for the report); a failed build is one line after it, exit 2.
*/
export async function buildImage(dockerArgs: readonly string[]): Promise<string> {
	const docker = findDocker();
	if (docker === undefined) {
		throw new LayerlensError('layerlens build needs the docker CLI, and docker is not on PATH', {
			hint: 'Install Docker, or build the image yourself and run layerlens IMAGE',
		});
	}

	const directory = await mkdtemp(join(tmpdir(), 'layerlens-build-'));
	const iidFile = join(directory, 'image-id');
	let child: ReturnType<typeof spawn> | undefined;
	// An exit mid-build (a signal) stops docker and removes the directory too.
	const removeDirectory = () => {
		if (child?.exitCode === null) child.kill('SIGTERM');
		rmSync(directory, {recursive: true, force: true});
	};
	process.once('exit', removeDirectory);
	try {
		const {code, signal} = await new Promise<{code: number | null; signal: NodeJS.Signals | null}>(
			(resolve, reject) => {
				child = spawn(docker, ['build', '--iidfile', iidFile, ...dockerArgs], {
					stdio: ['inherit', process.stderr, process.stderr],
				});
				child.on('error', (error) =>
					reject(new LayerlensError(`Cannot run ${docker}: ${error.message}`, {cause: error})),
				);
				child.on('close', (exitCode, exitSignal) => resolve({code: exitCode, signal: exitSignal}));
			},
		);
		if (code !== 0) {
			throw new LayerlensError(
				`docker build failed (${signal === null ? `exit ${code}` : `killed by ${signal}`})`,
				{hint: 'Its output is above'},
			);
		}

		const id = (await readFile(iidFile, 'utf8').catch(() => '')).trim();
		if (!/^sha256:[0-9a-f]{64}$/.test(id)) {
			throw new LayerlensError('docker build succeeded but did not say which image it built', {
				hint: 'Build with docker build -t NAME, then run layerlens NAME',
			});
		}

		return id;
	} finally {
		process.off('exit', removeDirectory);
		removeDirectory();
	}
}
