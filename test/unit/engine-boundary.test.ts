import assert from 'node:assert/strict';
import {readdirSync, readFileSync} from 'node:fs';
import {dirname, join, relative, resolve} from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';

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
	const file = join(sourceRoot, 'ui', 'tree-view.ts');
	assert.ok(
		importsOf(file).includes(join(engineRoot, 'index')),
		'tree-view reads the engine through its index',
	);
});
