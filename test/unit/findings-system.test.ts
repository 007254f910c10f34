import assert from 'node:assert/strict';
import {test} from 'node:test';
import {findFindings} from '../../source/analysis/findings/index.js';
import {finalFile, ruleInput} from '../helpers/rule-input.js';

const dpkgStatus = `Package: libc6
Status: install ok installed
Section: libs
Depends: libgcc-s1

Package: gcc-12
Status: install ok installed
Section: devel
Depends: cpp-12 (= 12.2.0-14), libc6 (>= 2.36)

Package: make
Status: install ok installed
Section: devel

Package: libssl-dev
Status: install ok installed
Section: libdevel
Description: SSL development files
 with a continuation line

Package: libpq-dev
Status: install ok installed
Section: libdevel

Package: psycopg-runtime
Status: install ok installed
Section: python
Depends: libpq-dev

Package: removed-dev
Status: deinstall ok config-files
Section: libdevel
`;

test('Debian: devel packages from dpkg status with their .list files; a runtime dependency keeps its -dev package', () => {
	const input = ruleInput({
		instructions: ['ADD rootfs.tar.xz /', 'RUN apt-get update && apt-get install -y gcc-12 make libssl-dev'],
		evidence: {
			'var/lib/dpkg/status': dpkgStatus,
			'var/lib/dpkg/info/gcc-12:amd64.list':
				'/.\n/usr\n/usr/bin/gcc-12\n/usr/lib/gcc/x86_64-linux-gnu/12/cc1\n',
			'var/lib/dpkg/info/make.list': '/usr/bin/make\n',
			'var/lib/dpkg/info/libssl-dev:amd64.list':
				'/usr/include/openssl/ssl.h\n/usr/lib/x86_64-linux-gnu/libssl.a\n',
			'var/lib/dpkg/info/libpq-dev.list': '/usr/include/postgresql/libpq-fe.h\n',
		},
		files: [
			finalFile('usr/bin/gcc-12', 1000, 1),
			finalFile('usr/lib/gcc/x86_64-linux-gnu/12/cc1', 30_000, 1),
			finalFile('usr/bin/make', 250, 1),
			finalFile('usr/include/openssl/ssl.h', 100, 1),
			finalFile('usr/lib/x86_64-linux-gnu/libssl.a', 900, 1),
			finalFile('usr/include/postgresql/libpq-fe.h', 40, 1),
			finalFile('usr/include/zlib.h', 60, 1),
			finalFile('usr/lib/x86_64-linux-gnu/libc.so.6', 2000, 0),
			finalFile('var/lib/apt/lists/deb.debian.org_dists_bookworm_main_binary-amd64_Packages.lz4', 8000, 1),
			finalFile('var/lib/apt/lists/lock', 0, 1),
			finalFile('var/cache/apt/archives/gcc-12.deb', 500, 1),
			finalFile('var/cache/apt/pkgcache.bin', 300, 1),
			finalFile('var/cache/apt/archives/lock', 0, 1),
		],
	});
	const findings = findFindings(input);
	assert.deepEqual(
		findings.map((finding) => [finding.ruleId, finding.bytes, finding.confidence]),
		[
			['LL-BUILD-DEB-DEVEL', 32_250, 'high'],
			['LL-CACHE-APT-LISTS', 8000, 'high'],
			['LL-CACHE-APT', 800, 'high'],
			['LL-BUILD-HEADERS', 100, 'medium'],
		],
	);
	const devel = findings[0]!;
	assert.deepEqual(devel.groups, [
		{path: 'gcc-12 (deb package)', count: 2, bytes: 31_000},
		{path: 'libssl-dev (deb package)', count: 2, bytes: 1000},
		{path: 'make (deb package)', count: 1, bytes: 250},
	]);
	assert.match(
		devel.evidence[0]!,
		/^package database: var\/lib\/dpkg\/status lists gcc-12, make, libssl-dev/,
	);
	assert.match(devel.evidence[1]!, /kept libpq-dev \(needed by psycopg-runtime\)/);
	// Path patterns only get what the package database did not explain.
	assert.deepEqual(findings[3]!.paths, ['usr/include/postgresql/libpq-fe.h', 'usr/include/zlib.h']);
	assert.deepEqual(findings[1]!.paths, [
		'var/lib/apt/lists/deb.debian.org_dists_bookworm_main_binary-amd64_Packages.lz4',
	]);
});

test('guard: headers that all come with the base image are not reported from their paths alone', () => {
	const input = ruleInput({
		instructions: ['ADD rootfs.tar.xz /', 'RUN install-node', '-CMD ["node"]', 'WORKDIR /app', 'COPY . .'],
		files: [finalFile('usr/local/include/node/node.h', 3000, 1), finalFile('app/server.js', 100, 3)],
		config: {workingDir: '/app', cmd: ['node', 'server.js']},
	});
	assert.deepEqual(findFindings(input), []);
});

test('Alpine: a leftover .build-deps virtual package, other -dev packages, and the apk cache', () => {
	const installed = `P:musl
V:1.2.4
R:ld-musl-x86_64.so.1

P:gcc
D:binutils libgcc
F:usr/bin
R:gcc

P:binutils
F:usr/bin
R:ld

P:.build-deps
D:gcc binutils

P:zlib-dev
F:usr/include
R:zlib.h
`;
	const input = ruleInput({
		instructions: [
			'ADD alpine-minirootfs.tar.gz /',
			'RUN apk add --virtual .build-deps gcc binutils && apk add zlib-dev',
		],
		evidence: {'lib/apk/db/installed': installed, 'etc/apk/world': 'musl\n.build-deps\nzlib-dev\n'},
		files: [
			finalFile('usr/bin/gcc', 700, 1),
			finalFile('usr/bin/ld', 300, 1),
			finalFile('usr/include/zlib.h', 50, 1),
			finalFile('var/cache/apk/APKINDEX.abc.tar.gz', 400, 1),
			finalFile('ld-musl-x86_64.so.1', 600, 0),
		],
	});
	const findings = findFindings(input);
	assert.deepEqual(
		findings.map((finding) => [finding.ruleId, finding.bytes, finding.confidence]),
		[
			['LL-BUILD-APK-VIRTUAL', 1000, 'high'],
			['LL-CACHE-APK', 400, 'high'],
			['LL-BUILD-APK-DEVEL', 50, 'medium'],
		],
	);
	assert.match(findings[0]!.fix, /apk del \.build-deps/);
	assert.match(findings[0]!.evidence[0]!, /lib\/apk\/db\/installed and etc\/apk\/world/);
});

test('Python: pip, poetry and uv caches, low-confidence bytecode, wheels and build directories', () => {
	const input = ruleInput({
		instructions: ['ADD rootfs.tar.xz /', 'WORKDIR /srv', 'COPY . .', 'RUN pip install .'],
		config: {workingDir: '/srv', cmd: ['python', 'main.py']},
		files: [
			finalFile('srv/main.py', 100, 2),
			finalFile('srv/build/lib/app/__init__.py', 80, 3),
			finalFile('srv/app.egg-info/PKG-INFO', 20, 3),
			finalFile('srv/dist/app-1.0-py3-none-any.whl', 500, 3),
			finalFile('root/.cache/pip/wheels/ab/cd/numpy.whl', 9000, 3),
			finalFile('root/.cache/pypoetry/cache/x', 700, 3),
			finalFile('root/.cache/uv/archive/y', 600, 3),
			finalFile('usr/local/lib/python3.12/site-packages/app/__pycache__/m.cpython-312.pyc', 40, 3),
			finalFile('usr/local/include/python3.12/Python.h', 300, 3),
		],
	});
	assert.deepEqual(
		findFindings(input).map((finding) => [finding.ruleId, finding.bytes, finding.confidence]),
		[
			['LL-CACHE-PIP', 9000, 'high'],
			['LL-CACHE-POETRY', 700, 'high'],
			// Equal bytes sort by rule id.
			['LL-BUILD-PY-ARTIFACTS', 600, 'medium'],
			['LL-CACHE-UV', 600, 'high'],
			['LL-BUILD-HEADERS', 300, 'medium'],
			['LL-CACHE-PYCACHE', 40, 'low'],
		],
	);
});

const goFiles = [
	finalFile('usr/local/go/bin/go', 12_000, 0, {mode: 0o755}),
	finalFile('usr/local/go/pkg/tool/linux_amd64/compile', 20_000, 0, {mode: 0o755}),
	finalFile('usr/local/go/src/fmt/print.go', 500, 0),
	finalFile('root/.cache/go-build/aa/bb-d', 3000, 3),
	finalFile('go/pkg/mod/github.com/x/y@v1/y.go', 400, 3),
	finalFile('src/app/main.go', 90, 2),
	finalFile('src/app/go.mod', 10, 2),
	finalFile('src/app/server', 8000, 3, {mode: 0o755}),
];

test('Go: the toolchain, caches and sources next to a built binary', () => {
	const input = ruleInput({
		instructions: ['ADD rootfs.tar.xz /', 'WORKDIR /src/app', 'COPY . .', 'RUN go build -o server .'],
		config: {workingDir: '/src/app', cmd: ['./server']},
		files: goFiles,
	});
	assert.deepEqual(
		findFindings(input).map((finding) => [finding.ruleId, finding.bytes, finding.confidence]),
		[
			['LL-BUILD-GO-TOOLCHAIN', 32_500, 'high'],
			['LL-CACHE-GO', 3400, 'high'],
			['LL-BUILD-GO-SOURCES', 100, 'high'],
		],
	);
});

test('guard: `go run` makes the Go toolchain runtime', () => {
	const input = ruleInput({config: {workingDir: '/src/app', cmd: ['go', 'run', '.']}, files: goFiles});
	const ruleIds = findFindings(input).map((finding) => finding.ruleId);
	assert.deepEqual(ruleIds, ['LL-CACHE-GO']);
});

test('Java: jmods, src.zip, javac and headers of a JDK, plus Maven and Gradle caches', () => {
	const jdk = 'opt/java/openjdk';
	const input = ruleInput({
		config: {cmd: ['java', '-jar', '/app/app.jar']},
		files: [
			finalFile(`${jdk}/bin/java`, 100, 0, {mode: 0o755}),
			finalFile(`${jdk}/bin/javac`, 100, 0, {mode: 0o755}),
			finalFile(`${jdk}/jmods/java.base.jmod`, 20_000, 0),
			finalFile(`${jdk}/lib/src.zip`, 50_000, 0),
			finalFile(`${jdk}/include/jni.h`, 200, 0),
			finalFile(`${jdk}/lib/modules`, 130_000, 0),
			finalFile('root/.m2/repository/org/x/x.jar', 7000, 2),
			finalFile('root/.gradle/caches/modules-2/y.jar', 6000, 2),
			finalFile('app/app.jar', 30_000, 3),
		],
	});
	assert.deepEqual(
		findFindings(input).map((finding) => [finding.ruleId, finding.bytes]),
		[
			['LL-BUILD-JDK', 70_300],
			['LL-CACHE-MAVEN', 7000],
			['LL-CACHE-GRADLE', 6000],
		],
	);
});

test('secrets by name, with trust stores, examples and public keys left alone', () => {
	const input = ruleInput({
		config: {workingDir: '/app'},
		files: [
			finalFile('app/.env', 30, 1),
			finalFile('app/.env.production', 40, 1),
			finalFile('app/.env.example', 40, 1),
			finalFile('root/.ssh/id_rsa', 1700, 1),
			finalFile('root/.ssh/id_rsa.pub', 400, 1),
			finalFile('root/.aws/credentials', 100, 1),
			finalFile('app/certs/server.key', 1600, 1),
			finalFile('etc/ssl/certs/ca-certificates.pem', 200_000, 0),
			finalFile('app/node_modules/x/test/fixture.pem', 900, 1),
		],
	});
	assert.deepEqual(
		findFindings(input).map((finding) => [
			finding.ruleId,
			finding.category,
			finding.confidence,
			finding.paths,
		]),
		[
			['LL-SECRET-SSH-KEY', 'secret', 'high', ['root/.ssh/id_rsa']],
			['LL-SECRET-KEY-FILE', 'secret', 'low', ['app/certs/server.key']],
			['LL-SECRET-CREDENTIALS', 'secret', 'high', ['root/.aws/credentials']],
			['LL-SECRET-ENV', 'secret', 'medium', ['app/.env', 'app/.env.production']],
		],
	);
});

test('temporary files and package-manager logs, but not the logs of services', () => {
	const input = ruleInput({
		instructions: ['ADD rootfs.tar.xz /', 'RUN apt-get install -y nginx && node build.js'],
		files: [
			finalFile('tmp/node-compile-cache/a.bin', 900, 1),
			finalFile('var/tmp/x', 100, 1),
			finalFile('var/log/dpkg.log', 50, 1),
			finalFile('var/log/apt/history.log', 30, 1),
			finalFile('var/log/nginx/access.log', 0, 1),
			finalFile('var/log/lastlog', 10, 1),
		],
	});
	const [temporary] = findFindings(input);
	assert.equal(temporary!.ruleId, 'LL-CACHE-TMP');
	assert.equal(temporary!.bytes, 1080);
	assert.deepEqual(
		temporary!.groups.map((group) => group.path),
		['tmp/', 'var/tmp/', 'var/log/', 'var/log/apt/'],
	);
});

test('caches that came with the base image are not findings of this image (its Dockerfile cannot remove them)', () => {
	const input = ruleInput({
		instructions: ['ADD rootfs.tar.xz /', '-CMD ["bash"]', 'RUN apt-get install -y curl'],
		files: [
			finalFile('var/log/dpkg.log', 50, 0),
			finalFile('var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease', 5000, 0),
			finalFile('var/lib/apt/lists/deb.debian.org_dists_bookworm_main_Packages.lz4', 9000, 1),
		],
	});
	const findings = findFindings(input);
	assert.deepEqual(
		findings.map((finding) => [finding.ruleId, finding.bytes]),
		[['LL-CACHE-APT-LISTS', 9000]],
	);
});
