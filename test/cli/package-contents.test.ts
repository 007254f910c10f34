/**
What `npm pack` puts in the package: the built CLI, both report schemas, the licence and the README, and
nothing else (no tests, no sources, no media), within a size budget.
*/
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {test} from 'node:test';
import {promisify} from 'node:util';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

// Today about 2.2 MB unpacked: 1.5 MB of the program and README, and ink bundled into one file of ~650 kB
// (dist/ui/ink.js, see packaging/bundle-ink.ts), the one file allowed over the per-file limit. Room to grow,
// not to ship a video.
const maxUnpackedBytes = 3 * 1024 * 1024;
const maxFileBytes = 128 * 1024;
const bundledInk = {path: 'dist/ui/ink.js', maxBytes: 1024 * 1024};

const required = [
	'package.json',
	'README.md',
	'LICENSE',
	'dist/cli.js',
	'source/report/layerlens-report.schema.json',
	'source/report/layerlens-diff.schema.json',
];

const allowed = [
	/^dist\/.+\.js$/,
	/^source\/report\/layerlens-(report|diff)\.schema\.json$/,
	/^(package\.json|README\.md|LICENSE)$/,
];

type Packed = {unpackedSize: number; files: Array<{path: string; size: number}>};

test('npm pack ships dist, the schemas, LICENSE and README only, within the size budget', async (t) => {
	// Without a build there is nothing to check; `npm install` / `npm ci` build dist through `prepare`.
	assert.ok(existsSync(join(root, 'dist/cli.js')), 'dist/cli.js is missing: run `npm run build` first');
	const {stdout} = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {cwd: root});
	const packed = (JSON.parse(stdout) as Packed[])[0]!;
	const paths = packed.files.map((file) => file.path);

	for (const path of required) assert.ok(paths.includes(path), `the package has ${path}`);
	assert.deepEqual(
		paths.filter((path) => !allowed.some((pattern) => pattern.test(path))),
		[],
		'nothing but dist/*.js, the schemas, package.json, README.md and LICENSE',
	);
	assert.deepEqual(
		packed.files
			.filter((file) => file.size > (file.path === bundledInk.path ? bundledInk.maxBytes : maxFileBytes))
			.map((file) => `${file.path} ${file.size} B`),
		[],
		`no file over ${maxFileBytes} bytes (${bundledInk.path}: ${bundledInk.maxBytes})`,
	);
	// The build bundles ink: the shipped module imports React, not ink's ~600 files.
	const inkModule = readFileSync(join(root, bundledInk.path), 'utf8');
	assert.doesNotMatch(
		inkModule,
		/from\s*["']ink["']/,
		`${bundledInk.path} is not bundled: run \`npm run build\``,
	);
	assert.match(inkModule, /from\s*["']react["']|require\(["']react["']\)/, 'React stays outside the bundle');
	// With DEV=true ink reads its own package.json beside its module: the bundle carries it instead.
	assert.doesNotMatch(inkModule, /\.\.\/package\.json/, 'no read of a package.json beside the bundle');
	assert.ok(
		packed.unpackedSize <= maxUnpackedBytes,
		`${packed.unpackedSize} bytes unpacked, budget ${maxUnpackedBytes}`,
	);

	// Every module the CLI is built from is in the package (a build that left one out fails at run time).
	const sources = readdirSync(join(root, 'source'), {recursive: true, encoding: 'utf8'})
		.filter((path) => /\.tsx?$/.test(path) && !path.endsWith('.d.ts'))
		.map((path) => `dist/${path.replace(/\.tsx?$/, '.js')}`);
	assert.deepEqual(
		sources.filter((path) => !paths.includes(path)),
		[],
		'every source module has its built file in the package',
	);
	t.diagnostic(`${paths.length} files, ${packed.unpackedSize} bytes unpacked`);
});
