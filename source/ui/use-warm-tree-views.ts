import {useEffect} from 'react';
import type {ImageAnalysis} from '../analysis/types.js';
import {warmTreeViews} from './tree-cache.js';
import type {TreeOptions} from './tree-view.js';

/** Every other layer's options, nearest first: the layers a `j` or `k` reaches next. */
export function layersOutward(options: TreeOptions, layerCount: number): TreeOptions[] {
	const wanted: TreeOptions[] = [];
	for (let distance = 1; distance < layerCount; distance++) {
		for (const layer of [options.layer + distance, options.layer - distance]) {
			if (layer >= 0 && layer < layerCount) wanted.push({...options, layer, filter: ''});
		}
	}

	return wanted;
}

/**
After each frame that settles on a layer or tree options, build the other layers' views in idle time,
so moving through the layer list shows views that are already built.
*/
export function useWarmTreeViews(analysis: ImageAnalysis, options: TreeOptions): void {
	const {layer, mode, sort, hidden, wasteOnly, buildOnly} = options;
	useEffect(() => {
		const base: TreeOptions = {layer, mode, filter: '', sort, hidden, wasteOnly, buildOnly};
		return warmTreeViews(analysis, layersOutward(base, analysis.layers.length));
	}, [analysis, layer, mode, sort, hidden, wasteOnly, buildOnly]);
}
