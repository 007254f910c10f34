import {layerlensFlagType} from './argv.js';

/** Flags `docker build` has too: there they are docker's (the image is built, then read from the daemon). */
const dockerBuildFlags = new Set(['--platform', '--no-cache']);

/**
`layerlens build ARGS`: which arguments are layerlens' and which go to `docker build`. Layerlens takes its own
long flags (with the value of those that take one), `-j FILE`, `-h` and `-v`; `--platform` and `--no-cache`
are docker's; everything else, and all after `--`, is passed to docker as written.
*/
export function splitBuildArgs(argv: readonly string[]): {dockerArgs: string[]; layerlensArgv: string[]} {
	const dockerArgs: string[] = [];
	const layerlensArgv: string[] = [];
	for (let index = 0; index < argv.length; index++) {
		const argument = argv[index]!;
		if (argument === '--') {
			dockerArgs.push(...argv.slice(index + 1));
			break;
		}

		const name = argument.split('=', 1)[0]!;
		if (argument === '-j' && index + 1 < argv.length) {
			layerlensArgv.push(argument, argv[++index]!);
			continue;
		}

		if (['-h', '-v', '-j'].includes(name)) {
			layerlensArgv.push(argument);
			continue;
		}

		const type = name.startsWith('--') && !dockerBuildFlags.has(name) ? layerlensFlagType(name) : undefined;
		if (type === undefined) {
			dockerArgs.push(argument);
			continue;
		}

		layerlensArgv.push(argument);
		if (type === 'string' && !argument.includes('=') && index + 1 < argv.length) {
			layerlensArgv.push(argv[++index]!);
		}
	}

	return {dockerArgs, layerlensArgv};
}
