import type {ReportSuggestion} from '../analysis/suggestion/report-suggestion.js';
import type {ImageAnalysis} from '../analysis/types.js';
import {
	describeMark,
	markKey,
	type WhatIfAction,
	type WhatIfMark,
	type WhatIfTarget,
} from '../analysis/what-if/marks.js';
import {type MarkShare, type WhatIfFigures, WhatIfModel} from '../analysis/what-if/what-if-model.js';
import {defaultPlanTolerance, entryOfMark, type Plan, type PlanEntry} from '../ci/plan.js';
import {selectedRow} from './explorer-selectors.js';
import type {ExplorerEvent, ExplorerState} from './explorer-types.js';
import {formatBytes, formatPercent, sanitize} from './format.js';
import type {Command} from './keymap.js';
import {findingAtLine} from './overlay-lines.js';
import type {WhatIfState} from './what-if-types.js';

export {initialWhatIf, type MarksOverlay, type WhatIfState} from './what-if-types.js';

/** The figures of an analysis under a list of marks: one model per analysis, one answer per list (memoised). */
const models = new WeakMap<ImageAnalysis, WhatIfModel>();
const figuresOf = new WeakMap<readonly WhatIfMark[], WhatIfFigures>();

export function whatIfModel(analysis: ImageAnalysis, suggestion: ReportSuggestion | undefined): WhatIfModel {
	let model = models.get(analysis);
	if (model === undefined) {
		model = new WhatIfModel({
			tree: analysis.tree,
			layers: analysis.layers,
			finalSizeBytes: analysis.image.finalSizeBytes,
			findings: analysis.findings,
			...(suggestion ? {suggestion} : {}),
		});
		models.set(analysis, model);
	}

	return model;
}

/** undefined without marks: the panes show the analysis as it is. */
export function whatIfFigures(
	analysis: ImageAnalysis,
	suggestion: ReportSuggestion | undefined,
	marks: readonly WhatIfMark[],
): WhatIfFigures | undefined {
	if (marks.length === 0) return undefined;
	let figures = figuresOf.get(marks);
	if (figures === undefined) {
		figures = whatIfModel(analysis, suggestion).apply(marks);
		figuresOf.set(marks, figures);
	}

	return figures;
}

/** Marks the target, or unmarks it when it is marked with the same action (another action replaces it). */
export function toggleMark(state: WhatIfState, target: WhatIfTarget, action: WhatIfAction): WhatIfState {
	const key = markKey(target);
	const index = state.marks.findIndex((mark) => markKey(mark) === key);
	const existing = index === -1 ? undefined : state.marks[index];
	const marks =
		existing?.action === action
			? state.marks.filter((_, other) => other !== index)
			: existing === undefined
				? [...state.marks, {...target, action} as WhatIfMark]
				: state.marks.map((mark, other) => (other === index ? ({...target, action} as WhatIfMark) : mark));
	return {marks, undo: [...state.undo, state.marks]};
}

export function unmarkAt(state: WhatIfState, index: number): WhatIfState {
	if (index < 0 || index >= state.marks.length) return state;
	return {marks: state.marks.filter((_, other) => other !== index), undo: [...state.undo, state.marks]};
}

/** Back to the marks before the last change (a mark, an unmark, an action switched). */
export function undoMark(state: WhatIfState): WhatIfState {
	const previous = state.undo.at(-1);
	return previous === undefined ? state : {marks: previous, undo: state.undo.slice(0, -1)};
}

/** What the explorer's state must offer the what-if keys; the root reducer passes itself. */
export type WhatIfHost = {
	analysis: ImageAnalysis;
	extras: {suggestion?: ReportSuggestion; canSavePlan?: boolean};
	whatIf: WhatIfState;
	focus: 'layers' | 'tree';
	layer: number;
	editingFilter: boolean;
	overlay: {kind: string; scroll?: number; cursor?: number} | undefined;
	message: string | undefined;
	size: {columns: number};
	nextEffectId: number;
};

const removeCommands = new Set<Command>(['whatIfRemove', 'whatIfLayerRemove', 'whatIfOverlayRemove']);
const markCommands = new Set<Command>([
	...removeCommands,
	'whatIfBuilder',
	'whatIfLayerBuilder',
	'whatIfOverlayBuilder',
]);

/**
The what-if keys: undefined when the key is not one of them here (the other reducers take it). `selected`
is the tree's selected row, for the tree's marks. Every change says in the status bar what it does.
*/
export function whatIfKey<S extends WhatIfHost>(
	state: S,
	command: Command | undefined,
	selected: {path: string} | undefined,
): S | undefined {
	if (command === undefined || state.editingFilter) return undefined;
	const overlay = state.overlay;
	if (command === 'whatIfMarks') return {...state, overlay: {kind: 'marks', cursor: 0}};
	if (command === 'whatIfUndo' || command === 'whatIfOverlayUndo') {
		if (overlay !== undefined && overlay.kind !== 'marks' && overlay.kind !== 'findings') return undefined;
		if (state.whatIf.undo.length === 0) return {...state, message: 'Nothing to undo'};
		return changed(state, undoMark(state.whatIf), 'Undone');
	}

	if (overlay?.kind === 'marks') return marksOverlayKey(state, overlay.cursor ?? 0, command);
	if (!markCommands.has(command)) return undefined;
	const action: WhatIfAction = removeCommands.has(command) ? 'remove' : 'builder';
	let target: WhatIfTarget | undefined;
	if (overlay?.kind === 'findings') {
		const finding = findingAtLine(state.analysis, Math.max(20, state.size.columns - 1), overlay.scroll ?? 0);
		if (finding === undefined) return {...state, message: 'No finding to mark'};
		target = {kind: 'finding', ruleId: finding.ruleId, title: finding.title, paths: finding.paths};
	} else if (overlay !== undefined) {
		return undefined;
	} else if (command === 'whatIfLayerRemove' || command === 'whatIfLayerBuilder') {
		target = {kind: 'layer', layer: state.layer};
	} else {
		if (selected === undefined || selected.path === '') return {...state, message: 'No entry selected'};
		target = {kind: 'path', path: selected.path};
	}

	return markTarget(state, target, action);
}

/** Marks (or unmarks) one target and says so in the status line; the package view marks a whole package with it. */
export function markTarget<S extends WhatIfHost>(state: S, target: WhatIfTarget, action: WhatIfAction): S {
	const next = toggleMark(state.whatIf, target, action);
	const marked = next.marks.length >= state.whatIf.marks.length;
	const mark = {...target, action} as WhatIfMark;
	return changed(state, next, `${marked ? 'Marked' : 'Unmarked'}: ${sanitize(describeMark(mark))}`);
}

function marksOverlayKey<S extends WhatIfHost>(state: S, cursor: number, command: Command): S | undefined {
	const {marks} = state.whatIf;
	const moveTo = (next: number) => ({
		...state,
		overlay: {kind: 'marks', cursor: Math.max(0, Math.min(Math.max(0, marks.length - 1), next))},
	});
	switch (command) {
		case 'overlayUp':
			return moveTo(cursor - 1);
		case 'overlayDown':
			return moveTo(cursor + 1);
		case 'overlayFirst':
			return moveTo(0);
		case 'overlayLast':
			return moveTo(marks.length - 1);
		case 'overlayClose':
			return {...state, overlay: undefined};
		case 'whatIfOverlayRemove': {
			const mark = marks[cursor];
			if (mark === undefined) return state;
			const next = changed(
				state,
				unmarkAt(state.whatIf, cursor),
				`Unmarked: ${sanitize(describeMark(mark))}`,
			);
			return {...next, overlay: {kind: 'marks', cursor: Math.max(0, Math.min(cursor, marks.length - 2))}};
		}

		case 'whatIfOverlayBuilder': {
			const mark = marks[cursor];
			if (mark === undefined) return state;
			const action: WhatIfAction = mark.action === 'remove' ? 'builder' : 'remove';
			return changed(
				state,
				toggleMark(state.whatIf, mark, action),
				`${sanitize(describeMark({...mark, action}))}`,
			);
		}

		case 'whatIfSavePlan':
			return savePlan(state);
		default:
			return state;
	}
}

/** The new marks, and the status line: what was done and what the image comes to. */
function changed<S extends WhatIfHost>(state: S, whatIf: WhatIfState, done: string): S {
	const figures = whatIfFigures(state.analysis, state.extras.suggestion, whatIf.marks);
	const sums =
		figures === undefined
			? 'no marks left'
			: `saves ${formatBytes(figures.finalSavedBytes)} final, ${formatBytes(figures.storedSavedBytes)} stored`;
	return {...state, whatIf, message: `${done} · ${sums}`};
}

/** The marks list's lines: each mark with its own share, then the totals. */
export function marksLines(
	analysis: ImageAnalysis,
	suggestion: ReportSuggestion | undefined,
	marks: readonly WhatIfMark[],
): string[] {
	if (marks.length === 0) {
		return [
			'No what-if marks. Mark with r (remove) or B (move to a builder stage): a file or directory in the',
			'tree, a layer in the layer list, the finding at the top of the findings overlay (f).',
		];
	}

	const model = whatIfModel(analysis, suggestion);
	const shares: MarkShare[] = model.shares(marks);
	const figures = whatIfFigures(analysis, suggestion, marks)!;
	const lines = marks.map((mark, index) => {
		const share = shares[index]!;
		const inner = share.finalBytes === 0 && share.storedBytes === 0 ? '  (covered by another mark)' : '';
		return `${formatBytes(share.finalBytes).padStart(9)} final ${formatBytes(share.storedBytes).padStart(9)} stored  ${sanitize(describeMark(mark))}${inner}`;
	});
	return [...lines, '', ...figureLines(analysis, suggestion, figures)];
}

/** Before → after, for the marks list and the summary pane. */
export function figureLines(
	analysis: ImageAnalysis,
	suggestion: ReportSuggestion | undefined,
	figures: WhatIfFigures,
): string[] {
	const arrow = (before: number, after: number) => `${formatBytes(before)} → ${formatBytes(after)}`;
	const {image, efficiency} = analysis;
	return [
		`If marked: saves ${formatBytes(figures.finalSavedBytes)} final, ${formatBytes(figures.storedSavedBytes)} stored`,
		`Size        ${arrow(image.sizeBytes, figures.imageSizeBytes)}`,
		`Final       ${arrow(image.finalSizeBytes, figures.finalSizeBytes)}`,
		`Projected   ${arrow(suggestion?.projectedSizeBytes ?? image.finalSizeBytes, figures.projectedSizeBytes)}`,
		`dive score  ${formatPercent(efficiency.score)} → ${formatPercent(figures.efficiency.score)}`,
	];
}

/** The marks as the plan `.layerlens.yml` keeps: each entry with what it saves alone, in final bytes. */
export function planOfMarks(
	analysis: ImageAnalysis,
	suggestion: ReportSuggestion | undefined,
	marks: readonly WhatIfMark[],
): Plan {
	const model = whatIfModel(analysis, suggestion);
	const entries: PlanEntry[] = marks.map((mark) =>
		entryOfMark(mark, analysis.layers, model.apply([mark]).finalSavedBytes),
	);
	model.apply(marks);
	return {tolerance: defaultPlanTolerance, entries};
}

/** `S` in the marks list: the plan goes to the writer as an effect (the run stage knows the path). */
function savePlan<S extends WhatIfHost>(state: S): S {
	if (state.whatIf.marks.length === 0) return {...state, message: 'No marks to save'};
	if (!state.extras.canSavePlan) {
		return {
			...state,
			message:
				'To save the plan, start layerlens with --config FILE (or --dockerfile FILE: written beside it)',
		};
	}

	const plan = planOfMarks(state.analysis, state.extras.suggestion, state.whatIf.marks);
	return {
		...state,
		effect: {id: state.nextEffectId, kind: 'save-plan', plan},
		nextEffectId: state.nextEffectId + 1,
		message: 'Saving the plan…',
	};
}

/** The writer's answer: the path written, or why not. */
export function planSaved<S extends WhatIfHost>(
	state: S,
	action: {type: string; path?: string; message?: string},
): S {
	if (action.type === 'export-done') {
		return {
			...state,
			message: `Saved ${state.whatIf.marks.length} marks as the plan in ${sanitize(action.path ?? '')}`,
		};
	}

	return action.type === 'effect-failed'
		? {...state, message: `The plan was not saved: ${sanitize(action.message ?? '')}`}
		: state;
}

/**
The explorer's what-if slice: its keys (before the overlays', which would take `r` in the findings overlay),
and the plan writer's answer while the marks list is open.
*/
export function whatIfReducer(state: ExplorerState, event: ExplorerEvent): ExplorerState | undefined {
	if (event.type === 'key') {
		if (event.scope === 'prompt' || event.scope === 'filter' || event.scope === 'sizeMap') return undefined;
		return whatIfKey(state, event.command, selectedRow(state));
	}

	if (state.overlay?.kind === 'marks' && (event.type === 'export-done' || event.type === 'effect-failed')) {
		return planSaved(state, event);
	}

	return undefined;
}
