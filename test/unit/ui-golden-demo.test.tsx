import {afterEach, test} from 'node:test';
import {loadDemoImage} from '../helpers/demo-report.js';
import {assertGolden, frameText} from '../helpers/golden.js';
import {keys, type Rendered, renderExplorer} from '../helpers/render.js';

/**
Plain-text frames of the built-in demo image at 120×40, through the real pipeline. Regenerate with
UPDATE_GOLDEN=1 after a deliberate change and review the diff.
*/
const cases = [
	{name: 'demo-120x40-start', keys: []},
	{name: 'demo-120x40-npm-install', keys: ['j', 'j', 'j', 'j', 'j', 'j']},
	{name: 'demo-120x40-aggregated-by-size', keys: ['G', keys.tab, 'a']},
	{name: 'demo-120x40-waste-only', keys: [keys.tab, 'w']},
	{name: 'demo-120x40-build-only', keys: ['j', 'j', 'j', 'j', 'j', 'j', keys.tab, 'b']},
	{name: 'demo-120x40-findings', keys: ['f']},
	{name: 'demo-120x40-dockerfile', keys: ['d']},
	{name: 'demo-120x40-help', keys: ['?']},
];

let current: Rendered | undefined;
afterEach(() => {
	current?.unmount();
	current = undefined;
});

for (const item of cases) {
	test(`golden frame ${item.name}`, async () => {
		const {report, source, tree} = await loadDemoImage();
		const ui = await renderExplorer(
			{
				analysis: {...report, ...tree},
				readFile: (layer, path, limit) => source.readFile(layer, path, limit),
				...(report.suggestion
					? {
							suggestion: report.suggestion,
						}
					: {}),
				defaultExportName: 'layerlens-demo',
			},
			{columns: 120, rows: 40},
		);
		current = ui;
		await ui.press(...item.keys);
		assertGolden(`${item.name}.txt`, frameText(ui.lines()));
	});
}
