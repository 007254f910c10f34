'use strict';
// Build step (build-binary.ts): `node code-cache.cjs BUNDLE CACHE_OUT ARGS...` runs the bundle the way the
// executable does, with ARGS as layerlens' arguments, and writes V8's code cache of it (with the functions that
// run compiled) when it exits.
const {readFileSync, writeFileSync} = require('node:fs');
const {compileProgram, runProgram} = require('./sea-entry.cjs');

const [bundlePath, cachePath] = process.argv.splice(2, 2);
const script = compileProgram(readFileSync(bundlePath, 'utf8'));
process.on('exit', () => writeFileSync(cachePath, script.createCachedData()));
runProgram(script).catch((error) => {
	process.stderr.write(`${error?.stack ?? error}\n`);
	process.exitCode = 70;
});
