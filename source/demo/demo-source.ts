import {Readable} from 'node:stream';
import {readImageArchive} from '../image/read-archive.js';
import {readFileFromArchive} from '../image/read-layer-file.js';
import type {ImageSource} from '../image/types.js';
import {buildImageArchive} from '../image/write/create-image-archive.js';
import {demoImageSpec} from './demo-image-spec.js';

export const demoReference = 'layerlens-demo:naive';

/**
The built-in demo: an archive generated in memory and read through the same reader as a real
`docker save`, so the demo shows exactly what layerlens does with an image.
*/
export function createDemoSource(): ImageSource {
	let archive: Buffer | undefined;
	let layerNames: string[] = [];
	const build = async (): Promise<Buffer> => {
		archive ??= await buildImageArchive(demoImageSpec, {format: 'docker-archive'});
		return archive;
	};

	return {
		kind: 'demo',
		description: 'the built-in demo image',
		async load({onProgress, signal}) {
			const bytes = await build();
			const result = await readImageArchive(Readable.from([bytes]), {
				reference: demoReference,
				source: 'demo',
				bytesTotal: bytes.length,
				...(onProgress ? {onProgress} : {}),
				...(signal ? {signal} : {}),
			});
			layerNames = result.layerNames;
			return result.image;
		},
		async readFile(layerIndex, path, limit) {
			const bytes = await build();
			return readFileFromArchive(Readable.from([bytes]), layerNames[layerIndex] ?? '', path, limit);
		},
		// Generated in memory in milliseconds: caching it would cost more than it saves.
		cacheKey: async () => undefined,
	};
}
