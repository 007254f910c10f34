export const minimumSize = {columns: 80, rows: 20} as const;

export type Size = {columns: number; rows: number};

export type Layout = {
	tooSmall: boolean;
	/** Lines the whole frame uses: always less than the terminal height (Ink clears the screen otherwise). */
	frameHeight: number;
	mainHeight: number;
	leftWidth: number;
	rightWidth: number;
	layersBody: number;
	detailsBody: number;
	summaryBody: number;
	treeBody: number;
	overlayBody: number;
};

export const footerLines = 2;
/** The image summary's lines; one fewer on short terminals (the final-files line goes first). */
export const summaryLines = 6;

/** Pane sizes for a terminal; pure so the reducer can page by the real body heights. */
export function computeLayout(size: Size): Layout {
	const tooSmall = size.columns < minimumSize.columns || size.rows < minimumSize.rows;
	const frameHeight = Math.max(1, size.rows - 1);
	const mainHeight = Math.max(3, frameHeight - footerLines);
	const detailsBody = Math.max(5, Math.min(8, Math.floor(mainHeight / 4)));
	const summaryBody = mainHeight >= 24 ? summaryLines : summaryLines - 1;
	const layersBody = Math.max(1, mainHeight - 3 - detailsBody - summaryBody);
	// A share of the width, not a cap: wide terminals give both panes room (the tree keeps the larger part).
	const leftWidth = Math.max(36, Math.floor(size.columns * 0.42));
	return {
		tooSmall,
		frameHeight,
		mainHeight,
		leftWidth,
		rightWidth: Math.max(10, size.columns - leftWidth - 1),
		layersBody,
		detailsBody,
		summaryBody,
		treeBody: Math.max(1, mainHeight - 2),
		overlayBody: Math.max(1, mainHeight - 1),
	};
}
