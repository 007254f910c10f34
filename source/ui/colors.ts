import chalk from 'chalk';
import type {ChangeKind} from '../analysis/types.js';
import {stylesWithoutColour} from '../shared/color-env.js';

/** dive's colours, so users of both read them the same way; markers keep it readable without colour. */
export const statusColor: Record<ChangeKind, string | undefined> = {
	added: 'green',
	modified: 'yellow',
	removed: 'red',
	unchanged: undefined,
};

export const statusMarker: Record<ChangeKind, string> = {
	added: '+',
	modified: '~',
	removed: '-',
	unchanged: ' ',
};

export const wasteColor = 'magenta';
export const buildOnlyColor = 'cyan';
export const runtimeColor = 'blue';

let coloursShown = true;

/**
NO_COLOR is about colour only (no-color.org): the explorer still marks the cursor, the selected layer and
the toggles with inverse, bold and underline. So under NO_COLOR chalk keeps its styles and every colour the
UI asks for goes through here, which then gives none.
*/
export function hue<Colour extends string>(colour: Colour | undefined): Colour | undefined {
	return coloursShown ? colour : undefined;
}

/**
Set up an interactive session (the explorer, the diff explorer) so that under NO_COLOR it keeps inverse and
bold: chalk, which NO_COLOR turned off entirely, is turned back on for styles while `hue` gives no colour.
Returns what undoes it (for the session's `onEnd`), or undefined when there is nothing to undo.
*/
export function keepStylesWithoutColour(env: NodeJS.ProcessEnv = process.env): (() => void) | undefined {
	if (!(stylesWithoutColour(env) && chalk.level === 0)) return undefined;
	chalk.level = 1;
	coloursShown = false;
	return () => {
		chalk.level = 0;
		coloursShown = true;
	};
}
