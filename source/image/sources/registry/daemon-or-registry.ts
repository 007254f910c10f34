import {LayerlensError} from '../../../shared/errors.js';
import type {ImageSource} from '../../types.js';

/** One way to read the image from a registry: a mirror of Docker Hub, or the registry itself. */
export type RegistryCandidate = {source: ImageSource; where: string};

export type RegistryChoice = {
	/** Mirrors first, then the registry itself; asked in this order, the first that has the image is read. */
	candidates: () => Promise<RegistryCandidate[]>;
	/** Says where the image is read from (one line, on stderr). */
	announce: (line: string) => void;
	/** Why the registry is read, to start that line: `nginx:1.27 is not in the docker daemon`. */
	reason: string;
};

/**
The first candidate whose registry answers for the image (its manifest digest resolves), announced in
one line unless `quiet`; when none does, the last candidate's error (the registry itself, after its mirrors).
*/
export async function chooseRegistry(choice: RegistryChoice, quiet = false): Promise<ImageSource> {
	const candidates = await choice.candidates();
	let failure: unknown;
	for (const candidate of candidates) {
		try {
			await candidate.source.cacheKey?.();
		} catch (error) {
			failure = error;
			continue;
		}

		if (!quiet) choice.announce(`${choice.reason}; reading ${candidate.where}`);
		return candidate.source;
	}

	throw failure ?? new LayerlensError('no registry to read the image from');
}

/** Forwards every call to the source `choose` settles on; kind and description follow it. */
function deferredSource(initial: ImageSource, choose: () => Promise<ImageSource>): ImageSource {
	let chosen: Promise<ImageSource> | undefined;
	const source: ImageSource = {
		kind: initial.kind,
		description: initial.description,
		load: async (options) => (await pick()).load(options),
		preview: async (signal) => (await pick()).preview?.(signal),
		readFile: async (layerIndex, path, limit, onProgress) =>
			(await pick()).readFile(layerIndex, path, limit, onProgress),
		readFinalFile: async (path, limit, expectedSize) => {
			const picked = await pick();
			if (picked.readFinalFile === undefined) throw new Error('no final-file read for this source');
			return picked.readFinalFile(path, limit, expectedSize);
		},
		dispose: async () => {
			if (chosen !== undefined) await (await chosen).dispose?.();
		},
		cacheKey: async () => (await pick()).cacheKey?.(),
		cacheState: () => [],
		restoreCacheState: () => undefined,
	};
	const pick = (): Promise<ImageSource> => {
		chosen ??= (async () => {
			const picked = await choose();
			source.kind = picked.kind;
			source.description = picked.description;
			source.cacheState = () => picked.cacheState?.() ?? [];
			source.restoreCacheState = (state) => picked.restoreCacheState?.(state);
			return picked;
		})();
		return chosen;
	};

	return source;
}

/** The registry's copy whatever the daemon has (`--pull=always`). */
export function createRegistryChoiceSource(placeholder: ImageSource, choice: RegistryChoice): ImageSource {
	return deferredSource(placeholder, () => chooseRegistry(choice));
}

/**
The local daemon's copy when it has one, as `docker run` would use, else the registry. The daemon is asked
once (its inspect is bounded). `fallBackWhen`: `any-failure` for a reference that names its registry host
(the daemon not running included), `not-found` for a Docker Hub short name, so that a daemon that is down
is reported as such rather than sending a local name to the Hub. When the registry fails too after the
daemon said it lacks the image, the one line says both.
*/
export function createDaemonOrRegistrySource(
	daemon: ImageSource,
	choice: RegistryChoice,
	fallBackWhen: 'any-failure' | 'not-found',
	isNotFound: (error: unknown) => boolean,
): ImageSource {
	return deferredSource(daemon, async () => {
		try {
			await daemon.cacheKey?.();
			return daemon;
		} catch (error) {
			const notFound = isNotFound(error);
			if (fallBackWhen === 'not-found' && !notFound) throw error;
			try {
				// A reference naming its registry, with no daemon to ask, is read from there as a matter of course.
				return await chooseRegistry(choice, !notFound);
			} catch (registryError) {
				if (!notFound || !(registryError instanceof LayerlensError)) throw registryError;
				throw new LayerlensError(
					`${choice.reason}, and reading it from its registry failed: ${registryError.message}`,
					{
						...(registryError.hint === undefined ? {} : {hint: registryError.hint}),
						cause: registryError,
					},
				);
			}
		}
	});
}
