import type {RawImage} from '../image/types.js';
import {computeDiveEfficiency, layerHeaderBytes} from './dive-efficiency.js';
import {mapHistory} from './map-history.js';
import {stackLayers} from './stack-layers.js';
import type {ImageAnalysis, LayerSummary} from './types.js';
import {computeWaste} from './waste.js';

/** Everything layerlens knows about an image, from its headers alone. Findings are added by the rules. */
export function analyzeImage(raw: RawImage): ImageAnalysis {
	const mapping = mapHistory(raw.history, raw.layers.length);
	const stacked = stackLayers(raw.layers);
	const wasteResult = computeWaste(stacked.root, raw.layers.length);
	const efficiency = computeDiveEfficiency(raw.layers, stacked.root, stacked.entryNodes, stacked.nodeCount);

	const layers: LayerSummary[] = raw.layers.map((layer, index) => {
		const history = mapping.layers[index]!;
		const counts = stacked.counts[index]!;
		let fileCount = 0;
		for (const entry of layer.entries) {
			if (entry.type !== 'dir' && entry.type !== 'whiteout' && entry.type !== 'opaque') {
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
		root: stacked.root,
		layerNodes: stacked.layerNodes,
	};
}
