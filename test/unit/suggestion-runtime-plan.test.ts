import assert from 'node:assert/strict';
import {test} from 'node:test';
import {indexPackages, packagesToInstall} from '../../source/analysis/closure/package-owners.js';
import {runtimeClosure} from '../../source/analysis/closure/runtime-closure.js';
import {findFindings} from '../../source/analysis/findings/index.js';
import {planRuntime} from '../../source/analysis/suggestion/runtime-plan.js';
import type {FinalFile} from '../../source/analysis/types.js';
import {dynamicElf, finalFile, ruleInput, symlinkFile} from '../helpers/rule-input.js';

const status = (packages: [name: string, depends: string][]) =>
	packages
		.map(([name, depends]) => `Package: ${name}\nStatus: install ok installed\nDepends: ${depends}\n`)
		.join('\n');

/**
A Debian base (layer 0: libc6, apt) and a naive Python layer (layer 1): python3.11 from packages, pip and gcc
beside it, apt's caches left behind; the app in layer 2.
*/
function pythonImage() {
	const files: FinalFile[] = [
		symlinkFile('lib', 'usr/lib'),
		symlinkFile('lib64', 'usr/lib64'),
		symlinkFile('usr/lib64/ld-linux-x86-64.so.2', '../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'),
		finalFile('usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', 200_000, 0),
		finalFile('usr/lib/x86_64-linux-gnu/libc.so.6', 2_000_000, 0),
		finalFile('usr/bin/apt-get', 20_000, 0, dynamicElf(['libc.so.6'])),
		finalFile('var/lib/dpkg/info/libc6:amd64.list', 10, 0),
		finalFile('var/lib/dpkg/info/python3.11-minimal.list', 10, 1),
		finalFile('var/lib/dpkg/info/libpython3.11-stdlib:amd64.list', 10, 1),
		finalFile('var/lib/dpkg/info/python3-pip.list', 10, 1),
		finalFile('var/lib/dpkg/info/gcc-12.list', 10, 1),
		finalFile('var/lib/dpkg/info/libexpat1:amd64.list', 10, 1),
		finalFile('var/lib/dpkg/info/python3.11-minimal.md5sums', 300, 1),
		finalFile('usr/bin/python3.11', 6_000_000, 1, dynamicElf(['libc.so.6', 'libexpat.so.1'])),
		symlinkFile('usr/bin/python3', 'python3.11', 1),
		finalFile('usr/lib/x86_64-linux-gnu/libexpat.so.1.8.10', 200_000, 1),
		symlinkFile('usr/lib/x86_64-linux-gnu/libexpat.so.1', 'libexpat.so.1.8.10', 1),
		finalFile('usr/lib/python3.11/os.py', 40_000, 1),
		finalFile('usr/lib/python3.11/__pycache__/os.cpython-311.pyc', 30_000, 1),
		finalFile('usr/lib/python3/dist-packages/pip/__init__.py', 9_000_000, 1),
		finalFile('usr/bin/gcc-12', 1_000_000, 1, dynamicElf(['libc.so.6'])),
		finalFile('var/cache/apt/pkgcache.bin', 40_000_000, 1),
		finalFile('app/greeter/__main__.py', 300, 2),
		finalFile('app/config.yaml', 50, 2),
	];
	const evidence = {
		'var/lib/dpkg/status': status([
			['libc6', 'libgcc-s1'],
			['python3.11-minimal', 'libpython3.11-stdlib (= 3.11.2-6), libexpat1 (>= 2.1~beta3), libc6'],
			['libpython3.11-stdlib', 'libc6'],
			['libexpat1', 'libc6'],
			['python3-pip', 'python3.11-minimal, ca-certificates | openssl'],
			['gcc-12', 'cpp-12, libc6'],
		]),
		'var/lib/dpkg/info/libc6:amd64.list':
			'/.\n/lib\n/lib/x86_64-linux-gnu/libc.so.6\n/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n',
		'var/lib/dpkg/info/python3.11-minimal.list': '/usr/bin/python3.11\n/usr/bin/python3\n',
		'var/lib/dpkg/info/libpython3.11-stdlib:amd64.list': '/usr/lib/python3.11\n/usr/lib/python3.11/os.py\n',
		'var/lib/dpkg/info/python3-pip.list': '/usr/lib/python3/dist-packages/pip/__init__.py\n',
		'var/lib/dpkg/info/gcc-12.list': '/usr/bin/gcc-12\n',
		'var/lib/dpkg/info/libexpat1:amd64.list':
			'/lib/x86_64-linux-gnu/libexpat.so.1.8.10\n/lib/x86_64-linux-gnu/libexpat.so.1\n',
	};
	const input = ruleInput({
		instructions: [
			'ADD rootfs.tar /',
			'-CMD ["bash"]',
			'RUN apt-get install -y python3 python3-pip gcc',
			'COPY <dir> /app',
			'-CMD ["python3","-m","greeter"]',
		],
		files,
		evidence,
		config: {cmd: ['python3', '-m', 'greeter'], workingDir: '/app', env: ['PATH=/usr/bin']},
	});
	input.layers[0]!.sizeBytes = 2_220_000;
	// The array itself, so a test can add files to it.
	return {...input, files};
}

test('dpkg lists are matched through usr-merge links; the base packages are told apart by the layer of their list', () => {
	const input = pythonImage();
	const index = indexPackages(input, new Set([0]));
	assert.equal(index.ownerOf.get('usr/lib/x86_64-linux-gnu/libc.so.6'), 'libc6');
	assert.equal(index.ownerOf.get('usr/lib/x86_64-linux-gnu/libexpat.so.1.8.10'), 'libexpat1');
	assert.deepEqual([...index.inBase], ['libc6']);
	// apt pulls Depends (alternatives as installed), never what the base already has.
	assert.deepEqual(packagesToInstall(index, ['python3.11-minimal']), [
		'libexpat1',
		'libpython3.11-stdlib',
		'python3.11-minimal',
	]);
});

test('a Python app: what the user installed stays unless a finding condemns it; gcc goes with its finding, the apt cache with its own', () => {
	const input = pythonImage();
	const closure = runtimeClosure(input);
	const findings = findFindings(input);
	const plan = planRuntime(input, findings, closure, new Set([0]), {
		explicitPackages: new Set(['python3', 'python3-pip', 'gcc']),
	});
	assert.equal(plan.packageManager, 'apt');
	// pip is not proven build-only by any finding: kept, and it pulls the interpreter and its libraries in.
	assert.deepEqual(plan.packages, ['python3-pip']);
	assert.deepEqual(plan.installedPackages, [
		'libexpat1',
		'libpython3.11-stdlib',
		'python3-pip',
		'python3.11-minimal',
	]);
	assert.deepEqual(
		plan.copies.map((copy) => copy.path),
		['app'],
	);
	assert.equal(plan.builderStageHelps, true);
	// Removed: gcc-12's file and its dpkg list by the toolchain finding, the apt cache by its own.
	assert.deepEqual(
		plan.projection.removed.map((part) => [part.ruleId, part.bytes]),
		[
			['LL-CACHE-APT', 40_000_000],
			['LL-BUILD-DEB-DEVEL', 1_000_000 + 10],
		],
	);
	// Everything else stays, and the lines add up to the final filesystem.
	const {parts, removed, finalBytes, bytes} = plan.projection;
	assert.equal(
		parts.reduce((sum, part) => sum + part.bytes, 0),
		bytes,
	);
	assert.equal(bytes + removed.reduce((sum, part) => sum + part.bytes, 0), finalBytes);
	assert.deepEqual(
		parts.map((part) => part.label),
		[
			'the base image',
			'4 packages reinstalled, with what their install writes (sizes as in this image)',
			'the app directory /app',
		],
	);
	assert.ok(plan.projection.low < plan.projection.bytes && plan.projection.high > plan.projection.bytes);
});

test('with no finding at all, every package the user installed is reinstalled and nothing is removed', () => {
	const input = pythonImage();
	const plan = planRuntime(input, [], runtimeClosure(input), new Set([0]));
	assert.deepEqual(plan.packages, ['gcc-12', 'python3-pip']);
	assert.deepEqual(plan.projection.removed, []);
	assert.equal(plan.projection.bytes, plan.projection.finalBytes);
	assert.equal(plan.builderStageHelps, false);
});

test("apt's autoremove: what only a purged package pulled in goes with it, even when a kept package recommends the purged one", () => {
	const input = pythonImage();
	// pip recommends gcc-12 (as Debian's recommends build-essential); gcc-12 pulled libasan8 in, automatically.
	input.evidence.set(
		'var/lib/dpkg/status',
		`${status([
			['libc6', 'libgcc-s1'],
			['python3.11-minimal', 'libpython3.11-stdlib (= 3.11.2-6), libexpat1 (>= 2.1~beta3), libc6'],
			['libpython3.11-stdlib', 'libc6'],
			['libexpat1', 'libc6'],
			['gcc-12', 'libasan8, libc6'],
			['libasan8', 'libc6'],
		])}\nPackage: python3-pip\nStatus: install ok installed\nDepends: python3.11-minimal\nRecommends: gcc-12\n`,
	);
	input.evidence.set('var/lib/dpkg/info/libasan8:amd64.list', '/usr/lib/x86_64-linux-gnu/libasan.so.8\n');
	input.evidence.set(
		'var/lib/apt/extended_states',
		['libasan8', 'python3.11-minimal', 'libpython3.11-stdlib', 'libexpat1']
			.map((name) => `Package: ${name}\nArchitecture: amd64\nAuto-Installed: 1\n`)
			.join('\n'),
	);
	input.files.push(
		finalFile('usr/lib/x86_64-linux-gnu/libasan.so.8', 500_000, 1),
		finalFile('var/lib/dpkg/info/libasan8:amd64.list', 10, 1),
	);
	const findings = findFindings(input);
	const plan = planRuntime(input, findings, runtimeClosure(input), new Set([0]), {
		explicitPackages: new Set(['python3-pip', 'gcc-12']),
	});
	assert.deepEqual(plan.packages, ['python3-pip']);
	assert.ok(!plan.installedPackages.includes('libasan8'), plan.installedPackages.join(', '));
	assert.ok(!plan.installedPackages.includes('gcc-12'));
	// libasan8's bytes are counted in the finding that condemned gcc-12: every removed byte has a finding.
	const devel = plan.projection.removed.find((part) => part.ruleId === 'LL-BUILD-DEB-DEVEL');
	assert.equal(devel?.bytes, 1_000_000 + 10 + 500_000 + 10);
	assert.ok(plan.notes.some((note) => /apt-get autoremove.*libasan8/.test(note)));
});

test('copies: the outermost directories that hold only copied files, with their owner; a path listed twice is placed as its later file', () => {
	const files: FinalFile[] = [
		finalFile('srv/base.txt', 5, 0),
		finalFile('srv/app/a/one.js', 10, 1, {uid: 1000, gid: 1000}),
		finalFile('srv/app/a/deep/two.js', 20, 1, {uid: 1000, gid: 1000}),
		finalFile('srv/app/b/three.js', 30, 1),
		finalFile('srv/app/b/four.js', 40, 1, {uid: 1000, gid: 1000}),
		finalFile('srv/app/c/five.js', 50, 1),
		finalFile('srv/app/c/six.js', 60, 1),
		// Listed again from the base layer: the later file decides, so srv/app/c is no longer only copies.
		finalFile('srv/app/c/five.js', 50, 0),
	];
	const input = ruleInput({
		instructions: ['ADD rootfs.tar /', 'COPY app /srv/app'],
		files,
		config: {cmd: ['node', 'srv/app/a/one.js']},
	});
	const plan = planRuntime(input, [], runtimeClosure(input), new Set([0]));
	assert.deepEqual(plan.copies, [
		{path: 'srv/app/a', chown: '1000:1000', bytes: 30},
		{path: 'srv/app/b', bytes: 70},
		{path: 'srv/app/c/six.js', bytes: 60},
	]);
	const {parts, removed, finalBytes, bytes} = plan.projection;
	assert.deepEqual(removed, []);
	assert.equal(bytes, finalBytes);
	assert.equal(
		parts.reduce((sum, part) => sum + part.bytes, 0),
		bytes,
	);
});
