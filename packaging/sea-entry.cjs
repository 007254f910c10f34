'use strict';
// The single executable's entry. Node 20 runs one CommonJS script, and layerlens is ESM with top-level await
// (Ink's yoga-layout, the wasm hasher). The bundle (build-binary.ts) is that ESM program with every import of a
// builtin turned into require(), so what is left is a script body whose only ESM trait is top-level await: it
// runs as the body of an async function. Importing it as a module instead (from a data: URL) costs seconds,
// since V8 and Node carry the 2 MB URL around; a loader hook serving it costs a hooks thread.
// A V8 code cache, made at build time by the same Node, spares compiling 2 MB at every start.
const vm = require('node:vm');
const {createRequire} = require('node:module');
const {dirname} = require('node:path');
const {pathToFileURL} = require('node:url');

/** The program as a function (the wrapper is on the first line, so columns in stack traces are off there only). */
function compileProgram(source, cachedData) {
	return new vm.Script(
		`(async function (require, __filename, __dirname, __layerlensExecutableUrl, __layerlensImportMeta) {'use strict';${source}\n})`,
		{filename: 'layerlens.js', cachedData},
	);
}

/**
Runs it. There is no module file: `import.meta.url` in the bundle is the executable's own URL, and bundled
CommonJS packages that look beside themselves (ssh2's pageant.exe, grpc's .proto files, only on paths layerlens
does not take) see the executable's directory, as a script there would.
*/
function runProgram(script) {
	const url = pathToFileURL(process.execPath).href;
	// Not the embedded script's own require, which warns on any name that is not a builtin: bundled packages
	// probe for optional ones (protobufjs' inquire, native addons) in a try.
	const programRequire = createRequire(process.execPath);
	return script.runInThisContext()(programRequire, process.execPath, dirname(process.execPath), url, {url});
}

const sea = require('node:sea');
if (sea.isSea()) {
	const source = sea.getAsset('layerlens.js', 'utf8');
	const cachedData = Buffer.from(sea.getAsset('layerlens.js.cache'));
	runProgram(compileProgram(source, cachedData)).catch((error) => {
		process.stderr.write(`layerlens: the embedded program did not start: ${error?.message ?? error}\n`);
		process.exitCode = 70;
	});
} else {
	module.exports = {compileProgram, runProgram};
}
