import {readdirSync, readFileSync} from 'node:fs';
import {mkdir} from 'node:fs/promises';
import {homedir} from 'node:os';
import {dirname, join} from 'node:path';
import {isMap, isScalar, isSeq, parseDocument} from 'yaml';
import {sanitize} from '../shared/sanitize-text.js';
import {writeFileAtomic} from '../shared/write-atomic.js';
import type {Preferences} from './explorer-state.js';
import {type Binding, type Command, type Keymap, keymap, type Scope} from './keymap.js';
import type {SortOrder} from './tree-view.js';

/*
The user's config file: `$XDG_CONFIG_HOME/layerlens/config.yaml` (or `~/.config/layerlens/config.yaml`).
Its `keybinding:` section maps an action (a layerlens command or a dive action name) to a key or a list of
keys, in dive's spelling (`ctrl+f`, `pgup`, `esc`, comma-separated like dive's). Without such a section, the
one in dive's own config is read, so a dive user's remappings carry over. `sort:` remembers the tree order.
*/

export type ConfigEnvironment = {env: NodeJS.ProcessEnv; home?: string};

function configHome({env, home}: ConfigEnvironment): string {
	const xdg = env.XDG_CONFIG_HOME;
	// The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored.
	return xdg?.startsWith('/') ? xdg : join(home ?? homedir(), '.config');
}

/** The one file layerlens reads its preferences from and ever writes. */
export function configPath(environment: ConfigEnvironment): string {
	return join(configHome(environment), 'layerlens', 'config.yaml');
}

/** Directory names in the order Go's os.ReadDir gives them: bytewise, not by UTF-16 unit. */
function byteOrder(left: string, right: string): number {
	return Buffer.compare(Buffer.from(left), Buffer.from(right));
}

/**
The one file dive 0.13.1 reads its settings from (`getDefaultCfgFile` in its cmd/root.go): the first
`*.yaml` / `*.yml` by name in `dive/` under $XDG_CONFIG_HOME, then under each of $XDG_CONFIG_DIRS, then
under ~/.config; else ~/.dive.yaml. Only that file, even when it cannot be read. One difference: an unset
or relative variable is skipped (the XDG rule), where dive's path.Join("", "dive") reads `./dive/` in
whatever directory it was started from.
*/
export function diveConfigPath(environment: ConfigEnvironment): string {
	const home = environment.home ?? homedir();
	const bases = [
		environment.env.XDG_CONFIG_HOME ?? '',
		...(environment.env.XDG_CONFIG_DIRS ?? '').split(':'),
		join(home, '.config'),
	];
	for (const base of bases) {
		if (!base.startsWith('/')) continue;
		const directory = join(base, 'dive');
		let names: string[];
		try {
			names = readdirSync(directory);
		} catch {
			continue;
		}

		const first = names.filter((name) => /\.ya?ml$/.test(name)).sort(byteOrder)[0];
		if (first !== undefined) return join(directory, first);
	}

	return join(home, '.dive.yaml');
}

/** dive's `keybinding:` names, as the layerlens commands that do the same. */
const diveActions: Record<string, readonly Command[]> = {
	quit: ['quit'],
	'toggle-view': ['nextPane'],
	'filter-files': ['filter'],
	'close-filter-files': ['filterClear'],
	up: ['layerUp', 'up'],
	down: ['layerDown', 'down'],
	left: ['collapse'],
	right: ['expand'],
	'page-up': ['layerPageUp', 'pageUp'],
	'page-down': ['layerPageDown', 'pageDown'],
	'compare-layer': ['showChanges'],
	'compare-all': ['showAggregated'],
	'toggle-collapse-dir': ['toggle'],
	'toggle-collapse-all-dir': ['toggleAll'],
	'toggle-added-files': ['hideAdded'],
	'toggle-removed-files': ['hideRemoved'],
	'toggle-modified-files': ['hideModified'],
	'toggle-unmodified-files': ['hideUnchanged'],
	'toggle-filetree-attributes': ['attributes'],
	'toggle-sort-order': ['sort'],
	'extract-file': ['extract'],
	'toggle-wrap-tree': ['wrapTree'],
};

const squash = (name: string) => name.toLowerCase().replace(/[-_]/g, '');
const commandsBySquashedName = new Map<string, Command>(
	(Object.keys(keymap) as Command[]).map((command) => [squash(command), command]),
);

function commandsFor(action: string): readonly Command[] | undefined {
	const own = commandsBySquashedName.get(squash(action));
	return own ? [own] : diveActions[action.toLowerCase()];
}

const namedKeys: Record<string, string> = {
	up: 'up',
	down: 'down',
	left: 'left',
	right: 'right',
	pgup: 'pageup',
	pageup: 'pageup',
	pgdn: 'pagedown',
	pagedown: 'pagedown',
	home: 'home',
	end: 'end',
	enter: 'enter',
	return: 'enter',
	esc: 'escape',
	escape: 'escape',
	tab: 'tab',
	'shift+tab': 'shift+tab',
	space: 'space',
	backspace: 'backspace',
};

/** A key in dive's spelling (`ctrl+f`, `pgup`, `G`) as the name `keyName` gives it; undefined if not a key. */
export function normalizeKey(spelling: string): string | undefined {
	const key = spelling.trim();
	if ([...key].length === 1) {
		return key === ' ' ? 'space' : key.codePointAt(0)! > 0x20 ? key : undefined;
	}

	const lower = key.toLowerCase();
	if (namedKeys[lower]) return namedKeys[lower];
	const ctrl = /^ctrl\+(.+)$/.exec(lower);
	if (ctrl) {
		const rest = ctrl[1]!;
		if (/^[a-z]$/.test(rest)) return `ctrl+${rest}`;
		if (rest === 'space') return 'ctrl+space';
		if (rest === 'slash' || rest === '/') return 'ctrl+/';
	}

	return undefined;
}

/** Scopes a key bound in `scope` must be taken from, so the remapped key reaches its new action. */
function shadowingScopes(scope: Scope): Scope[] {
	if (scope === 'global') return ['global', 'layers', 'tree'];
	if (scope === 'layers' || scope === 'tree') return [scope, 'global'];
	return [scope];
}

/**
`base` with each action of `bindings` bound to exactly the keys given. A remapped key is taken from
whatever else used it where it would win, so it does what the file says. Returns the first problem, and
the actions the file left without any key (dive's README example gives `d` to page-down, which takes it
from the suggested Dockerfile): the user is told, since the action is then out of reach.
*/
export function applyKeybindings(
	base: Keymap,
	bindings: ReadonlyArray<{action: string; keys: readonly string[]}>,
): {keymap: Keymap; warning: string | undefined; keyless: Command[]} {
	const map: Record<string, Binding> = {...base};
	let warning: string | undefined;
	for (const {action, keys} of bindings) {
		const commands = commandsFor(action);
		if (!commands) {
			warning ??= `unknown action "${sanitize(action)}"`;
			continue;
		}

		const names = keys.map(normalizeKey);
		const bad = keys.find((_, index) => names[index] === undefined);
		if (bad !== undefined || names.length === 0) {
			warning ??= `"${sanitize(bad ?? '')}" is not a key (${sanitize(action)})`;
			continue;
		}

		for (const command of commands) {
			const {scope} = map[command]!;
			const taken = new Set(names as string[]);
			for (const [other, binding] of Object.entries(map)) {
				if (other !== command && shadowingScopes(scope).includes(binding.scope)) {
					const left = binding.keys.filter((key) => !taken.has(key));
					if (left.length !== binding.keys.length) map[other] = {...binding, keys: left};
				}
			}

			map[command] = {...map[command]!, keys: names as string[]};
		}
	}

	const keyless = (Object.keys(base) as Command[]).filter(
		(command) => base[command].keys.length > 0 && map[command]!.keys.length === 0,
	);
	return {keymap: map as Keymap, warning, keyless};
}

type Parsed = {
	bindings: Array<{action: string; keys: string[]}> | undefined;
	sort: SortOrder | undefined;
	problem: string | undefined;
};

/** The parts of a config file layerlens uses. Pure: `text` is the file's content. */
export function parseConfig(text: string): Parsed {
	const document = parseDocument(text);
	if (document.errors.length > 0) {
		return {bindings: undefined, sort: undefined, problem: 'not valid YAML'};
	}

	const root = document.contents;
	if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
		return {bindings: undefined, sort: undefined, problem: undefined};
	}

	if (!isMap(root)) return {bindings: undefined, sort: undefined, problem: 'not a YAML mapping'};
	let problem: string | undefined;
	const sortValue = document.get('sort');
	let sort: SortOrder | undefined;
	if (sortValue === 'size' || sortValue === 'name') {
		sort = sortValue;
	} else if (sortValue !== undefined) {
		problem = 'sort must be "size" or "name"';
	}

	const section = document.get('keybinding');
	if (section === undefined || section === null) return {bindings: undefined, sort, problem};
	if (!isMap(section)) return {bindings: undefined, sort, problem: problem ?? 'keybinding must be a mapping'};
	const bindings: Array<{action: string; keys: string[]}> = [];
	for (const pair of section.items) {
		const action = isScalar(pair.key) ? String(pair.key.value) : '';
		const value = pair.value;
		let keys: string[] | undefined;
		if (isScalar(value) && typeof value.value === 'string') {
			// dive's spelling: alternatives separated by commas (`ctrl+c,q`); a lone `,` is the comma key.
			keys = value.value.trim() === ',' ? [','] : value.value.split(',').map((key) => key.trim());
		} else if (isSeq(value)) {
			keys = value.items.map((item) => (isScalar(item) ? String(item.value) : ''));
		}

		if (!keys) {
			problem ??= `keys of ${sanitize(action)} must be a string or a list`;
			continue;
		}

		bindings.push({action, keys});
	}

	return {bindings, sort, problem};
}

function readText(path: string): string | undefined {
	try {
		return readFileSync(path, 'utf8');
	} catch (error) {
		if (
			(error as NodeJS.ErrnoException).code === 'ENOENT' ||
			(error as NodeJS.ErrnoException).code === 'ENOTDIR'
		) {
			return undefined;
		}

		throw error;
	}
}

/**
The explorer's preferences from the config files. Never throws: a file that cannot be read or parsed, or a
bad binding, gives one line of warning and the defaults for what it got wrong.
*/
export function readPreferences(environment: ConfigEnvironment): Preferences {
	const own = configPath(environment);
	let parsed: Parsed = {bindings: undefined, sort: undefined, problem: undefined};
	let source = own;
	try {
		const text = readText(own);
		if (text !== undefined) parsed = parseConfig(text);
		if (parsed.bindings === undefined && parsed.problem === undefined) {
			const divePath = diveConfigPath(environment);
			source = divePath;
			const diveText = readText(divePath);
			const dive = diveText === undefined ? undefined : parseConfig(diveText);
			// Only dive's keys are taken; its other settings are dive's own business.
			if (dive?.bindings !== undefined || dive?.problem !== undefined) {
				parsed = {...parsed, bindings: dive.bindings, problem: dive.problem};
			} else {
				source = own;
			}
		}
	} catch (error) {
		return {
			warning: `Config ${sanitize(source)} not read (${(error as NodeJS.ErrnoException).code ?? 'error'}): default keys`,
		};
	}

	const preferences: Preferences = {};
	if (parsed.sort) preferences.sort = parsed.sort;
	let problem = parsed.problem;
	let keyless: Command[] = [];
	if (parsed.bindings) {
		const applied = applyKeybindings(keymap, parsed.bindings);
		preferences.keymap = applied.keymap;
		problem ??= applied.warning;
		keyless = applied.keyless;
	}

	if (problem) {
		preferences.warning = `Config ${sanitize(source)}: ${problem}; defaults used for it`;
	} else if (keyless.length > 0) {
		// What to do first: the line is cut at the terminal's edge, and the path is the longest part.
		const names = keyless.join(', ');
		preferences.warning = `No key left for ${names}: give it one under keybinding: in ${sanitize(source)}`;
	}
	return preferences;
}

/**
Remember the tree order in the layerlens config file, keeping the rest of the file (comments included).
Writes nowhere else; a directory that cannot be written is reported to the caller, which may ignore it.
*/
export async function saveSortPreference(sort: SortOrder, environment: ConfigEnvironment): Promise<void> {
	const path = configPath(environment);
	const text = readText(path) ?? '';
	const document = parseDocument(text);
	if (document.errors.length > 0 || !(document.contents === null || isMap(document.contents))) {
		// Never rewrite a file we cannot parse: the user's text would be lost.
		throw new Error(`${path} is not a YAML mapping`);
	}

	document.set('sort', sort);
	await mkdir(dirname(path), {recursive: true});
	await writeFileAtomic(path, String(document));
}
