import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import {dirname, join, relative, resolve} from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {entryColumnSpec, stackLayers} from '../../source/engine/index.js';

const sourceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'source');
const engineRoot = join(sourceRoot, 'engine');

function sourceFiles(directory: string): string[] {
	return readdirSync(directory, {withFileTypes: true}).flatMap((entry) => {
		const path = join(directory, entry.name);
		if (entry.isDirectory()) return sourceFiles(path);
		return /\.tsx?$/.test(entry.name) ? [path] : [];
	});
}

/** Every relative module a file imports or re-exports, resolved to a path under source/ without its extension. */
function importsOf(file: string): string[] {
	const text = readFileSync(file, 'utf8');
	const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map(
		(match) => match[1]!,
	);
	return specifiers.map((specifier) => resolve(dirname(file), specifier).replace(/\.js$/, ''));
}

test('nothing outside source/engine imports an engine file other than its index', () => {
	const entrance = join(engineRoot, 'index');
	const crossings: string[] = [];
	for (const file of sourceFiles(sourceRoot)) {
		if (file.startsWith(`${engineRoot}/`)) continue;
		for (const target of importsOf(file)) {
			if (target.startsWith(`${engineRoot}/`) && target !== entrance) {
				crossings.push(`${relative(sourceRoot, file)} imports ${relative(sourceRoot, target)}`);
			}
		}
	}

	assert.deepEqual(crossings, []);
});

test('the engine imports nothing from a later stage', () => {
	const allowed = new Set(
		['memory-budget', 'errors', 'format-bytes'].map((name) => join(sourceRoot, 'shared', name)),
	);
	const crossings: string[] = [];
	for (const file of sourceFiles(engineRoot)) {
		for (const target of importsOf(file)) {
			if (!target.startsWith(`${engineRoot}/`) && !allowed.has(target)) {
				crossings.push(`${relative(sourceRoot, file)} imports ${relative(sourceRoot, target)}`);
			}
		}
	}

	assert.deepEqual(crossings, []);
});

test('the check sees an import that crosses the boundary', () => {
	const file = join(sourceRoot, 'ui', 'tree-view-walk.ts');
	assert.ok(
		importsOf(file).includes(join(engineRoot, 'index')),
		'tree-view-walk reads the engine through its index',
	);
});

/**
The names of every typed array the engine keeps: the entry columns' (from their spec) and the tree's (from
its stored form, which holds each of them). Read from the engine itself, so a new column is checked too.
*/
function engineArrayNames(): string[] {
	const stored = stackLayers([]).toStored() as unknown as Record<string, unknown>;
	const treeArrays = Object.keys(stored).filter((key) => {
		const value = stored[key];
		return ArrayBuffer.isView(value) || (Array.isArray(value) && key === 'layerNodes');
	});
	return [...entryColumnSpec.map((column) => column.name), ...treeArrays];
}

/** Each `.name[` element read or write of one of `names` in `text`, as `line: text`. */
function arrayAccesses(text: string, names: readonly string[]): string[] {
	const pattern = new RegExp(`\\.(?:${names.join('|')})\\s*\\[`);
	return text
		.split('\n')
		.flatMap((line, index) => (pattern.test(line) ? [`${index + 1}: ${line.trim()}`] : []));
}

test('nothing outside source/engine indexes a typed array of the tree or of the entry columns', () => {
	const names = engineArrayNames();
	assert.ok(names.includes('sizes') && names.includes('parents') && names.includes('hiddenBy'), names.join());
	const accesses: string[] = [];
	for (const file of sourceFiles(sourceRoot)) {
		if (file.startsWith(`${engineRoot}/`)) continue;
		for (const access of arrayAccesses(readFileSync(file, 'utf8'), names)) {
			accesses.push(`${relative(sourceRoot, file)}:${access}`);
		}
	}

	assert.deepEqual(accesses, []);
});

test('the array check sees a column read, a tree link read and a write', () => {
	const names = engineArrayNames();
	const sample = [
		'const size = columns.sizes[row]!;',
		'const parent = tree.parents [node];',
		'entries.pathHashes[row] = hash;',
		'const size = columns.size(row);',
	].join('\n');
	assert.deepEqual(
		arrayAccesses(sample, names).map((line) => line.split(':')[0]),
		['1', '2', '3'],
	);
});
