import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {promisify} from 'node:util';
import {analyzeImage} from '../../source/analysis/analyze-image.js';
import {explicitlyInstalled} from '../../source/analysis/closure/package-owners.js';
import {
	layerPackageChanges,
	type PackageInventory,
	packageIndex,
} from '../../source/analysis/packages/index.js';
import {buildRuleInput, filesByPath, layerView} from '../../source/analysis/rule-input.js';
import {stackLayers} from '../../source/engine/index.js';
import {resolveImageSource} from '../../source/image/sources/open-source.js';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';

// Package attribution checked against the package managers themselves, run in a container of each
// fixture image: dpkg -S for every regular file, npm ls, pip show -f, gem contents, go version -m.

const execFileAsync = promisify(execFile);
const oracleFixtures = (process.env.LAYERLENS_PACKAGE_FIXTURES?.split(',') as
	| (typeof fixtureImages)[keyof typeof fixtureImages][]
	| undefined) ?? [
	fixtureImages.baseOnly,
	fixtureImages.naive,
	fixtureImages.python,
	fixtureImages.go,
	fixtureImages.c,
	fixtureImages.java,
	fixtureImages.ruby,
	fixtureImages.php,
	fixtureImages.perl,
	fixtureImages.multistage,
	fixtureImages.multistageLeaky,
	fixtureImages.data,
	fixtureImages.pythonBuildkit,
	fixtureImages.waste,
];
const availability = await dockerAvailability({images: oracleFixtures});
const skip = dockerSkip(availability);

async function docker(args: string[], timeout = 300_000): Promise<string> {
	const {stdout} = await execFileAsync('docker', args, {maxBuffer: 512 * 1024 * 1024, timeout});
	return stdout;
}

type Loaded = {
	inventory: PackageInventory;
	sizes: Map<string, number>;
	changes: ReturnType<typeof layerPackageChanges>;
	history: string[];
	layerOfHistory: (number | null)[];
};

async function analyse(image: string): Promise<Loaded> {
	const source = await resolveImageSource(image, {source: 'docker'});
	const raw = await source.load({});
	const stacked = stackLayers(raw.layers);
	const analysis = analyzeImage(raw, stacked);
	const input = buildRuleInput(analysis, raw);
	const inventory = packageIndex(input);
	const sizes = new Map([...input.files].map((file) => [file.path, file.type === 'file' ? file.size : 0]));
	const changes = layerPackageChanges(raw.layers, layerView(stacked), filesByPath(input), inventory);
	return {
		inventory,
		sizes,
		changes,
		history: analysis.history.map((entry) => entry.instruction),
		layerOfHistory: analysis.history.map((entry) => entry.layerIndex),
	};
}

/**
Every regular file of the container with its size and what `dpkg -S` says of it. On a usr-merged system dpkg
knows `/bin/ls` but not `/usr/bin/ls`, so each file below /usr/{bin,sbin,lib*} is asked for by both names.
*/
// biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own field syntax, not a template
const installedSizeFormat = '${Package}\\t${Installed-Size}\\n';
const dpkgScript = String.raw`
echo '#installed'; dpkg-query -W -f '${installedSizeFormat}' 2>/dev/null
echo '#files'
find / -xdev -type f -printf '%i\t%s\t%p\n' 2>/dev/null | sort -t"$(printf '\t')" -k3 > /tmp/files
cat /tmp/files
cut -f3 /tmp/files > /tmp/paths
sed -n 's#^/usr/\(bin\|sbin\|lib[^/]*\)/#/\1/#p' /tmp/paths >> /tmp/paths
echo '#owners'
tr '\n' '\0' < /tmp/paths | xargs -0 -n 500 dpkg -S 2>/dev/null | grep -v '^diversion by ' || true
`;

type DpkgOracle = {
	files: {inode: string; size: number; path: string}[];
	owners: Map<string, string[]>;
	/** dpkg's own estimate, in KiB, by package. */
	installedSize: Map<string, number>;
};

async function dpkgOracle(image: string): Promise<DpkgOracle> {
	const text = await docker([
		'run',
		'--rm',
		'--network',
		'none',
		'--entrypoint',
		'sh',
		image,
		'-c',
		dpkgScript,
	]);
	const [installedPart = '', rest = ''] = text.split('#files\n');
	const [filesPart = '', ownersPart = ''] = rest.split('#owners\n');
	const installedSize = new Map<string, number>();
	for (const line of installedPart.split('\n').slice(1)) {
		const [name, size] = line.split('\t');
		if (name && size) installedSize.set(name, Number(size));
	}

	const files = filesPart
		.split('\n')
		.filter(Boolean)
		.map((line) => {
			const [inode, size, path] = line.split('\t');
			return {inode: inode!, size: Number(size), path: path!.slice(1)};
		});
	const owners = new Map<string, string[]>();
	for (const line of ownersPart.split('\n')) {
		const match = /^(.+?): (\/.*)$/.exec(line);
		if (match === null) continue;
		let path = match[2]!.slice(1);
		if (/^(bin|sbin|lib[^/]*)\//.test(path)) path = `usr/${path}`;
		const names = match[1]!.split(', ').map((name) => name.replace(/:[^:]+$/, ''));
		owners.set(path, [...(owners.get(path) ?? []), ...names]);
	}

	return {files, owners, installedSize};
}

let workDir = '';
before(async () => {
	workDir = await mkdtemp(join(tmpdir(), 'layerlens-packages-'));
});
after(async () => {
	await rm(workDir, {recursive: true, force: true});
});

for (const image of oracleFixtures) {
	test(`${image}: dpkg -S agrees on ≥ 99 % of the dpkg-owned bytes, and each package's bytes are its files' bytes`, {
		skip,
		timeout: 600_000,
	}, async () => {
		assertDockerAvailable(availability);
		const [{inventory, sizes}, oracle] = await Promise.all([analyse(image), dpkgOracle(image)]);
		let attributed = 0;
		let agreed = 0;
		const disagreements: string[] = [];
		for (const file of oracle.files) {
			const owners = oracle.owners.get(file.path);
			if (owners === undefined) continue;
			attributed += file.size;
			const owner = inventory.ownerOf.get(file.path);
			const ours = owner === undefined ? undefined : inventory.packages[owner]!;
			if (ours?.ecosystem === 'deb' && owners.includes(ours.name)) agreed += file.size;
			else if (disagreements.length < 5)
				disagreements.push(`/${file.path}: dpkg ${owners.join(',')}, ours ${ours?.name}`);
		}

		if (attributed === 0) {
			// No dpkg in the image (busybox): nothing may be called a Debian package's.
			assert.equal(inventory.packages.filter((owned) => owned.ecosystem === 'deb').length, 0);
			return;
		}

		const share = agreed / attributed;
		console.log(
			`${image}: ${agreed}/${attributed} dpkg-attributed bytes agree (${(share * 100).toFixed(3)} %)`,
		);
		assert.ok(share >= 0.99, `${image}: ${(share * 100).toFixed(3)} %; ${disagreements.join('; ')}`);

		// Exact: each package's bytes are the sum of its files' sizes in the container (each inode once).
		const seenInodes = new Set<string>();
		const realSize = new Map<string, number>();
		for (const file of oracle.files) {
			realSize.set(file.path, seenInodes.has(file.inode) ? 0 : file.size);
			seenInodes.add(file.inode);
		}

		let total = 0;
		for (const owned of inventory.packages) {
			const real = owned.files.reduce((sum, path) => sum + (realSize.get(path) ?? 0), 0);
			const model = owned.files.reduce((sum, path) => sum + (sizes.get(path) ?? 0), 0);
			assert.equal(owned.bytes, model, `${owned.name}: bytes are its files' sizes`);
			assert.equal(owned.bytes, real, `${owned.name}: bytes equal the container's files`);
			total += owned.bytes;
		}

		assert.equal(total, inventory.ownedBytes);
		let estimate = 0;
		let onDisk = 0;
		for (const owned of inventory.packages) {
			const kib = oracle.installedSize.get(owned.name);
			if (owned.ecosystem !== 'deb' || kib === undefined) continue;
			estimate += kib * 1024;
			onDisk += owned.bytes;
		}

		console.log(`${image}: dpkg's Installed-Size says ${estimate} B, the files on disk are ${onDisk} B`);
	});
}

test('per layer: each RUN apt-get install layer installed the packages its command names', {
	skip,
	timeout: 600_000,
}, async () => {
	assertDockerAvailable(availability);
	let checked = 0;
	for (const image of oracleFixtures) {
		const {changes, history, layerOfHistory} = await analyse(image);
		for (const [index, createdBy] of history.entries()) {
			const asked = explicitlyInstalled([createdBy]);
			if (asked.size === 0) continue;
			const layer = layerOfHistory[index];
			assert.ok(layer !== undefined && layer !== null, `${image}: ${createdBy} made a layer`);
			const installed = new Set(
				changes.find((entry) => entry.layer === layer)?.installed.map((change) => change.name),
			);
			for (const name of asked) assert.ok(installed.has(name), `${image} layer ${layer} installed ${name}`);
			// Nothing of what the base had is installed again.
			const base = changes.find((entry) => entry.layer === 0)!;
			assert.ok(base.installed.length > 50, `${image}: the base layer installed Debian's minimal system`);
			checked++;
		}
	}

	console.log(`apt-get install layers checked: ${checked}`);
	assert.ok(checked >= Math.min(oracleFixtures.length - 2, 1));
});

test('npm: the naive fixture app/node_modules packages are npm ls --all', {
	skip,
	timeout: 600_000,
}, async (context) => {
	assertDockerAvailable(availability);
	if (!oracleFixtures.includes(fixtureImages.naive)) return context.skip('naive not selected');
	const [{inventory}, listed] = await Promise.all([
		analyse(fixtureImages.naive),
		docker([
			'run',
			'--rm',
			'--network',
			'none',
			'--entrypoint',
			'npm',
			fixtureImages.naive,
			'ls',
			'--all',
			'--json',
		]),
	]);
	type Tree = {version?: string; dependencies?: Record<string, Tree>};
	const expected = new Set<string>();
	const walk = (tree: Tree): void => {
		for (const [name, child] of Object.entries(tree.dependencies ?? {})) {
			if (child.version !== undefined) expected.add(`${name}@${child.version}`);
			walk(child);
		}
	};

	walk(JSON.parse(listed) as Tree);
	const ours = new Set(
		inventory.packages
			.filter((owned) => owned.ecosystem === 'npm' && owned.location?.startsWith('app/node_modules/'))
			.map((owned) => `${owned.name}@${owned.version}`),
	);
	assert.ok(expected.size > 10);
	assert.deepEqual([...ours].sort(), [...expected].sort());
	// The lockfile's dev flags: typescript is a devDependency of the app.
	const typescript = inventory.packages.find((owned) => owned.location === 'app/node_modules/typescript');
	assert.equal(typescript?.dev, true);
});

test('Go: the go fixture binaries name the module go version -m prints', {
	skip,
	timeout: 600_000,
}, async (context) => {
	assertDockerAvailable(availability);
	if (!oracleFixtures.includes(fixtureImages.go)) return context.skip('go not selected');
	const {inventory} = await analyse(fixtureImages.go);
	const binaries = inventory.packages.filter((owned) => owned.ecosystem === 'go');
	assert.ok(binaries.some((owned) => owned.location === 'usr/local/bin/greeter'));
	for (const owned of binaries) {
		const printed = await docker([
			'run',
			'--rm',
			'--network',
			'none',
			'--entrypoint',
			'go',
			fixtureImages.go,
			'version',
			'-m',
			`/${owned.location}`,
		]);
		const mod = /^\tmod\t(\S+)\t(\S+)/m.exec(printed);
		assert.deepEqual([owned.name, owned.version], [mod?.[1], mod?.[2]], printed);
		assert.equal(owned.files.length, 1);
	}
});

/** An image built FROM a fixture, offline, with a package installed the way its ecosystem's tool does. */
async function buildDerived(name: string, dockerfile: string): Promise<string> {
	const context = join(workDir, name);
	await mkdir(context, {recursive: true});
	await writeFile(join(context, 'Dockerfile'), dockerfile);
	const tag = `layerlens-test/packages-${name}`;
	await execFileAsync('docker', ['build', '--network', 'none', '--force-rm', '-q', '-t', tag, context], {
		env: {...process.env, DOCKER_BUILDKIT: '0'},
		timeout: 300_000,
	});
	return tag;
}

const pythonName = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');

test('Python: a pip-installed wheel owns the files pip show -f lists', {
	skip,
	timeout: 600_000,
}, async (context) => {
	assertDockerAvailable(availability);
	if (!oracleFixtures.includes(fixtureImages.python)) return context.skip('python not selected');
	const image = await buildDerived(
		'pip',
		`FROM ${fixtureImages.python}
RUN mkdir -p /tmp/pkg/hello_pkg && echo 'def hi(): return 1' > /tmp/pkg/hello_pkg/__init__.py \\
	&& printf '[project]\\nname = "hello-pkg"\\nversion = "1.2.3"\\n[build-system]\\nrequires = ["setuptools"]\\nbuild-backend = "setuptools.build_meta"\\n' > /tmp/pkg/pyproject.toml \\
	&& pip install --no-index --no-build-isolation --break-system-packages /tmp/pkg && rm -rf /tmp/pkg
`,
	);
	const [{inventory}, shown] = await Promise.all([
		analyse(image),
		docker(['run', '--rm', '--network', 'none', '--entrypoint', 'pip', image, 'show', '-f', 'hello-pkg']),
	]);
	const location = /^Location: \/(.*)$/m.exec(shown)![1]!;
	const files = shown
		.slice(shown.indexOf('Files:\n') + 'Files:\n'.length)
		.split('\n')
		.map((line) => line.trim())
		.filter(Boolean)
		.map((relative) => join(location, relative));
	const ours = inventory.packages.find(
		(owned) => owned.ecosystem === 'pypi' && pythonName(owned.name) === 'hello-pkg',
	);
	assert.equal(ours?.version, '1.2.3');
	assert.deepEqual([...ours.files].sort(), files.filter((path) => !path.endsWith('/')).sort());
});

test('Ruby: a gem installed with gem install owns what gem contents lists', {
	skip: skip || (await dockerAvailability({images: [fixtureImages.ruby]})).reason || false,
	timeout: 600_000,
}, async () => {
	const image = await buildDerived(
		'gem',
		`FROM ${fixtureImages.ruby}
RUN mkdir -p /tmp/gem/lib && cd /tmp/gem && echo 'module Hello; end' > lib/hello.rb \\
	&& printf 'Gem::Specification.new do |s|\\n s.name = "hello"\\n s.version = "0.1.0"\\n s.summary = "hi"\\n s.authors = ["x"]\\n s.files = ["lib/hello.rb"]\\nend\\n' > hello.gemspec \\
	&& gem build hello.gemspec && gem install --local hello-0.1.0.gem && rm -rf /tmp/gem
`,
	);
	const [{inventory}, listed] = await Promise.all([
		analyse(image),
		docker(['run', '--rm', '--network', 'none', '--entrypoint', 'gem', image, 'contents', 'hello']),
	]);
	const ours = inventory.packages.find((owned) => owned.ecosystem === 'gem' && owned.name === 'hello');
	assert.equal(ours?.version, '0.1.0');
	const contents = listed
		.split('\n')
		.filter(Boolean)
		.map((path) => path.slice(1));
	assert.ok(contents.length > 0);
	for (const path of contents) assert.ok(ours.files.includes(path), `${path} is the gem's`);
});
