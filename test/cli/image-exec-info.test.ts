import assert from 'node:assert/strict';
import {execFileSync, spawnSync} from 'node:child_process';
import {
	closeSync,
	existsSync,
	openSync,
	readdirSync,
	readFileSync,
	readSync,
	realpathSync,
	statSync,
} from 'node:fs';
import {writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {test} from 'node:test';
import {gzipSync} from 'node:zlib';
import {
	dynamicStringWindowBytes,
	parseShebang,
	readExecInfo,
	scriptLineBytes,
} from '../../source/image/formats/exec-info.js';
import {readLayer} from '../../source/image/formats/read-layer.js';
import type {ExecInfo, TarEntry} from '../../source/image/types.js';
import type {FileSpec} from '../../source/image/write/image-spec.js';
import {type ElfImageOptions, elfImage} from '../helpers/elf-image.js';
import {collect, createLayerTarStream, withTemporaryDirectory} from '../helpers/fixture-writer.js';

const readelfMissing =
	spawnSync('readelf', ['--version'], {stdio: 'ignore'}).status === 0
		? false
		: 'readelf not found (install binutils)';
const goMissing =
	spawnSync('go', ['version'], {stdio: 'ignore'}).status === 0 ? false : 'go not found (install golang-go)';

/** Seeded PRNG (mulberry32): random chunkings that are the same every run. */
function random(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d_2b_79_f5) >>> 0;
		let value = state;
		value = Math.imul(value ^ (value >>> 15), value | 1);
		value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
		return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
	};
}

function chunked(bytes: Buffer, size: number | (() => number)): Buffer[] {
	const chunks: Buffer[] = [];
	for (let at = 0; at < bytes.length; ) {
		const length = typeof size === 'number' ? size : Math.max(1, Math.floor(size()));
		chunks.push(bytes.subarray(at, at + length));
		at += length;
	}

	return chunks;
}

const read64k = (bytes: Buffer): ExecInfo | undefined => readExecInfo(chunked(bytes, 65_536), true);

type Facts = {interpreter?: string; needed: string[]; runpath: string[]; soname?: string; type: string};

/** What `readelf -l -d` says about a file, in ExecInfo's terms. */
function readelfFacts(path: string): Facts {
	const output = execFileSync('readelf', ['-l', '-d', '-W', path], {
		encoding: 'utf8',
		env: {...process.env, LC_ALL: 'C'},
		maxBuffer: 64 * 1024 * 1024,
		stdio: ['ignore', 'pipe', 'ignore'],
	});
	const bracket = (line: string): string => line.slice(line.indexOf('[') + 1, line.lastIndexOf(']'));
	const facts: Facts = {needed: [], runpath: [], type: 'other'};
	let runpath: string | undefined;
	let rpath: string | undefined;
	for (const line of output.split('\n')) {
		if (line.includes('[Requesting program interpreter:')) {
			facts.interpreter ??= line.slice(line.indexOf(':') + 2, line.lastIndexOf(']'));
		} else if (line.includes('(NEEDED)')) {
			facts.needed.push(bracket(line));
		} else if (line.includes('(RUNPATH)')) {
			runpath = bracket(line);
		} else if (line.includes('(RPATH)')) {
			rpath = bracket(line);
		} else if (line.includes('(SONAME)')) {
			facts.soname = bracket(line);
		} else if (line.startsWith('Elf file type is ')) {
			facts.type = line.includes('EXEC') ? 'exec' : line.includes('DYN') ? 'dyn' : 'other';
		}
	}

	const search = runpath ?? rpath;
	facts.runpath = search === undefined || search === '' ? [] : search.split(':');
	return facts;
}

function factsOf(info: ExecInfo | undefined): Facts | undefined {
	if (info?.kind !== 'elf') return undefined;
	const facts: Facts = {needed: info.needed, runpath: info.runpath, type: info.type};
	if (info.interpreter !== undefined) facts.interpreter = info.interpreter;
	if (info.soname !== undefined) facts.soname = info.soname;
	return facts;
}

function isElf(path: string): boolean {
	const head = Buffer.alloc(4);
	let fd: number | undefined;
	try {
		fd = openSync(path, 'r');
		return readSync(fd, head, 0, 4, 0) === 4 && head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
	} catch {
		return false;
	} finally {
		if (fd !== undefined) closeSync(fd);
	}
}

const multiarch = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
const firstExisting = (paths: string[]): string | undefined => paths.find((path) => existsSync(path));
const libc = firstExisting([`/usr/lib/${multiarch}/libc.so.6`, `/lib/${multiarch}/libc.so.6`]);
const ls = firstExisting(['/usr/bin/ls', '/bin/ls']);
const busybox = firstExisting(['/usr/bin/busybox', '/bin/busybox']);
const node = realpathSync(process.execPath);

test('real binaries of this machine: ls, node, libc.so.6 and a static busybox', () => {
	assert.ok(ls !== undefined, 'no ls on this machine');
	const lsInfo = read64k(readFileSync(ls));
	assert.equal(lsInfo?.kind, 'elf');
	assert.match(lsInfo.interpreter ?? '', /\/ld-(linux|musl)[^/]*\.so/);
	assert.ok(
		lsInfo.needed.some((name) => /^libc\.(so\.6|musl)/.test(name)),
		JSON.stringify(lsInfo.needed),
	);
	assert.equal(lsInfo.incomplete, undefined);

	// ~100 MB; its .dynstr (5 MB of V8's exported names) ends near 7.6 MB, its .dynamic past 80 MB.
	const nodeInfo = read64k(readFileSync(node));
	assert.equal(nodeInfo?.kind, 'elf');
	assert.ok(nodeInfo.interpreter !== undefined);
	assert.ok(nodeInfo.needed.length > 0);
	assert.equal(nodeInfo.incomplete, undefined);
	assert.equal(nodeInfo.bits, 64);
	assert.equal(nodeInfo.machine, process.arch === 'arm64' ? 183 : 62);

	if (libc !== undefined) {
		const libcInfo = read64k(readFileSync(libc));
		assert.equal(libcInfo?.kind, 'elf');
		assert.equal(libcInfo.soname, 'libc.so.6');
		assert.equal(libcInfo.type, 'dyn');
	}

	if (
		busybox !== undefined &&
		!spawnSync('file', [busybox], {encoding: 'utf8'}).stdout?.includes('dynamic')
	) {
		const busyboxInfo = read64k(readFileSync(busybox));
		assert.deepEqual(busyboxInfo, {
			kind: 'elf',
			bits: 64,
			machine: nodeInfo.machine,
			type: 'exec',
			needed: [],
			runpath: [],
		});
	}
});

const compilerMissing =
	spawnSync('cc', ['--version'], {stdio: 'ignore'}).status === 0
		? false
		: 'no C compiler for cgo (install gcc)';

/** Builds a small Go program that uses cgo's packages (net, os/user) in a temporary directory. */
async function buildGo(cgo: '0' | '1', check: (bytes: Buffer, path: string) => void): Promise<void> {
	await withTemporaryDirectory(async (directory) => {
		await writeFile(join(directory, 'go.mod'), 'module exectest\n\ngo 1.18\n');
		await writeFile(
			join(directory, 'main.go'),
			'package main\n\nimport (\n\t"fmt"\n\t"net"\n\t"os/user"\n)\n\nfunc main() {\n\tu, _ := user.Current()\n\tfmt.Println(u, net.IPv4len)\n}\n',
		);
		execFileSync('go', ['build', '-o', 'program', '.'], {
			cwd: directory,
			env: {...process.env, CGO_ENABLED: cgo, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local'},
			stdio: 'ignore',
		});
		const path = join(directory, 'program');
		check(readFileSync(path), path);
	});
}

test('a static Go binary (CGO_ENABLED=0): no interpreter, no libraries', {skip: goMissing}, async () => {
	await buildGo('0', (bytes) => {
		const info = read64k(bytes);
		assert.equal(info?.kind, 'elf');
		assert.equal(info.interpreter, undefined);
		assert.deepEqual(info.needed, []);
		assert.equal(info.incomplete, undefined);
	});
});

test("a dynamic Go binary (cgo, Go's own linker: .dynstr in the read-only segment after .text)", {
	skip: goMissing || compilerMissing,
}, async () => {
	await buildGo('1', (bytes, path) => {
		const info = read64k(bytes);
		assert.equal(info?.kind, 'elf');
		assert.ok(info.interpreter !== undefined);
		assert.ok(info.needed.includes('libc.so.6'), JSON.stringify(info.needed));
		assert.equal(info.incomplete, undefined);
		if (!readelfMissing) {
			assert.deepEqual(factsOf(info), readelfFacts(path));
		}
	});
});

/** ELF files of this machine of at most `maxBytes`, `count` of them spread evenly over a fixed order. */
function machineElfFiles(count: number, maxBytes: number): string[] {
	const found: string[] = [];
	const walk = (directory: string, depth: number): void => {
		let names: string[];
		try {
			names = readdirSync(directory).sort();
		} catch {
			return;
		}

		for (const name of names) {
			const path = join(directory, name);
			const stats = statSync(path, {throwIfNoEntry: false});
			if (stats === undefined) continue;
			if (stats.isDirectory() && depth > 0) walk(path, depth - 1);
			else if (stats.isFile() && stats.size <= maxBytes && isElf(path)) found.push(path);
		}
	};

	for (const root of ['/usr/bin', '/usr/sbin', `/usr/lib/${multiarch}`, '/usr/libexec']) {
		walk(root, 2);
	}

	const unique = [...new Set(found)];
	const step = Math.max(1, unique.length / count);
	const sample: string[] = [];
	for (let at = 0; at < unique.length && sample.length < count; at += step) {
		sample.push(unique[Math.floor(at)]!);
	}

	return sample;
}

test('the same interpreter, needed libraries, runpath and soname as readelf, on every ELF file of this machine (bounded)', {
	skip: readelfMissing,
}, () => {
	// readelf is the slow side (tens of ms a file on a busy machine): a spread sample, plus the biggest.
	const big = firstExisting([
		`/usr/lib/${multiarch}/libLLVM-15.so.1`,
		`/usr/lib/${multiarch}/libLLVM-14.so.1`,
	]);
	const files = [...machineElfFiles(160, 32 * 1024 * 1024), node, ...(big === undefined ? [] : [big])];
	assert.ok(files.length >= 50, `only ${files.length} ELF files found`);
	const seen = {needed: 0, interpreter: 0, soname: 0, runpath: 0};
	for (const path of files) {
		const info = read64k(readFileSync(path));
		assert.equal(info?.kind, 'elf', path);
		assert.equal(info.incomplete, undefined, `${path}: incomplete`);
		assert.deepEqual(factsOf(info), readelfFacts(path), path);
		if (info.needed.length > 0) seen.needed++;
		if (info.interpreter !== undefined) seen.interpreter++;
		if (info.soname !== undefined) seen.soname++;
		if (info.runpath.length > 0) seen.runpath++;
	}

	// The sample must exercise each field, or the comparison proves little.
	assert.ok(seen.needed >= 25 && seen.interpreter >= 10 && seen.soname >= 10, JSON.stringify(seen));
});

test('the result does not depend on how the content is chunked', () => {
	const files = [ls, libc, busybox].filter((path): path is string => path !== undefined);
	const synthetic = elfImage({
		bits: 32,
		little: false,
		interpreter: '/lib/ld.so.1',
		needed: ['libc.so.6'],
		soname: 'libx.so.1',
	});
	for (const bytes of [...files.map((path) => readFileSync(path)), synthetic]) {
		const whole = readExecInfo([bytes], true);
		assert.ok(whole !== undefined);
		assert.deepEqual(readExecInfo(chunked(bytes, 1), true), whole);
		assert.deepEqual(readExecInfo(chunked(bytes, 61), true), whole);
		const next = random(bytes.length);
		for (let round = 0; round < 3; round++) {
			assert.deepEqual(
				readExecInfo(
					chunked(bytes, () => 1 + next() * 3000),
					true,
				),
				whole,
			);
		}
	}

	const nodeBytes = readFileSync(node);
	const whole = readExecInfo([nodeBytes], true);
	const next = random(42);
	assert.deepEqual(
		readExecInfo(
			chunked(nodeBytes, () => 1 + next() * 300_000),
			true,
		),
		whole,
	);
	assert.deepEqual(
		readExecInfo(
			chunked(nodeBytes, () => (next() < 0.5 ? 1 + next() * 64 : 65_536)),
			true,
		),
		whole,
	);

	const script = Buffer.from('#!/usr/bin/env python3\nprint(1)\n');
	assert.deepEqual(readExecInfo(chunked(script, 1), true), readExecInfo([script], true));
});

const variants: ElfImageOptions[] = [];
for (const bits of [32, 64] as const) {
	for (const little of [true, false]) {
		variants.push({
			bits,
			little,
			type: 2,
			interpreter: '/lib/ld-linux.so.2',
			needed: ['libm.so.6', 'libc.so.6'],
			runpath: '$ORIGIN/../lib:/opt/lib',
		});
		variants.push({
			bits,
			little,
			needed: ['libc.so.6'],
			rpath: '/usr/local/lib',
			soname: 'libdemo.so.1',
			layout: 'strings-last',
		});
	}
}

test('32- and 64-bit, little- and big-endian, string table before or after the dynamic section', () => {
	for (const options of variants) {
		const bytes = elfImage(options);
		const info = readExecInfo(chunked(bytes, 13), false);
		const expected: ExecInfo = {
			kind: 'elf',
			bits: options.bits,
			machine: options.bits === 32 ? 3 : 62,
			type: options.type === 2 ? 'exec' : 'dyn',
			needed: options.needed ?? [],
			runpath: (options.runpath ?? options.rpath ?? '').split(':').filter((part) => part !== ''),
		};
		if (options.interpreter !== undefined) expected.interpreter = options.interpreter;
		if (options.soname !== undefined) expected.soname = options.soname;
		assert.deepEqual(info, expected, JSON.stringify(options));
	}
});

test('readelf reads the written variants the same way (the writer is checked too)', {
	skip: readelfMissing,
}, async () => {
	await withTemporaryDirectory(async (directory) => {
		for (const [index, options] of variants.entries()) {
			const path = join(directory, `variant-${index}`);
			const bytes = elfImage(options);
			await writeFile(path, bytes);
			assert.deepEqual(factsOf(readExecInfo([bytes], true)), readelfFacts(path), JSON.stringify(options));
		}
	});
});

test('strings the reader did not keep make the result incomplete, never a guess', () => {
	const inCode = readExecInfo(
		[
			elfImage({
				bits: 64,
				little: true,
				needed: ['libc.so.6'],
				soname: 'libz.so.1',
				layout: 'strings-in-code',
			}),
		],
		false,
	);
	assert.equal(inCode?.kind, 'elf');
	assert.equal(inCode.incomplete, true);
	assert.deepEqual(inCode.needed, []);
	assert.equal(inCode.soname, undefined);

	// The string table fits the window, but the dynamic section lies beyond it: still complete.
	const far = elfImage({
		bits: 64,
		little: true,
		needed: ['libc.so.6'],
		gapBytes: dynamicStringWindowBytes + 4096,
	});
	assert.deepEqual(readExecInfo(chunked(far, 65_536), false), {
		kind: 'elf',
		bits: 64,
		machine: 62,
		type: 'dyn',
		needed: ['libc.so.6'],
		runpath: [],
	});
});

test('truncated, corrupted and lying ELF files never throw and never allocate what they declare', () => {
	const small = elfImage({
		bits: 32,
		little: true,
		interpreter: '/lib/ld.so',
		needed: ['liba.so', 'libb.so'],
		soname: 'libc.so',
	});
	const full = readExecInfo([small], true);
	for (let length = 0; length < small.length; length++) {
		const info = readExecInfo([small.subarray(0, length)], true);
		if (info === undefined) {
			assert.ok(length < 52, `a ${length}-byte prefix lost the ELF header`);
		} else {
			assert.equal(info.kind, 'elf');
			assert.equal(info.incomplete, true, `a ${length}-byte prefix is complete`);
		}
	}

	assert.deepEqual(readExecInfo(chunked(small, 5), true), full);

	// Every byte of the headers and the dynamic section flipped in turn, then random bytes.
	const next = random(7);
	for (let index = 0; index < small.length; index++) {
		const damaged = Buffer.from(small);
		damaged[index] = damaged[index]! ^ (1 + Math.floor(next() * 255));
		readExecInfo(chunked(damaged, 1 + Math.floor(next() * 40)), true);
	}

	if (ls !== undefined) {
		const real = readFileSync(ls);
		for (let round = 0; round < 300; round++) {
			const damaged = Buffer.from(real.subarray(0, 16_384));
			for (let flips = 0; flips < 4; flips++) {
				damaged[Math.floor(next() * 1024)] = Math.floor(next() * 256);
			}

			readExecInfo(chunked(damaged, 4096), true);
		}
	}

	// Sizes and offsets at their largest: program headers, PT_DYNAMIC, PT_INTERP, string offsets.
	const lying = Buffer.from(elfImage({bits: 64, little: true, interpreter: '/x', needed: ['liba.so']}));
	lying.writeUInt16LE(0xff_ff, 56);
	assert.equal(readExecInfo([lying], true)?.kind, 'elf');
	const hugeOffsets = Buffer.from(elfImage({bits: 64, little: true, interpreter: '/x', needed: ['liba.so']}));
	for (let index = 0; index < hugeOffsets.readUInt16LE(56); index++) {
		const at = 64 + index * 56;
		hugeOffsets.writeBigUInt64LE(0xff_ff_ff_ff_ff_ffn, at + 32);
		hugeOffsets.writeBigUInt64LE(0xff_ff_ff_ff_ff_f0n, at + 8);
	}

	const info = readExecInfo([hugeOffsets], true);
	assert.equal(info?.kind, 'elf');
	assert.equal(info.incomplete, true);
	const phoff = Buffer.from(small);
	phoff.writeUInt32LE(0xff_ff_ff_f0, 28);
	assert.equal(readExecInfo([phoff], true)?.kind, 'elf');
	// Thousands of DT_NEEDED: the first 1024 are read, the rest only make the result incomplete.
	const many = Array.from({length: 2000}, (_, index) => `lib${index}.so`);
	const crowded = readExecInfo([elfImage({bits: 64, little: true, needed: many})], true);
	assert.equal(crowded?.kind, 'elf');
	assert.deepEqual(crowded.needed, many.slice(0, 1024));
	assert.equal(crowded.incomplete, true);
	const notElf = Buffer.from(small);
	notElf[4] = 3;
	assert.equal(readExecInfo([notElf], true), undefined);
});

test('#! lines follow the kernel: one argument, trimmed; NUL and the buffer end cut; CR stays', () => {
	const parse = (text: string | Buffer): ExecInfo | undefined => {
		const buffer = Buffer.alloc(scriptLineBytes);
		Buffer.from(text).copy(buffer);
		return parseShebang(buffer);
	};

	assert.deepEqual(parse('#!/bin/sh\necho\n'), {kind: 'script', interpreter: '/bin/sh'});
	assert.deepEqual(parse('#! /usr/bin/env python3\n'), {
		kind: 'script',
		interpreter: '/usr/bin/env',
		argument: 'python3',
	});
	assert.deepEqual(parse('#!/usr/bin/env -S node --max-old-space-size=4096  \t\n'), {
		kind: 'script',
		interpreter: '/usr/bin/env',
		argument: '-S node --max-old-space-size=4096',
	});
	assert.deepEqual(parse('#!/bin/sh\r\n'), {kind: 'script', interpreter: '/bin/sh\r'});
	assert.deepEqual(parse('#!\t/bin/bash\t-e\n'), {kind: 'script', interpreter: '/bin/bash', argument: '-e'});
	assert.deepEqual(parse('#!/bin/sh -x\0junk\n'), {kind: 'script', interpreter: '/bin/sh', argument: '-x'});
	assert.equal(parse('#!\n'), undefined);
	assert.equal(parse('#!   \n'), undefined);
	assert.equal(parse('# !/bin/sh\n'), undefined);
	assert.deepEqual(
		parse('#!/bin/sh'),
		{kind: 'script', interpreter: '/bin/sh'},
		'no newline, NUL padding ends it',
	);
	// Without a newline in the buffer, an interpreter running to its end is cut: ENOEXEC.
	assert.equal(parse(`#!/${'a'.repeat(scriptLineBytes)}`), undefined);
	// ... but an argument running to its end is cut at the buffer's last byte.
	const long = parse(`#!/bin/sh ${'b'.repeat(scriptLineBytes)}`);
	assert.deepEqual(long, {
		kind: 'script',
		interpreter: '/bin/sh',
		argument: 'b'.repeat(scriptLineBytes - 11),
	});
	// Only the first BINPRM_BUF_SIZE bytes count: a newline after them does not.
	assert.deepEqual(readExecInfo([Buffer.from(`#!/bin/sh ${'c'.repeat(400)}\n`)], true), {
		kind: 'script',
		interpreter: '/bin/sh',
		argument: 'c'.repeat(scriptLineBytes - 11),
	});
	assert.equal(readExecInfo([Buffer.from('#!/bin/sh\n')], false), undefined, 'not executable');
});

async function parseLayer(
	files: FileSpec[],
	gzip: boolean,
	chunk: () => number,
): Promise<Map<string, TarEntry>> {
	const tar = await collect(createLayerTarStream({files}));
	const stored = gzip ? gzipSync(tar) : tar;
	const layer = await readLayer(chunked(stored, chunk), {label: 'layer 1 (test)'});
	return new Map(layer.entries.toEntries().map((entry) => [entry.path, entry]));
}

test('through the layer parser: ELF whatever the mode, scripts only when executable, damaged files harmless', async () => {
	assert.ok(ls !== undefined);
	const lsBytes = readFileSync(ls);
	const library = elfImage({
		bits: 64,
		little: true,
		needed: ['libc.so.6'],
		soname: 'libdemo.so.1',
		layout: 'strings-last',
	});
	const files: FileSpec[] = [
		{path: 'usr/bin/ls', content: lsBytes, mode: 0o755},
		{path: 'usr/lib/libdemo.so.1', content: library, mode: 0o644},
		{path: 'usr/local/bin/app', content: '#!/usr/bin/env python3\nimport app\n', mode: 0o755},
		{path: 'usr/share/doc/example.sh', content: '#!/bin/sh\necho\n', mode: 0o644},
		{path: 'usr/bin/cut', content: lsBytes.subarray(0, 700), mode: 0o755},
		{path: 'usr/bin/tiny', content: lsBytes.subarray(0, 20), mode: 0o755},
		{
			path: 'usr/bin/bad',
			content: Buffer.concat([lsBytes.subarray(0, 4), Buffer.alloc(300, 0xff)]),
			mode: 0o755,
		},
		{path: 'etc/hosts', content: '127.0.0.1 localhost\n', mode: 0o644},
		{path: 'usr/bin/x', content: '#', mode: 0o755},
		{path: 'empty', content: '', mode: 0o755},
	];
	const expectedLs = read64k(lsBytes);
	for (const gzip of [false, true]) {
		const next = random(gzip ? 1 : 2);
		for (const chunk of [() => 1 << 20, () => 1 + next() * 5000]) {
			const entries = await parseLayer(files, gzip, chunk);
			assert.deepEqual(entries.get('usr/bin/ls')?.exec, expectedLs);
			assert.deepEqual(entries.get('usr/lib/libdemo.so.1')?.exec, {
				kind: 'elf',
				bits: 64,
				machine: 62,
				type: 'dyn',
				needed: ['libc.so.6'],
				runpath: [],
				soname: 'libdemo.so.1',
			});
			assert.deepEqual(entries.get('usr/local/bin/app')?.exec, {
				kind: 'script',
				interpreter: '/usr/bin/env',
				argument: 'python3',
			});
			assert.equal(entries.get('usr/share/doc/example.sh')?.exec, undefined);
			const cut = entries.get('usr/bin/cut')?.exec;
			assert.equal(cut?.kind, 'elf');
			assert.equal(cut.incomplete, true);
			assert.equal(entries.get('usr/bin/tiny')?.exec, undefined);
			assert.equal(entries.get('usr/bin/bad')?.exec, undefined);
			assert.equal(entries.get('etc/hosts')?.exec, undefined);
			assert.equal(entries.get('usr/bin/x')?.exec, undefined);
			assert.equal(entries.get('empty')?.exec, undefined);
			assert.equal(entries.get('usr/bin/ls')?.hash?.length, 16);
		}
	}
});
