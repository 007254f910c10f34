/**
After tsc: dist/ui/ink.js (`export * from 'ink'`) becomes ink and its dependencies in one file, React left
to node_modules so that the app's components and ink's reconciler share one React. Loading ink package by
package opened ~600 files (416 for es-toolkit's compat index, for one `throttle`); one bundled file is what
the single executable already runs (build-binary.ts).
*/
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {build, type Plugin} from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const file = join(root, 'dist', 'ui', 'ink.js');

/** Ink's React DevTools hook, loaded only with DEV=true and not installed: a module that fails as a missing one does. */
const absentDevtools: Plugin = {
	name: 'absent-devtools',
	setup(builder) {
		builder.onResolve({filter: /^react-devtools-core$/}, (args) => ({path: args.path, namespace: 'absent'}));
		builder.onLoad({filter: /.*/, namespace: 'absent'}, () => ({
			// The code ink looks for: it then warns and goes on, as with the package missing from node_modules.
			contents:
				"throw Object.assign(new Error(\"Cannot find package 'react-devtools-core'\"), {code: 'ERR_MODULE_NOT_FOUND'});",
			loader: 'js',
		}));
	},
};

/**
With DEV=true, ink's reconciler reads `../package.json` beside its own module for the DevTools; bundled, that
would be dist/package.json. Its name and version are written in at build time instead; a change of that line
in a new ink fails the build rather than that path.
*/
const inkPackageJson: Plugin = {
	name: 'ink-package-json',
	setup(builder) {
		builder.onLoad({filter: /[\\/]ink[\\/]build[\\/]reconciler\.js$/}, (args) => {
			const text = readFileSync(args.path, 'utf8');
			const read = "fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')";
			if (!text.includes(read))
				throw new Error(`${args.path}: the package.json read to replace is not there`);
			const {name, version} = JSON.parse(
				readFileSync(join(args.path, '..', '..', 'package.json'), 'utf8'),
			) as {
				name: string;
				version: string;
			};
			return {contents: text.replace(read, JSON.stringify(JSON.stringify({name, version}))), loader: 'js'};
		});
	},
};

await build({
	entryPoints: [file],
	outfile: file,
	allowOverwrite: true,
	bundle: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	logLevel: 'error',
	legalComments: 'eof',
	minify: true,
	// React stays one instance with the app's.
	external: ['react'],
	plugins: [absentDevtools, inkPackageJson],
	// The CommonJS packages inside (react-reconciler) call require('react'): give the ESM bundle a require.
	banner: {
		js: "import {createRequire as layerlensCreateRequire} from 'node:module';\nconst require = layerlensCreateRequire(import.meta.url);",
	},
});
