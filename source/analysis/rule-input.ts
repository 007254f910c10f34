import type {RawImage, TarEntry} from '../image/types.js';
import {finalVersion, findNode} from './path-node.js';
import type {FinalFile, ImageAnalysis, PathNode, RuleInput} from './types.js';
import {forEachNode} from './waste.js';

/**
What the findings rules read: the final filesystem's non-directories (parents before children, in the
order the layers introduced them) and the evidence text they can trust.
*/
export function buildRuleInput(analysis: ImageAnalysis, raw: RawImage): RuleInput {
	const files: FinalFile[] = [];
	forEachNode(analysis.root, (node) => {
		const visible = finalVersion(node);
		if (!visible || visible.entry.type === 'dir') {
			return;
		}

		files.push(finalFile(node.path, visible.entry, visible.layer));
	});

	return {
		files,
		evidence: finalEvidence(analysis.root, raw),
		layers: analysis.layers,
		history: analysis.history,
		config: raw.config,
		waste: analysis.waste,
	};
}

/**
One object literal per shape instead of spreads: a million files, each built in one allocation with its
fields in the object, instead of temporary objects and a separate property store each.
*/
function finalFile(path: string, entry: TarEntry, layer: number): FinalFile {
	const {type, size, mode, uid, gid, linkTarget, hash, exec} = entry;
	if (linkTarget === undefined) {
		if (exec !== undefined) {
			return hash === undefined
				? {path, type, size, mode, uid, gid, exec, layer}
				: {path, type, size, mode, uid, gid, hash, exec, layer};
		}

		return hash === undefined
			? {path, type, size, mode, uid, gid, layer}
			: {path, type, size, mode, uid, gid, hash, layer};
	}

	return hash === undefined
		? {path, type, size, mode, uid, gid, linkTarget, layer}
		: {path, type, size, mode, uid, gid, linkTarget, hash, layer};
}

/**
A captured file's text counts only from the layer whose version is visible at the end: a lockfile that a
later layer deleted or replaced says nothing about the image that ships.
*/
function finalEvidence(root: PathNode, raw: RawImage): Map<string, string> {
	const evidence = new Map<string, string>();
	for (const [layerIndex, layer] of raw.layers.entries()) {
		for (const captured of layer.captured) {
			const node = findNode(root, captured.path);
			const visible = node && finalVersion(node);
			if (visible && visible.layer === layerIndex) {
				evidence.set(captured.path, captured.text);
			}
		}
	}

	return evidence;
}

const byPathOf = new WeakMap<RuleInput, Map<string, FinalFile>>();

/**
The final files by path, built once per input: the rules, the projection and the suggested Dockerfile
all look paths up, and three maps of a million paths cost seconds.
*/
export function filesByPath(input: RuleInput): Map<string, FinalFile> {
	let byPath = byPathOf.get(input);
	if (byPath === undefined) {
		byPath = new Map();
		for (const file of input.files) {
			byPath.set(file.path, file);
		}

		byPathOf.set(input, byPath);
	}

	return byPath;
}
