import {useEffect} from 'react';
import type {TreeOptions} from './tree-view.js';
import type {TreeViews} from './tree-views.js';

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
export function useWarmTreeViews(views: TreeViews, options: TreeOptions): void {
	const {layer, mode, sort, hidden, wasteOnly, buildOnly} = options;
	useEffect(() => {
		const base: TreeOptions = {layer, mode, filter: '', sort, hidden, wasteOnly, buildOnly};
		return views.warm(layersOutward(base, views.analysis.layers.length));
	}, [views, layer, mode, sort, hidden, wasteOnly, buildOnly]);
}
