import type {TarEntry} from '../engine/index.js';
import type {ParsedLayer} from '../image/types.js';
import {formatBytes, sanitize} from './format.js';

/** Folders shown, and files under each: the pane is a glance, the explorer has the full tree. */
const maxFolders = 8;
const filesPerFolder = 3;

type Folder = {name: string; bytes: number; files: TarEntry[]; removed: number};

function foldersOf(entries: readonly TarEntry[]): Folder[] {
	const folders = new Map<string, Folder>();
	for (const entry of entries) {
		const slash = entry.path.indexOf('/');
		const name = slash === -1 ? '' : entry.path.slice(0, slash);
		const folder = folders.get(name) ?? {name, bytes: 0, files: [], removed: 0};
		folders.set(name, folder);
		if (entry.type === 'whiteout' || entry.type === 'opaque') folder.removed++;
		else if (entry.type === 'file') {
			folder.bytes += entry.size;
			folder.files.push(entry);
		}
	}

	return [...folders.values()].sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
}

/**
The files a read layer writes, by top folder, largest first, with the largest files of each: what the tree pane
shows of a layer once it and every layer under it are read, while later layers still read. Its own files only:
what they add, change or hide in the stacked image is worked out when the whole read ends.
*/
export function layerFileLines(layer: ParsedLayer, layerIndex: number): string[] {
	const entries = layer.entries.toEntries();
	const fileBytes = entries.reduce((sum, entry) => sum + (entry.type === 'file' ? entry.size : 0), 0);
	const lines = [
		`Layer ${layerIndex} is read: ${entries.length.toLocaleString('en-US')} entries, ${formatBytes(fileBytes)} in files.`,
		'Its own files below; what they change in the image opens when every layer is read.',
	];
	for (const folder of foldersOf(entries).slice(0, maxFolders)) {
		const removed = folder.removed === 0 ? '' : ` (${folder.removed} removed)`;
		lines.push(
			`${formatBytes(folder.bytes).padStart(9)}  ${sanitize(folder.name === '' ? '/' : `${folder.name}/`)}${removed}`,
		);
		const largest = [...folder.files].sort((a, b) => b.size - a.size).slice(0, filesPerFolder);
		for (const file of largest) lines.push(`${formatBytes(file.size).padStart(9)}    ${sanitize(file.path)}`);
	}

	return lines;
}
