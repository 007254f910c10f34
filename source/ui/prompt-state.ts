import {type ExportFormat, exportFormats, reportPathFor} from '../report/formats.js';
import {selectedRow} from './explorer-selectors.js';
import {
	type ExplorerEvent,
	type ExplorerState,
	type ExportOverlay,
	type ExtractOverlay,
	type KeyEvent,
	panesHaveKeys,
	type SliceReducer,
	withEffect,
} from './explorer-types.js';
import {sanitize} from './format.js';
import {editText} from './text-input.js';

/*
The export and extract prompts, as a machine of stages: export picks a format, then a path (asking before
it overwrites a file), then writes; extract asks for a directory, then writes. Writing is an effect the
component runs; its result moves the stage on to done or failed, and any key then closes the prompt.
*/

type Prompt = ExportOverlay | ExtractOverlay;

/** `layerlens-<image>` + the format's extension, unless the user already typed another name. */
export function exportPathFor(base: string, format: ExportFormat): string {
	return reportPathFor(base, format);
}

function openExport(state: ExplorerState): ExplorerState {
	if (!state.extras.canExport) {
		return {...state, message: 'Export is not available here'};
	}

	const path = exportPathFor(state.extras.defaultExportName, 'markdown');
	return {...state, overlay: {kind: 'export', stage: 'format', format: 'markdown', path}};
}

function openExtract(state: ExplorerState): ExplorerState {
	const row = selectedRow(state);
	if (!row) return state;
	const version = row.version;
	const {tree} = state.analysis;
	if (version === undefined || row.status === 'removed' || !tree.isFile(version)) {
		return {...state, message: 'Only regular files can be extracted'};
	}

	const overlay: ExtractOverlay = {
		kind: 'extract',
		stage: 'path',
		directory: '.',
		layer: tree.layerOf(version),
		path: row.path,
		size: tree.size(version),
	};
	return {...state, overlay};
}

function extractKey(state: ExplorerState, overlay: ExtractOverlay, event: KeyEvent): ExplorerState {
	if (event.command === 'promptConfirm') {
		const directory = overlay.directory.trim() === '' ? '.' : overlay.directory;
		const {layer, path, size} = overlay;
		return withEffect(
			{...state, overlay: {...overlay, stage: 'writing', directory}},
			{kind: 'extract', layer, path, size, directory},
		);
	}

	return {...state, overlay: {...overlay, directory: editText(overlay.directory, event, 'path')}};
}

function writeExport(state: ExplorerState, overlay: ExportOverlay, overwrite: boolean): ExplorerState {
	return withEffect(
		{...state, overlay: {...overlay, stage: 'writing'}},
		{kind: 'export', format: overlay.format, path: overlay.path, overwrite},
	);
}

function exportKey(state: ExplorerState, overlay: ExportOverlay, event: KeyEvent): ExplorerState {
	const {command, name} = event;
	const set = (change: Partial<ExportOverlay>): ExplorerState => ({
		...state,
		overlay: {...overlay, ...change},
	});
	const choosing = command === 'promptPrevious' || command === 'promptNext';
	switch (overlay.stage) {
		case 'format': {
			if (choosing) {
				const index = exportFormats.indexOf(overlay.format);
				const step = command === 'promptNext' ? 1 : exportFormats.length - 1;
				const format = exportFormats[(index + step) % exportFormats.length]!;
				return set({format, path: exportPathFor(overlay.path, format)});
			}

			return command === 'promptConfirm' ? set({stage: 'path'}) : state;
		}

		case 'path': {
			if (command === 'promptConfirm') {
				return overlay.path.trim() === '' ? state : writeExport(state, overlay, false);
			}

			return choosing ? state : set({path: editText(overlay.path, event, 'path')});
		}

		case 'confirm-overwrite':
			if (name === 'y' || name === 'Y') return writeExport(state, overlay, true);
			return name === 'n' || name === 'N' ? set({stage: 'path'}) : state;
		default:
			return state;
	}
}

function promptKey(state: ExplorerState, overlay: Prompt, event: KeyEvent): ExplorerState {
	if (overlay.stage === 'writing') {
		return state;
	}

	if (overlay.stage === 'done' || overlay.stage === 'failed') {
		// Any key closes the result; the message stays in the status bar.
		return {...state, overlay: undefined, message: overlay.message};
	}

	if (event.command === 'promptCancel') {
		return {...state, overlay: undefined};
	}

	return overlay.kind === 'extract' ? extractKey(state, overlay, event) : exportKey(state, overlay, event);
}

/** What writing brought: the path written, the file that exists (export asks to overwrite it), or why it failed. */
function writeResult(state: ExplorerState, overlay: Prompt, event: ExplorerEvent): ExplorerState | undefined {
	const set = (change: Partial<Prompt>) => ({...state, overlay: {...overlay, ...change}}) as ExplorerState;
	switch (event.type) {
		case 'read-progress':
			return overlay.kind === 'extract' ? set({exportedBytes: event.exportedBytes}) : undefined;
		case 'export-done':
			return overlay.kind === 'export'
				? set({stage: 'done', message: `Wrote ${sanitize(event.path)}`})
				: undefined;
		case 'extract-done':
			return overlay.kind === 'extract'
				? set({stage: 'done', message: `Extracted to ${sanitize(event.path)}`})
				: undefined;
		case 'effect-failed':
			if (overlay.kind === 'export' && event.exists)
				return set({stage: 'confirm-overwrite', message: undefined});
			return set({stage: 'failed', message: sanitize(event.message)});
		default:
			return undefined;
	}
}

export const promptReducer: SliceReducer = (state, event) => {
	const {overlay} = state;
	const prompt = overlay?.kind === 'export' || overlay?.kind === 'extract' ? overlay : undefined;
	if (event.type !== 'key') return prompt ? writeResult(state, prompt, event) : undefined;
	if (event.scope === 'prompt' && prompt) return promptKey(state, prompt, event);
	if (!panesHaveKeys(event)) return undefined;
	if (event.command === 'exportReport') return openExport(state);
	return event.command === 'extract' ? openExtract(state) : undefined;
};
