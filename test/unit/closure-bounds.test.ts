import assert from 'node:assert/strict';
import {test} from 'node:test';
import {filesUnder, type PrefixWork} from '../../source/analysis/closure/files-under.js';
import {runtimeClosure} from '../../source/analysis/closure/runtime-closure.js';
import {type FileLookup, filesByPath} from '../../source/analysis/rule-input.js';
import type {FinalFile, RuleInput} from '../../source/analysis/types.js';
import type {ExecInfo} from '../../source/image/types.js';
import {dynamicElf, finalFile, ruleInput, symlinkFile} from '../helpers/rule-input.js';

/** The work a closure does, counted as the file lookups it makes (not as time). */
function countedLookups(input: RuleInput): {files: FileLookup; count: {lookups: number}} {
	const inner = filesByPath(input);
	const count = {lookups: 0};
	return {
		count,
		files: {
			get(path) {
				count.lookups++;
				return inner.get(path);
			},
			has(path) {
				count.lookups++;
				return inner.has(path);
			},
		},
	};
}

const library = (needed: string[] = [], runpath: string[] = []): {exec: ExecInfo} => ({
	exec: {kind: 'elf', bits: 64, machine: 62, type: 'dyn', needed, runpath},
});

const root = (): FinalFile[] => [
	symlinkFile('lib', 'usr/lib'),
	symlinkFile('lib64', 'usr/lib64'),
	finalFile('usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', 200_000, 0, library()),
	symlinkFile('usr/lib64/ld-linux-x86-64.so.2', '../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'),
	finalFile('usr/lib/x86_64-linux-gnu/libc.so.6', 2_000_000, 0, library()),
];

test('10,000 LD_LIBRARY_PATH entries × 1,000 DT_NEEDED: lookups stay linear, every library is found, the cap is said', () => {
	const names = Array.from({length: 1000}, (_, index) => `libn${index}.so.1`);
	const input = ruleInput({
		files: [
			...root(),
			...names.map((name) => finalFile(`usr/lib/x86_64-linux-gnu/${name}`, 1_000, 1, library(['libc.so.6']))),
			finalFile('usr/local/bin/app', 10_000, 2, dynamicElf(names)),
		],
		config: {
			cmd: ['/usr/local/bin/app'],
			env: [`LD_LIBRARY_PATH=${Array.from({length: 10_000}, (_, index) => `/opt/x${index}/lib`).join(':')}`],
		},
	});
	const {files, count} = countedLookups(input);
	const closure = runtimeClosure(input, files);
	for (const name of names) assert.ok(closure.proven.has(`usr/lib/x86_64-linux-gnu/${name}`), name);
	assert.deepEqual(closure.unresolved, []);
	assert.match(closure.notes.join('\n'), /LD_LIBRARY_PATH has 10000 entries: only the first 64/);
	// Searching every entry for every name would be 10,000,000 probes; the cut list and the per-name memo keep it
	// to a few per library.
	assert.ok(count.lookups <= 10 * (names.length + input.files.length), `${count.lookups} lookups`);
});

test('RUNPATH fan-out: 500 libraries with 300 RUNPATH entries each are searched through at most 64 per file', () => {
	const runpath = Array.from({length: 300}, (_, index) => `$ORIGIN/../r${index}`);
	const libraries = Array.from({length: 500}, (_, index) => `opt/l${index}/lib/libm${index}.so`);
	const input = ruleInput({
		files: [
			...root(),
			...libraries.map((path, index) =>
				finalFile(
					path,
					1_000,
					1,
					library(['libc.so.6', `libm${(index + 1) % 500}.so`, 'libabsent.so'], runpath),
				),
			),
			finalFile(
				'usr/local/bin/app',
				10_000,
				2,
				dynamicElf(
					libraries.map((path) => path.slice(path.lastIndexOf('/') + 1)),
					{runpath: libraries.map((path) => `/${path.slice(0, path.lastIndexOf('/'))}`)},
				),
			),
		],
		config: {cmd: ['/usr/local/bin/app']},
	});
	const {files, count} = countedLookups(input);
	const closure = runtimeClosure(input, files);
	// The first 64 RUNPATH entries of the app find the first 64 libraries; the rest are not in its search list.
	assert.ok(closure.proven.has(libraries[0]!));
	assert.ok(closure.proven.has(libraries[63]!));
	assert.match(closure.notes.join('\n'), /RUNPATH entries: only the first 64 were searched/);
	// Missing libraries are named up to a cap, then counted.
	assert.ok(closure.unresolved.length <= 64 + 1, `${closure.unresolved.length} messages`);
	const needed = [...input.files].reduce(
		(sum, file) => sum + (file.exec?.kind === 'elf' ? file.exec.needed.length : 0),
		0,
	);
	// Unbounded, this is files × needed × 300 entries × path depth (tens of millions of lookups).
	assert.ok(count.lookups <= 32 * (needed + input.files.length), `${count.lookups} lookups`);
});

test('10,000 ENV directories over 20,000 files: each file is tested by binary search, not against every directory', () => {
	const directories = Array.from({length: 10_000}, (_, index) => `data/d${String(index).padStart(5, '0')}`);
	const files = Array.from({length: 20_000}, (_, index) =>
		finalFile(`data/d${String(index % 12_000).padStart(5, '0')}/f${index}`, 10, 1),
	);
	const work: PrefixWork = {comparisons: 0};
	const under = filesUnder(files, directories, work);
	const naive = files.filter((file) =>
		directories.some((directory) => file.path.startsWith(`${directory}/`)),
	);
	assert.deepEqual(
		under.map((file) => file.path),
		naive.map((file) => file.path),
	);
	assert.ok(work.comparisons <= files.length * (Math.ceil(Math.log2(directories.length)) + 1));

	// Through the closure: 10,000 ENV settings naming those directories cost lookups linear in ENV and files.
	const input = ruleInput({
		files: [...root(), ...files],
		config: {
			cmd: ['/bin/true'],
			env: directories.map((directory, index) => `DIR_${index}=/${directory}`),
		},
	});
	const counted = countedLookups(input);
	const closure = runtimeClosure(input, counted.files);
	assert.equal(closure.trees.length, 10_000);
	assert.ok(counted.count.lookups <= 10 * (input.config.env.length + input.files.length));
});

test('nested and overlapping directories: a file is under the outermost one, sibling names that share a prefix are not', () => {
	const files = ['a/x', 'a/b/y', 'a-b/z', 'ab/w', 'c/d/e', 'c/f'].map((path) => finalFile(path, 1, 0));
	assert.deepEqual(
		filesUnder(files, ['a/b', 'a', 'c/d']).map((file) => file.path),
		['a/x', 'a/b/y', 'c/d/e'],
	);
	assert.deepEqual(
		filesUnder(files, ['']).map((file) => file.path),
		files.map((file) => file.path),
	);
});

test('long PATH and wrapper chains are cut and said', () => {
	const input = ruleInput({
		files: [...root(), finalFile('usr/bin/env', 40_000, 0, dynamicElf(['libc.so.6']))],
		config: {
			cmd: [...Array.from({length: 20}, () => 'env'), 'app'],
			env: [`PATH=${Array.from({length: 1_000}, (_, index) => `/p${index}`).join(':')}:/usr/bin`],
		},
	});
	const {files, count} = countedLookups(input);
	const closure = runtimeClosure(input, files);
	assert.match(closure.notes.join('\n'), /PATH has 1001 entries: only the first 64/);
	// /usr/bin is past the cut: env is not found at all, and that is said.
	assert.match(closure.unresolved.join('\n'), /`env` is not in the image/);
	assert.ok(count.lookups <= 8 * 64, `${count.lookups} lookups`);

	const wrapped = runtimeClosure(
		ruleInput({
			files: [...input.files],
			config: {cmd: [...Array.from({length: 20}, () => 'env'), 'app'], env: ['PATH=/usr/bin']},
		}),
	);
	assert.match(wrapped.notes.join('\n'), /more than 8 programs/);
});
