import {EventEmitter} from 'node:events';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {stripVTControlCharacters} from 'node:util';
import {cleanup, render} from 'ink-testing-library';
import type {ReactElement} from 'react';
import {Explorer} from '../../source/ui/explorer.js';
import type {ExplorerData} from '../../source/ui/explorer-data.js';
import type {Preferences} from '../../source/ui/explorer-state.js';
import {useTerminalSize} from '../../source/ui/use-terminal-size.js';

/** What a terminal sends for each key. */
export const keys = {
	up: '\u001B[A',
	down: '\u001B[B',
	right: '\u001B[C',
	left: '\u001B[D',
	pageUp: '\u001B[5~',
	pageDown: '\u001B[6~',
	home: '\u001B[H',
	end: '\u001B[F',
	enter: '\r',
	escape: '\u001B',
	tab: '\t',
	shiftTab: '\u001B[Z',
	backspace: '\u007F',
	ctrlC: '\u0003',
	space: ' ',
} as const;

/** Let Ink parse input (a lone Esc waits for setImmediate), React commit, and effects run. */
export async function settle(rounds = 2): Promise<void> {
	for (let round = 0; round < rounds; round++) {
		await new Promise((resolve) => setImmediate(resolve));
		await new Promise((resolve) => setTimeout(resolve, 0));
	}
}

type Writable = {columns: number; rows: number; emit(event: string): boolean};

function setSize(stdout: Writable, columns: number, rows: number): void {
	// ink-testing-library's stdout is fixed at 100 columns with no rows; tests need real sizes.
	Object.defineProperty(stdout, 'columns', {configurable: true, get: () => columns});
	Object.defineProperty(stdout, 'rows', {configurable: true, get: () => rows});
	stdout.emit('resize');
}

export type Rendered = {
	/** The last frame without colour codes. */
	frame(): string;
	lines(): string[];
	/** Send keys one by one, settling after each. */
	press(...sequence: string[]): Promise<void>;
	/** Send keys back to back with no wait (as a fast typist or key repeat does). */
	burst(...sequence: string[]): Promise<void>;
	type(text: string): Promise<void>;
	resize(columns: number, rows: number): Promise<void>;
	waitFor(predicate: (frame: string) => boolean, timeoutMs?: number): Promise<string>;
	unmount(): void;
	stderr(): string;
};

/** The one way UI tests render: at a given terminal size, with helpers to press keys and wait. */
export async function renderUi(
	element: ReactElement,
	size: {columns: number; rows: number},
): Promise<Rendered> {
	const instance = render(element);
	const stdout = instance.stdout as unknown as Writable;
	setSize(stdout, size.columns, size.rows);
	// React may split a render over several macrotasks on a busy machine: wait until frames stop coming.
	const quiet = async () => {
		let seen = -1;
		let stable = 0;
		const deadline = Date.now() + 2000;
		while (stable < 3 && Date.now() < deadline) {
			await settle(1);
			const count = instance.frames.length;
			stable = count === seen ? stable + 1 : 0;
			seen = count;
		}
	};

	await quiet();
	const frame = () => stripVTControlCharacters(instance.lastFrame() ?? '');
	const rendered: Rendered = {
		frame,
		lines: () => frame().split('\n'),
		async press(...sequence) {
			for (const key of sequence) {
				instance.stdin.write(key);
				await quiet();
			}
		},
		async burst(...sequence) {
			for (const key of sequence) instance.stdin.write(key);
			await quiet();
		},
		async type(text) {
			await rendered.press(...text);
		},
		async resize(columns, rows) {
			setSize(stdout, columns, rows);
			await quiet();
		},
		// Generous, because it returns as soon as the frame shows up; only a loaded CI machine ever waits long.
		async waitFor(predicate, timeoutMs = 15_000) {
			const deadline = Date.now() + timeoutMs;
			while (Date.now() < deadline) {
				if (predicate(frame())) return frame();
				await settle(1);
			}

			throw new Error(`Timed out waiting for a frame; last frame:\n${frame()}`);
		},
		unmount() {
			instance.unmount();
			cleanup();
		},
		stderr: () => instance.stderr.frames.join(''),
	};
	return rendered;
}

function SizedExplorer({
	data,
	onExit,
	preferences,
}: {
	data: ExplorerData;
	onExit: (code: number) => void;
	preferences: Preferences | undefined;
}) {
	return (
		<Explorer data={data} size={useTerminalSize()} onExit={onExit} {...(preferences ? {preferences} : {})} />
	);
}

/** Render the explorer over `data`; `exits` collects the exit codes it asks for. */
export async function renderExplorer(
	data: ExplorerData,
	size: {columns: number; rows: number} = {columns: 120, rows: 30},
	preferences?: Preferences,
): Promise<Rendered & {exits: number[]}> {
	const exits: number[] = [];
	const rendered = await renderUi(
		<SizedExplorer data={data} onExit={(code) => exits.push(code)} preferences={preferences} />,
		size,
	);
	return Object.assign(rendered, {exits});
}

/**
An empty home and XDG config directory for the explorer sessions of one test process: the user's own keys,
sort order or dive config must not change what a test sees, and a test that presses s writes here.
*/
let configHome: string | undefined;
function emptyConfig() {
	if (!configHome) {
		const directory = mkdtempSync(join(tmpdir(), 'layerlens-test-config-'));
		process.once('exit', () => rmSync(directory, {recursive: true, force: true}));
		configHome = directory;
	}

	return {env: {XDG_CONFIG_HOME: join(configHome, 'xdg')}, home: configHome};
}

/**
A fake TTY for `runExplorer`, which mounts Ink itself: input you can write, output you can read, and a config
directory of its own (spread into the options with the streams).
*/
export function fakeTerminal(size: {columns: number; rows: number} = {columns: 100, rows: 30}) {
	let pending: string | null = null;
	const stdin = Object.assign(new EventEmitter(), {
		isTTY: true,
		setEncoding() {},
		setRawMode() {},
		resume() {},
		pause() {},
		ref() {},
		unref() {},
		read() {
			const data = pending;
			pending = null;
			return data;
		},
		write(data: string) {
			pending = data;
			stdin.emit('readable');
			stdin.emit('data', data);
		},
	});
	const chunks: string[] = [];
	const stdout = Object.assign(new EventEmitter(), {
		columns: size.columns,
		rows: size.rows,
		write(chunk: string) {
			chunks.push(chunk);
			return true;
		},
	});
	const errors: string[] = [];
	const stderr = Object.assign(new EventEmitter(), {
		write(chunk: string) {
			errors.push(chunk);
			return true;
		},
	});
	return {
		config: emptyConfig(),
		stdin: stdin as unknown as NodeJS.ReadStream & {write(data: string): void},
		stdout: stdout as unknown as NodeJS.WriteStream,
		stderr: stderr as unknown as NodeJS.WriteStream,
		output: () => stripVTControlCharacters(chunks.join('')),
		errors: () => errors.join(''),
		async waitFor(text: string, timeoutMs = 15_000) {
			const deadline = Date.now() + timeoutMs;
			while (Date.now() < deadline) {
				if (stripVTControlCharacters(chunks.join('')).includes(text)) return;
				await settle(1);
			}

			throw new Error(
				`Timed out waiting for ${JSON.stringify(text)}; output:\n${stripVTControlCharacters(chunks.join(''))}`,
			);
		},
	};
}
