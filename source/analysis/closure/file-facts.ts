import type {ExecInfo} from '../../image/types.js';
import type {FileLookup} from '../rule-input.js';
import type {FinalFile} from '../types.js';
import {normalisePath} from './resolve-path.js';

export type ElfInfo = Extract<ExecInfo, {kind: 'elf'}>;

/** What a file runs as: a hard link carries no bytes of its own, so its target's are read (one hop, as tar stores them). */
export function execOf(files: FileLookup, path: string): ExecInfo | undefined {
	const file = files.get(path);
	if (file?.type === 'hardlink' && file.linkTarget !== undefined)
		return files.get(normalisePath(file.linkTarget))?.exec;
	return file?.exec;
}

/** A regular file, or a hard link to one: something a program can be. */
export const isRegular = (file: FinalFile | undefined) => file?.type === 'file' || file?.type === 'hardlink';

export const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);
