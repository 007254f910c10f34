import type {WhatIfMark} from '../analysis/what-if/marks.js';

/** The what-if marks in force, oldest first, and the lists before each change (for undo). */
export type WhatIfState = {
	marks: readonly WhatIfMark[];
	undo: ReadonlyArray<readonly WhatIfMark[]>;
};

export const initialWhatIf: WhatIfState = {marks: [], undo: []};

/** The marks list: one row per mark, the cursor on the one `r` unmarks. */
export type MarksOverlay = {kind: 'marks'; cursor: number};
