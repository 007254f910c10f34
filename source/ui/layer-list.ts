import type {ImageAnalysis} from '../analysis/types.js';
import type {Command} from './keymap.js';

export type LayerListRow =
	| {kind: 'layer'; layerIndex: number}
	/** An empty-layer history entry (ENV, CMD, ...), shown dimmed where it occurred. */
	| {kind: 'history'; historyIndex: number};

export type LayerList = {
	rows: LayerListRow[];
	/** Row index of each layer. */
	rowOfLayer: number[];
};

/**
Interleave layers with the empty-layer history entries between them, so the list reads like the
Dockerfile. Every layer gets a row even when history does not map to it.
*/
export function buildLayerList(analysis: {
	history: ImageAnalysis['history'];
	layers: readonly unknown[];
}): LayerList {
	const between = new Map<number, number[]>();
	analysis.history.forEach((entry, historyIndex) => {
		if (entry.layerIndex === null) {
			const list = between.get(entry.afterLayerIndex) ?? [];
			list.push(historyIndex);
			between.set(entry.afterLayerIndex, list);
		}
	});

	const rows: LayerListRow[] = [];
	const rowOfLayer: number[] = [];
	const pushHistory = (after: number) => {
		for (const historyIndex of between.get(after) ?? []) {
			rows.push({kind: 'history', historyIndex});
		}
	};

	pushHistory(-1);
	for (let layerIndex = 0; layerIndex < analysis.layers.length; layerIndex++) {
		rowOfLayer.push(rows.length);
		rows.push({kind: 'layer', layerIndex});
		pushHistory(layerIndex);
	}

	return {rows, rowOfLayer};
}

/**
The layer a layer-list key moves to (before clamping), or undefined for any other command: the explorer and
the layers-first view share the keys.
*/
export function layerStep(command: Command, current: number, page: number, last: number): number | undefined {
	switch (command) {
		case 'layerUp':
			return current - 1;
		case 'layerDown':
			return current + 1;
		case 'layerPageUp':
			return current - page;
		case 'layerPageDown':
			return current + page;
		case 'layerFirst':
			return 0;
		case 'layerLast':
			return last;
		default:
			return undefined;
	}
}
