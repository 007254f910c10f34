/**
Every key binding of the explorer, as data. The help bar, the `?` overlay and the README key table are
all rendered from this one table, so they cannot drift apart.
*/

export type Scope = 'global' | 'layers' | 'tree' | 'filter' | 'overlay' | 'sizeMap' | 'packages' | 'prompt';

export type Binding = {
	readonly scope: Scope;
	/** Key names as produced by `keyName` (first one is shown in the help bar). */
	readonly keys: readonly string[];
	readonly help: string;
	/** Short label in the one-line help bar of its scope (the `?` overlay shows everything). */
	readonly bar?: string;
	/** Shown first in the help bar, ahead of the focused pane's keys (the headline must fit at 80 columns). */
	readonly barFirst?: boolean;
};

/*
dive's default keys (its config's `keybinding:` section) work beside layerlens' own. Where the two collide,
dive's meaning is on its Ctrl chord and layerlens' on the plain key: Ctrl+U hides unchanged files as in dive,
so page up is PgUp (or u, also dive's). Ctrl+M is the byte Enter sends, so in most terminals it stays Enter.
*/

export const keymap = {
	quit: {scope: 'global', keys: ['q', 'ctrl+c'], help: 'Quit', bar: 'quit'},
	nextPane: {scope: 'global', keys: ['tab'], help: 'Next pane', bar: 'pane'},
	previousPane: {scope: 'global', keys: ['shift+tab'], help: 'Previous pane'},
	help: {scope: 'global', keys: ['?'], help: 'Show all keys', bar: 'keys'},
	findings: {
		scope: 'global',
		keys: ['f'],
		help: 'Findings, largest first, with evidence and fix',
		bar: 'findings',
	},
	dockerfile: {
		scope: 'global',
		keys: ['d'],
		help: 'Suggested Dockerfile (builder stage and runtime image)',
		bar: 'suggestion',
		barFirst: true,
	},
	filter: {
		scope: 'global',
		keys: ['/', 'ctrl+f', 'ctrl+/'],
		help: 'Filter paths by regular expression',
		bar: 'filter',
		barFirst: true,
	},
	packages: {
		scope: 'global',
		keys: ['P'],
		help: 'Packages by bytes: ecosystem, version, installing layer, build-only or runtime',
		bar: 'packages',
	},
	exportReport: {
		scope: 'global',
		keys: ['e'],
		help: 'Export a report (JSON, Markdown, SARIF)',
		bar: 'export',
	},
	whatIfMarks: {
		scope: 'global',
		keys: ['M'],
		help: 'What-if marks: each with what it saves, the image recomputed; S saves them as the plan',
	},
	whatIfUndo: {scope: 'global', keys: ['U'], help: 'Undo the last what-if mark or unmark'},

	layerUp: {scope: 'layers', keys: ['up', 'k'], help: 'Previous layer'},
	layerDown: {scope: 'layers', keys: ['down', 'j'], help: 'Next layer', bar: 'layer'},
	layerPageUp: {scope: 'layers', keys: ['pageup', 'u'], help: 'Page up (Ctrl+U is not page up: dive keys)'},
	layerPageDown: {scope: 'layers', keys: ['pagedown', 'ctrl+d'], help: 'Page down'},
	layerFirst: {scope: 'layers', keys: ['g', 'home'], help: 'First layer'},
	layerLast: {scope: 'layers', keys: ['G', 'end'], help: 'Last layer'},
	showAggregated: {
		scope: 'layers',
		keys: ['ctrl+a'],
		help: 'Tree shows the whole filesystem as of this layer (dive)',
	},
	showChanges: {scope: 'layers', keys: ['ctrl+l'], help: "Tree shows this layer's changes (dive)"},
	whatIfLayerRemove: {
		scope: 'layers',
		keys: ['r'],
		help: 'What-if: mark the whole layer to remove (again: unmark); the panes recompute',
	},
	whatIfLayerBuilder: {
		scope: 'layers',
		keys: ['B'],
		help: 'What-if: mark the whole layer to move to a builder stage (again: unmark)',
	},
	layerInfo: {
		scope: 'layers',
		keys: ['enter', 'i'],
		help: 'Full instruction and details of the layer',
		bar: 'details',
	},

	up: {scope: 'tree', keys: ['up', 'k'], help: 'Move up'},
	down: {scope: 'tree', keys: ['down', 'j'], help: 'Move down'},
	pageUp: {scope: 'tree', keys: ['pageup', 'u'], help: 'Page up (Ctrl+U hides unchanged files, as in dive)'},
	pageDown: {scope: 'tree', keys: ['pagedown', 'ctrl+d'], help: 'Page down'},
	first: {scope: 'tree', keys: ['g', 'home'], help: 'First row'},
	last: {scope: 'tree', keys: ['G', 'end'], help: 'Last row'},
	collapse: {scope: 'tree', keys: ['left', 'h'], help: 'Collapse directory (or go to its parent)'},
	expand: {scope: 'tree', keys: ['right', 'l'], help: 'Expand directory'},
	toggle: {scope: 'tree', keys: ['space'], help: 'Collapse or expand directory', bar: 'fold'},
	activate: {scope: 'tree', keys: ['enter'], help: 'Toggle directory, or view file'},
	collapseAll: {scope: 'tree', keys: ['z'], help: 'Collapse all directories'},
	expandAll: {scope: 'tree', keys: ['Z'], help: 'Expand all directories'},
	toggleAll: {scope: 'tree', keys: ['ctrl+space'], help: 'Collapse or expand all directories (dive)'},
	sort: {scope: 'tree', keys: ['s', 'ctrl+o'], help: 'Sort by size / name', bar: 'sort'},
	aggregated: {
		scope: 'tree',
		keys: ['a'],
		help: "Whole filesystem as of this layer / this layer's changes",
		bar: 'all files',
	},
	hideAdded: {scope: 'tree', keys: ['1', 'ctrl+a', 'ctrl+n'], help: 'Hide/show added files'},
	hideModified: {
		scope: 'tree',
		keys: ['2', 'ctrl+m'],
		help: 'Hide/show modified files (Ctrl+M is Enter in most terminals)',
	},
	hideRemoved: {scope: 'tree', keys: ['3', 'ctrl+r'], help: 'Hide/show removed files'},
	hideUnchanged: {scope: 'tree', keys: ['4', 'ctrl+u'], help: 'Hide/show unchanged files'},
	wasteOnly: {
		scope: 'tree',
		keys: ['w'],
		help: 'Only wasted files (jumps to a layer that adds some)',
		bar: 'waste',
	},
	buildOnly: {scope: 'tree', keys: ['b'], help: 'Only build-only files', bar: 'build-only'},
	attributes: {scope: 'tree', keys: ['p', 'ctrl+b'], help: 'Show/hide permissions and uid:gid'},
	ownerColumn: {
		scope: 'tree',
		keys: ['o'],
		help: 'Show/hide the owner column: the package that owns each file, "yours" for none',
	},
	showAllFiles: {
		scope: 'tree',
		keys: ['escape'],
		help: "Show every file again after the package view's jump to a package's files",
	},
	wrapTree: {
		scope: 'tree',
		keys: ['ctrl+p'],
		help: 'Wrap long names onto the next lines / cut them at the edge (dive)',
	},
	whatIfRemove: {
		scope: 'tree',
		keys: ['r'],
		help: 'What-if: mark the selected file or directory to remove (again: unmark); the panes recompute',
	},
	whatIfBuilder: {
		scope: 'tree',
		keys: ['B'],
		help: 'What-if: mark the selected file or directory to move to a builder stage (again: unmark)',
	},
	view: {scope: 'tree', keys: ['v'], help: 'View file contents or metadata', bar: 'view'},
	extract: {scope: 'tree', keys: ['x', 'ctrl+e'], help: 'Extract file to a directory', bar: 'extract'},
	sizeMap: {
		scope: 'tree',
		keys: ['m'],
		help: "Size map of what the tree shows (the filesystem, or this layer's changes)",
		bar: 'map',
	},

	filterAccept: {scope: 'filter', keys: ['enter'], help: 'Keep filter, back to the tree', bar: 'keep'},
	filterClear: {scope: 'filter', keys: ['escape'], help: 'Clear filter', bar: 'clear'},
	filterUp: {scope: 'filter', keys: ['up'], help: 'Move up in the filtered tree'},
	filterDown: {scope: 'filter', keys: ['down'], help: 'Move down in the filtered tree', bar: 'move'},

	overlayClose: {scope: 'overlay', keys: ['escape', 'q'], help: 'Close', bar: 'close'},
	overlayUp: {scope: 'overlay', keys: ['up', 'k'], help: 'Scroll up'},
	overlayDown: {scope: 'overlay', keys: ['down', 'j'], help: 'Scroll down', bar: 'scroll'},
	overlayPageUp: {scope: 'overlay', keys: ['pageup', 'ctrl+u'], help: 'Page up'},
	overlayPageDown: {scope: 'overlay', keys: ['pagedown', 'ctrl+d', 'space'], help: 'Page down', bar: 'page'},
	overlayFirst: {scope: 'overlay', keys: ['g', 'home'], help: 'Top'},
	overlayLast: {scope: 'overlay', keys: ['G', 'end'], help: 'Bottom'},
	whatIfOverlayRemove: {
		scope: 'overlay',
		keys: ['r'],
		help: 'Findings: mark the finding at the top to remove (again: unmark); marks list: unmark the selected mark',
	},
	whatIfOverlayBuilder: {
		scope: 'overlay',
		keys: ['B'],
		help: 'Findings: mark the finding at the top to move to a builder stage; marks list: switch remove / builder',
	},
	whatIfOverlayUndo: {
		scope: 'overlay',
		keys: ['U'],
		help: 'Findings and marks list: undo the last what-if change',
	},
	whatIfSavePlan: {
		scope: 'overlay',
		keys: ['S'],
		help: 'Marks list: save the marks as the plan in .layerlens.yml (the --config file, or the one beside --dockerfile)',
	},

	mapUp: {scope: 'sizeMap', keys: ['up', 'k'], help: 'Rectangle above'},
	mapDown: {scope: 'sizeMap', keys: ['down', 'j'], help: 'Rectangle below'},
	mapLeft: {
		scope: 'sizeMap',
		keys: ['left', 'h'],
		help: 'Rectangle to the left (at the left edge: back out)',
	},
	mapRight: {scope: 'sizeMap', keys: ['right', 'l'], help: 'Rectangle to the right', bar: 'move'},
	mapZoomIn: {
		scope: 'sizeMap',
		keys: ['enter'],
		help: 'Open the directory (or the group of small files)',
		bar: 'open',
	},
	mapZoomOut: {
		scope: 'sizeMap',
		keys: ['escape', 'backspace'],
		help: 'Back out to the directory above (at the top: close the map)',
		bar: 'back',
	},
	mapClose: {scope: 'sizeMap', keys: ['q', 'm'], help: 'Close the size map', bar: 'close'},

	packagesUp: {scope: 'packages', keys: ['up', 'k'], help: 'Previous package'},
	packagesDown: {scope: 'packages', keys: ['down', 'j'], help: 'Next package', bar: 'move'},
	packagesPageUp: {scope: 'packages', keys: ['pageup', 'u'], help: 'Page up'},
	packagesPageDown: {scope: 'packages', keys: ['pagedown', 'ctrl+d', 'space'], help: 'Page down'},
	packagesFirst: {scope: 'packages', keys: ['g', 'home'], help: 'First package'},
	packagesLast: {scope: 'packages', keys: ['G', 'end'], help: 'Last package'},
	packagesSort: {scope: 'packages', keys: ['s'], help: 'Sort by size / name', bar: 'sort'},
	packagesFilter: {
		scope: 'packages',
		keys: ['/', 'ctrl+f'],
		help: 'Filter packages by regular expression (on ecosystem:name)',
		bar: 'filter',
	},
	whatIfPackageRemove: {
		scope: 'packages',
		keys: ['r'],
		help: 'What-if: mark the selected package (all its files) to remove (again: unmark)',
	},
	whatIfPackageBuilder: {
		scope: 'packages',
		keys: ['B'],
		help: 'What-if: mark the selected package to move to a builder stage (again: unmark)',
	},
	packagesFiles: {
		scope: 'packages',
		keys: ['enter'],
		help: "Show the package's files: the tree, final filesystem, filtered to them",
		bar: 'its files',
	},
	packagesClose: {
		scope: 'packages',
		keys: ['escape', 'q', 'P'],
		help: 'Close the package view',
		bar: 'close',
	},

	promptConfirm: {scope: 'prompt', keys: ['enter'], help: 'Confirm', bar: 'confirm'},
	promptCancel: {scope: 'prompt', keys: ['escape'], help: 'Cancel', bar: 'cancel'},
	promptPrevious: {scope: 'prompt', keys: ['up'], help: 'Previous choice', bar: 'previous'},
	promptNext: {scope: 'prompt', keys: ['down'], help: 'Next choice', bar: 'next'},
} as const satisfies Record<string, Binding>;

export type Command = keyof typeof keymap;

/** A keymap in effect: the defaults, or the defaults with a keys file's remappings (see keys-config.ts). */
export type Keymap = Readonly<Record<Command, Binding>>;

/** The subset of Ink's `Key` that naming needs (kept structural so tests need no Ink). */
export type KeyFlags = {
	upArrow?: boolean;
	downArrow?: boolean;
	leftArrow?: boolean;
	rightArrow?: boolean;
	pageUp?: boolean;
	pageDown?: boolean;
	home?: boolean;
	end?: boolean;
	return?: boolean;
	escape?: boolean;
	ctrl?: boolean;
	shift?: boolean;
	tab?: boolean;
	backspace?: boolean;
	delete?: boolean;
	meta?: boolean;
};

/** One stable name per key press, e.g. `down`, `shift+tab`, `ctrl+c`, `G`, `space`. */
export function keyName(input: string, key: KeyFlags): string {
	if (key.upArrow) return 'up';
	if (key.downArrow) return 'down';
	if (key.leftArrow) return 'left';
	if (key.rightArrow) return 'right';
	if (key.pageUp) return 'pageup';
	if (key.pageDown) return 'pagedown';
	if (key.home) return 'home';
	if (key.end) return 'end';
	if (key.return) return 'enter';
	if (key.tab) return key.shift ? 'shift+tab' : 'tab';
	// Terminals send DEL (0x7f) for the Backspace key, which Ink reports as `delete`.
	if (key.backspace || key.delete) return 'backspace';
	if (key.escape) return 'escape';
	if (input.length === 1 && input < ' ') return controlName(input.codePointAt(0)!);
	if (key.ctrl && input.length === 1) return input === '`' ? 'ctrl+space' : `ctrl+${input.toLowerCase()}`;
	if (input === ' ') return 'space';
	return input;
}

const plainCharacterNames: Record<string, string> = {
	'\r': 'enter',
	'\n': 'enter',
	'\t': 'tab',
	'\u007F': 'backspace',
	'\b': 'backspace',
	' ': 'space',
};

/**
A control byte's name: Ctrl+Space sends NUL (Ink reports it as Ctrl+`), Ctrl+/ sends 0x1F, the rest are
Ctrl+letter.
*/
function controlName(code: number): string {
	if (code === 0) return 'ctrl+space';
	if (code === 0x1f) return 'ctrl+/';
	return `ctrl+${String.fromCodePoint(code + 0x60)}`;
}

/**
Ink 6 hands a run of plain characters that arrive in one read (`jjj` from a held key on a busy machine,
or a paste) to `useInput` as ONE input; split it so every key press counts.
*/
export function keyPresses(input: string, key: KeyFlags): Array<{name: string; text: string}> {
	const hasFlag = Object.values(key).some(Boolean);
	if (input.length <= 1 || hasFlag || input.startsWith('\u001B')) {
		return [{name: keyName(input, key), text: input}];
	}

	return [...input].map((character) => {
		const code = character.codePointAt(0)!;
		const name = plainCharacterNames[character] ?? (code < 0x20 ? controlName(code) : keyName(character, {}));
		return {name, text: character};
	});
}

/** The command bound to `name` among `scopes`, searched in order. */
export function commandFor(
	name: string,
	scopes: readonly Scope[],
	map: Keymap = keymap,
): Command | undefined {
	for (const scope of scopes) {
		for (const [command, binding] of Object.entries(map) as Array<[Command, Binding]>) {
			if (binding.scope === scope && binding.keys.includes(name)) {
				return command;
			}
		}
	}

	return undefined;
}

const keyLabels: Record<string, string> = {
	up: '↑',
	down: '↓',
	left: '←',
	right: '→',
	pageup: 'PgUp',
	pagedown: 'PgDn',
	home: 'Home',
	end: 'End',
	enter: 'Enter',
	escape: 'Esc',
	tab: 'Tab',
	'shift+tab': 'Shift+Tab',
	space: 'Space',
	backspace: 'Backspace',
};

export function keyLabel(name: string): string {
	if (keyLabels[name]) {
		return keyLabels[name];
	}

	if (name.startsWith('ctrl+')) {
		const rest = name.slice(5);
		return `Ctrl+${keyLabels[rest] ?? rest.toUpperCase()}`;
	}

	return name;
}

export const scopeTitles: Record<Scope, string> = {
	global: 'Everywhere',
	layers: 'Layers pane',
	tree: 'File tree pane',
	filter: 'While typing a filter',
	overlay: 'Viewer, findings, Dockerfile, what-if marks and help overlays',
	sizeMap: 'Size map',
	packages: 'Package view',
	prompt: 'Export and extract prompts',
};

export type BarItem = {keys: string; help: string; command: Command};

/** Short hints for the help bar, per keymap: the first key of each `bar` binding of the given scopes. */
const barItemsCache = new WeakMap<Keymap, Map<string, BarItem[]>>();

/**
The same array for the same scopes, keymap and omissions, so the memoised footer skips re-rendering on
cursor moves. `omit` drops commands that have nothing to show (no suggestion: no `d`).
*/
export function barItems(
	scopes: readonly Scope[],
	map: Keymap = keymap,
	omit: readonly Command[] = [],
): BarItem[] {
	let byScopes = barItemsCache.get(map);
	if (!byScopes) {
		byScopes = new Map();
		barItemsCache.set(map, byScopes);
	}

	const cacheKey = `${scopes.join(' ')}|${omit.join(' ')}`;
	const cached = byScopes.get(cacheKey);
	if (cached) return cached;
	const first: BarItem[] = [];
	const rest: BarItem[] = [];
	for (const scope of scopes) {
		for (const [command, binding] of Object.entries(map) as Array<[Command, Binding]>) {
			if (binding.scope === scope && binding.bar && binding.keys.length > 0 && !omit.includes(command)) {
				const item = {keys: keyLabel(binding.keys[0]!), help: binding.bar, command};
				(binding.barFirst ? first : rest).push(item);
			}
		}
	}

	const items = [...first, ...rest];
	byScopes.set(cacheKey, items);
	return items;
}

/** Lines of the `?` overlay: a heading per scope, then `keys  help`. */
export function helpLines(map: Keymap = keymap): string[] {
	const lines: string[] = [];
	for (const scope of Object.keys(scopeTitles) as Scope[]) {
		lines.push(scopeTitles[scope]);
		for (const binding of Object.values(map) as Binding[]) {
			if (binding.scope === scope) {
				lines.push(`  ${binding.keys.map(keyLabel).join(' ').padEnd(22)} ${binding.help}`);
			}
		}

		lines.push('');
	}

	return lines;
}

/** The README key table, in Markdown. */
export function renderKeyTableMarkdown(): string {
	const rows = ['| Where | Keys | Action |', '| --- | --- | --- |'];
	for (const scope of Object.keys(scopeTitles) as Scope[]) {
		for (const binding of Object.values(keymap) as Binding[]) {
			if (binding.scope === scope) {
				const keys = binding.keys.map((key) => `<kbd>${escapeMarkdown(keyLabel(key))}</kbd>`).join(' ');
				rows.push(`| ${scopeTitles[scope]} | ${keys} | ${escapeMarkdown(binding.help)} |`);
			}
		}
	}

	return `${rows.join('\n')}\n`;
}

function escapeMarkdown(text: string): string {
	return text.replace(/[|\\<>`*_]/g, (character) => `\\${character}`);
}
