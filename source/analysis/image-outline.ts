import type {ImagePreview} from '../image/types.js';
import type {ParsedDockerfile} from './dockerfile/index.js';
import {mapLayersToDockerfile} from './dockerfile/index.js';
import {mapHistory} from './map-history.js';
import type {HistoryEntry} from './types.js';

/**
The image as far as its preview tells, before any layer is read: the layer list with instructions, expected
sizes and Dockerfile lines. Everything worked out from the files (sizes of files, waste, findings) is absent here,
not zero: the explorer shows it as pending.
*/
export type OutlineLayer = {
	index: number;
	diffId: string;
	/** Normalised instruction; undefined while the history cannot be paired with the layers (the read names it). */
	instruction?: string;
	createdBy?: string;
	historyIndex?: number;
	/** Bytes the source gives for the layer (the daemon's file bytes, a registry's stored bytes). */
	expectedBytes?: number;
	/** The 1-based Dockerfile line that made it, when a Dockerfile was given and matches. */
	dockerfileLine?: number;
};

export type ImageOutline = {
	reference: string;
	id: string;
	os: string;
	architecture: string;
	layers: OutlineLayer[];
	/** Mapped as the analysis maps it; empty while the history is unknown. */
	history: HistoryEntry[];
	/** Why the Dockerfile does not map onto the history, when it does not. */
	dockerfileMismatch?: string;
};

export function outlineImage(
	reference: string,
	preview: ImagePreview,
	dockerfile?: ParsedDockerfile,
): ImageOutline {
	const mapping =
		preview.history === undefined ? undefined : mapHistory(preview.history, preview.layers.length);
	const layers: OutlineLayer[] = preview.layers.map((layer, index) => {
		const history = mapping?.layers[index];
		return {
			index,
			diffId: layer.diffId,
			...(history === undefined ? {} : {instruction: history.instruction}),
			...(history?.createdBy === undefined ? {} : {createdBy: history.createdBy}),
			...(history?.historyIndex === undefined ? {} : {historyIndex: history.historyIndex}),
			...(layer.expectedBytes === undefined ? {} : {expectedBytes: layer.expectedBytes}),
		};
	});
	const history = mapping?.history ?? [];
	const lines = dockerfile && mapping ? mapLayersToDockerfile(dockerfile, layers, history) : undefined;
	return {
		reference,
		id: preview.id,
		os: preview.os,
		architecture: preview.architecture,
		layers: layers.map((layer, index) => {
			const line = lines?.mismatch === undefined ? lines?.lines[index] : undefined;
			return line === undefined ? layer : {...layer, dockerfileLine: line};
		}),
		history,
		...(lines?.mismatch === undefined ? {} : {dockerfileMismatch: lines.mismatch}),
	};
}
