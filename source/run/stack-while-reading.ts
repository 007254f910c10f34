import {IncrementalStack} from '../engine/index.js';
import {readPicture} from '../image/read-progress.js';
import type {ImagePreview, ImageSource, LoadProgress} from '../image/types.js';

/**
The layers stacked as they are read, for the report modes: each layer is stacked once it and every layer under
it are read, so the end of the read stacks only what is left (`finishStack`) instead of every layer. Which layer
a read one is comes from the source's preview, asked for when the first layer is read (a load answered from the
cache reads none, and asks nothing). Without a preview nothing is stacked here and the load stacks it all, as before.
*/
export function stackWhileReading(
	source: ImageSource,
	signal: AbortSignal | undefined,
): {stack: IncrementalStack; onProgress: (progress: LoadProgress) => void} {
	const stack = new IncrementalStack();
	let preview: ImagePreview | undefined;
	let asked = false;
	let last: LoadProgress | undefined;
	let seen = 0;
	const advance = () => {
		if (preview === undefined || last === undefined || stack.finished) return;
		const picture = readPicture(preview, last);
		for (;;) {
			const next = stack.count;
			const layer = picture.layers?.[next];
			if (layer === undefined || picture.states[next] !== 'read') return;
			stack.add(layer.entries);
		}
	};

	const onProgress = (progress: LoadProgress) => {
		const read = progress.layersRead?.length ?? 0;
		// The picture changes only when a layer has been read.
		if (read === seen) return;
		seen = read;
		last = progress;
		if (!asked && source.preview !== undefined) {
			asked = true;
			source.preview(signal).then(
				(answer) => {
					preview = answer;
					advance();
				},
				() => undefined,
			);
		}

		advance();
	};

	return {stack, onProgress};
}
