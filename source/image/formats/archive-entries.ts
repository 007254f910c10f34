import {posix} from 'node:path';
import {LayerlensError} from '../../shared/errors.js';
import {PathBudget} from '../../shared/memory-budget.js';
import type {ParsedLayer} from '../types.js';
import {sniffBytes, sniffCompression} from './compression.js';
import {maxDocumentTotalBytes, maxJsonDocumentBytes} from './json-document.js';
import {LayerParser} from './layer-parser.js';
import type {TarHandler, TarHeader} from './tar-parser.js';

const bombSlackBytes = 1024 ** 3;

/**
The default decompressed-size limit for a layer stored in `storedBytes` (archives, OCI layouts, registries
alike): 32× and at least 1 GiB over it. Text-heavy layers gzip 5-15× and zstd more, so a tighter ratio
refuses real images (a `skopeo copy … oci:` of a Node app at 4×), while a bomb inflates a thousandfold. The
bytes are streamed, never held, so what this bounds is time; memory has its own budget.
*/
export function defaultLayerLimit(storedBytes: number): number {
	return Math.max(storedBytes * 32, storedBytes + bombSlackBytes);
}

/** Archive paths without `./` or a leading `/`, so manifest names and entry names compare equal. */
export function cleanName(name: string): string {
	return posix
		.normalize(name)
		.replace(/^(\.\/|\/)+/, '')
		.replace(/\/$/, '');
}

/**
Entries named like a layer are parsed as one whatever their bytes; `blobs/…` are sniffed. `<id>/layer.tar` is
Docker's classic layout; `podman save` (and `skopeo copy docker-archive:`) put each layer at the top level as
`<diff-id>.tar`, with `<id>/layer.tar` only a symlink to it.
*/
function isLayerName(name: string): boolean {
	return name.endsWith('.tar') || name.endsWith('.tar.gz') || name.endsWith('.tgz');
}

export type ArchiveContents = {
	warnings: string[];
	layers: Map<string, ParsedLayer>;
	documents: Map<string, Buffer>;
	/** Files too large to be a document, by name: asking for one as a config is a named error, not "missing". */
	oversized: Map<string, number>;
	links: Map<string, string>;
	maxLayerBytes?: number;
	/**
	The regular file the archive is read from, from its first byte (lets diff IDs be hashed off the main
	thread); asked when a layer starts, as a compressed archive's entries have no offsets in the file.
	*/
	archiveFile?: () => string | undefined;
	/** Called as each layer has been read, with its entry name and what was parsed from it. */
	onLayer: (name: string, layer: ParsedLayer) => void;
};

type Current =
	| {kind: 'sniffing'; name: string; header: TarHeader; head: Buffer[]; headBytes: number}
	| {kind: 'layer'; name: string; parser: LayerParser}
	| {kind: 'document'; name: string; chunks: Buffer[]}
	| {kind: 'skip'};

/**
Sorts the entries of an image archive as they stream by: layers are parsed on the fly (one LayerParser
each), small documents are kept, symlinks are remembered, everything else is skipped.
*/
export class ArchiveEntryHandler implements TarHandler {
	/** Names the entry being read, for error messages about a cut-off archive. */
	current: string | undefined;
	/** The layer entry being parsed (its name and its stored size, from its header), for progress. */
	currentLayer: {name: string; sizeBytes: number} | undefined;
	private entry: Current = {kind: 'skip'};
	/** Bytes of every document kept so far (see maxDocumentTotalBytes). */
	private documentBytes = 0;
	/** One for all layers: the tree holds the paths of them all. */
	private readonly pathBudget = new PathBudget();

	constructor(private readonly contents: ArchiveContents) {}

	header(header: TarHeader): void {
		const name = cleanName(header.name);
		this.current = undefined;
		if (header.typeflag === '2' || header.typeflag === '1') {
			const target =
				header.typeflag === '2' ? posix.join(posix.dirname(name), header.linkname) : header.linkname;
			this.contents.links.set(name, cleanName(target));
			this.entry = {kind: 'skip'};
			return;
		}

		if (header.typeflag !== '0' && header.typeflag !== '7') {
			this.entry = {kind: 'skip'};
			return;
		}

		this.current = `entry ${name}`;
		if (isLayerName(name)) {
			this.entry = {kind: 'layer', name, parser: this.layerParser(name, header)};
		} else if (name.startsWith('blobs/')) {
			this.entry = {kind: 'sniffing', name, header, head: [], headBytes: 0};
		} else {
			this.entry = this.documentOrSkip(name, header.size, []);
		}
	}

	/** Keep a small file as a document, within the total budget; remember a large one by its size. */
	private documentOrSkip(name: string, size: number, chunks: Buffer[]): Current {
		if (size > maxJsonDocumentBytes) {
			this.contents.oversized.set(name, size);
			return {kind: 'skip'};
		}

		this.documentBytes += size;
		if (this.documentBytes > maxDocumentTotalBytes) {
			throw new LayerlensError(
				`the archive holds more than ${maxDocumentTotalBytes} bytes of files that are neither layers nor small enough to skip (at ${name})`,
				{
					hint: 'An image archive holds layers, a few small JSON documents and little else; this one looks crafted',
				},
			);
		}

		return {kind: 'document', name, chunks};
	}

	data(chunk: Buffer): void | Promise<void> {
		const entry = this.entry;
		switch (entry.kind) {
			case 'layer': {
				return entry.parser.write(chunk);
			}

			case 'document': {
				entry.chunks.push(Buffer.from(chunk));
				return undefined;
			}

			case 'sniffing': {
				entry.head.push(Buffer.from(chunk));
				entry.headBytes += chunk.length;
				return entry.headBytes >= sniffBytes ? this.decide(entry) : undefined;
			}

			case 'skip': {
				return undefined;
			}
		}
	}

	end(): void | Promise<void> {
		let entry = this.entry;
		if (entry.kind === 'sniffing') {
			const decided = this.decide(entry);
			if (decided !== undefined) {
				return decided.then(() => this.end());
			}

			entry = this.entry;
		}

		this.entry = {kind: 'skip'};
		if (entry.kind === 'document') {
			this.contents.documents.set(entry.name, Buffer.concat(entry.chunks));
			this.current = undefined;
			return undefined;
		}

		if (entry.kind === 'layer') {
			return entry.parser.end().then((layer) => {
				this.contents.layers.set(entry.name, layer);
				this.current = undefined;
				this.currentLayer = undefined;
				this.contents.onLayer(entry.name, layer);
			});
		}

		return undefined;
	}

	/** Stop a layer parse in progress (its decoder may hold resources). */
	async abort(): Promise<void> {
		if (this.entry.kind === 'layer') {
			await this.entry.parser.end().catch(() => undefined);
		}

		this.entry = {kind: 'skip'};
	}

	private layerParser(name: string, header: TarHeader): LayerParser {
		const label = `layer ${this.contents.layers.size + 1} (${name})`;
		this.current = label;
		this.currentLayer = {name, sizeBytes: header.size};
		const archiveFile = this.contents.archiveFile?.();
		return new LayerParser({
			label,
			warnings: this.contents.warnings,
			maxBytes: this.contents.maxLayerBytes ?? defaultLayerLimit(header.size),
			pathBudget: this.pathBudget,
			...(archiveFile === undefined
				? {}
				: {storedFile: {path: archiveFile, offset: header.dataOffset, length: header.size}}),
		});
	}

	/** A blob is a layer when its first bytes are gzip, zstd or tar; otherwise a (JSON) document if small. */
	private decide(entry: Extract<Current, {kind: 'sniffing'}>): void | Promise<void> {
		const head = Buffer.concat(entry.head);
		if (entry.header.size > 0 && sniffCompression(head) !== undefined) {
			const parser = this.layerParser(entry.name, entry.header);
			this.entry = {kind: 'layer', name: entry.name, parser};
			return parser.write(head);
		}

		this.entry = this.documentOrSkip(entry.name, entry.header.size, [head]);
		return undefined;
	}
}
