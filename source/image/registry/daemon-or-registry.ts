import type {ImageSource} from '../types.js';

/**
A reference that names a registry host (`registry.example.com/team/app:1.4`, `localhost:5000/app`): the local
daemon's copy when it has one, as `docker run` would use, else the registry. The daemon is asked once (its
inspect is bounded); whatever it answers short of the image (not there, not running), the registry is read.
*/
export function createDaemonOrRegistrySource(daemon: ImageSource, registry: () => ImageSource): ImageSource {
	let chosen: Promise<ImageSource> | undefined;
	const source: ImageSource = {
		kind: daemon.kind,
		description: daemon.description,
		load: async (options) => (await choose()).load(options),
		readFile: async (layerIndex, path, limit, onProgress) =>
			(await choose()).readFile(layerIndex, path, limit, onProgress),
		readFinalFile: async (path, limit, expectedSize) => {
			const picked = await choose();
			if (picked.readFinalFile === undefined) throw new Error('no final-file read for this source');
			return picked.readFinalFile(path, limit, expectedSize);
		},
		dispose: async () => {
			if (chosen !== undefined) await (await chosen).dispose?.();
		},
		cacheKey: async () => (await choose()).cacheKey?.(),
		cacheState: () => [],
		restoreCacheState: () => undefined,
	};
	const choose = (): Promise<ImageSource> => {
		chosen ??= (async () => {
			let picked: ImageSource;
			try {
				await daemon.cacheKey?.();
				picked = daemon;
			} catch {
				picked = registry();
			}

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
