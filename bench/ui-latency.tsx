import {render} from 'ink-testing-library';
import type {PackageInventory} from '../source/analysis/packages/index.js';
import type {ImageAnalysis} from '../source/analysis/types.js';
import {Explorer} from '../source/ui/explorer.js';
import type {ExplorerData} from '../source/ui/explorer-data.js';
import {LoadingThenExplorer} from '../source/ui/run-explorer.js';

export type UiLatency = {
	/** From the model being ready (the load resolving under the progress view, as in the CLI) to the explorer's first frame. */
	firstFrameMs: number;
	/** Key press to changed frame, per key, in milliseconds. */
	treeMoves: number[];
	/** Layer moves pressed as soon as the previous frame is out (a held key on a busy machine). */
	layerMovesBackToBack: number[];
	/** Layer moves at a person's pace: 100 ms between a frame and the next press. */
	layerMovesPaced: number[];
	/** `z` and `Z` (collapse and expand every directory) in the file tree. */
	collapseMoves: number[];
	/** `/` and each character of a path filter typed into it (the tree is filtered as it is typed). */
	filterKeys: number[];
	/** The first `o` in the tree: who owns each file is worked out then, and the owner column drawn. */
	ownerColumnFirstMs?: number;
	/** `j` in the file tree with the owner column on. */
	treeMovesWithOwner?: number[];
	/** `P` (the package view opened), then Esc, a few times. */
	packageViewOpens?: number[];
};

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Wait until the last frame differs from `before` (or satisfies `done`); gives up after `timeoutMs`. */
async function until(done: () => boolean, timeoutMs = 5000): Promise<void> {
	const deadline = performance.now() + timeoutMs;
	while (!done() && performance.now() < deadline) {
		await tick();
	}
}

function benchData(analysis: ImageAnalysis, packages?: () => PackageInventory): ExplorerData {
	return {
		analysis,
		readFile: async () => Buffer.alloc(0),
		defaultExportName: 'layerlens-bench',
		...(packages === undefined ? {} : {packages}),
	};
}

/**
The first frame as the CLI draws it: the progress view is on screen while the image loads (it has run
Ink's render path by then), the load resolves, and the explorer replaces it. Timed from the resolve.
*/
async function measureFirstFrame(analysis: ImageAnalysis): Promise<number> {
	let resolveLoad: (data: ExplorerData) => void = () => undefined;
	const load = () =>
		new Promise<ExplorerData>((resolve) => {
			resolveLoad = resolve;
		});
	const instance = render(<LoadingThenExplorer title="bench" load={load} onDone={() => undefined} />);
	await until(() => instance.lastFrame()?.includes('reading bench') === true);
	// A load takes seconds; the progress view redraws meanwhile.
	await sleep(600);
	const started = performance.now();
	resolveLoad(benchData(analysis));
	await until(() => instance.lastFrame()?.includes('Layers') === true);
	const elapsed = performance.now() - started;
	instance.unmount();
	instance.cleanup();
	return elapsed;
}

/**
Key → frame through the real Ink render path (ink-testing-library's stdout/stdin): the explorer on the
given analysis at 160×50, `j`/`k` in the layers pane, then in the tree pane `j`, `z`/`Z` and a path
filter typed character by character, each timed until the frame changes (a layer move's frame already
shows the new layer's tree).
*/
export async function measureUiLatency(
	analysis: ImageAnalysis,
	presses = 40,
	packages?: () => PackageInventory,
): Promise<UiLatency> {
	const firstFrameMs = await measureFirstFrame(analysis);
	const instance = render(
		<Explorer
			data={benchData(analysis, packages)}
			size={{columns: 160, rows: 50}}
			onExit={() => undefined}
		/>,
	);
	await until(() => instance.lastFrame() !== undefined);
	// Let the first render's effects settle before timing keys.
	for (let round = 0; round < 10; round++) await tick();

	const press = async (key: string): Promise<number> => {
		const before = instance.lastFrame();
		const start = performance.now();
		instance.stdin.write(key);
		await until(() => instance.lastFrame() !== before);
		return performance.now() - start;
	};

	const layers = analysis.layers.length;
	const layerKey = (index: number): string => (Math.floor(index / (layers - 1)) % 2 === 0 ? 'j' : 'k');
	const layerMovesBackToBack: number[] = [];
	for (let index = 0; index < Math.min(presses, 2 * (layers - 1)); index++) {
		// Down to the last layer, then back up: every press changes the layer and so the tree shown.
		layerMovesBackToBack.push(await press(layerKey(index)));
	}

	const layerMovesPaced: number[] = [];
	for (let index = 0; index < Math.min(presses, 2 * (layers - 1)); index++) {
		await sleep(100);
		layerMovesPaced.push(await press(layerKey(index)));
	}

	await press('\t');
	const treeMoves: number[] = [];
	for (let index = 0; index < presses; index++) {
		treeMoves.push(await press('j'));
	}

	const collapseMoves: number[] = [];
	for (let index = 0; index < presses / 2; index++) {
		collapseMoves.push(await press(index % 2 === 0 ? 'z' : 'Z'));
	}

	const filterKeys: number[] = [];
	for (let round = 0; round < 3; round++) {
		// Matches every row of the first layer at first, then fewer and fewer (usr/lib/dN/sM/... in (a)).
		for (const key of ['/', ...'d1/s2']) {
			filterKeys.push(await press(key));
		}

		await press('\u001B');
	}

	const latency: UiLatency = {
		firstFrameMs,
		treeMoves,
		layerMovesBackToBack,
		layerMovesPaced,
		collapseMoves,
		filterKeys,
	};
	if (packages !== undefined) {
		latency.ownerColumnFirstMs = await press('o');
		latency.treeMovesWithOwner = [];
		for (let index = 0; index < presses; index++) latency.treeMovesWithOwner.push(await press('j'));
		latency.packageViewOpens = [];
		for (let index = 0; index < 5; index++) {
			latency.packageViewOpens.push(await press('P'));
			await press('\u001B');
		}
	}

	instance.unmount();
	instance.cleanup();
	return latency;
}
