import type {ImagePreview, LoadProgress, ParsedLayer} from './types.js';

/**
Where a read stands, layer by layer, from the preview (what is expected) and the reader's progress (what has
passed): which layers are read, which one is being read and how far, the share of the expected bytes read.
*/

export type LayerReadState = 'read' | 'reading' | 'waiting';

export type ReadPicture = {
	/** One per preview layer. */
	states: LayerReadState[];
	/** The preview layer being read, when the entry being read is known to be it. */
	readingIndex?: number;
	/** Of the layer being read: its stored bytes and those read. */
	readingBytes?: {read: number; size: number};
	/** Bytes the whole read is expected to take, from the layers' sizes (or the image's size). */
	expectedBytes?: number;
	/** Share of the expected bytes read, 0..1, when there is an expectation. */
	fraction?: number;
	/** Of each layer read: its entry count (files, folders, links) from its tar. */
	entries: (number | undefined)[];
	/** Of each layer read, when the source hands it on: the layer as parsed (its files, before the stacking). */
	layers?: (ParsedLayer | undefined)[];
};

const hexOf = (digest: string | undefined): string | undefined => digest?.split(':').pop();

/** The hex digest an archive entry is named by: `blobs/sha256/<hex>`, `<hex>.tar`, `<hex>/layer.tar`. */
function entryHex(name: string): string | undefined {
	return /(?:^|\/)([0-9a-f]{64})(?:\.tar|\/layer\.tar)?$/.exec(name)?.[1];
}

/**
The layer an entry of `sizeBytes` stored bytes is: the one its name is the digest of (diff ID or blob digest),
else the unread layer whose expected size it is closest above (a tar adds headers and padding to the file
bytes); undefined when two fit equally well or none fits: no layer is marked rather than the wrong one.
*/
export function layerOfEntry(
	preview: ImagePreview,
	name: string,
	sizeBytes: number,
	isRead: readonly boolean[],
): number | undefined {
	const hex = entryHex(name);
	if (hex !== undefined) {
		const named = preview.layers.findIndex(
			(layer) => hexOf(layer.diffId) === hex || hexOf(layer.digest) === hex,
		);
		if (named !== -1) return named;
	}

	let best: number | undefined;
	let bestGap = Number.POSITIVE_INFINITY;
	let tie = false;
	preview.layers.forEach((layer, index) => {
		const expected = layer.expectedBytes;
		if (isRead[index] || expected === undefined) return;
		const gap = sizeBytes - expected;
		// Headers and padding: at most a quarter more than the file bytes, and a few blocks for an empty layer.
		if (gap < 0 || gap > expected / 4 + 64 * 1024) return;
		if (gap === bestGap) tie = true;
		if (gap < bestGap) {
			best = index;
			bestGap = gap;
			tie = false;
		}
	});
	return tie ? undefined : best;
}

/** The picture of the read so far; no preview, no picture of its layers (only bytes). */
export function readPicture(
	preview: ImagePreview | undefined,
	progress: LoadProgress | undefined,
): ReadPicture {
	if (preview === undefined) return {states: [], entries: []};
	// An image can add the same layer twice (two identical COPY steps): its archive holds the blob once, and
	// every place the diff ID is listed is read when those bytes are.
	const byDiffId = new Map<string, number[]>();
	preview.layers.forEach((layer, index) => {
		byDiffId.set(layer.diffId, [...(byDiffId.get(layer.diffId) ?? []), index]);
	});
	const isRead = preview.layers.map(() => false);
	const entries: (number | undefined)[] = preview.layers.map(() => undefined);
	const parsed: (ParsedLayer | undefined)[] = preview.layers.map(() => undefined);
	for (const read of progress?.layersRead ?? []) {
		for (const index of byDiffId.get(read.diffId) ?? []) {
			isRead[index] = true;
			entries[index] = read.entries;
			if (read.layer !== undefined) parsed[index] = read.layer;
		}
	}

	const reading = progress?.reading;
	const readingIndex =
		reading === undefined ? undefined : layerOfEntry(preview, reading.name, reading.sizeBytes, isRead);
	const states: LayerReadState[] = isRead.map((read, index) =>
		read ? 'read' : index === readingIndex ? 'reading' : 'waiting',
	);
	const picture: ReadPicture = {states, entries, ...(parsed.some(Boolean) ? {layers: parsed} : {})};
	if (readingIndex !== undefined && reading !== undefined) {
		picture.readingIndex = readingIndex;
		picture.readingBytes = {read: reading.bytesRead, size: reading.sizeBytes};
	}

	const sizes = preview.layers.map((layer) => layer.expectedBytes);
	if (sizes.every((size): size is number => size !== undefined) && sizes.length > 0) {
		const expected = sizes.reduce((sum, size) => sum + size, 0);
		let done = 0;
		sizes.forEach((size, index) => {
			if (states[index] === 'read') done += size;
			else if (index === readingIndex && reading !== undefined && reading.sizeBytes > 0) {
				done += size * Math.min(1, reading.bytesRead / reading.sizeBytes);
			}
		});
		picture.expectedBytes = expected;
		picture.fraction = expected === 0 ? (states.every((state) => state === 'read') ? 1 : 0) : done / expected;
	} else if (preview.sizeBytes !== undefined && preview.sizeBytes > 0) {
		// Only the image's size: the stream's bytes against it, short of done until the read says so.
		picture.expectedBytes = preview.sizeBytes;
		picture.fraction = Math.min(0.99, (progress?.bytesRead ?? 0) / preview.sizeBytes);
	}

	return picture;
}

/** Bytes read at a moment, for the rate. */
export type ReadSample = {atMs: number; bytes: number};

/** How far back the rate looks: long enough to smooth the gaps between layers, short enough to follow a change. */
const rateWindowMs = 5000;

/** Keeps the samples of the last window (and one before it, so the window is full). */
export function addSample(samples: readonly ReadSample[], sample: ReadSample): ReadSample[] {
	// Before the first byte there is no rate: the wait for a source to start (a daemon preparing its export)
	// is not the speed of the read, and counted in it would make the time left hours.
	if (sample.bytes === 0) return [];
	// A new read (the second image of a diff) starts from zero: its rate is its own.
	if (sample.bytes < (samples.at(-1)?.bytes ?? 0)) return [sample];
	const kept = samples.filter((old) => sample.atMs - old.atMs <= rateWindowMs);
	const before = samples.filter((old) => sample.atMs - old.atMs > rateWindowMs).at(-1);
	return [...(before === undefined ? [] : [before]), ...kept, sample];
}

/** Bytes a second over the samples; undefined until they span a quarter of a second. */
export function rateOf(samples: readonly ReadSample[]): number | undefined {
	const first = samples[0];
	const last = samples.at(-1);
	if (first === undefined || last === undefined || last.atMs - first.atMs < 250) return undefined;
	return ((last.bytes - first.bytes) * 1000) / (last.atMs - first.atMs);
}

/** Seconds left at `rate`, from the share read of the expected bytes; undefined when either is unknown. */
export function secondsLeft(picture: ReadPicture, rate: number | undefined): number | undefined {
	if (picture.fraction === undefined || picture.expectedBytes === undefined || !rate || rate <= 0) {
		return undefined;
	}

	return (Math.max(0, 1 - picture.fraction) * picture.expectedBytes) / rate;
}
