import {Box, Text, useInput} from 'ink';
import {useEffect, useMemo, useReducer, useRef} from 'react';
import {DetailsPane} from './details-pane.js';
import {runEffect} from './effects.js';
import type {ExplorerData} from './explorer-data.js';
import {
	type Action,
	activeScopes,
	createInitialState,
	currentTree,
	type Preferences,
	reducer,
	treeOptions,
} from './explorer-state.js';
import {Footer} from './footer.js';
import {barItems, keyLabel, keyPresses} from './keymap.js';
import {LayersPane} from './layers-pane.js';
import {minimumSize, type Size} from './layout.js';
import {OverlayView} from './overlay-view.js';
import {replayKeys} from './replay-keys.js';
import {selectionText} from './size-map-draw.js';
import {SizeMapView} from './size-map-view.js';
import {SummaryPane} from './summary-pane.js';
import {TreePane} from './tree-pane.js';
import {useWarmTreeViews} from './use-warm-tree-views.js';

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
};

const noSuggestion = ['dockerfile'] as const;

export function Explorer({data, size, onExit, preferences, onSortChange, initialKeys = []}: Props) {
	const [state, dispatch] = useReducer(reducer, undefined, () =>
		replayKeys(
			initialKeys,
			createInitialState(
				data.analysis,
				{
					canExport: data.exportReport !== undefined,
					...(data.suggestion === undefined ? {} : {suggestion: data.suggestion}),
					defaultExportName: data.defaultExportName,
				},
				size,
				preferences,
			),
		),
	);

	// The handler only names the key and dispatches: Ink 6 re-subscribes it per render, so a handler
	// that read state from its closure would lose keys typed faster than a frame.
	useInput((input, key) => {
		for (const press of keyPresses(input, key)) {
			dispatch({type: 'key', name: press.name, text: press.text});
		}
	});

	useEffect(() => {
		if (size.columns !== state.size.columns || size.rows !== state.size.rows) {
			dispatch({type: 'resize', size});
		}
	}, [size, state.size]);

	const {effect} = state;
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
	}, [effect, data]);

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

	useWarmTreeViews(state.analysis, treeOptions(state));

	const buildOnlyLayers = useMemo(() => {
		const layers = new Set<number>();
		for (const finding of data.analysis.findings) {
			if (
				(finding.category === 'build-only' || finding.category === 'cache') &&
				finding.layerIndex !== undefined
			) {
				layers.add(finding.layerIndex);
			}
		}

		return layers;
	}, [data.analysis]);

	const {layout} = state;
	if (layout.tooSmall) {
		// Wrapped, not truncated: cut to one line, a 60-column pane lost "press q to quit". The box keeps
		// the wrapped lines inside the pane however short it is.
		return (
			<Box width={state.size.columns} height={layout.frameHeight} overflowY="hidden">
				<Text wrap="wrap">
					{`Terminal too small (${state.size.columns}×${state.size.rows}): layerlens needs at least ${minimumSize.columns}×${minimumSize.rows}. Enlarge the window, or press q to quit.`}
				</Text>
			</Box>
		);
	}

	const tree = currentTree(state);
	const width = state.size.columns;
	const dockerfileKey = state.keymap.dockerfile.keys[0];
	const dockerfileKeyLabel = dockerfileKey === undefined ? undefined : keyLabel(dockerfileKey);
	// Boxes clip vertically only: a horizontal clip makes Ink re-slice every line of every frame, and
	// each line is a <Text wrap="truncate"> that already fits its pane.
	return (
		<Box flexDirection="column" width={width} height={layout.frameHeight} overflowY="hidden">
			{state.overlay?.kind === 'sizeMap' ? (
				<SizeMapView map={state.overlay.map} width={width} height={layout.overlayBody} />
			) : state.overlay ? (
				<OverlayView overlay={state.overlay} height={layout.overlayBody} width={width} />
			) : (
				<Box flexDirection="row" height={layout.mainHeight} overflowY="hidden">
					<Box flexDirection="column" width={layout.leftWidth} overflowY="hidden">
						<LayersPane
							analysis={state.analysis}
							layerList={state.layerList}
							layerIndex={state.layer}
							offset={state.layersOffset}
							height={layout.layersBody}
							width={layout.leftWidth}
							isFocused={state.focus === 'layers'}
							buildOnlyLayers={buildOnlyLayers}
						/>
						<DetailsPane
							layer={state.analysis.layers[state.layer]}
							packages={state.analysis.packages?.layers.find((entry) => entry.layer === state.layer)}
							layerCount={state.analysis.layers.length}
							height={layout.detailsBody}
							width={layout.leftWidth}
						/>
						<SummaryPane
							analysis={state.analysis}
							suggestion={state.extras.suggestion}
							height={layout.summaryBody}
							width={layout.leftWidth}
							dockerfileKey={dockerfileKeyLabel}
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
					/>
				</Box>
			)}
			<Footer
				items={barItems(activeScopes(state), state.keymap, state.extras.suggestion ? [] : noSuggestion)}
				mode={state.tree.mode}
				sort={state.tree.sort}
				wasteOnly={state.tree.wasteOnly}
				buildOnly={state.tree.buildOnly}
				filter={state.tree.filter}
				editingFilter={state.editingFilter}
				filterError={tree.view.filterError}
				rowCount={tree.visible.length}
				message={state.message}
				detail={state.overlay?.kind === 'sizeMap' ? selectionText(state.overlay.map) : undefined}
				width={width}
			/>
		</Box>
	);
}
