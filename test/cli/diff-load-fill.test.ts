import assert from 'node:assert/strict';
import {join} from 'node:path';
import {test} from 'node:test';
import {parseDiffOptions} from '../../source/cli/diff-flags.js';
import {IncrementalStack, type PathTree} from '../../source/engine/index.js';
import type {LoadProgress} from '../../source/image/types.js';
import {renderDiffJson} from '../../source/report/diff-json.js';
import {loadComparison} from '../../source/run/modes/diff-mode.js';
import {type ImageSpec, withTemporaryDirectory, writeImageArchive} from '../helpers/fixture-writer.js';

const base: ImageSpec['layers'] = [
	{createdBy: 'ADD rootfs /', files: [{path: 'etc/os-release', content: 'ID=test\n'}]},
	{createdBy: 'COPY app /app', files: [{path: 'app/server.js', size: 4000, seed: 1}]},
];
const specA: ImageSpec = {
	layers: [...base, {createdBy: 'RUN build', files: [{path: 'app/a.bin', size: 9000, seed: 2}]}],
};
const specB: ImageSpec = {
	layers: [...base, {createdBy: 'RUN build', files: [{path: 'srv/b.bin', size: 7000, seed: 3}]}],
};

test('a diff load finishes the stacks it is handed, hands each side’s tree on, and starts B’s progress from nothing', async () => {
	await withTemporaryDirectory(async (directory) => {
		const a = join(directory, 'a.tar');
		const b = join(directory, 'b.tar');
		await writeImageArchive(specA, a);
		await writeImageArchive(specB, b);
		const options = parseDiffOptions([a, b], {
			demo: false,
			json: false,
			output: [],
			ci: false,
			cache: false,
			debug: false,
		});
		const progress: Array<['A' | 'B', LoadProgress]> = [];
		const trees: Array<['A' | 'B', PathTree]> = [];
		const stacks = {A: new IncrementalStack(), B: new IncrementalStack()};
		const filled = await loadComparison(
			options,
			(side, report) => progress.push([side, report]),
			undefined,
			undefined,
			{stacks, onTree: (side, tree) => trees.push([side, tree])},
		);
		const firstOfB = progress.find(([side]) => side === 'B');
		assert.deepEqual(firstOfB?.[1], {bytesRead: 0, layersDone: 0}, 'B starts from nothing');
		const lastOfA = progress.filter(([side]) => side === 'A').at(-1);
		assert.ok((lastOfA?.[1].bytesRead ?? 0) > 0, 'A reported its read');
		assert.deepEqual(
			trees.map(([side, tree]) => [side, tree.layers.length]),
			[
				['A', 3],
				['B', 3],
			],
		);
		assert.ok(stacks.A.finished && stacks.B.finished, 'each load finished its side’s stack');
		// The same comparison as a load that was handed nothing.
		const plain = await loadComparison(options);
		const render = (comparison: typeof plain) =>
			renderDiffJson(comparison, {toolVersion: 'test', timestamps: false});
		assert.equal(render(filled), render(plain));
		assert.match(render(plain), /srv\/b\.bin/);
	});
});
