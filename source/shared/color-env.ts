/**
The colour conventions every terminal tool is expected to follow, applied once before anything that colours
(chalk, and Ink through it) is loaded: FORCE_COLOR (force-color.org) forces colour and wins when both are set;
NO_COLOR (no-color.org), set and not empty, turns it off everywhere, the explorer included. chalk reads only
FORCE_COLOR, so NO_COLOR is passed on to it as FORCE_COLOR=0.
*/
export function applyColorConventions(env: NodeJS.ProcessEnv): void {
	if (env.FORCE_COLOR === '') {
		// chalk would read an empty FORCE_COLOR as "force"; force-color.org says only a non-empty value forces.
		delete env.FORCE_COLOR;
	}

	if (env.FORCE_COLOR !== undefined) {
		return;
	}

	if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') {
		env.FORCE_COLOR = '0';
	}
}

/**
Whether colour is off because of NO_COLOR (not because FORCE_COLOR=0 alone or a pipe): then the explorer
keeps inverse and bold, which are not colour, and drops only the colours.
*/
export function stylesWithoutColour(env: NodeJS.ProcessEnv): boolean {
	return env.NO_COLOR !== undefined && env.NO_COLOR !== '' && env.FORCE_COLOR === '0';
}
