import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import {dirname, join, relative, resolve} from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';

const sourceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'source');

/**
The stages in the order data flows: a file may import its own stage and earlier ones, never a later one.
`cli.tsx` at the top of source/ is the CLI's entrance and belongs to the `cli` stage.
*/
export const stageOrder = [
	'shared',
	'engine',
	'image',
	'demo',
	'analysis',
	'report',
	'ci',
	'cache',
	'ui',
	'run',
	'cli',
] as const;

function sourceFiles(directory: string): string[] {
	return readdirSync(directory, {withFileTypes: true}).flatMap((entry) => {
		const path = join(directory, entry.name);
		if (entry.isDirectory()) return sourceFiles(path);
		return /\.tsx?$/.test(entry.name) ? [path] : [];
	});
}

/** The source files a file imports or re-exports (static or dynamic), as paths relative to source/. */
function importsOf(file: string, text = readFileSync(file, 'utf8')): string[] {
	return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((match) =>
		relative(sourceRoot, resolve(dirname(file), match[1]!)).replace(/\.js$/, ''),
	);
}

function stageOf(path: string): number {
	const top = path.split('/')[0]!;
	const name = top === 'cli.tsx' ? 'cli' : top;
	return stageOrder.indexOf(name as (typeof stageOrder)[number]);
}

function laterStageImports(files: Map<string, string[]>): string[] {
	const crossings: string[] = [];
	for (const [file, targets] of files) {
		for (const target of targets) {
			if (stageOf(target) > stageOf(file)) crossings.push(`${file} imports ${target}`);
		}
	}

	return crossings;
}

/** Every cycle's files, found by a depth-first walk over the file import graph (one entry per back edge). */
function importCycles(files: Map<string, string[]>): string[] {
	const state = new Map<string, 'open' | 'done'>();
	const cycles: string[] = [];
	const stack: string[] = [];
	const visit = (file: string) => {
		state.set(file, 'open');
		stack.push(file);
		for (const target of files.get(file) ?? []) {
			if (!files.has(target)) continue;
			if (state.get(target) === 'open')
				cycles.push(stack.slice(stack.indexOf(target)).concat(target).join(' → '));
			else if (state.get(target) === undefined) visit(target);
		}

		stack.pop();
		state.set(file, 'done');
	};

	for (const file of files.keys()) if (state.get(file) === undefined) visit(file);
	return cycles;
}

function importGraph(): Map<string, string[]> {
	return new Map(
		sourceFiles(sourceRoot).map((file) => [
			relative(sourceRoot, file).replace(/\.tsx?$/, ''),
			importsOf(file),
		]),
	);
}

test('every file under source/ belongs to a stage', () => {
	const unplaced = [...importGraph().keys()].filter((file) => stageOf(file) === -1);
	assert.deepEqual(unplaced, []);
});

test('no file imports from a later stage', () => {
	assert.deepEqual(laterStageImports(importGraph()), []);
});

test('the import graph has no cycle', () => {
	assert.deepEqual(importCycles(importGraph()), []);
});

test('the checks see a later-stage import and a cycle', () => {
	const graph = new Map([
		['engine/path-tree', ['ui/tree-view', 'shared/errors']],
		['ui/tree-view', ['engine/path-tree']],
		['shared/errors', []],
	]);
	assert.deepEqual(laterStageImports(graph), ['engine/path-tree imports ui/tree-view']);
	assert.deepEqual(importCycles(graph), ['engine/path-tree → ui/tree-view → engine/path-tree']);
	assert.deepEqual(
		importsOf(
			join(sourceRoot, 'run', 'x.ts'),
			"import {a} from '../ui/b.js';\nconst c = await import('./d.js');",
		),
		['ui/b', 'run/d'],
	);
});
