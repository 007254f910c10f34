import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {test} from 'node:test';
import {Ajv} from 'ajv';
import {analyzeImage} from '../../source/analysis/analyze-image.js';
import {
	comparePackages,
	layerPackageChanges,
	lineNaming,
	locatePackageFindings,
	type PackageInventory,
	packageIndex,
	packageReport,
} from '../../source/analysis/packages/index.js';
import {joinInside, parseDiversions, recordPaths} from '../../source/analysis/packages/package-index.js';
import {buildRuleInput, filesByPath, layerView} from '../../source/analysis/rule-input.js';
import {stackLayers} from '../../source/engine/index.js';
import {GoBuildInfoScanner, parseGoBuildInfo} from '../../source/image/formats/go-build-info.js';
import type {RawImage} from '../../source/image/types.js';
import {toJsonReport} from '../../source/report/json.js';
import {dir, file, layer, rawImage, symlink, whiteout} from '../helpers/raw-image-builder.js';

const status = (packages: [string, string][]): string =>
	packages
		.map(([name, version]) => `Package: ${name}\nStatus: install ok installed\nVersion: ${version}\n`)
		.join('\n');
const captured = (path: string, text: string) => ({path, text, truncated: false});

/** A usr-merged Debian base, a layer that installs curl and upgrades libc6, a layer that purges curl, a node app. */
function sampleImage(): RawImage {
	return rawImage([
		layer(
			[
				dir('usr'),
				dir('usr/bin'),
				dir('usr/lib'),
				symlink('bin', 'usr/bin'),
				symlink('lib', 'usr/lib'),
				file('usr/bin/bash', 1000),
				file('usr/lib/libc.so.6', 2000),
				file('usr/bin/dash', 300),
				file('usr/bin/sh.distrib', 40),
				file('var/lib/dpkg/status', 10),
				file('var/lib/dpkg/info/bash.list', 5),
				file('var/lib/dpkg/info/libc6:amd64.list', 5),
				file('var/lib/dpkg/info/dash.list', 5),
				file('var/lib/dpkg/diversions', 5),
			],
			[
				captured(
					'var/lib/dpkg/status',
					status([
						['bash', '5.2'],
						['libc6', '2.36-1'],
						['dash', '0.5'],
					]),
				),
				captured('var/lib/dpkg/info/bash.list', '/.\n/bin\n/bin/bash\n/bin/sh\n'),
				captured('var/lib/dpkg/info/libc6:amd64.list', '/.\n/lib\n/lib/libc.so.6\n'),
				captured('var/lib/dpkg/info/dash.list', '/bin/dash\n/bin/sh\n'),
				// dash diverts bash's /bin/sh to /bin/sh.distrib.
				captured('var/lib/dpkg/diversions', '/bin/sh\n/usr/bin/sh.distrib\ndash\n'),
			],
		),
		layer(
			[
				file('usr/bin/curl', 500),
				file('usr/lib/libc.so.6', 2100),
				file('var/lib/dpkg/status', 11),
				file('var/lib/dpkg/info/curl.list', 5),
				file('var/lib/dpkg/info/libc6:amd64.list', 5),
			],
			[
				captured(
					'var/lib/dpkg/status',
					status([
						['bash', '5.2'],
						['libc6', '2.36-2'],
						['dash', '0.5'],
						['curl', '7.88'],
					]),
				),
				captured('var/lib/dpkg/info/curl.list', '/usr/bin/curl\n'),
				captured('var/lib/dpkg/info/libc6:amd64.list', '/lib/libc.so.6\n'),
			],
		),
		layer(
			[whiteout('usr/bin/curl'), whiteout('var/lib/dpkg/info/curl.list'), file('var/lib/dpkg/status', 12)],
			[
				captured(
					'var/lib/dpkg/status',
					status([
						['bash', '5.2'],
						['libc6', '2.36-2'],
						['dash', '0.5'],
					]),
				),
			],
		),
		layer(
			[
				dir('app'),
				file('app/server.js', 70),
				file('app/node_modules/.package-lock.json', 9),
				file('app/node_modules/typescript/package.json', 20),
				file('app/node_modules/typescript/lib/tsc.js', 4000),
				file('app/node_modules/@scope/left/package.json', 20),
				file('app/node_modules/@scope/left/index.js', 30),
				file('usr/local/lib/python3.11/site-packages/yaml/__init__.py', 400),
				file('usr/local/lib/python3.11/site-packages/PyYAML-6.0.dist-info/RECORD', 100),
				file('usr/local/bin/yamlcli', 60),
				file('var/lib/gems/3.1.0/specifications/rack-2.2.4.gemspec', 50),
				file('var/lib/gems/3.1.0/gems/rack-2.2.4/lib/rack.rb', 800),
				file('usr/share/java/commons-x-1.2.jar', 900),
			],
			[
				captured(
					'app/node_modules/.package-lock.json',
					JSON.stringify({
						packages: {
							'node_modules/typescript': {version: '5.4.5', dev: true},
							'node_modules/@scope/left': {version: '1.0.0'},
						},
					}),
				),
				captured('app/node_modules/typescript/package.json', '{"name":"typescript","version":"5.4.5"}'),
				captured('app/node_modules/@scope/left/package.json', '{"name":"@scope/left","version":"1.0.0"}'),
				captured(
					'usr/local/lib/python3.11/site-packages/PyYAML-6.0.dist-info/RECORD',
					'yaml/__init__.py,sha256=x,400\nPyYAML-6.0.dist-info/RECORD,,\n../../../bin/yamlcli,sha256=y,60\n',
				),
			],
		),
	]);
}

function inventoryOf(raw: RawImage) {
	const stacked = stackLayers(raw.layers);
	const analysis = analyzeImage(raw, stacked);
	const input = buildRuleInput(analysis, raw);
	const inventory = packageIndex(input);
	const changes = layerPackageChanges(raw.layers, layerView(stacked), filesByPath(input), inventory);
	return {analysis, input, inventory, changes};
}

function ownerName(inventory: PackageInventory, path: string): string | undefined {
	const index = inventory.ownerOf.get(path);
	return index === undefined
		? undefined
		: `${inventory.packages[index]!.ecosystem}:${inventory.packages[index]!.name}`;
}

test('every file has its one owner: dpkg through usr-merge and diversions, npm, pip, gems, jars; the rest is yours', () => {
	const {inventory, analysis} = inventoryOf(sampleImage());
	assert.equal(ownerName(inventory, 'usr/bin/bash'), 'deb:bash');
	assert.equal(ownerName(inventory, 'usr/lib/libc.so.6'), 'deb:libc6');
	assert.equal(ownerName(inventory, 'usr/bin/sh.distrib'), 'deb:bash', "bash's diverted /bin/sh");
	assert.equal(ownerName(inventory, 'var/lib/dpkg/info/libc6:amd64.list'), 'deb:libc6');
	assert.equal(ownerName(inventory, 'app/node_modules/typescript/lib/tsc.js'), 'npm:typescript');
	assert.equal(ownerName(inventory, 'app/node_modules/@scope/left/index.js'), 'npm:@scope/left');
	assert.equal(ownerName(inventory, 'usr/local/bin/yamlcli'), 'pypi:PyYAML');
	assert.equal(ownerName(inventory, 'var/lib/gems/3.1.0/gems/rack-2.2.4/lib/rack.rb'), 'gem:rack');
	assert.equal(ownerName(inventory, 'usr/share/java/commons-x-1.2.jar'), 'jar:commons-x');
	assert.equal(ownerName(inventory, 'app/server.js'), undefined);
	assert.equal(ownerName(inventory, 'usr/bin/curl'), undefined, 'purged with its .list');

	const byName = new Map(inventory.packages.map((owned) => [owned.name, owned]));
	assert.equal(byName.get('libc6')?.version, '2.36-2');
	assert.equal(byName.get('libc6')?.bytes, 2100 + 5);
	assert.equal(byName.get('typescript')?.dev, true);
	assert.equal(byName.get('@scope/left')?.dev, undefined);
	assert.equal(byName.get('PyYAML')?.version, '6.0');
	assert.equal(byName.get('rack')?.version, '2.2.4');
	assert.ok(!byName.has('curl'));
	// Exact: each package's bytes are its files', and owned + yours is the final filesystem.
	const sizes = new Map([...buildRuleInput(analysis, sampleImage()).files].map((f) => [f.path, f.size]));
	for (const owned of inventory.packages) {
		assert.equal(
			owned.bytes,
			owned.files.reduce((sum, path) => sum + sizes.get(path)!, 0),
			owned.name,
		);
	}

	assert.equal(inventory.ownedBytes + inventory.unownedBytes, analysis.image.finalSizeBytes);
});

test('per layer: installed, upgraded and removed, with bytes on disk at that layer', () => {
	const {changes} = inventoryOf(sampleImage());
	const layer1 = changes.find((entry) => entry.layer === 1)!;
	assert.deepEqual(layer1.installed, [{ecosystem: 'deb', name: 'curl', version: '7.88', bytes: 500}]);
	assert.deepEqual(layer1.upgraded, [
		{ecosystem: 'deb', name: 'libc6', version: '2.36-2', fromVersion: '2.36-1', bytes: 2100},
	]);
	const layer2 = changes.find((entry) => entry.layer === 2)!;
	assert.deepEqual(layer2.removed, [{ecosystem: 'deb', name: 'curl', version: '7.88', bytes: 500}]);
	assert.deepEqual(
		changes.find((entry) => entry.layer === 0)!.installed.map((change) => change.name),
		['libc6', 'bash', 'dash'],
	);
	const layer3 = changes.find((entry) => entry.layer === 3)!;
	assert.deepEqual(
		layer3.installed.map((change) => `${change.ecosystem}:${change.name}@${change.version}`).sort(),
		[
			'gem:rack@2.2.4',
			'jar:commons-x@1.2',
			'npm:@scope/left@1.0.0',
			'npm:typescript@5.4.5',
			'pypi:PyYAML@6.0',
		],
	);
});

test('the JSON report with packages validates against its schema', () => {
	const schema = JSON.parse(
		readFileSync(new URL('../../source/report/layerlens-report.schema.json', import.meta.url), 'utf8'),
	) as object;
	const validate = new Ajv({allErrors: true, strict: true}).compile(schema);
	const {analysis, inventory, changes} = inventoryOf(sampleImage());
	const report = toJsonReport(
		{...analysis, packages: packageReport(inventory, changes)},
		{toolVersion: '0.1.0'},
	);
	assert.ok(validate(JSON.parse(JSON.stringify(report))), JSON.stringify(validate.errors));
	assert.equal(report.packages?.ownedBytes, inventory.ownedBytes);
	assert.equal(report.packages?.layers.length, 4);
});

test('hostile records: ../ out of the root, huge lines, NUL, cycles and junk are bounded and never throw', () => {
	const huge = 'a'.repeat(5_000_000);
	const raw = rawImage([
		layer(
			[
				symlink('loop', 'loop2'),
				symlink('loop2', 'loop'),
				file('etc/passwd', 100),
				file('var/lib/dpkg/status', 1),
				file('var/lib/dpkg/info/evil.list', 1),
				file('var/lib/dpkg/diversions', 1),
				file('srv/site/evil-1.0.dist-info/RECORD', 1),
				file('srv/site/x.egg-info/installed-files.txt', 1),
				file('app/node_modules/bad/package.json', 1),
				file('app/node_modules/bad/i.js', 1),
				file('app/node_modules/.package-lock.json', 1),
			],
			[
				captured('var/lib/dpkg/status', `Package: evil\nVersion: ${huge}\n\0\n\nPackage\n:\n`),
				captured(
					'var/lib/dpkg/info/evil.list',
					`/../../../etc/passwd\n/loop/x\n/loop\n${huge}\n\0\0\n/etc/passwd/../passwd\n`,
				),
				captured('var/lib/dpkg/diversions', '/etc/passwd\n'),
				captured(
					'srv/site/evil-1.0.dist-info/RECORD',
					`../../../../../../etc/passwd,,\n"unterminated\n${huge}\n\0`,
				),
				captured('srv/site/x.egg-info/installed-files.txt', '../../../../../etc/passwd\n'),
				captured('app/node_modules/bad/package.json', '{"name": 42, "version": {"a": 1}}'),
				captured('app/node_modules/.package-lock.json', '{"packages": null'),
			],
		),
	]);
	const {inventory, changes} = inventoryOf(raw);
	// A Debian .list may name /etc/passwd through `..` (dpkg's own paths are absolute, and normalised);
	// a RECORD climbing out of the root is refused, so /etc/passwd is the dpkg package's or no one's.
	const owner = ownerName(inventory, 'etc/passwd');
	assert.ok(owner === undefined || owner === 'deb:evil', owner);
	const bad = inventory.packages.find((owned) => owned.location === 'app/node_modules/bad');
	assert.equal(bad?.name, 'bad', 'a manifest whose name is not a string names nothing');
	assert.equal(bad?.version, '');
	assert.ok(changes.length <= 1);

	assert.equal(joinInside('srv/site', '../../../etc/passwd'), undefined);
	assert.equal(joinInside('usr/local/lib/python3.11/site-packages', '../../../bin/x'), 'usr/local/bin/x');
	assert.deepEqual(recordPaths('"a,b.py",sha,1\nc.py,,\n\n'), ['a,b.py', 'c.py']);
	assert.equal(parseDiversions('/a\n/b\n').size, 0, 'an incomplete triple is ignored');
});

/** Build info as the Go 1.18+ linker writes it: header, then varint-prefixed version and module info. */
function goBuildInfo(version: string, modinfo: string): Buffer {
	const header = Buffer.alloc(32);
	header.write('\xff Go buildinf:', 'latin1');
	header[14] = 8;
	header[15] = 2;
	const sentinel = Buffer.alloc(16, 0x55);
	const info = Buffer.concat([sentinel, Buffer.from(modinfo), sentinel]);
	const varint = (length: number): Buffer => {
		const bytes: number[] = [];
		let rest = length;
		while (rest >= 0x80) {
			bytes.push((rest & 0x7f) | 0x80);
			rest >>>= 7;
		}

		bytes.push(rest);
		return Buffer.from(bytes);
	};

	return Buffer.concat([header, varint(version.length), Buffer.from(version), varint(info.length), info]);
}

test('Go build info: the main module, found across chunk boundaries at a 16-byte-aligned offset only', () => {
	const info = goBuildInfo(
		'go1.22.1',
		'path\texample.com/cmd/x\nmod\texample.com/x\tv1.2.3\th1:abc\ndep\tgolang.org/y\tv0.1.0\n',
	);
	assert.deepEqual(parseGoBuildInfo(info), {path: 'example.com/x', version: 'v1.2.3'});
	assert.deepEqual(parseGoBuildInfo(goBuildInfo('go1.19.8', 'path\tcmd/go\nbuild\t-compiler=gc\n')), {
		path: 'cmd/go',
		version: 'go1.19.8',
	});
	// Before Go 1.18 the strings are pointers: nothing is guessed.
	const old = Buffer.from(info);
	old[15] = 0;
	assert.equal(parseGoBuildInfo(old), undefined);
	assert.equal(parseGoBuildInfo(info.subarray(0, 40)), undefined, 'cut short');

	for (const split of [1, 5, 13, 20, 1000]) {
		const scanner = new GoBuildInfoScanner();
		const file = Buffer.concat([Buffer.alloc(4096, 0x11), info, Buffer.alloc(100)]);
		for (let at = 0; at < file.length; at += split) scanner.push(file.subarray(at, at + split));
		assert.deepEqual(scanner.finish(), {path: 'example.com/x', version: 'v1.2.3'}, `chunks of ${split}`);
	}

	const misaligned = new GoBuildInfoScanner();
	misaligned.push(Buffer.concat([Buffer.alloc(4100), info]));
	assert.equal(misaligned.finish(), undefined);
	// A huge varint length is refused, not allocated.
	const hostile = Buffer.concat([info.subarray(0, 32), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f])]);
	assert.equal(parseGoBuildInfo(hostile), undefined);
});

test('diff: packages added, removed, upgraded (from → to) and resized, largest byte change first', () => {
	const summary = (name: string, version: string, bytes: number, location?: string) => ({
		ecosystem: 'deb' as const,
		name,
		version,
		...(location === undefined ? {} : {location}),
		bytes,
		fileCount: 1,
		layer: 0,
	});
	const report = (packages: ReturnType<typeof summary>[]) => ({
		ownedBytes: packages.reduce((sum, owned) => sum + owned.bytes, 0),
		unownedBytes: 7,
		ecosystems: [],
		packages,
		layers: [],
	});
	const comparison = comparePackages(
		report([summary('curl', '7.88', 500), summary('libc6', '2.36-1', 2000), summary('bash', '5.2', 1000)]),
		report([summary('libc6', '2.36-2', 2100), summary('bash', '5.2', 900), summary('gcc', '12', 9000)]),
	);
	assert.deepEqual(comparison.added, [
		{ecosystem: 'deb', name: 'gcc', versionB: '12', bytesA: 0, bytesB: 9000, deltaBytes: 9000},
	]);
	assert.deepEqual(comparison.removed, [
		{ecosystem: 'deb', name: 'curl', versionA: '7.88', bytesA: 500, bytesB: 0, deltaBytes: -500},
	]);
	assert.deepEqual(comparison.upgraded, [
		{
			ecosystem: 'deb',
			name: 'libc6',
			versionA: '2.36-1',
			versionB: '2.36-2',
			bytesA: 2000,
			bytesB: 2100,
			deltaBytes: 100,
		},
	]);
	assert.deepEqual(
		comparison.resized.map((delta) => delta.deltaBytes),
		[-100],
	);

	const schema = JSON.parse(
		readFileSync(new URL('../../source/report/layerlens-diff.schema.json', import.meta.url), 'utf8'),
	) as {definitions: object; properties: {packages: object}};
	const validate = new Ajv({allErrors: true, strict: true}).compile({
		...schema.properties.packages,
		definitions: schema.definitions,
	});
	assert.ok(validate(JSON.parse(JSON.stringify(comparison))), JSON.stringify(validate.errors));
});

test('a finding mostly of package files names the largest package and the Dockerfile line that installed it', () => {
	const dockerfile = [
		'FROM debian',
		'RUN apt-get update \\',
		'	&& apt-get install -y \\',
		'		curl \\',
		'		libc6',
	];
	assert.equal(lineNaming(dockerfile, 2, 'curl'), 4);
	assert.equal(lineNaming(dockerfile, 2, 'libc6'), 5);
	assert.equal(lineNaming(dockerfile, 2, 'gcc'), 2, 'not named: the instruction');
	assert.equal(lineNaming(dockerfile, 2, 'c'), 2, 'a word, not a part of one');
	assert.equal(lineNaming(['RUN apk add py3-pip'], 1, 'py3-pip'), 1);

	const {inventory, input, changes} = inventoryOf(sampleImage());
	const base = {
		category: 'build-only' as const,
		confidence: 'high' as const,
		title: 't',
		evidence: [],
		groups: [],
		layerIndex: 1,
		fix: 'f',
	};
	const [upgraded, unowned] = locatePackageFindings(
		[
			{...base, ruleId: 'LL-A', paths: ['usr/lib/libc.so.6', 'usr/bin/bash'], bytes: 3100},
			{...base, ruleId: 'LL-B', paths: ['app/server.js'], bytes: 70},
		],
		inventory,
		filesByPath(input),
		changes,
		{lines: dockerfile, layerLines: [undefined, 2, 2, 2]},
	);
	assert.deepEqual(upgraded!.package, {ecosystem: 'deb', name: 'libc6', version: '2.36-2'});
	assert.equal(upgraded!.dockerfileLine, 5, 'the layer that upgraded libc6, the line naming it');
	assert.equal(unowned!.package, undefined);
	assert.equal(unowned!.dockerfileLine, undefined);
});
