import {render} from 'ink-testing-library';
import type {ImageAnalysis} from '../source/analysis/types.js';
import {Explorer} from '../source/ui/explorer.js';

export type UiLatency = {
	firstFrameMs: number;
	/** Key press to changed frame, per key, in milliseconds. */
	treeMoves: number[];
	layerMoves: number[];
};

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Wait until the last frame differs from `before`; gives up after `timeoutMs` (returns the time waited). */
async function untilChanged(
	frame: () => string | undefined,
	before: string | undefined,
	timeoutMs = 5000,
): Promise<void> {
	const deadline = performance.now() + timeoutMs;
	while (frame() === before && performance.now() < deadline) {
		await tick();
	}
}

/**
Key → frame through the real Ink render path (ink-testing-library's stdout/stdin): the explorer on the
given analysis at 160×50, `j` pressed in the tree pane and in the layers pane, each timed until the frame changes.
*/
export async function measureUiLatency(analysis: ImageAnalysis, presses = 40): Promise<UiLatency> {
	const started = performance.now();
	const instance = render(
		<Explorer
			data={{analysis, readFile: async () => Buffer.alloc(0), defaultExportName: 'layerlens-bench'}}
			size={{columns: 160, rows: 50}}
			onExit={() => undefined}
		/>,
	);
	await untilChanged(instance.lastFrame, undefined);
	const firstFrameMs = performance.now() - started;
	// Let the first render's effects settle before timing keys.
	for (let round = 0; round < 10; round++) await tick();

	const press = async (key: string): Promise<number> => {
		const before = instance.lastFrame();
		const start = performance.now();
		instance.stdin.write(key);
		await untilChanged(instance.lastFrame, before);
		return performance.now() - start;
	};

	const layerMoves: number[] = [];
	const layers = analysis.layers.length;
	for (let index = 0; index < Math.min(presses, 2 * (layers - 1)); index++) {
		// Down to the last layer, then back up: every press changes the layer and so the tree shown.
		layerMoves.push(await press(Math.floor(index / (layers - 1)) % 2 === 0 ? 'j' : 'k'));
	}

	await press('\t');
	const treeMoves: number[] = [];
	for (let index = 0; index < presses; index++) {
		treeMoves.push(await press('j'));
	}

	instance.unmount();
	instance.cleanup();
	return {firstFrameMs, treeMoves, layerMoves};
}
