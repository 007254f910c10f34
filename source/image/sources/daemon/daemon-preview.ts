import {parseImageConfig} from '../../formats/image-config.js';
import type {HistoryRecord, ImagePreview} from '../../types.js';

/** What `GET /images/{name}/json` answers (Docker and Podman's compatible API), the parts read here. */
export type DaemonInspect = {
	Id: string;
	RepoTags?: string[] | null;
	Created?: string;
	Os?: string;
	Architecture?: string;
	Variant?: string;
	Config?: unknown;
	RootFS?: {Layers?: string[] | null};
	Size?: number;
};

/** One entry of `GET /images/{name}/history`: newest first, `Created` in Unix seconds, `Size` the layer's file bytes. */
export type DaemonHistoryEntry = {
	Created?: number;
	CreatedBy?: string;
	Comment?: string;
	Size?: number;
};

/** The instruction word of a `created_by` in any builder's dialect (`RUN` for a classic builder's shell command). */
function instructionWord(createdBy: string): string {
	const text = createdBy
		.trim()
		.replace(/^\S*\/(?:ba|da|a|z)?sh\s+(?:-\S+\s+)*-c\s+#\(nop\)\s*/, '')
		.trim();
	const word = /^[A-Z]+\b/.exec(text)?.[0];
	if (word !== undefined) return word;
	// `/bin/sh -c make` (the classic builder's RUN) and `|2 A=1 /bin/sh -c make` (with build args).
	return /^(?:\|\d+\s|\S*\/(?:ba|da|a|z)?sh\s)/.test(text) ? 'RUN' : '';
}

/** Instructions that make a layer even when it holds no bytes. */
const layerWords = new Set(['RUN', 'COPY', 'ADD']);

/**
Which history entries made a layer. The history API does not say (the config's `empty_layer` is not in it): an
entry with bytes did; of the entries without, RUN, COPY and ADD make one in every builder, WORKDIR in some. When
the entries that can be told do not add up to the image's layer count, undefined: no instruction is shown on the
wrong layer; the read's own config names them.
*/
export function layerMakingEntries(
	entries: readonly DaemonHistoryEntry[],
	layerCount: number,
): boolean[] | undefined {
	const definite = entries.map((entry) => (entry.Size ?? 0) > 0);
	const words = entries.map((entry) => instructionWord(entry.CreatedBy ?? ''));
	const need = layerCount - definite.filter(Boolean).length;
	if (need < 0) return undefined;
	const tiers = [
		(index: number) => layerWords.has(words[index]!),
		(index: number) => layerWords.has(words[index]!) || words[index] === 'WORKDIR' || words[index] === '',
	];
	for (const makesLayer of tiers) {
		const candidates = entries.map((_, index) => !definite[index] && makesLayer(index));
		if (candidates.filter(Boolean).length === need) {
			return definite.map((isLayer, index) => isLayer || candidates[index]!);
		}
	}

	return undefined;
}

/**
The image as the daemon describes it before any export: the inspect answer's config and layers, and the
history with each layer's size. The history is left out when it cannot be paired with the layers for sure.
*/
export function previewFromDaemon(
	inspect: DaemonInspect,
	historyNewestFirst: readonly DaemonHistoryEntry[],
): ImagePreview {
	const diffIds = inspect.RootFS?.Layers ?? [];
	const oldestFirst = [...historyNewestFirst].reverse();
	const makesLayer = layerMakingEntries(oldestFirst, diffIds.length);
	const history: HistoryRecord[] = [];
	const layerBytes: number[] = [];
	oldestFirst.forEach((entry, index) => {
		const isLayer = makesLayer?.[index] ?? false;
		if (isLayer) layerBytes.push(entry.Size ?? 0);
		history.push({
			emptyLayer: !isLayer,
			...(entry.Created === undefined || entry.Created <= 0
				? {}
				: {created: new Date(entry.Created * 1000).toISOString()}),
			...(entry.CreatedBy ? {createdBy: entry.CreatedBy} : {}),
			...(entry.Comment ? {comment: entry.Comment} : {}),
		});
	});
	const parsed = parseImageConfig({
		os: inspect.Os,
		architecture: inspect.Architecture,
		config: inspect.Config,
	});
	return {
		id: inspect.Id,
		os: parsed.os,
		architecture: parsed.architecture,
		...(inspect.Created === undefined ? {} : {created: inspect.Created}),
		repoTags: inspect.RepoTags ?? [],
		...(inspect.Size === undefined ? {} : {sizeBytes: inspect.Size}),
		config: parsed.config,
		...(makesLayer === undefined ? {} : {history}),
		layers: diffIds.map((diffId, index) => ({
			diffId,
			...(makesLayer === undefined ? {} : {expectedBytes: layerBytes[index] ?? 0}),
		})),
	};
}
