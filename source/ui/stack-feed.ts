import {useEffect} from 'react';
import type {ReadStatus} from './read-status.js';
import type {StackedFill, StackedTree} from './stacked-fill.js';

/** Stacks the layers the read status has read in order, and hands each new tree on; draws nothing. */
export function StackFeed({
	fill,
	status,
	onStacked,
}: {
	fill: StackedFill;
	status: ReadStatus;
	onStacked: (stacked: StackedTree) => void;
}) {
	const {picture} = status;
	useEffect(() => {
		if (fill.advance(picture)) onStacked(fill.stacked!);
	}, [fill, picture, onStacked]);
	return null;
}
