import {parseCliOptions} from '../../source/cli/options.js';
import {type LoadedImage, loadImage} from '../../source/run/load-image.js';

let loaded: Promise<LoadedImage> | undefined;

/** The built-in demo image through the real pipeline (archive reader, engine, findings), once per test file. */
export async function loadDemoImage(): Promise<LoadedImage> {
	loaded ??= loadImage(
		parseCliOptions([], {demo: true, json: false, output: [], ci: false, cache: false, debug: false}),
	);
	return loaded;
}
