/**
After tsc: dist/ui/ink.js (`export * from 'ink'`) becomes ink and its dependencies in one file, React left
to node_modules so that the app's components and ink's reconciler share one React. Loading ink package by
package opened ~600 files (416 for es-toolkit's compat index, for one `throttle`); one bundled file is what
the single executable already runs (build-binary.ts).
*/
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {build, type Plugin} from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const file = join(root, 'dist', 'ui', 'ink.js');

/** Ink's React DevTools hook, loaded only with DEV=true and not installed: a module that says so when loaded. */
const absentDevtools: Plugin = {
	name: 'absent-devtools',
	setup(builder) {
		builder.onResolve({filter: /^react-devtools-core$/}, (args) => ({path: args.path, namespace: 'absent'}));
		builder.onLoad({filter: /.*/, namespace: 'absent'}, () => ({
			contents: "throw new Error('react-devtools-core is not installed (DEV=true asks ink for it)');",
			loader: 'js',
		}));
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
	plugins: [absentDevtools],
	// The CommonJS packages inside (react-reconciler) call require('react'): give the ESM bundle a require.
	banner: {
		js: "import {createRequire as layerlensCreateRequire} from 'node:module';\nconst require = layerlensCreateRequire(import.meta.url);",
	},
});
