import {useEffect, useMemo, useReducer, useRef} from 'react';
import {isBuildOnlyOrCache} from '../analysis/finding-categories.js';
import type {ImageAnalysis} from '../analysis/types.js';
import {DetailsPane} from './details-pane.js';
import {type EarlyHandover, openFromEarly} from './early-handover.js';
import {runEffect} from './effects.js';
import type {ExplorerData} from './explorer-data.js';
import {
	type Action,
	activeScopes,
	createInitialState,
	currentTree,
	type Effect,
	type ExplorerState,
	type Overlay,
	overlayLines,
	type Preferences,
	reducer,
	type TreeSnapshot,
	treeOptions,
} from './explorer-state.js';
import {Footer} from './footer.js';
import {Box, Text, useInput} from './ink.js';
import {barItems, type Command, keyLabel, keyPresses} from './keymap.js';
import {LayersPane} from './layers-pane.js';
import {minimumSize, type Size} from './layout.js';
import {MarksView} from './marks-view.js';
import {OverlayView} from './overlay-view.js';
import {ownerLookup} from './owner-column.js';
import {PackageView, packageDetail} from './package-view.js';
import {replayKeys} from './replay-keys.js';
import {selectionText} from './size-map-draw.js';
import {SizeMapView} from './size-map-view.js';
import {SummaryPane} from './summary-pane.js';
import {TreePane} from './tree-pane.js';
import {useWarmTreeViews} from './use-warm-tree-views.js';
import {whatIfFigures} from './what-if-state.js';

type Props = {
	data: ExplorerData;
	size: Size;
	/** Called once when the user quits, with the exit code (0, or 130 for Ctrl+C). */
	onExit: (code: number) => void;
	/** From the config file: keys, tree order, a warning to show. */
	preferences?: Preferences;
	onSortChange?: (sort: 'name' | 'size') => void;
	/** Keys typed while the image was read: the explorer opens where they lead, as if typed on it. */
	initialKeys?: ReadonlyArray<{name: string; text: string}>;
	/** What the layers-first view hands over when the read ends: the explorer opens where it was. */
	opening?: EarlyHandover;
};

/** Keys left off the help bar when they have nothing to show: no suggestion, no package records. */
function unavailable(extras: ExplorerState['extras']): Command[] {
	return [
		...(extras.suggestion === undefined ? (['dockerfile'] as const) : []),
		...(extras.packages === undefined ? (['packages'] as const) : []),
	];
}

type Dispatch = (action: Action) => void;

function initialState(data: ExplorerData, size: Size, preferences: Preferences | undefined): ExplorerState {
	const extras = {
		canExport: data.exportReport !== undefined,
		...(data.suggestion === undefined ? {} : {suggestion: data.suggestion}),
		defaultExportName: data.defaultExportName,
		...(data.packages === undefined ? {} : {packages: data.packages}),
		canSavePlan: data.savePlan !== undefined,
	};
	return createInitialState(data.analysis, extras, size, preferences);
}

/** Run each effect the reducer asks for, and dispatch its progress and result while it is still current. */
function useEffects(effect: Effect | undefined, data: ExplorerData, dispatch: Dispatch): void {
	useEffect(() => {
		if (!effect) return;
		let isCurrent = true;
		const onProgress = (action: Action) => {
			if (isCurrent) dispatch(action);
		};
		void runEffect(effect, data, onProgress).then((action) => {
			if (isCurrent) dispatch(action);
		});
		return () => {
			isCurrent = false;
		};
	}, [effect, data, dispatch]);
}

/** The state's ties to the outside: the terminal's size in, the exit code and a changed tree order out. */
function useSession(state: ExplorerState, dispatch: Dispatch, props: Props): void {
	const {size, onExit, onSortChange} = props;
	useEffect(() => {
		if (size.columns !== state.size.columns || size.rows !== state.size.rows) {
			dispatch({type: 'resize', size});
		}
	}, [size, state.size, dispatch]);
	useEffect(() => {
		if (state.exitCode !== undefined) onExit(state.exitCode);
	}, [state.exitCode, onExit]);
	// Only a change the user makes is remembered: opening the explorer writes nothing.
	const savedSort = useRef(state.tree.sort);
	const {sort} = state.tree;
	useEffect(() => {
		if (sort !== savedSort.current) {
			savedSort.current = sort;
			onSortChange?.(sort);
		}
	}, [sort, onSortChange]);
}

/** Layers whose findings are build-only files or caches: the layer list marks them. */
function useBuildOnlyLayers(analysis: ImageAnalysis): Set<number> {
	return useMemo(() => {
		const layers = new Set<number>();
		for (const finding of analysis.findings) {
			if (isBuildOnlyOrCache(finding) && finding.layerIndex !== undefined) {
				layers.add(finding.layerIndex);
			}
		}

		return layers;
	}, [analysis]);
}

function TooSmall({size, height}: {size: Size; height: number}) {
	// Wrapped, not truncated: cut to one line, a 60-column pane lost "press q to quit". The box keeps
	// the wrapped lines inside the pane however short it is.
	return (
		<Box width={size.columns} height={height} overflowY="hidden">
			<Text wrap="wrap">
				{`Terminal too small (${size.columns}×${size.rows}): layerlens needs at least ${minimumSize.columns}×${minimumSize.rows}. Enlarge the window, or press q to quit.`}
			</Text>
		</Box>
	);
}

/** The layer list, its details and the image summary on the left; the file tree on the right. */
function Panes({
	state,
	tree,
	buildOnlyLayers,
}: {
	state: ExplorerState;
	tree: TreeSnapshot;
	buildOnlyLayers: Set<number>;
}) {
	const {layout, analysis} = state;
	const dockerfileKey = state.keymap.dockerfile.keys[0];
	// Ownership is worked out once, the first time the column is shown; the lookup is memoised on it.
	const owners =
		state.tree.showOwner && state.extras.packages
			? ownerLookup(state.extras.packages(), analysis.tree)
			: undefined;
	const whatIf = whatIfFigures(analysis, state.extras.suggestion, state.whatIf.marks);
	const marks = state.whatIf.marks;
	const markedLayers = useMemo(
		() => new Set(marks.flatMap((mark) => (mark.kind === 'layer' ? [mark.layer] : []))),
		[marks],
	);
	return (
		<Box flexDirection="row" height={layout.mainHeight} overflowY="hidden">
			<Box flexDirection="column" width={layout.leftWidth} overflowY="hidden">
				<LayersPane
					analysis={analysis}
					layerList={state.layerList}
					layerIndex={state.layer}
					offset={state.layersOffset}
					height={layout.layersBody}
					width={layout.leftWidth}
					isFocused={state.focus === 'layers'}
					buildOnlyLayers={buildOnlyLayers}
					whatIf={whatIf}
					markedLayers={markedLayers}
				/>
				<DetailsPane
					layer={analysis.layers[state.layer]}
					packages={analysis.packages?.layers.find((entry) => entry.layer === state.layer)}
					layerCount={analysis.layers.length}
					height={layout.detailsBody}
					width={layout.leftWidth}
				/>
				<SummaryPane
					analysis={analysis}
					suggestion={state.extras.suggestion}
					height={layout.summaryBody}
					width={layout.leftWidth}
					dockerfileKey={dockerfileKey === undefined ? undefined : keyLabel(dockerfileKey)}
					whatIf={whatIf}
				/>
			</Box>
			<Box width={1} />
			<TreePane
				view={tree.view}
				visible={tree.visible}
				tree={state.tree}
				layerIndex={state.layer}
				height={layout.treeBody}
				width={layout.rightWidth}
				isFocused={state.focus === 'tree'}
				owners={owners}
			/>
		</Box>
	);
}

/** What replaces the panes while an overlay is open: the size map, a prompt, or lines of text. */
function OpenOverlay({state, overlay}: {state: ExplorerState; overlay: Overlay}) {
	const {layout} = state;
	const width = state.size.columns;
	if (overlay.kind === 'sizeMap')
		return <SizeMapView map={overlay.map} width={width} height={layout.overlayBody} />;
	if (overlay.kind === 'packages') {
		const inventory = state.extras.packages?.();
		return (
			<PackageView view={overlay.view} inventory={inventory} width={width} height={layout.overlayBody} />
		);
	}

	if (overlay.kind === 'marks') {
		return (
			<MarksView
				analysis={state.analysis}
				suggestion={state.extras.suggestion}
				marks={state.whatIf.marks}
				cursor={overlay.cursor}
				height={layout.overlayBody}
				width={width}
			/>
		);
	}

	const lines = overlay.kind === 'export' || overlay.kind === 'extract' ? [] : overlayLines(state, overlay);
	return <OverlayView overlay={overlay} lines={lines} height={layout.overlayBody} width={width} />;
}

export function Explorer(props: Props) {
	const {data, size, preferences} = props;
	const [state, dispatch] = useReducer(reducer, undefined, () =>
		props.opening === undefined
			? replayKeys(props.initialKeys ?? [], initialState(data, size, preferences))
			: openFromEarly(initialState(data, size, preferences), props.opening),
	);
	// The handler only names the key and dispatches: Ink 6 re-subscribes it per render, so a handler
	// that read state from its closure would lose keys typed faster than a frame.
	useInput((input, key) => {
		for (const press of keyPresses(input, key)) {
			dispatch({type: 'key', name: press.name, text: press.text});
		}
	});
	useEffects(state.effect, data, dispatch);
	useSession(state, dispatch, props);
	useWarmTreeViews(state.views, treeOptions(state));
	const buildOnlyLayers = useBuildOnlyLayers(data.analysis);

	const {layout, overlay} = state;
	if (layout.tooSmall) return <TooSmall size={state.size} height={layout.frameHeight} />;
	const tree = currentTree(state);
	const width = state.size.columns;
	// Boxes clip vertically only: a horizontal clip makes Ink re-slice every line of every frame, and
	// each line is a <Text wrap="truncate"> that already fits its pane.
	return (
		<Box flexDirection="column" width={width} height={layout.frameHeight} overflowY="hidden">
			{overlay ? (
				<OpenOverlay state={state} overlay={overlay} />
			) : (
				<Panes state={state} tree={tree} buildOnlyLayers={buildOnlyLayers} />
			)}
			<Footer
				items={barItems(activeScopes(state), state.keymap, unavailable(state.extras))}
				mode={state.tree.mode}
				sort={state.tree.sort}
				wasteOnly={state.tree.wasteOnly}
				buildOnly={state.tree.buildOnly}
				filter={state.tree.filter}
				editingFilter={state.editingFilter}
				filterError={tree.view.filterError}
				rowCount={tree.visible.length}
				message={state.message}
				detail={
					overlay?.kind === 'sizeMap'
						? selectionText(overlay.map)
						: overlay?.kind === 'packages'
							? packageDetail(overlay.view)
							: undefined
				}
				only={state.tree.only?.label}
				width={width}
			/>
		</Box>
	);
}
