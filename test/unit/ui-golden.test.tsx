import {afterEach, test} from 'node:test';
import {assertGolden, frameText} from '../helpers/golden.js';
import {keys, type Rendered, renderExplorer} from '../helpers/render.js';
import {sampleAnalysis} from '../helpers/sample-analysis.js';

/** Plain-text frames of the sample image; regenerate with UPDATE_GOLDEN=1 after a deliberate change and review the diff. */
const cases = [
	{name: 'explorer-sample-100x24-layer1', size: {columns: 100, rows: 24}, keys: ['j']},
	{name: 'explorer-sample-80x20-aggregated', size: {columns: 80, rows: 20}, keys: ['G', keys.tab, 'a', 'p']},
	{name: 'explorer-sample-100x24-findings', size: {columns: 100, rows: 24}, keys: ['f']},
];

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

for (const item of cases) {
	test(`golden frame ${item.name}`, async () => {
		const ui = await renderExplorer(
			{
				analysis: sampleAnalysis(),
				readFile: async () => Buffer.alloc(0),
				defaultExportName: 'layerlens-sample',
			},
			item.size,
		);
		current = ui;
		await ui.press(...item.keys);
		assertGolden(`${item.name}.txt`, frameText(ui.lines()));
	});
}
