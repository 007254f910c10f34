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
