import type {LayerSummary} from '../types.js';
import type {LayerComparison, LayerRef} from './types.js';

function layerRef(layer: LayerSummary, sameContentAs: number | undefined): LayerRef {
	return {
		index: layer.index,
		diffId: layer.diffId,
		sizeBytes: layer.sizeBytes,
		instruction: layer.instruction,
		...(sameContentAs === undefined ? {} : {sameContentAs}),
	};
}

/**
Align two layer stacks by diff ID. Only a common run from the bottom is shared (a layer is stored and
pulled once only when everything under it is equal too); an equal layer higher up is marked as such.
*/
export function compareLayers(
	layersA: readonly LayerSummary[],
	layersB: readonly LayerSummary[],
): LayerComparison {
	let common = 0;
	while (
		common < layersA.length &&
		common < layersB.length &&
		layersA[common]!.diffId === layersB[common]!.diffId
	) {
		common++;
	}

	const indexByDiffId = (layers: readonly LayerSummary[]) => {
		const byDiffId = new Map<string, number>();
		for (const layer of layers.slice(common)) {
			if (!byDiffId.has(layer.diffId)) byDiffId.set(layer.diffId, layer.index);
		}

		return byDiffId;
	};

	const ownA = indexByDiffId(layersA);
	const ownB = indexByDiffId(layersB);
	return {
		shared: layersA.slice(0, common).map((layer) => layerRef(layer, undefined)),
		onlyA: layersA.slice(common).map((layer) => layerRef(layer, ownB.get(layer.diffId))),
		onlyB: layersB.slice(common).map((layer) => layerRef(layer, ownA.get(layer.diffId))),
	};
}
