import {Readable} from 'node:stream';
import {readFileFromArchive} from '../image/formats/read-layer-file.js';
import {readImageArchive} from '../image/sources/archive/read-archive.js';
import type {ImageSource} from '../image/types.js';
import {createImageArchiveStream} from '../image/write/create-image-archive.js';
import {LayerlensError} from '../shared/errors.js';
import {demoImageSpec} from './demo-image-spec.js';

export const demoReference = 'layerlens-demo:naive';

/**
The built-in demo: an archive generated in memory and read through the same reader as a real
`docker save`, so the demo shows exactly what layerlens does with an image. It is read while it is
generated, so the progress view moves and Ctrl+C answers; the bytes are kept for the file viewer.
*/
export function createDemoSource(): ImageSource {
	let archive: Buffer | undefined;
	let layerNames: string[] = [];

	return {
		kind: 'demo',
		description: 'the built-in demo image',
		async load({onProgress, signal}) {
			const chunks: Buffer[] = [];
			const generated = createImageArchiveStream(demoImageSpec, {format: 'docker-archive'});
			const kept = Readable.from(
				(async function* () {
					for await (const chunk of generated as AsyncIterable<Buffer>) {
						chunks.push(chunk);
						yield chunk;
					}
				})(),
			);
			const result = await readImageArchive(kept, {
				reference: demoReference,
				source: 'demo',
				...(onProgress ? {onProgress} : {}),
				...(signal ? {signal} : {}),
			});
			archive = Buffer.concat(chunks);
			layerNames = result.layerNames;
			return result.image;
		},
		async readFile(layerIndex, path, limit) {
			if (archive === undefined) {
				throw new LayerlensError('The demo image is not loaded yet', {hint: 'Wait for it to load'});
			}

			return readFileFromArchive(Readable.from([archive]), layerNames[layerIndex] ?? '', path, limit);
		},
		// Generated in memory in seconds from a fixed spec: nothing to gain from a cache entry.
		cacheKey: async () => undefined,
	};
}
