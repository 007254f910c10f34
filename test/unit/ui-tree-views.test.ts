import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	buildOnlyPaths,
	buildTreeView,
	defaultTreeOptions,
	type TreeOptions,
	treeViewSteps,
} from '../../source/ui/tree-view.js';
import {TreeViews} from '../../source/ui/tree-views.js';
import {layersOutward} from '../../source/ui/use-warm-tree-views.js';
import {largeAnalysis} from '../helpers/sample-analysis.js';

function options(change: Partial<TreeOptions>): TreeOptions {
	return {...defaultTreeOptions, ...change};
}

const shape = (view: {rows: Array<{path: string; prefix: string; size: number; status: string}>}) =>
	view.rows.map((row) => `${row.status} ${row.size} ${row.prefix}${row.path}`);

test('the stepped build pauses on a large tree and ends with the same rows as buildTreeView', () => {
	const analysis = largeAnalysis(30_000);
	const buildOnly = buildOnlyPaths(analysis);
	for (const mode of ['changes', 'aggregated'] as const) {
		for (let layer = 0; layer < analysis.layers.length; layer++) {
			const steps = treeViewSteps(analysis, options({layer, mode, sort: 'size'}), buildOnly);
			let pauses = 0;
			let step = steps.next();
			while (!step.done) {
				pauses++;
				step = steps.next();
			}

			assert.deepEqual(
				shape(step.value),
				shape(buildTreeView(analysis, options({layer, mode, sort: 'size'}), buildOnly)),
			);
			if (step.value.rows.length > 10_000) assert.ok(pauses > 0);
		}
	}
});

test('views warmed in idle time are the ones a layer move then gets', async () => {
	const analysis = largeAnalysis(30_000);
	const wanted = layersOutward(options({layer: 0}), analysis.layers.length);
	assert.deepEqual(
		wanted.map((each) => each.layer),
		Array.from({length: analysis.layers.length - 1}, (_, index) => index + 1),
	);
	const views = new TreeViews(analysis);
	const stop = views.warm(wanted);
	// Idle slices run one per macrotask; give them enough turns to finish.
	for (let turn = 0; turn < 2000; turn++) await new Promise((resolve) => setImmediate(resolve));
	stop();
	for (const each of wanted) {
		const view = views.view(each);
		assert.equal(views.view(each), view, 'served from the cache');
		assert.deepEqual(shape(view), shape(buildTreeView(analysis, each, buildOnlyPaths(analysis))));
	}
});

test('idle building starts with the layers next to the selected one', () => {
	assert.deepEqual(
		layersOutward(options({layer: 2, filter: 'x'}), 5).map((each) => [each.layer, each.filter]),
		[
			[3, ''],
			[1, ''],
			[4, ''],
			[0, ''],
		],
	);
});
