import assert from 'node:assert/strict';
import {test} from 'node:test';
import {resolvePath} from '../../source/analysis/closure/resolve-path.js';
import {runtimeClosure} from '../../source/analysis/closure/runtime-closure.js';
import {filesByPath} from '../../source/analysis/rule-input.js';
import type {FinalFile} from '../../source/analysis/types.js';
import type {ExecInfo} from '../../source/image/types.js';
import {dynamicElf, finalFile, ruleInput, symlinkFile} from '../helpers/rule-input.js';

const library = (needed: string[] = []): {exec: ExecInfo} => ({
	exec: {kind: 'elf', bits: 64, machine: 62, type: 'dyn', needed, runpath: []},
});

/** A usr-merged Debian root: /lib, /lib64 and /bin are links into /usr, as on bookworm. */
const debianRoot = (): FinalFile[] => [
	symlinkFile('bin', 'usr/bin'),
	symlinkFile('lib', 'usr/lib'),
	symlinkFile('lib64', 'usr/lib64'),
	finalFile('usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', 200_000, 0, library()),
	symlinkFile('usr/lib64/ld-linux-x86-64.so.2', '../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'),
	finalFile('usr/lib/x86_64-linux-gnu/libc.so.6', 2_000_000, 0, library()),
	finalFile('usr/lib/x86_64-linux-gnu/libz.so.1.2.13', 120_000, 0, library(['libc.so.6'])),
	symlinkFile('usr/lib/x86_64-linux-gnu/libz.so.1', 'libz.so.1.2.13'),
	finalFile('usr/bin/bash', 1_200_000, 0, dynamicElf(['libc.so.6'])),
	finalFile('usr/bin/env', 40_000, 0, dynamicElf(['libc.so.6'])),
	symlinkFile('usr/bin/sh', 'bash'),
];

test('symlink chains resolve through usr-merge links, relative and absolute targets, and loops end', () => {
	const files = filesByPath(
		ruleInput({files: [...debianRoot(), symlinkFile('a', 'b'), symlinkFile('b', 'a')]}),
	);
	const isDirectory = (path: string) =>
		['usr', 'usr/lib', 'usr/lib64', 'usr/bin', 'usr/lib/x86_64-linux-gnu'].includes(path);
	assert.deepEqual(resolvePath(files, '/lib/x86_64-linux-gnu/libz.so.1', isDirectory), {
		path: 'usr/lib/x86_64-linux-gnu/libz.so.1.2.13',
		links: ['lib', 'usr/lib/x86_64-linux-gnu/libz.so.1'],
	});
	assert.equal(
		resolvePath(files, '/lib64/ld-linux-x86-64.so.2', isDirectory).path,
		'usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
	);
	assert.equal(resolvePath(files, '/a', isDirectory).path, undefined);
	assert.equal(resolvePath(files, '/usr/bin/bash/x', isDirectory).path, undefined);
});

test('a C program: found through PATH, its loader and DT_NEEDED libraries (and their links) follow', () => {
	const input = ruleInput({
		instructions: [
			'ADD rootfs.tar /',
			'COPY hello.c /src/hello.c',
			'RUN gcc -o /usr/local/bin/hello /src/hello.c -lz',
			'-CMD ["hello"]',
		],
		files: [
			...debianRoot(),
			finalFile('src/hello.c', 300, 1),
			finalFile('usr/local/bin/hello', 16_000, 2, dynamicElf(['libz.so.1', 'libc.so.6'])),
		],
		config: {cmd: ['hello', 'layerlens'], env: ['PATH=/usr/local/bin:/usr/bin:/bin']},
	});
	const closure = runtimeClosure(input);
	assert.equal(closure.runtime, 'native');
	assert.deepEqual(
		closure.chain.map((step) => step.path),
		[
			'usr/local/bin/hello',
			'usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
			'usr/lib/x86_64-linux-gnu/libz.so.1.2.13',
			'usr/lib/x86_64-linux-gnu/libc.so.6',
		],
	);
	for (const path of [
		'lib64',
		'usr/lib64/ld-linux-x86-64.so.2',
		'lib',
		'usr/lib/x86_64-linux-gnu/libz.so.1',
	]) {
		assert.ok(closure.proven.has(path), path);
	}

	assert.ok(!closure.proven.has('src/hello.c'));
	assert.deepEqual(closure.trees, []);
	assert.deepEqual(closure.unresolved, []);
});

test('a static Go binary needs nothing else; a missing library is said, not guessed', () => {
	const go = runtimeClosure(
		ruleInput({
			files: [
				...debianRoot(),
				finalFile('usr/local/bin/greeter', 7_000_000, 3, {
					mode: 0o755,
					exec: {kind: 'elf', bits: 64, machine: 62, type: 'exec', needed: [], runpath: []},
				}),
			],
			config: {cmd: ['greeter'], env: ['PATH=/usr/local/bin:/usr/bin']},
		}),
	);
	assert.deepEqual(
		go.chain.map((step) => step.path),
		['usr/local/bin/greeter'],
	);
	const missing = runtimeClosure(
		ruleInput({
			files: [...debianRoot(), finalFile('app/run', 10, 1, dynamicElf(['libmissing.so.3']))],
			config: {entrypoint: ['/app/run']},
		}),
	);
	assert.match(missing.unresolved.join('\n'), /libmissing\.so\.3/);
});

test('$ORIGIN runpaths, #! scripts through env, and sh -c commands are followed', () => {
	const input = ruleInput({
		files: [
			...debianRoot(),
			finalFile('opt/app/bin/tool', 100, 1, dynamicElf(['libapp.so'], {runpath: ['$ORIGIN/../lib']})),
			finalFile('opt/app/lib/libapp.so', 100, 1, library(['libc.so.6'])),
			finalFile('usr/bin/python3.11', 6_000_000, 1, dynamicElf(['libc.so.6'])),
			symlinkFile('usr/bin/python3', 'python3.11', 1),
			finalFile('usr/local/bin/start', 50, 2, {
				mode: 0o755,
				exec: {kind: 'script', interpreter: '/usr/bin/env', argument: 'python3'},
			}),
		],
		config: {
			entrypoint: ['/bin/sh', '-c', 'exec /opt/app/bin/tool --serve'],
			env: ['PATH=/usr/local/bin:/usr/bin'],
		},
	});
	const closure = runtimeClosure(input);
	assert.ok(closure.proven.has('opt/app/lib/libapp.so'), [...closure.proven].join(' '));
	// The shell that runs the command line is needed as much as the program it starts.
	assert.ok(closure.proven.has('usr/bin/bash'));
	assert.ok(closure.proven.has('bin'));
	const script = runtimeClosure(
		ruleInput({files: [...input.files], config: {cmd: ['start'], env: ['PATH=/usr/local/bin:/usr/bin']}}),
	);
	assert.equal(script.runtime, 'python');
	assert.ok(script.proven.has('usr/bin/python3.11'));
	assert.ok(script.proven.has('usr/bin/python3'));
	assert.ok(script.proven.has('usr/bin/env'));
});

test('python -m: the standard library and dist-packages are trees, the app directory is WORKDIR', () => {
	const input = ruleInput({
		files: [
			...debianRoot(),
			finalFile('usr/bin/python3.11', 6_000_000, 1, dynamicElf(['libc.so.6', 'libz.so.1'])),
			symlinkFile('usr/bin/python3', 'python3.11', 1),
			finalFile('usr/lib/python3.11/os.py', 40_000, 1),
			finalFile(
				'usr/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so',
				200_000,
				1,
				library(['libz.so.1']),
			),
			finalFile('usr/lib/python3/dist-packages/yaml/__init__.py', 10_000, 1),
			finalFile('app/greeter/__main__.py', 300, 2),
			finalFile('app/tests/test_greeter.py', 300, 2),
		],
		config: {cmd: ['python3', '-m', 'greeter'], workingDir: '/app', env: ['PATH=/usr/bin']},
	});
	const closure = runtimeClosure(input);
	assert.equal(closure.runtime, 'python');
	assert.equal(closure.appDirectory, 'app');
	assert.deepEqual(closure.trees.sort(), ['app', 'usr/lib/python3.11', 'usr/lib/python3/dist-packages']);
	// The extension module's own libraries are followed too.
	assert.ok(closure.proven.has('usr/lib/x86_64-linux-gnu/libz.so.1.2.13'));
});

test('stack detection reads the entrypoint, not any .py file anywhere (gcc ships Python pretty-printers)', () => {
	const input = ruleInput({
		files: [
			...debianRoot(),
			finalFile('usr/share/gcc/python/libstdcxx/v6/printers.py', 80_000, 1),
			finalFile('usr/local/bin/hello', 16_000, 2, dynamicElf(['libc.so.6'])),
		],
		config: {cmd: ['hello'], env: ['PATH=/usr/local/bin']},
	});
	assert.equal(runtimeClosure(input).runtime, 'native');
	assert.equal(runtimeClosure(ruleInput({files: debianRoot(), config: {cmd: ['bash']}})).runtime, 'shell');
});

test('a hard link is followed to the file whose bytes it shares (tar stores the bytes once)', () => {
	const input = ruleInput({
		files: [
			...debianRoot(),
			finalFile('usr/local/bin/tool', 16_000, 1, dynamicElf(['libz.so.1'])),
			{...finalFile('usr/local/bin/tool-alias', 0, 1), type: 'hardlink', linkTarget: 'usr/local/bin/tool'},
		],
		config: {cmd: ['tool-alias'], env: ['PATH=/usr/local/bin']},
	});
	const closure = runtimeClosure(input);
	assert.equal(closure.runtime, 'native');
	assert.ok(closure.proven.has('usr/lib/x86_64-linux-gnu/libz.so.1.2.13'), [...closure.proven].join(' '));
});
