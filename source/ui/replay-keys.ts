import {type ExplorerState, reducer} from './explorer-state.js';

/**
The explorer's state after `keys`, typed before it opened (while the image was read), one by one through its
reducer: the same state as if they had been typed on its first frame. A quit among them is kept (the session
ends as it opens); an effect they ask for (a file view) is the last one's, as when typed fast.
*/
export function replayKeys(
	keys: ReadonlyArray<{name: string; text: string}>,
	initial: ExplorerState,
): ExplorerState {
	let state = initial;
	for (const press of keys) {
		if (state.exitCode !== undefined) break;
		state = reducer(state, {type: 'key', name: press.name, text: press.text});
	}

	return state;
}
