#!/usr/bin/env node
import process from 'node:process';
import meow from 'meow';
import {assertNoDiffFlags, type DiffFlags, diffFlags, parseDiffOptions} from './cli-diff.js';
import {helpText} from './cli-help.js';
import {type CliFlags, parseCliOptions, pickMode} from './cli-options.js';
import {reportFatal} from './run/report-fatal.js';

const cli = meow(helpText, {
	importMeta: import.meta,
	allowUnknownFlags: false,
	flags: {
		source: {type: 'string'},
		platform: {type: 'string'},
		demo: {type: 'boolean', default: false},
		json: {type: 'boolean', default: false},
		format: {type: 'string'},
		output: {type: 'string', isMultiple: true},
		dockerfile: {type: 'string'},
		ci: {type: 'boolean', default: false},
		config: {type: 'string'},
		baseline: {type: 'string'},
		writeBaseline: {type: 'string'},
		lowestEfficiency: {type: 'string'},
		highestWastedBytes: {type: 'string'},
		highestUserWastedPercent: {type: 'string'},
		maxLayerBytes: {type: 'string'},
		cache: {type: 'boolean', default: true},
		debug: {type: 'boolean', default: false},
		...diffFlags,
	},
});

const debug = cli.flags.debug;
// React's development build costs about half of every frame; a user's terminal gets the production one.
// Set before the mode modules (and with them React) are imported below.
process.env.NODE_ENV ??= 'production';

let isFailing = false;
/** Report an escaped error once and end: a failure while reporting one (the terminal is gone) must not loop. */
function failHard(error: unknown): void {
	if (isFailing) return;
	isFailing = true;
	reportFatal(error, debug);
	process.stderr.write('', () => process.exit(process.exitCode ?? 2));
}

process.on('unhandledRejection', failHard);
process.on('uncaughtException', failHard);
// A reader that stops reading (`layerlens --json | head`) or a terminal that hangs up ends the run quietly.
for (const stream of [process.stdout, process.stderr]) {
	stream.on('error', (error: NodeJS.ErrnoException) => {
		if (error.code === 'EPIPE' || error.code === 'EIO') {
			process.exit(error.code === 'EPIPE' ? (process.exitCode ?? 0) : 129);
		}

		failHard(error);
	});
}

async function main(): Promise<number> {
	const environment = {
		ci: ['true', '1', 'yes'].includes((process.env.CI ?? '').toLowerCase()),
		stdoutIsTty: Boolean(process.stdout.isTTY),
		stdinIsTty: Boolean(process.stdin.isTTY),
	};
	// `layerlens diff A B`: its own options and modes (run/diff-mode.ts).
	if (cli.input[0] === 'diff') {
		const {runDiffMode} = await import('./run/diff-mode.js');
		return runDiffMode(parseDiffOptions(cli.input.slice(1), cli.flags as CliFlags & DiffFlags), environment);
	}

	assertNoDiffFlags(cli.flags as DiffFlags);
	const options = parseCliOptions(cli.input, cli.flags as CliFlags);
	const mode = pickMode(options, environment);
	// Each mode is loaded on demand so `--json` never pays for React and Ink.
	switch (mode) {
		case 'explorer': {
			const {runExplorerMode} = await import('./run/explorer-mode.js');
			return runExplorerMode(options);
		}

		case 'report': {
			const {runReportMode} = await import('./run/report-mode.js');
			return runReportMode(options);
		}

		case 'ci': {
			const {runCiMode} = await import('./run/ci-mode.js');
			return runCiMode(options);
		}

		case 'write-baseline': {
			const {runWriteBaselineMode} = await import('./run/ci-mode.js');
			return runWriteBaselineMode(options);
		}

		case 'summary': {
			const {runSummaryMode} = await import('./run/summary-mode.js');
			return runSummaryMode(options);
		}
	}
}

try {
	process.exitCode = await main();
} catch (error) {
	reportFatal(error, debug);
}
