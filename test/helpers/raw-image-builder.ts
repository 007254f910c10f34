/**
Small RawImage objects written in code, for tests that need exact numbers: every size and hash is
visible where the test is written.
*/
import {createHash} from 'node:crypto';
import {EntryColumns} from '../../source/engine/index.js';
import type {CapturedFile, HistoryRecord, ParsedLayer, RawImage, TarEntry} from '../../source/image/types.js';

type Attributes = Partial<Pick<TarEntry, 'mode' | 'uid' | 'gid' | 'mtime' | 'exec'>>;

/**
The content hash a test names `label`: 16 hex digits, as the engine stores them (a label that already is
16 hex digits is kept). Equal labels give equal hashes, different labels different ones.
*/
export function contentHash(label: string): string {
	return /^[\da-f]{16}$/.test(label) ? label : createHash('sha256').update(label).digest('hex').slice(0, 16);
}

/** A regular file; the hash defaults to one derived from the size, so equal sizes mean equal content unless told. */
export function file(path: string, size: number, hash = `h${size}`, attributes: Attributes = {}): TarEntry {
	return {
		path,
		type: 'file',
		size,
		hash: contentHash(hash),
		mode: 0o644,
		uid: 0,
		gid: 0,
		mtime: 0,
		...attributes,
	};
}

export function dir(path: string, attributes: Attributes = {}): TarEntry {
	return {path, type: 'dir', size: 0, mode: 0o755, uid: 0, gid: 0, mtime: 0, ...attributes};
}

export function symlink(path: string, target: string): TarEntry {
	return {path, type: 'symlink', size: 0, linkTarget: target, mode: 0o777, uid: 0, gid: 0, mtime: 0};
}

export function hardlink(path: string, target: string): TarEntry {
	return {path, type: 'hardlink', size: 0, linkTarget: target, mode: 0o644, uid: 0, gid: 0, mtime: 0};
}

export function whiteout(path: string): TarEntry {
	return {path, type: 'whiteout', size: 0, mode: 0, uid: 0, gid: 0, mtime: 0};
}

export function opaque(path: string): TarEntry {
	return {path, type: 'opaque', size: 0, mode: 0, uid: 0, gid: 0, mtime: 0};
}

export function layer(entries: TarEntry[], captured: CapturedFile[] = []): ParsedLayer {
	return {
		diffId: `sha256:${'0'.repeat(60)}${entries.length.toString(16).padStart(4, '0')}`,
		compression: 'none',
		tarSizeBytes: 512 * (entries.length + 2),
		entries: EntryColumns.fromEntries(entries),
		captured,
	};
}

/** One history entry per layer (`RUN step N`) unless history is given. */
export function rawImage(layers: ParsedLayer[], history?: HistoryRecord[]): RawImage {
	return {
		reference: 'example:test',
		id: 'sha256:1111111111111111111111111111111111111111111111111111111111111111',
		source: 'demo',
		os: 'linux',
		architecture: 'amd64',
		repoTags: ['example:test'],
		config: {env: ['PATH=/usr/bin'], exposedPorts: [], labels: {}, volumes: []},
		history:
			history ?? layers.map((_, index) => ({createdBy: `/bin/sh -c step ${index}`, emptyLayer: false})),
		diffIds: layers.map((item) => item.diffId),
		layers,
		warnings: [],
	};
}

/** A layer's entries as objects: the columns read back row by row, for deep comparisons. */
export function plainLayer(parsed: ParsedLayer): Omit<ParsedLayer, 'entries'> & {entries: TarEntry[]} {
	return {...parsed, entries: parsed.entries.toEntries()};
}

/** The image with every layer's entries as objects (see plainLayer). */
export function plainImage(
	raw: RawImage,
): Omit<RawImage, 'layers'> & {layers: ReturnType<typeof plainLayer>[]} {
	return {...raw, layers: raw.layers.map(plainLayer)};
}
