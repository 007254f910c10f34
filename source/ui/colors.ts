import type {ChangeKind} from '../analysis/types.js';

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

/** Called once before the explorer draws (see run-explorer.tsx). */
export function showColours(shown: boolean): void {
	coloursShown = shown;
}
