/** What a tar entry name means once normalised against the image root. */
export type EntryName =
	| {kind: 'path'; path: string}
	/** `.wh.<name>`: `path` is the deleted path. */
	| {kind: 'whiteout'; path: string}
	/** `.wh..wh..opq`: `path` is the opaque directory (`''` for the root). */
	| {kind: 'opaque'; path: string}
	/** The root itself (`./`), or overlay bookkeeping such as `.wh..wh.plnk`: nothing to record. */
	| {kind: 'ignored'}
	/** The name climbs above the root with `..`: never put into the tree. */
	| {kind: 'escape'};

const whiteoutPrefix = '.wh.';
const opaqueMarker = '.wh..wh..opq';
const metaPrefix = '.wh..wh.';

/** Strip leading `/` and `./`, resolve `.` and `..` segments, and decode overlay whiteout names. */
export function normaliseEntryName(raw: string): EntryName {
	const segments: string[] = [];
	for (const segment of raw.split('/')) {
		if (segment === '' || segment === '.') {
			continue;
		}

		if (segment === '..') {
			if (segments.length === 0) {
				return {kind: 'escape'};
			}

			segments.pop();
			continue;
		}

		segments.push(segment);
	}

	const name = segments.at(-1);
	if (name === undefined) {
		return {kind: 'ignored'};
	}

	if (!name.startsWith(whiteoutPrefix)) {
		return {kind: 'path', path: segments.join('/')};
	}

	const dir = segments.slice(0, -1).join('/');
	if (name === opaqueMarker) {
		return {kind: 'opaque', path: dir};
	}

	if (name.startsWith(metaPrefix) || name === whiteoutPrefix) {
		return {kind: 'ignored'};
	}

	const deleted = name.slice(whiteoutPrefix.length);
	return {kind: 'whiteout', path: dir === '' ? deleted : `${dir}/${deleted}`};
}
