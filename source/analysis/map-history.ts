import type {HistoryRecord} from '../image/types.js';
import {normalizeInstruction} from './normalize-instruction.js';
import type {HistoryEntry} from './types.js';

export type LayerHistory = {
	instruction: string;
	createdBy?: string;
	historyIndex?: number;
};

export type HistoryMapping = {
	history: HistoryEntry[];
	/** One per layer, in layer order. */
	layers: LayerHistory[];
	warnings: string[];
};

/**
Pairs non-empty history entries with layers in order, from the bottom. When the counts disagree the
pairing is kept from the start and the rest is left unmapped with a warning: shifting the pairing to make
it fit would silently attach commands to the wrong layers.
*/
/**
`docker import` writes the comment `Imported from <source>` (`-` for stdin), or the `-m` message, which
mean nothing to a newcomer: the first entry is said to be the imported base image. A later entry without
created_by (`docker commit -m`) shows its message as written.
*/
function describeComment(comment: string, historyIndex: number): string {
	const imported = /^Imported from (.*)$/.exec(comment);
	const source = imported?.[1]?.trim() ?? '';
	const what = imported
		? source === '-' || source === ''
			? 'imported'
			: `imported from ${source}`
		: `imported: ${comment}`;
	return historyIndex === 0 ? `the base image (${what})` : `(${imported ? what : comment})`;
}

export function mapHistory(records: HistoryRecord[], layerCount: number): HistoryMapping {
	const history: HistoryEntry[] = [];
	const layers: LayerHistory[] = Array.from({length: layerCount}, () => ({instruction: 'unknown'}));
	let nextLayer = 0;
	let unmappedEntries = 0;

	for (const [historyIndex, record] of records.entries()) {
		const normalized = normalizeInstruction(record.createdBy);
		const {kind} = normalized;
		// `docker import` and some builders leave created_by empty and say what happened in the comment.
		const instruction =
			normalized.kind === 'UNKNOWN' && !record.createdBy?.trim() && record.comment?.trim()
				? describeComment(record.comment.trim(), historyIndex)
				: normalized.instruction;
		let layerIndex: number | null = null;
		if (!record.emptyLayer) {
			if (nextLayer < layerCount) {
				layerIndex = nextLayer++;
				layers[layerIndex] = {instruction, createdBy: record.createdBy ?? '', historyIndex};
			} else {
				unmappedEntries++;
			}
		}

		history.push({
			createdBy: record.createdBy ?? '',
			instruction,
			instructionKind: kind,
			emptyLayer: record.emptyLayer,
			layerIndex,
			afterLayerIndex: layerIndex === null ? nextLayer - 1 : layerIndex - 1,
			...(record.created === undefined ? {} : {created: record.created}),
			...(record.comment === undefined ? {} : {comment: record.comment}),
		});
	}

	const warnings: string[] = [];
	if (records.length === 0 && layerCount > 0) {
		warnings.push(`The image has no history, so the ${layerCount} layers show no instruction`);
	} else if (nextLayer < layerCount) {
		const unmapped =
			nextLayer === layerCount - 1
				? `layer ${nextLayer} shows`
				: `layers ${nextLayer}–${layerCount - 1} show`;
		warnings.push(
			`The history names ${nextLayer} layers but the image has ${layerCount}: ${unmapped} "unknown"`,
		);
	}

	if (unmappedEntries > 0) {
		warnings.push(
			`The history has ${unmappedEntries} more non-empty entries than the image has layers (${layerCount}): they are not attached to any layer`,
		);
	}

	return {history, layers, warnings};
}
