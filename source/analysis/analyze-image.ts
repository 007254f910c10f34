import {dirCode, opaqueCode, type PathTree, stackLayers, whiteoutCode} from '../engine/index.js';
import type {RawImage} from '../image/types.js';
import {computeDiveEfficiency, layerHeaderBytes} from './dive-efficiency.js';
import {mapHistory} from './map-history.js';
import type {ImageAnalysis, LayerSummary} from './types.js';
import {computeWaste} from './waste.js';

/** Everything layerlens knows about an image, from its headers alone. Findings are added by the rules. */
export function analyzeImage(raw: RawImage, tree: PathTree = stackLayers(raw.layers)): ImageAnalysis {
	const mapping = mapHistory(raw.history, raw.layers.length);
	const wasteResult = computeWaste(tree, raw.layers.length);
	const efficiency = computeDiveEfficiency(raw.layers, tree);

	const layers: LayerSummary[] = raw.layers.map((layer, index) => {
		const history = mapping.layers[index]!;
		const counts = tree.changeCounts(index);
		const {entries} = layer;
		let fileCount = 0;
		for (let row = 0; row < entries.count; row++) {
			const type = entries.typeCode(row);
			if (type !== dirCode && type !== whiteoutCode && type !== opaqueCode) {
				fileCount++;
			}
		}

		return {
			index,
			diffId: layer.diffId,
			...(layer.digest === undefined ? {} : {digest: layer.digest}),
			compression: layer.compression,
			...(layer.compressedSizeBytes === undefined ? {} : {compressedSizeBytes: layer.compressedSizeBytes}),
			tarSizeBytes: layer.tarSizeBytes,
			instruction: history.instruction,
			...(history.createdBy === undefined ? {} : {createdBy: history.createdBy}),
			...(history.historyIndex === undefined ? {} : {historyIndex: history.historyIndex}),
			sizeBytes: layerHeaderBytes(layer),
			fileCount,
			added: counts.added,
			modified: counts.modified,
			removed: counts.removed,
			wasteIntroducedBytes: wasteResult.introducedBytes[index]!,
			wasteHiddenBytes: wasteResult.hiddenBytes[index]!,
		};
	});

	return {
		image: {
			reference: raw.reference,
			id: raw.id,
			source: raw.source,
			os: raw.os,
			architecture: raw.architecture,
			...(raw.variant === undefined ? {} : {variant: raw.variant}),
			...(raw.created === undefined ? {} : {created: raw.created}),
			repoTags: raw.repoTags,
			sizeBytes: layers.reduce((sum, layer) => sum + layer.sizeBytes, 0),
			finalSizeBytes: wasteResult.finalSizeBytes,
			layerCount: layers.length,
			config: raw.config,
		},
		layers,
		history: mapping.history,
		efficiency,
		waste: wasteResult.waste,
		findings: [],
		warnings: [...raw.warnings, ...mapping.warnings],
		tree,
	};
}
