/**
The explorer's file view (`v`) on an image in the Docker daemon, in a process of its own as the CLI's explorer
runs it: the image's model is loaded (from the analysis cache after the first run), then the explorer's own
file reads (`createFileReads`, what `v` calls) read final files through the daemon's container archive API, a
created and never started container. Timed: the first view (dockerode loaded, a container created, the
archive read, the container removed), the same view again (answered from the session's memory), and a view
of another file (a container of its own). When ARCHIVE is given (the same image as a `docker save` archive),
each content is checked against the file read from that archive. Prints the figures as JSON on stdout.

	node --import tsx bench/daemon-file-view-child.ts IMAGE [ARCHIVE]
*/
import {fileCode} from '../source/engine/index.js';
import {createFileReads, finalVersionSize} from '../source/run/file-reads.js';
import {type LoadedImage, loadImage} from '../source/run/load-image.js';
import {viewerLimit} from '../source/ui/explorer-selectors.js';
import {imageOptions} from './image-options.js';

type FileView = {layer: number; path: string; size: number; limit: number};

export type FileViewTimes = {
	first: FileView & {ms: number};
	repeated: FileView & {ms: number};
	another: FileView & {ms: number};
	/** Whether every content matched the archive's copy of the file (undefined: no archive given). */
	matchesArchive: boolean | undefined;
};

/**
The two final files `v` is timed on: the two largest final regular files of at most 1 MiB in any layer, so each
view reads as much of its 64 KiB window as the image's files allow.
*/
function pickFiles(loaded: LoadedImage): [FileView, FileView] {
	const candidates: FileView[] = [];
	loaded.raw.layers.forEach(({entries}, layer) => {
		for (let row = 0; row < entries.count; row++) {
			if (entries.typeCode(row) !== fileCode) continue;
			const path = entries.path(row);
			const size = finalVersionSize(loaded.tree.tree, layer, path);
			if (size === undefined || size === 0 || size > 1024 * 1024) continue;
			candidates.push({layer, path, size, limit: Math.min(viewerLimit, size)});
		}
	});
	candidates.sort((a, b) => b.size - a.size || a.path.localeCompare(b.path));
	if (candidates.length < 2) throw new Error('the image has no two final files of at most 1 MiB to view');
	return [candidates[0]!, candidates[1]!];
}

const [image, archive] = process.argv.slice(2);
if (image === undefined) {
	throw new Error('usage: daemon-file-view-child.ts IMAGE [ARCHIVE]');
}

const loaded = await loadImage(imageOptions(image));
const [file, other] = pickFiles(loaded);
const reads = createFileReads(loaded.source, loaded.report.image.id, loaded.tree.tree);
const contents: Buffer[] = [];
const timed = async (view: FileView): Promise<FileView & {ms: number}> => {
	const started = performance.now();
	const content = await reads.read(view.layer, view.path, view.limit);
	const ms = performance.now() - started;
	if (content.length !== view.limit) {
		throw new Error(`/${view.path}: ${content.length} bytes read, ${view.limit} expected`);
	}

	contents.push(content);
	return {...view, ms};
};
const first = await timed(file);
const repeated = await timed(file);
const another = await timed(other);
// The daemon's copy against the layer's own bytes, through the archive source's reader of one layer's file.
let matchesArchive: boolean | undefined;
if (archive !== undefined) {
	const fromArchive = await loadImage(imageOptions(archive));
	const views = [first, repeated, another];
	matchesArchive = true;
	for (const [index, view] of views.entries()) {
		const expected = await fromArchive.source.readFile(view.layer, view.path, view.limit);
		matchesArchive &&= expected.equals(contents[index]!);
	}

	await fromArchive.source.dispose?.();
}

await loaded.source.dispose?.();
const times: FileViewTimes = {first, repeated, another, matchesArchive};
process.stdout.write(`${JSON.stringify(times)}\n`);
process.exit(0);
