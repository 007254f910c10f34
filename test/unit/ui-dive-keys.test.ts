import assert from 'node:assert/strict';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {test} from 'node:test';
import type {ReportSuggestion} from '../../source/analysis/suggestion/report-suggestion.js';
import {
	createInitialState,
	currentTree,
	type ExplorerState,
	type Preferences,
	reducer,
} from '../../source/ui/explorer-state.js';
import {
	barItems,
	commandFor,
	helpLines,
	keymap,
	keyName,
	keyPresses,
	type Scope,
} from '../../source/ui/keymap.js';
import {
	applyKeybindings,
	configPath,
	diveConfigPath,
	normalizeKey,
	parseConfig,
	readPreferences,
	saveSortPreference,
} from '../../source/ui/keys-config.js';
import {headline} from '../../source/ui/summary-pane.js';
import {sampleAnalysis} from '../helpers/sample-analysis.js';

// dive's default keys (its `keybinding:` defaults) do in layerlens what they do in dive, beside layerlens' own.

const extras = {canExport: true, defaultExportName: 'layerlens-sample'};

function start(preferences: Preferences = {sort: 'name'}): ExplorerState {
	return createInitialState(sampleAnalysis(), extras, {columns: 120, rows: 30}, preferences);
}

function press(state: ExplorerState, ...names: string[]): ExplorerState {
	return names.reduce(
		(current, name) => reducer(current, {type: 'key', name, text: name.length === 1 ? name : ''}),
		state,
	);
}

function visiblePaths(state: ExplorerState): string[] {
	const {view, visible} = currentTree(state);
	return Array.from(visible, (index) => view.rows[index]!.path);
}

test('terminal bytes of dive chords get their names: Ctrl+Space is NUL, Ctrl+/ is 0x1F', () => {
	// Ink reports NUL as Ctrl+` (it adds 0x60 to control bytes).
	assert.equal(keyName('`', {ctrl: true}), 'ctrl+space');
	assert.equal(keyName('\u001F', {}), 'ctrl+/');
	assert.equal(keyName('f', {ctrl: true}), 'ctrl+f');
	assert.deepEqual(
		keyPresses('j\u0000\u001F', {}).map((press) => press.name),
		['j', 'ctrl+space', 'ctrl+/'],
	);
});

test('every dive default binding resolves to the command that does what dive does', () => {
	const layers = ['layers', 'global'] as const;
	const tree = ['tree', 'global'] as const;
	const expected: Array<[string, readonly Scope[], string]> = [
		['ctrl+c', layers, 'quit'],
		['q', tree, 'quit'],
		['tab', layers, 'nextPane'],
		['ctrl+f', layers, 'filter'],
		['ctrl+f', tree, 'filter'],
		['ctrl+/', tree, 'filter'],
		['up', layers, 'layerUp'],
		['k', layers, 'layerUp'],
		['down', tree, 'down'],
		['j', tree, 'down'],
		['left', tree, 'collapse'],
		['h', tree, 'collapse'],
		['right', tree, 'expand'],
		['l', tree, 'expand'],
		['pageup', layers, 'layerPageUp'],
		['u', layers, 'layerPageUp'],
		['pagedown', tree, 'pageDown'],
		['u', tree, 'pageUp'],
		['ctrl+a', layers, 'showAggregated'],
		['ctrl+l', layers, 'showChanges'],
		['space', tree, 'toggle'],
		['ctrl+space', tree, 'toggleAll'],
		['ctrl+a', tree, 'hideAdded'],
		['ctrl+n', tree, 'hideAdded'],
		['ctrl+r', tree, 'hideRemoved'],
		['ctrl+m', tree, 'hideModified'],
		['ctrl+u', tree, 'hideUnchanged'],
		['ctrl+b', tree, 'attributes'],
		['ctrl+o', tree, 'sort'],
		['ctrl+e', tree, 'extract'],
		['escape', ['filter'], 'filterClear'],
	];
	for (const [key, scopes, command] of expected) {
		assert.equal(commandFor(key, scopes), command, `${key} in ${scopes[0]}`);
	}

	// layerlens' own meaning stays on the plain keys.
	assert.equal(commandFor('a', tree), 'aggregated');
	assert.equal(commandFor('d', tree), 'dockerfile');
	assert.equal(commandFor('enter', tree), 'activate', 'Enter stays Enter (Ctrl+M is the same byte)');
	assert.equal(commandFor('ctrl+u', layers), undefined, 'Ctrl+U is not page up any more');
});

test('dive keys act in the reducer as in dive', () => {
	let state = press(start(), 'j', 'ctrl+a');
	assert.equal(state.tree.mode, 'aggregated', 'Ctrl+A in the layers pane: aggregated changes');
	state = press(state, 'ctrl+a');
	assert.equal(state.tree.mode, 'aggregated', 'a mode, not a toggle');
	state = press(state, 'ctrl+l');
	assert.equal(state.tree.mode, 'changes', "Ctrl+L: this layer's changes");
	state = press(state, 'ctrl+f');
	assert.equal(state.editingFilter, true, 'Ctrl+F opens the filter from the layers pane');
	assert.equal(state.focus, 'tree');
	state = press(state, 'escape');
	assert.equal(visiblePaths(state).length, 7);
	state = press(state, 'ctrl+space');
	assert.deepEqual(visiblePaths(state), ['etc', 'tmp', 'usr'], 'Ctrl+Space collapses all');
	state = press(state, 'ctrl+space');
	assert.equal(visiblePaths(state).length, 7, 'and expands all again');
	state = press(state, 'ctrl+a');
	assert.equal(state.tree.hidden.added, true, 'Ctrl+A in the tree hides added files');
	state = press(state, 'ctrl+a', 'ctrl+r', 'ctrl+u', 'ctrl+m');
	assert.deepEqual(state.tree.hidden, {added: false, modified: true, removed: true, unchanged: true});
	state = press(state, 'ctrl+m');
	state = press(state, 'ctrl+b');
	assert.equal(state.tree.showAttributes, true);
	state = press(state, 'ctrl+o');
	assert.equal(state.tree.sort, 'size');
	assert.equal(press(state, 'ctrl+c').exitCode, 130);
});

test('the explorer opens sorted by size; a preference opens it by name', () => {
	assert.equal(start({}).tree.sort, 'size');
	assert.equal(start({sort: 'name'}).tree.sort, 'name');
	assert.equal(press(start({}), 'tab', 's').tree.sort, 'name', 's cycles size → name');
});

test('a filter opens the folders that hold its matches and clearing it folds them back', () => {
	let state = press(start(), 'j', 'tab', 'z');
	assert.deepEqual(visiblePaths(state), ['etc', 'tmp', 'usr']);
	state = press(state, '/', 'l', 'i', 'b', 'b');
	assert.deepEqual(visiblePaths(state), ['usr', 'usr/lib', 'usr/lib/libbig.so'], 'the match is shown');
	state = press(state, 'escape');
	assert.deepEqual(visiblePaths(state), ['etc', 'tmp', 'usr'], 'the folding from before comes back');
});

test('? lists dive keys beside layerlens ones; the bar leads with d when there is a suggestion', () => {
	const help = helpLines().join('\n');
	assert.match(help, /Ctrl\+F/);
	assert.match(help, /Ctrl\+Space/);
	assert.match(help, /PgUp u +Page up \(Ctrl\+U hides unchanged files, as in dive\)/);
	assert.equal(barItems(['tree', 'global'])[0]?.help, 'suggestion');
	assert.equal(barItems(['tree', 'global'])[0]?.keys, 'd');
	assert.ok(
		!barItems(['tree', 'global'], keymap, ['dockerfile']).some((item) => item.command === 'dockerfile'),
	);
});

test('dive key spellings are read', () => {
	assert.equal(normalizeKey('ctrl+f'), 'ctrl+f');
	assert.equal(normalizeKey('Ctrl+Space'), 'ctrl+space');
	assert.equal(normalizeKey('ctrl+slash'), 'ctrl+/');
	assert.equal(normalizeKey('pgup'), 'pageup');
	assert.equal(normalizeKey('esc'), 'escape');
	assert.equal(normalizeKey('G'), 'G');
	assert.equal(normalizeKey('ctrl+f1'), undefined);
});

test('a remapped key leaves the action it came from and reaches its new one', () => {
	const {keymap: map, warning} = applyKeybindings(keymap, [
		{action: 'quit', keys: ['x']},
		{action: 'toggle-sort-order', keys: ['ctrl+s']},
	]);
	assert.equal(warning, undefined);
	assert.equal(commandFor('x', ['tree', 'global'], map), 'quit', 'x no longer extracts');
	assert.equal(commandFor('q', ['tree', 'global'], map), undefined);
	assert.equal(commandFor('ctrl+s', ['tree', 'global'], map), 'sort');
	assert.equal(commandFor('s', ['tree', 'global'], map), undefined);
	assert.equal(commandFor('ctrl+e', ['tree', 'global'], map), 'extract', 'the other keys stay');
	assert.match(
		applyKeybindings(keymap, [{action: 'fly', keys: ['f']}]).warning ?? '',
		/unknown action "fly"/,
	);
	assert.match(applyKeybindings(keymap, [{action: 'quit', keys: ['ctrl+f1']}]).warning ?? '', /not a key/);
});

test('the config file: keybinding and sort, dive comma spelling, bad YAML is one warning', () => {
	const parsed = parseConfig('sort: name\nkeybinding:\n  quit: ctrl+c,x\n  filter: [ctrl+g]\n');
	assert.equal(parsed.sort, 'name');
	assert.deepEqual(parsed.bindings, [
		{action: 'quit', keys: ['ctrl+c', 'x']},
		{action: 'filter', keys: ['ctrl+g']},
	]);
	assert.equal(parseConfig(': : [').problem, 'not valid YAML');
	assert.equal(parseConfig('').problem, undefined);
});

function tempHome() {
	const home = mkdtempSync(join(tmpdir(), 'layerlens-config-'));
	return {home, env: {XDG_CONFIG_HOME: join(home, 'xdg')}, cleanup: () => rmSync(home, {recursive: true})};
}

test('readPreferences: layerlens config first, else dive config keys; a bad file warns once', () => {
	const {home, env, cleanup} = tempHome();
	try {
		assert.deepEqual(readPreferences({env, home}), {}, 'no files: defaults, no warning');
		mkdirSync(join(home, 'xdg', 'dive'), {recursive: true});
		writeFileSync(
			join(home, 'xdg', 'dive', 'config.yaml'),
			'keybinding:\n  filter-files: ctrl+g\n  toggle-wrap-tree: ctrl+p\n',
		);
		let preferences = readPreferences({env, home});
		assert.equal(preferences.warning, undefined);
		assert.equal(
			commandFor('ctrl+g', ['tree', 'global'], preferences.keymap),
			'filter',
			"dive's keys carry over",
		);

		mkdirSync(join(home, 'xdg', 'layerlens'));
		writeFileSync(configPath({env, home}), 'keybinding:\n  quit: x\n');
		preferences = readPreferences({env, home});
		assert.equal(commandFor('x', ['tree', 'global'], preferences.keymap), 'quit');
		assert.equal(
			commandFor('ctrl+g', ['tree', 'global'], preferences.keymap),
			undefined,
			'layerlens config wins',
		);

		writeFileSync(configPath({env, home}), 'keybinding: [\n');
		preferences = readPreferences({env, home});
		assert.equal(preferences.keymap, undefined, 'defaults used');
		assert.match(preferences.warning ?? '', /^Config .*config\.yaml: not valid YAML; defaults used for it$/);
		assert.ok(!preferences.warning?.includes('\n'), 'one line');
	} finally {
		cleanup();
	}
});

test('saveSortPreference writes sort: into the layerlens config only, keeping the rest', async () => {
	const {home, env, cleanup} = tempHome();
	try {
		await saveSortPreference('name', {env, home});
		assert.equal(readFileSync(configPath({env, home}), 'utf8'), 'sort: name\n');
		writeFileSync(configPath({env, home}), '# mine\nkeybinding:\n  quit: x\nsort: name\n');
		await saveSortPreference('size', {env, home});
		assert.equal(
			readFileSync(configPath({env, home}), 'utf8'),
			'# mine\nkeybinding:\n  quit: x\nsort: size\n',
		);
		assert.equal(readPreferences({env, home}).sort, 'size');
	} finally {
		cleanup();
	}
});

test("dive's config is found where dive 0.13.1 looks (getDefaultCfgFile): XDG home, XDG dirs, ~/.config, ~/.dive.yaml", () => {
	const {home, cleanup} = tempHome();
	try {
		const xdgHome = join(home, 'xdg');
		const systemA = join(home, 'etc-a');
		const systemB = join(home, 'etc-b');
		const env = {XDG_CONFIG_HOME: xdgHome, XDG_CONFIG_DIRS: `${systemA}:${systemB}`};
		assert.equal(diveConfigPath({env, home}), join(home, '.dive.yaml'), 'nothing found: ~/.dive.yaml');
		mkdirSync(join(home, '.config', 'dive'), {recursive: true});
		writeFileSync(join(home, '.config', 'dive', 'notes.txt'), '');
		assert.equal(diveConfigPath({env, home}), join(home, '.dive.yaml'), 'only .yaml / .yml files count');
		writeFileSync(join(home, '.config', 'dive', 'z.yml'), '');
		assert.equal(diveConfigPath({env, home}), join(home, '.config', 'dive', 'z.yml'));
		mkdirSync(join(systemB, 'dive'), {recursive: true});
		writeFileSync(join(systemB, 'dive', 'b.yaml'), '');
		assert.equal(
			diveConfigPath({env, home}),
			join(systemB, 'dive', 'b.yaml'),
			'XDG_CONFIG_DIRS before ~/.config',
		);
		mkdirSync(join(systemA, 'dive'), {recursive: true});
		writeFileSync(join(systemA, 'dive', 'a.yaml'), '');
		assert.equal(diveConfigPath({env, home}), join(systemA, 'dive', 'a.yaml'), 'in their order');
		mkdirSync(join(xdgHome, 'dive'), {recursive: true});
		// The first by name, as os.ReadDir sorts (bytewise: upper case first), not config.yaml.
		writeFileSync(join(xdgHome, 'dive', 'config.yaml'), '');
		writeFileSync(join(xdgHome, 'dive', 'Keys.yml'), '');
		assert.equal(diveConfigPath({env, home}), join(xdgHome, 'dive', 'Keys.yml'), 'XDG_CONFIG_HOME first');
		assert.equal(
			diveConfigPath({env: {XDG_CONFIG_HOME: 'relative', XDG_CONFIG_DIRS: ':'}, home}),
			join(home, '.config', 'dive', 'z.yml'),
			'unset and relative directories are skipped',
		);
	} finally {
		cleanup();
	}
});

test('only the file dive reads: its keys, or one warning when it is broken; a later file is not tried', () => {
	const {home, cleanup} = tempHome();
	try {
		const env = {XDG_CONFIG_HOME: join(home, 'xdg')};
		mkdirSync(join(home, 'xdg', 'dive'), {recursive: true});
		writeFileSync(join(home, '.dive.yaml'), 'keybinding:\n  quit: ctrl+g\n');
		writeFileSync(join(home, 'xdg', 'dive', 'a.yaml'), 'log:\n  enabled: true\n');
		assert.deepEqual(readPreferences({env, home}), {}, 'a.yaml has no keys: dive keeps its defaults');
		writeFileSync(join(home, 'xdg', 'dive', 'a.yaml'), 'keybinding: [\n');
		const broken = readPreferences({env, home});
		assert.equal(broken.keymap, undefined);
		assert.match(broken.warning ?? '', /dive\/a\.yaml: not valid YAML; defaults used for it$/);
		writeFileSync(join(home, 'xdg', 'dive', 'a.yaml'), 'keybinding:\n  toggle-wrap-tree: ctrl+w\n');
		const map = readPreferences({env, home}).keymap;
		assert.equal(commandFor('ctrl+w', ['tree', 'global'], map), 'wrapTree');
		assert.equal(commandFor('ctrl+g', ['tree', 'global'], map), undefined, '~/.dive.yaml is not read');
	} finally {
		cleanup();
	}
});

test("dive's README example config gives d to page-down: the suggestion's loss of its key is said, and the headline names the key it has", () => {
	const {home, cleanup} = tempHome();
	try {
		const env = {XDG_CONFIG_HOME: join(home, 'xdg')};
		mkdirSync(join(home, 'xdg', 'dive'), {recursive: true});
		writeFileSync(
			join(home, 'xdg', 'dive', 'config.yaml'),
			'keybinding:\n  quit: ctrl+c\n  page-up: pgup,u\n  page-down: pgdn,d\n',
		);
		const preferences = readPreferences({env, home});
		assert.equal(
			commandFor('d', ['tree', 'global'], preferences.keymap),
			'pageDown',
			'd pages down, as in dive',
		);
		assert.deepEqual(preferences.keymap?.dockerfile.keys, []);
		assert.match(
			preferences.warning ?? '',
			/^No key left for dockerfile: give it one under keybinding: in .*dive\/config\.yaml$/,
		);
		assert.ok(
			!barItems(['tree', 'global'], preferences.keymap).some((item) => item.command === 'dockerfile'),
		);

		writeFileSync(
			join(home, 'xdg', 'dive', 'config.yaml'),
			'keybinding:\n  page-down: pgdn,d\n  dockerfile: ctrl+g\n',
		);
		const rebound = readPreferences({env, home});
		assert.equal(rebound.warning, undefined);
		assert.equal(commandFor('ctrl+g', ['tree', 'global'], rebound.keymap), 'dockerfile');
	} finally {
		cleanup();
	}
});

test('the summary headline names the key the suggestion is on', () => {
	const suggestion = {projectedSizeBytes: 100_000_000, basedOn: 'history'} as ReportSuggestion;
	assert.deepEqual(headline(suggestion, 200_000_000, 40, 'd'), ['A builder stage saves 100 MB: press d']);
	assert.deepEqual(headline(suggestion, 200_000_000, 40, 'Ctrl+G'), [
		'Builder stage saves 100 MB: press Ctrl+G',
	]);
	assert.deepEqual(headline(suggestion, 200_000_000, 40, undefined), ['A builder stage saves 100 MB']);
});
