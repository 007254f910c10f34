import type {
	FinalFile,
	HistoryEntry,
	LayerSummary,
	RuleInput,
	WasteSummary,
} from '../../source/analysis/types.js';
import type {ExecInfo, RuntimeConfig} from '../../source/image/types.js';

/** Builders for hand-written RuleInputs: each test states only what its rule reads. */

export function finalFile(
	path: string,
	size: number,
	layer: number,
	extra: Partial<FinalFile> = {},
): FinalFile {
	return {path, type: 'file', size, mode: 0o644, uid: 0, gid: 0, layer, ...extra};
}

export function layerSummary(index: number, instruction: string): LayerSummary {
	return {
		index,
		diffId: `sha256:${String(index).padStart(64, '0')}`,
		compression: 'none',
		tarSizeBytes: 0,
		instruction,
		sizeBytes: 0,
		fileCount: 0,
		added: 0,
		modified: 0,
		removed: 0,
		wasteIntroducedBytes: 0,
		wasteHiddenBytes: 0,
	};
}

/** History from instructions; a leading `-` marks an empty-layer entry (`-ENV A=1`). */
export function historyOf(instructions: string[]): {history: HistoryEntry[]; layers: LayerSummary[]} {
	const history: HistoryEntry[] = [];
	const layers: LayerSummary[] = [];
	for (const written of instructions) {
		const emptyLayer = written.startsWith('-');
		const instruction = emptyLayer ? written.slice(1) : written;
		const kind = /^[A-Z]+/.exec(instruction)?.[0] ?? 'UNKNOWN';
		if (emptyLayer) {
			history.push({
				createdBy: instruction,
				instruction,
				instructionKind: kind,
				emptyLayer,
				layerIndex: null,
				afterLayerIndex: layers.length - 1,
			});
		} else {
			const layer = {...layerSummary(layers.length, instruction), historyIndex: history.length};
			history.push({
				createdBy: instruction,
				instruction,
				instructionKind: kind,
				emptyLayer,
				layerIndex: layers.length,
				afterLayerIndex: layers.length - 1,
			});
			layers.push(layer);
		}
	}

	return {history, layers};
}

export const noWaste: WasteSummary = {
	reclaimableBytes: 0,
	sameContentBytes: 0,
	duplicateBytes: 0,
	items: [],
	duplicates: [],
};

export function ruleInput(parts: {
	files?: FinalFile[];
	evidence?: Record<string, string>;
	instructions?: string[];
	config?: Partial<RuntimeConfig>;
	waste?: Partial<WasteSummary>;
}): RuleInput {
	const {history, layers} = historyOf(parts.instructions ?? ['ADD rootfs.tar.xz /']);
	return {
		files: parts.files ?? [],
		evidence: new Map(Object.entries(parts.evidence ?? {})),
		layers,
		history,
		config: {env: [], exposedPorts: [], labels: {}, volumes: [], ...parts.config},
		waste: {...noWaste, ...parts.waste},
	};
}

/** A hidden lockfile (lockfileVersion 3) with the given packages; `dev` lists which are dev. */
export function hiddenLockfile(packages: Record<string, {dev?: boolean}>): string {
	const entries: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(packages)) {
		entries[key] = {version: '1.0.0', ...(value.dev ? {dev: true} : {})};
	}

	return JSON.stringify(
		{name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages: entries},
		null,
		2,
	);
}

/** A symlink among the final files. */
export function symlinkFile(path: string, target: string, layer = 0): FinalFile {
	return {...finalFile(path, 0, layer), type: 'symlink', linkTarget: target};
}

/** The attributes of a dynamically linked x86-64 ELF executable that asks for `needed` (extra fields override). */
export function dynamicElf(
	needed: string[],
	extra: Partial<Extract<ExecInfo, {kind: 'elf'}>> = {},
): {exec: ExecInfo; mode: number} {
	return {
		mode: 0o755,
		exec: {
			kind: 'elf',
			bits: 64,
			machine: 62,
			type: 'dyn',
			interpreter: '/lib64/ld-linux-x86-64.so.2',
			needed,
			runpath: [],
			...extra,
		},
	};
}
