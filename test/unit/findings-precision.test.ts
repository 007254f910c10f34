import assert from 'node:assert/strict';
import {test} from 'node:test';
import {
	baseLayersOfMapping,
	createRuleContext,
	dockerignoreLines,
	findFindings,
} from '../../source/analysis/findings/index.js';
import type {Finding, WasteItem} from '../../source/analysis/types.js';
import {finalFile, ruleInput} from '../helpers/rule-input.js';

function item(
	path: string,
	bytes: number,
	cause: WasteItem['cause'],
	addedInLayer: number,
	hiddenInLayer: number,
	sameContent = false,
): WasteItem {
	return {path, bytes, cause, addedInLayer, hiddenInLayer, sameContent};
}

function byRule(findings: Finding[], ruleId: string): Finding[] {
	return findings.filter((finding) => finding.ruleId === ruleId);
}

/** A Debian base (layer 0 and its CMD), then the app's steps: the history marks where the base ends. */
const debianApp = ['ADD rootfs.tar.xz /', '-CMD ["bash"]'];

function dpkgStatus(packages: {name: string; section: string; depends?: string}[]): string {
	return packages
		.map(
			(entry) =>
				`Package: ${entry.name}\nStatus: install ok installed\nSection: ${entry.section}\n${entry.depends ? `Depends: ${entry.depends}\n` : ''}`,
		)
		.join('\n');
}

test('findings on base-image files are split off and marked fromBase, with the fix that works: another base', () => {
	const input = ruleInput({
		instructions: [...debianApp, 'RUN apt-get install -y libssl-dev'],
		evidence: {
			'var/lib/dpkg/status': dpkgStatus([
				{name: 'libc6-dev', section: 'libdevel'},
				{name: 'libssl-dev', section: 'libdevel'},
			]),
			'var/lib/dpkg/info/libc6-dev:amd64.list': '/.\n/usr\n/usr/include/stdio.h\n',
			'var/lib/dpkg/info/libssl-dev:amd64.list': '/.\n/usr\n/usr/include/openssl/ssl.h\n',
		},
		files: [finalFile('usr/include/stdio.h', 3000, 0), finalFile('usr/include/openssl/ssl.h', 5000, 1)],
	});
	const devel = byRule(findFindings(input), 'LL-BUILD-DEB-DEVEL');
	assert.equal(devel.length, 2);
	const own = devel.find((finding) => !finding.fromBase)!;
	const base = devel.find((finding) => finding.fromBase)!;
	assert.deepEqual(own.paths, ['usr/include/openssl/ssl.h']);
	assert.equal(own.fromBase, undefined);
	assert.deepEqual(base.paths, ['usr/include/stdio.h']);
	assert.equal(base.fromBase, true);
	assert.match(base.fix, /^From the base image: choose another base image/);
});

test('with a Dockerfile the base layers are given exactly, and override the history guess', () => {
	// No CMD marks the base in this history: the guess takes only layer 0 as the base.
	const input = ruleInput({
		instructions: ['ADD rootfs.tar.xz /', 'RUN apt-get update && apt-get install -y gcc', 'COPY . /app'],
		files: [finalFile('tmp/build.log', 100, 1)],
	});
	assert.equal(byRule(findFindings(input), 'LL-CACHE-TMP')[0]?.fromBase, undefined);
	// The Dockerfile's final stage made only layer 2: layers 0 and 1 are the base image's.
	const baseLayers = baseLayersOfMapping({lines: [undefined, undefined, 3]});
	assert.deepEqual([...baseLayers!], [0, 1]);
	assert.deepEqual(byRule(findFindings(input, {baseLayers: baseLayers!}), 'LL-CACHE-TMP'), []);
	// A mapping that failed says nothing: the caller keeps the history's guess.
	assert.equal(baseLayersOfMapping({lines: [undefined, undefined, undefined], mismatch: 'no'}), undefined);
});

test("LL-WASTE-DUPLICATE: only copies the app's layers made, not package files, base files, hard links, setuid or skel", () => {
	// Which files share content is the engine's `waste.duplicates` below; final files carry no hash.
	const input = ruleInput({
		instructions: [
			...debianApp,
			'RUN useradd -m app && cp /usr/bin/tool /usr/local/bin/tool2',
			'COPY . /app',
		],
		evidence: {
			// Listed as /lib: on a usr-merged system the file is usr/lib/…
			'var/lib/dpkg/info/libfoo.list':
				'/lib\n/lib/x86_64-linux-gnu/libfoo.so.1\n/lib/x86_64-linux-gnu/libfoo-copy.so.1\n',
		},
		files: [
			finalFile('lib', 0, 0, {type: 'symlink', linkTarget: 'usr/lib'}),
			// The base image's own duplicates (Debian's doc copies).
			finalFile('usr/share/doc/a/copyright', 5000, 0),
			finalFile('usr/share/doc/b/copyright', 5000, 0),
			// A package installed two identical files in the app's layer.
			finalFile('usr/lib/x86_64-linux-gnu/libfoo.so.1', 7000, 2),
			finalFile('usr/lib/x86_64-linux-gnu/libfoo-copy.so.1', 7000, 2),
			// useradd -m copies /etc/skel into the home: on purpose.
			finalFile('etc/skel/.bashrc', 3500, 0),
			finalFile('home/app/.bashrc', 3500, 2),
			// A setuid copy: a symlink in its place would lose the bit.
			finalFile('usr/bin/tool', 9000, 0),
			finalFile('usr/local/bin/tool-suid', 9000, 2, {mode: 0o4755}),
			// The app's own copy of a base file: reported, and the base file is the one that stays.
			finalFile('usr/local/bin/tool2', 9000, 2),
			// Two copies the app's COPY made: one stays, one is reported.
			finalFile('app/data/a.bin', 4096, 3),
			finalFile('app/data/b.bin', 4096, 3),
			// Two tiny copies (`export {};` in two compiled modules): under 4 KiB, not worth a finding.
			finalFile('app/dist/a.js', 11, 3),
			finalFile('app/dist/b.js', 11, 3),
		],
		waste: {
			duplicates: [
				{
					hash: 'doc',
					sizeBytes: 5000,
					paths: ['usr/share/doc/a/copyright', 'usr/share/doc/b/copyright'],
					duplicateBytes: 5000,
				},
				{
					hash: 'lib',
					sizeBytes: 7000,
					paths: ['usr/lib/x86_64-linux-gnu/libfoo-copy.so.1', 'usr/lib/x86_64-linux-gnu/libfoo.so.1'],
					duplicateBytes: 7000,
				},
				{
					hash: 'bashrc',
					sizeBytes: 3500,
					paths: ['etc/skel/.bashrc', 'home/app/.bashrc'],
					duplicateBytes: 3500,
				},
				{
					hash: 'tool',
					sizeBytes: 9000,
					paths: ['usr/bin/tool', 'usr/local/bin/tool-suid', 'usr/local/bin/tool2'],
					duplicateBytes: 18000,
				},
				{hash: 'data', sizeBytes: 4096, paths: ['app/data/a.bin', 'app/data/b.bin'], duplicateBytes: 4096},
				{hash: 'tiny', sizeBytes: 11, paths: ['app/dist/a.js', 'app/dist/b.js'], duplicateBytes: 11},
			],
		},
	});
	const [duplicate, ...others] = byRule(findFindings(input), 'LL-WASTE-DUPLICATE');
	assert.equal(others.length, 0);
	assert.deepEqual(duplicate!.paths, ['app/data/b.bin', 'usr/local/bin/tool2']);
	assert.equal(duplicate!.bytes, 9000 + 4096);
	assert.deepEqual(
		duplicate!.groups.map((group) => group.path),
		['usr/bin/tool', 'app/data/a.bin'],
	);
	assert.match(duplicate!.evidence[0]!, /^layer mechanics: 2 files have/);
});

test('LL-WASTE-DUPLICATE: nothing on an image whose duplicates are all the base image’s', () => {
	const input = ruleInput({
		instructions: [...debianApp, 'COPY app /app'],
		files: [
			finalFile('usr/share/doc/a/copyright', 5000, 0),
			finalFile('usr/share/doc/b/copyright', 5000, 0),
			finalFile('app/x', 10, 1),
		],
		waste: {
			duplicates: [
				{
					hash: 'doc',
					sizeBytes: 5000,
					paths: ['usr/share/doc/a/copyright', 'usr/share/doc/b/copyright'],
					duplicateBytes: 5000,
				},
			],
		},
	});
	assert.deepEqual(byRule(findFindings(input), 'LL-WASTE-DUPLICATE'), []);
});

test("Debian's Go toolchain is one package-level finding (not its *.a files as headers), unless the container runs go", () => {
	const list = (name: string, paths: string[]) => [
		`var/lib/dpkg/info/${name}.list`,
		['/.', ...paths.map((path) => `/${path}`)].join('\n'),
	];
	const goFiles = [
		'usr/lib/go-1.19/bin/go',
		'usr/lib/go-1.19/pkg/linux_amd64/fmt.a',
		'usr/lib/go-1.19/pkg/tool/linux_amd64/compile',
	];
	const srcFiles = [
		'usr/share/go-1.19/src/fmt/print.go',
		'usr/share/go-1.19/src/crypto/tls/testdata/example-key.pem',
	];
	const evidence = Object.fromEntries([
		[
			'var/lib/dpkg/status',
			dpkgStatus([
				{name: 'golang-go', section: 'golang', depends: 'golang-1.19-go'},
				{name: 'golang-1.19-go', section: 'golang', depends: 'golang-1.19-src'},
				{name: 'golang-1.19-src', section: 'golang'},
				{name: 'libc6', section: 'libs'},
			]),
		],
		list('golang-go', ['usr/bin/go']),
		list('golang-1.19-go', goFiles),
		list('golang-1.19-src', srcFiles),
	]);
	const files = [
		finalFile('usr/bin/go', 0, 1, {type: 'symlink', linkTarget: '../lib/go-1.19/bin/go'}),
		...goFiles.map((path) => finalFile(path, 100_000, 1)),
		...srcFiles.map((path) => finalFile(path, 1000, 1)),
		finalFile('usr/local/bin/hello', 2_000_000, 2, {mode: 0o755}),
	];
	const instructions = [
		...debianApp,
		'RUN apt-get install -y golang-go',
		'RUN go build -o /usr/local/bin/hello .',
	];
	const findings = findFindings(
		ruleInput({instructions, evidence, files, config: {cmd: ['/usr/local/bin/hello']}}),
	);
	const [go, ...more] = byRule(findings, 'LL-BUILD-GO-TOOLCHAIN');
	assert.equal(more.length, 0);
	assert.equal(go!.category, 'build-only');
	assert.equal(go!.paths.length, 6);
	assert.equal(go!.bytes, 302_000);
	assert.match(go!.evidence[0]!, /golang-go, golang-1\.19-go, golang-1\.19-src/);
	assert.deepEqual(byRule(findings, 'LL-BUILD-HEADERS'), []);
	// Go's own test keys are the distribution's, not a leak.
	assert.deepEqual(
		findings.filter((finding) => finding.category === 'secret'),
		[],
	);

	const runsGo = findFindings(ruleInput({instructions, evidence, files, config: {cmd: ['go', 'run', '.']}}));
	assert.deepEqual(byRule(runsGo, 'LL-BUILD-GO-TOOLCHAIN'), []);
});

test('JDK packages are build-only next to the JRE they depend on; rustc and cargo too; python3-dev is a -dev package', () => {
	const input = ruleInput({
		instructions: [...debianApp, 'RUN apt-get install -y openjdk-17-jdk-headless rustc cargo python3-dev'],
		config: {cmd: ['java', '-jar', '/app/app.jar']},
		evidence: {
			'var/lib/dpkg/status': dpkgStatus([
				{name: 'openjdk-17-jdk-headless', section: 'java', depends: 'openjdk-17-jre-headless'},
				{name: 'openjdk-17-jre-headless', section: 'java'},
				{name: 'rustc', section: 'rust'},
				{name: 'cargo', section: 'rust', depends: 'rustc'},
				{name: 'python3-dev', section: 'python'},
			]),
			'var/lib/dpkg/info/openjdk-17-jdk-headless:amd64.list':
				'/usr/lib/jvm/java-17-openjdk-amd64/bin/javac\n/usr/lib/jvm/java-17-openjdk-amd64/jmods/java.base.jmod\n',
			'var/lib/dpkg/info/openjdk-17-jre-headless:amd64.list': '/usr/lib/jvm/java-17-openjdk-amd64/bin/java\n',
			'var/lib/dpkg/info/rustc.list': '/usr/bin/rustc\n',
			'var/lib/dpkg/info/cargo.list': '/usr/bin/cargo\n',
			'var/lib/dpkg/info/python3-dev.list': '/usr/include/python3.11/Python.h\n',
		},
		files: [
			finalFile('usr/lib/jvm/java-17-openjdk-amd64/bin/javac', 100, 1),
			finalFile('usr/lib/jvm/java-17-openjdk-amd64/jmods/java.base.jmod', 20_000, 1),
			finalFile('usr/lib/jvm/java-17-openjdk-amd64/bin/java', 100, 1),
			finalFile('usr/bin/rustc', 5000, 1),
			finalFile('usr/bin/cargo', 6000, 1),
			finalFile('usr/include/python3.11/Python.h', 300, 1),
		],
	});
	const findings = findFindings(input);
	assert.deepEqual(byRule(findings, 'LL-BUILD-JDK')[0]?.paths, [
		'usr/lib/jvm/java-17-openjdk-amd64/bin/javac',
		'usr/lib/jvm/java-17-openjdk-amd64/jmods/java.base.jmod',
	]);
	assert.deepEqual(byRule(findings, 'LL-BUILD-RUST-TOOLCHAIN')[0]?.paths, ['usr/bin/cargo', 'usr/bin/rustc']);
	assert.deepEqual(byRule(findings, 'LL-BUILD-DEB-DEVEL')[0]?.paths, ['usr/include/python3.11/Python.h']);
	assert.ok(
		!findings.some((finding) => finding.paths.includes('usr/lib/jvm/java-17-openjdk-amd64/bin/java')),
	);
});

test('LL-BUILD-DEB-DEVEL lists no usr-merge symlink and finds the files dpkg lists under /lib in usr/lib', () => {
	const input = ruleInput({
		instructions: [...debianApp, 'RUN apt-get install -y libc6-dev'],
		evidence: {
			'var/lib/dpkg/status': dpkgStatus([{name: 'libc6-dev', section: 'libdevel'}]),
			'var/lib/dpkg/info/libc6-dev:amd64.list':
				'/.\n/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libc_nonshared.a\n/usr\n/usr/include\n/usr/include/stdio.h\n',
		},
		files: [
			finalFile('lib', 0, 0, {type: 'symlink', linkTarget: 'usr/lib'}),
			finalFile('usr/lib/x86_64-linux-gnu/libc_nonshared.a', 8000, 1),
			finalFile('usr/include/stdio.h', 3000, 1),
		],
	});
	const [devel] = byRule(findFindings(input), 'LL-BUILD-DEB-DEVEL');
	assert.deepEqual(devel!.paths, ['usr/include/stdio.h', 'usr/lib/x86_64-linux-gnu/libc_nonshared.a']);
});

test('LL-WASTE-DELETED: fix texts follow the cause; the base image’s apt lists are never a .dockerignore matter', () => {
	const input = ruleInput({
		instructions: [
			...debianApp,
			'COPY . /app',
			'RUN rm -rf /var/lib/apt/lists/* /app/big.log',
			'RUN make',
			'RUN rm /app/out.o',
		],
		waste: {
			items: [
				item('var/lib/apt/lists/deb_main', 9000, 'deleted', 0, 2),
				item('app/big.log', 5000, 'deleted', 1, 2),
				item('app/out.o', 700, 'deleted', 3, 4),
			],
		},
	});
	const deleted = findFindings(input).filter((finding) => finding.ruleId.startsWith('LL-WASTE-'));
	const lists = deleted.find((finding) => finding.paths.includes('var/lib/apt/lists/deb_main'))!;
	assert.equal(lists.ruleId, 'LL-WASTE-DELETED');
	assert.equal(lists.fromBase, true);
	assert.doesNotMatch(lists.fix, /dockerignore/);
	assert.match(lists.fix, /^From the base image: these files came with it/);
	const copied = deleted.find((finding) => finding.paths.includes('app/big.log'))!;
	assert.equal(copied.fromBase, undefined);
	assert.match(copied.fix, /\.dockerignore/);
	const built = deleted.find((finding) => finding.paths.includes('app/out.o'))!;
	assert.equal(built.ruleId, 'LL-WASTE-LATE-CLEANUP');
	assert.doesNotMatch(built.fix, /dockerignore/);
});

test('a copy-up by `npm install` rewriting the lockfile is told to use npm ci, a chmod copy-up COPY --chown/--chmod', () => {
	const input = ruleInput({
		instructions: [...debianApp, 'COPY . /app', 'RUN npm install', 'RUN chmod 600 /app/secret.conf'],
		waste: {
			items: [
				item('app/package-lock.json', 40_000, 'overwritten', 1, 2, true),
				item('app/package.json', 800, 'overwritten', 1, 2, true),
				item('app/secret.conf', 100, 'overwritten', 1, 3, true),
			],
		},
	});
	const copyUps = byRule(findFindings(input), 'LL-WASTE-COPY-UP');
	const npm = copyUps.find((finding) => finding.paths.includes('app/package-lock.json'))!;
	assert.deepEqual(npm.paths, ['app/package-lock.json', 'app/package.json']);
	assert.match(npm.fix, /npm ci/);
	assert.doesNotMatch(npm.fix, /--chown|--chmod/);
	const chmod = copyUps.find((finding) => finding.paths.includes('app/secret.conf'))!;
	assert.match(chmod.fix, /COPY --chown\/--chmod/);
});

test('secrets: public certificates, package-owned keys and toolchain test data are not secrets; a private key is', () => {
	const input = ruleInput({
		instructions: [...debianApp, 'COPY . /app'],
		evidence: {'var/lib/dpkg/info/ssl-cert.list': '/etc/ssl-cert/snakeoil.key\n'},
		files: [
			finalFile('etc/ssl/certs/ca-certificates.crt', 200_000, 0),
			finalFile('usr/share/ca-certificates/mozilla/ISRG_Root_X1.pem', 2000, 0),
			finalFile('etc/ssl-cert/snakeoil.key', 1700, 1),
			finalFile('usr/local/go/src/crypto/tls/testdata/example-key.pem', 300, 1),
			finalFile('app/certs/fullchain.pem', 3000, 1),
			finalFile('app/certs/ca.pem', 1000, 1),
			finalFile('app/certs/privkey.pem', 1700, 1),
		],
	});
	const secrets = findFindings(input).filter((finding) => finding.category === 'secret');
	assert.deepEqual(
		secrets.flatMap((finding) => finding.paths),
		['app/certs/privkey.pem'],
	);
});

test('evidence counts are the counts of the listed paths (base-image caches are left out before counting)', () => {
	const input = ruleInput({
		instructions: [...debianApp, 'RUN apt-get update && apt-get install -y curl'],
		files: [
			finalFile('var/log/apt/history.log', 100, 0),
			finalFile('var/log/apt/term.log', 100, 1),
			finalFile('var/log/dpkg.log', 100, 1),
		],
	});
	const [logs] = byRule(findFindings(input), 'LL-CACHE-TMP');
	assert.equal(logs!.paths.length, 2);
	assert.equal(
		logs!.evidence[0],
		'path pattern: 2 files in the standard Temporary files and package-manager logs location',
	);
});

test('the suggested .dockerignore keeps what the build reads: tests when a RUN runs them, .git when a RUN calls git', () => {
	const files = [
		finalFile('app/main.go', 100, 1),
		finalFile('app/main_test.go', 100, 1),
		finalFile('app/tests/fixture.json', 100, 1),
		finalFile('app/.git/HEAD', 20, 1),
		finalFile('app/hello', 2_000_000, 2, {mode: 0o755}),
	];
	const lines = (build: string) => {
		const input = ruleInput({
			instructions: [...debianApp, 'COPY . .', build],
			config: {workingDir: '/app', cmd: ['./hello']},
			files,
		});
		return dockerignoreLines(createRuleContext(input), findFindings(input));
	};

	assert.deepEqual(lines('RUN go build -o hello .'), ['.git', 'main_test.go', 'tests']);
	assert.deepEqual(lines('RUN go test ./... && go build -o hello .'), ['.git']);
	assert.deepEqual(lines('RUN go build -ldflags "-X main.v=$(git describe)" -o hello .'), [
		'main_test.go',
		'tests',
	]);
});

test('app-file rules read only the app’s layers: a WORKDIR the base set and the Go module cache are not the app', () => {
	const input = ruleInput({
		instructions: [
			'ADD rootfs.tar.xz /',
			'RUN install go',
			'-WORKDIR /go',
			'-CMD ["bash"]',
			'COPY . /go/src/app',
			'RUN go build -o /usr/local/bin/app ./src/app',
		],
		config: {workingDir: '/go', cmd: ['/usr/local/bin/app']},
		files: [
			finalFile('go/pkg/mod/github.com/x/y@v1/y_test.go', 100, 3),
			finalFile('go/bin/tool_test.go', 100, 1),
			finalFile('go/src/app/main_test.go', 100, 2),
			finalFile('usr/local/bin/app', 1000, 3, {mode: 0o755}),
		],
	});
	assert.deepEqual(byRule(findFindings(input), 'LL-BUILD-TESTS')[0]?.paths, ['go/src/app/main_test.go']);
});

test("bytes the base image's own layers hid are its history, not a finding of this image", () => {
	const input = ruleInput({
		instructions: ['ADD rootfs.tar.xz /', 'RUN useradd node', '-CMD ["node"]', 'COPY . /app'],
		files: [finalFile('app/server.js', 100, 2)],
		waste: {items: [item('etc/passwd', 900, 'overwritten', 0, 1)]},
	});
	assert.deepEqual(
		findFindings(input).filter((finding) => finding.category === 'waste'),
		[],
	);
});

test('bookkeeping an install rewrites (dpkg status over the base’s) and etc/ configs copied from a package template are no finding', () => {
	const input = ruleInput({
		instructions: [...debianApp, 'RUN apt-get install -y libreadline8', 'COPY . /app'],
		evidence: {'var/lib/dpkg/info/readline-common.list': '/usr/share/readline/inputrc\n'},
		files: [
			finalFile('var/lib/dpkg/status', 90_000, 1),
			finalFile('usr/share/readline/inputrc', 1875, 1),
			finalFile('etc/inputrc', 1875, 1),
			finalFile('app/x', 10, 2),
		],
		waste: {
			items: [item('var/lib/dpkg/status', 80_000, 'overwritten', 0, 1)],
			duplicates: [
				{
					hash: 'inputrc',
					sizeBytes: 1875,
					paths: ['etc/inputrc', 'usr/share/readline/inputrc'],
					duplicateBytes: 1875,
				},
			],
		},
	});
	assert.deepEqual(
		findFindings(input).filter((finding) => finding.category === 'waste'),
		[],
	);
});
