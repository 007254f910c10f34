/**
The what-if model on (a): built once over the loaded image, then marks added one at a time (the largest
directories at every depth, the largest files, each layer, each finding) and taken off again in reverse,
each `apply` timed. The marks accumulate, as in the explorer, so later marks land inside earlier ones.
*/

import type {WhatIfMark} from '../source/analysis/what-if/marks.js';
import {WhatIfModel} from '../source/analysis/what-if/what-if-model.js';
import {fileCode, type NodeId, type PathTree} from '../source/engine/index.js';
import {loadImage} from '../source/run/load-image.js';
import {imageOptions} from './image-options.js';

export type WhatIfBench = {
	nodes: number;
	buildMs: number;
	markMs: number[];
	/** The process's CPU time per apply (user + system): less sensitive than the wall time to a shared machine. */
	markCpuMs: number[];
	largestSubtree: number;
	/** The figures after every mark, then after every unmark: the last must equal the first (no drift). */
	drift: boolean;
};

/** The `count` directories holding the most nodes below them, and the `count` largest files. */
function heavyPaths(tree: PathTree, count: number): {directories: string[]; files: string[]} {
	const below = new Int32Array(tree.nodeCount);
	const order: NodeId[] = [];
	tree.forEachNode((node) => order.push(node));
	for (let index = order.length - 1; index > 0; index--) {
		const node = order[index]!;
		const parent = tree.parentOf(node);
		if (parent !== undefined) below[parent]! += below[node]! + 1;
	}

	const directories = order
		.filter((node) => node !== 0 && tree.hasChildren(node))
		.sort((a, b) => below[b]! - below[a]!)
		.slice(0, count)
		.map((node) => tree.pathOf(node));
	const files = order
		.filter((node) => {
			const version = tree.finalVersion(node);
			return version !== undefined && tree.typeCode(version) === fileCode;
		})
		.sort((a, b) => tree.size(tree.finalVersion(b)!) - tree.size(tree.finalVersion(a)!))
		.slice(0, count)
		.map((node) => tree.pathOf(node));
	return {directories, files};
}

export async function benchWhatIf(path: string): Promise<WhatIfBench & {marks: number}> {
	const loaded = await loadImage({...imageOptions(path), cache: false});
	const {tree} = loaded.tree;
	const {report} = loaded;
	const started = performance.now();
	const model = new WhatIfModel({
		tree,
		layers: report.layers,
		finalSizeBytes: report.image.finalSizeBytes,
		findings: report.findings,
		...(report.suggestion ? {suggestion: report.suggestion} : {}),
	});
	const buildMs = performance.now() - started;
	const {directories, files} = heavyPaths(tree, 20);
	const marks: WhatIfMark[] = [
		...directories.map((each): WhatIfMark => ({kind: 'path', path: each, action: 'remove'})),
		...files.map((each): WhatIfMark => ({kind: 'path', path: each, action: 'builder'})),
		...report.layers.map((layer): WhatIfMark => ({kind: 'layer', layer: layer.index, action: 'remove'})),
		...report.findings.map(
			(finding): WhatIfMark => ({
				kind: 'finding',
				ruleId: finding.ruleId,
				title: finding.title,
				paths: finding.paths,
				action: 'builder',
			}),
		),
	];
	const before = JSON.stringify(model.apply([]));
	const markMs: number[] = [];
	const markCpuMs: number[] = [];
	const timed = (count: number) => {
		const cpu = process.cpuUsage();
		const at = performance.now();
		model.apply(marks.slice(0, count));
		markMs.push(performance.now() - at);
		const used = process.cpuUsage(cpu);
		markCpuMs.push((used.user + used.system) / 1000);
	};
	for (let count = 1; count <= marks.length; count++) timed(count);
	for (let count = marks.length - 1; count >= 0; count--) timed(count);

	const after = JSON.stringify(model.figures());
	const largestSubtree = directories.length === 0 ? 0 : countBelow(tree, directories[0]!);
	return {
		nodes: tree.nodeCount,
		buildMs,
		markMs,
		markCpuMs,
		largestSubtree,
		drift: before !== after,
		marks: marks.length,
	};
}

function countBelow(tree: PathTree, path: string): number {
	const start = tree.find(path);
	if (start === undefined) return 0;
	let count = 0;
	const stack = [start];
	while (stack.length > 0) {
		const node = stack.pop()!;
		count++;
		for (const child of tree.childrenOf(node)) stack.push(child);
	}

	return count;
}
