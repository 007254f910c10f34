import {resolve} from 'node:path';
import {isLayerlensError} from '../shared/errors.js';
import {extractFile} from '../shared/extract-file.js';
import type {ExplorerData} from './explorer-data.js';
import type {Action, Effect} from './explorer-state.js';

/** Text when there is no NUL byte and it decodes as UTF-8 without replacement characters. */
export function looksLikeText(content: Buffer): boolean {
	const sample = content.subarray(0, 8192);
	if (sample.includes(0)) {
		return false;
	}

	try {
		// A multi-byte character cut at the sample end is not a reason to call the file binary.
		new TextDecoder('utf-8', {fatal: true}).decode(sample.subarray(0, lastCompleteIndex(sample)));
		return true;
	} catch {
		return false;
	}
}

function lastCompleteIndex(bytes: Buffer): number {
	let end = bytes.length;
	for (let back = 1; back <= 3 && back <= bytes.length; back++) {
		const byte = bytes[bytes.length - back]!;
		if ((byte & 0xc0) === 0xc0) {
			end = bytes.length - back;
			break;
		}

		if ((byte & 0x80) === 0) break;
	}

	return end;
}

function messageOf(error: unknown): string {
	if (isLayerlensError(error)) return error.line;
	return error instanceof Error ? error.message : String(error);
}

/** Run one effect the reducer asked for and describe its outcome as an action. */
export async function runEffect(
	effect: Effect,
	data: ExplorerData,
	onProgress?: (action: Action) => void,
): Promise<Action> {
	const progress = (exportedBytes: number) =>
		onProgress?.({type: 'read-progress', id: effect.id, exportedBytes});
	try {
		switch (effect.kind) {
			case 'read': {
				const content = await data.readFile(effect.layer, effect.path, effect.limit, progress);
				return {type: 'read-done', id: effect.id, content, isText: looksLikeText(content)};
			}

			case 'export': {
				if (!data.exportReport) throw new Error('Export is not available');
				await data.exportReport(effect.format, effect.path, effect.overwrite);
				return {type: 'export-done', id: effect.id, path: resolve(effect.path)};
			}

			case 'save-plan': {
				if (!data.savePlan) throw new Error('Saving a plan is not available');
				return {type: 'export-done', id: effect.id, path: await data.savePlan(effect.plan)};
			}

			case 'extract': {
				const content = await data.readFile(effect.layer, effect.path, effect.size, progress);
				const written = await extractFile(effect.directory, effect.path, content);
				return {type: 'extract-done', id: effect.id, path: written};
			}
		}
	} catch (error) {
		const message = messageOf(error);
		return {
			type: 'effect-failed',
			id: effect.id,
			message,
			exists: effect.kind === 'export' && !effect.overwrite && message.includes('EEXIST'),
		};
	}
}
