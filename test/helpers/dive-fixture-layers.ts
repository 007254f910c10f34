/**
Test-only reader for dive's classic docker-archive fixtures (manifest.json + `<id>/layer.tar` or
kaniko's `<id>.tar.gz`), so the analysis can be checked against dive's figures without the real archive
reader. It keeps only what the analysis needs; it is not a second implementation of the image reader.
*/
import {createHash} from 'node:crypto';
import {createReadStream, existsSync} from 'node:fs';
import {join} from 'node:path';
import {Readable} from 'node:stream';
import {gunzipSync} from 'node:zlib';
import tar from 'tar-stream';
import {EntryColumns} from '../../source/engine/index.js';
import type {HistoryRecord, ParsedLayer, RawImage, TarEntry} from '../../source/image/types.js';
import {diveFixtures} from './fixture-writer.js';

/** Where dive's fixture is (`shared/` beside the clone), or undefined (a user's clone has no `shared/`). */
export function findDiveFixture(name: string): string | undefined {
	const path = join(diveFixtures, name);
	return existsSync(path) ? path : undefined;
}

export async function loadDiveFixture(archivePath: string): Promise<RawImage> {
	const files = new Map<string, Buffer>();
	for await (const entry of createReadStream(archivePath).pipe(tar.extract())) {
		const chunks: Buffer[] = [];
		for await (const chunk of entry) {
			chunks.push(chunk as Buffer);
		}

		files.set(entry.header.name, Buffer.concat(chunks));
	}

	const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as Array<{
		Config: string;
		RepoTags: string[] | null;
		Layers: string[];
	}>;
	const {Config: configName, RepoTags: repoTags, Layers: layerNames} = manifest[0]!;
	const config = JSON.parse(files.get(configName)!.toString('utf8')) as {
		os: string;
		architecture: string;
		history?: Array<{created?: string; created_by?: string; empty_layer?: boolean; comment?: string}>;
		rootfs: {diff_ids: string[]};
	};

	const layers: ParsedLayer[] = [];
	for (const [index, name] of layerNames.entries()) {
		const stored = files.get(name)!;
		const tarBytes = name.endsWith('.gz') ? gunzipSync(stored) : stored;
		layers.push({
			diffId: config.rootfs.diff_ids[index]!,
			compression: name.endsWith('.gz') ? 'gzip' : 'none',
			tarSizeBytes: tarBytes.length,
			entries: EntryColumns.fromEntries(await readLayerEntries(tarBytes)),
			captured: [],
		});
	}

	const history: HistoryRecord[] = (config.history ?? []).map((item) => ({
		...(item.created === undefined ? {} : {created: item.created}),
		...(item.created_by === undefined ? {} : {createdBy: item.created_by}),
		...(item.comment === undefined ? {} : {comment: item.comment}),
		emptyLayer: item.empty_layer === true,
	}));

	return {
		reference: archivePath,
		id: `sha256:${createHash('sha256').update(files.get(configName)!).digest('hex')}`,
		source: 'docker-archive',
		os: config.os,
		architecture: config.architecture,
		repoTags: repoTags ?? [],
		config: {env: [], exposedPorts: [], labels: {}, volumes: []},
		history,
		diffIds: config.rootfs.diff_ids,
		layers,
		warnings: [],
	};
}

async function readLayerEntries(tarBytes: Buffer): Promise<TarEntry[]> {
	const entries: TarEntry[] = [];
	for await (const item of Readable.from([tarBytes]).pipe(tar.extract())) {
		const hash = createHash('sha256');
		for await (const chunk of item) {
			hash.update(chunk as Buffer);
		}

		const {header} = item;
		const path = normalize(header.name);
		const slash = path.lastIndexOf('/');
		const base = path.slice(slash + 1);
		const directory = slash < 0 ? '' : path.slice(0, slash);
		const common = {
			mode: (header.mode ?? 0) & 0o7777,
			uid: header.uid ?? 0,
			gid: header.gid ?? 0,
			mtime: Math.floor((header.mtime?.getTime() ?? 0) / 1000),
		};
		if (base === '.wh..wh..opq') {
			entries.push({path: directory, type: 'opaque', size: 0, ...common});
			continue;
		}

		if (base.startsWith('.wh.')) {
			const deleted = base.slice('.wh.'.length);
			entries.push({
				path: directory ? `${directory}/${deleted}` : deleted,
				type: 'whiteout',
				size: 0,
				...common,
			});
			continue;
		}

		const type = entryType(header.type);
		entries.push({
			path,
			type,
			size: type === 'file' ? (header.size ?? 0) : 0,
			...common,
			...(header.linkname ? {linkTarget: header.linkname} : {}),
			...(type === 'file' ? {hash: hash.digest('hex').slice(0, 16)} : {}),
		});
	}

	return entries;
}

function normalize(name: string): string {
	return name.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
}

function entryType(type: tar.Header['type']): TarEntry['type'] {
	switch (type) {
		case 'directory':
			return 'dir';
		case 'symlink':
			return 'symlink';
		case 'link':
			return 'hardlink';
		case 'character-device':
			return 'char';
		case 'block-device':
			return 'block';
		case 'fifo':
			return 'fifo';
		default:
			return 'file';
	}
}
