/**
Issue 17: paths 10,000 and 100,000 directories deep ended in "Maximum call stack size exceeded". Every
tree walk (stacking, sizes, waste, rules, the suggested Dockerfile, the explorer's views, the reports)
runs without recursion now; these tests walk them all at both depths.
*/
import assert from 'node:assert/strict';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, test} from 'node:test';
import {analyzeImage} from '../../source/analysis/analyze-image.js';
import {runtimeClosure} from '../../source/analysis/closure/runtime-closure.js';
import {findFindings} from '../../source/analysis/findings/index.js';
import {buildRuleInput} from '../../source/analysis/rule-input.js';
import {planRuntime} from '../../source/analysis/suggestion/runtime-plan.js';
import {treeRowText} from '../../source/ui/tree-row-text.js';
import {defaultTreeOptions, visibleRows} from '../../source/ui/tree-view.js';
import {TreeViews} from '../../source/ui/tree-views.js';
import {buildImageArchive, readArchiveBuffer} from '../helpers/fixture-writer.js';
import {deepPathLayer, rawLayerImage} from '../helpers/hostile-inputs.js';
import {finalFile, ruleInput} from '../helpers/rule-input.js';
import {describeRun, runCli} from '../helpers/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'layerlens-deep-'));
after(() => rmSync(scratch, {recursive: true, force: true}));

for (const depth of [10_000, 100_000]) {
	test(`a path ${depth} directories deep: analysis, rules and every explorer view`, {
		timeout: 120_000,
	}, async () => {
		const raw = await readArchiveBuffer(await buildImageArchive(rawLayerImage(deepPathLayer(depth))));
		const analysis = analyzeImage(raw);
		const input = buildRuleInput(analysis, raw);
		assert.equal(input.files.length, 1);
		assert.equal(input.files.at(0)!.path, `${'d/'.repeat(depth)}leaf.txt`);
		findFindings(input);
		const views = new TreeViews(analysis);
		for (const mode of ['changes', 'aggregated'] as const) {
			for (const sort of ['name', 'size'] as const) {
				for (const filter of ['', 'leaf']) {
					const view = views.view({...defaultTreeOptions, mode, sort, filter});
					assert.equal(view.rows.length, depth + 1, `${mode} ${sort} '${filter}'`);
					const rows = visibleRows(view, () => false);
					assert.equal(rows.length, depth + 1);
					const deepest = treeRowText(view.rows.at(-1)!, view.tree, false, true);
					assert.ok(deepest.endsWith('leaf.txt'), deepest.slice(-40));
				}
			}
		}
	});

	test(`a path ${depth} directories deep through the CLI: JSON, Markdown, SARIF and --ci`, {
		timeout: 300_000,
	}, async () => {
		const archive = join(scratch, `deep-${depth}.tar`);
		writeFileSync(archive, await buildImageArchive(rawLayerImage(deepPathLayer(depth))));
		for (const args of [['--json'], ['--format', 'markdown'], ['--format', 'sarif'], ['--ci']]) {
			const result = await runCli([archive, ...args, '--no-cache'], {cwd: scratch, timeoutMs: 120_000});
			assert.equal(result.code, 0, `${args.join(' ')}: ${describeRun(result)}`);
			assert.doesNotMatch(result.stderr, /unexpected error|Maximum call stack/);
		}
	});
}

test('the suggested runtime COPY list of an app with removable files 100,000 directories down', () => {
	const deep = `${'d/'.repeat(100_000)}`;
	const input = ruleInput({
		instructions: ['ADD rootfs.tar /', 'COPY <dir> /app'],
		files: [
			finalFile(`app/${deep}keep.js`, 10, 1),
			finalFile(`app/${deep}test/x.spec.js`, 10, 1),
			finalFile('app/package.json', 10, 1),
		],
		config: {cmd: ['node', 'index.js'], workingDir: '/app'},
	});
	const finding = {category: 'build-only', paths: [`app/${deep}test/x.spec.js`]};
	const closure = runtimeClosure(input);
	const plan = planRuntime(input, [finding as never], closure, new Set([0]));
	assert.deepEqual(
		plan.copies.map((copy) => copy.path),
		[`app/${deep}keep.js`, 'app/package.json'],
	);
});
