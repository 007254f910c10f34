/**
A page in Debian's headless Chromium, driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
JSON messages ended by NUL on file descriptors 3 and 4), so no port and no browser download are involved.
Collects what the tests assert on: console errors, uncaught exceptions, log errors (CSP violations) and
every network request the page makes.
*/
import {type ChildProcess, spawn} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {Readable, Writable} from 'node:stream';

export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(chromiumPath);

type Message = {
	id?: number;
	method?: string;
	params?: Record<string, unknown>;
	result?: unknown;
	error?: unknown;
	sessionId?: string;
};

export type BrowserPage = {
	/** Evaluate an expression in the page; its value comes back as JSON. */
	evaluate<T>(expression: string): Promise<T>;
	/** A real mouse click (press and release) at page coordinates. */
	click(x: number, y: number): Promise<void>;
	/** Move the mouse there (hover). */
	hover(x: number, y: number): Promise<void>;
	screenshot(): Promise<Buffer>;
	consoleErrors: string[];
	requests: string[];
	close(): Promise<void>;
};

export async function openPage(url: string, viewport = {width: 1280, height: 900}): Promise<BrowserPage> {
	const profile = mkdtempSync(join(tmpdir(), 'layerlens-chromium-'));
	const browser: ChildProcess = spawn(
		chromiumPath,
		[
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--no-first-run',
			'--no-default-browser-check',
			'--disable-extensions',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--hide-scrollbars',
			'--mute-audio',
			`--user-data-dir=${profile}`,
			'--remote-debugging-pipe',
			'about:blank',
		],
		// A process group of its own, so closing ends the helper processes too, not only the browser.
		{stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: true},
	);
	let stderr = '';
	browser.stderr?.on('data', (chunk: Buffer) => {
		stderr = (stderr + chunk.toString()).slice(-4000);
	});
	const input = browser.stdio[3] as Writable;
	const output = browser.stdio[4] as Readable;
	let nextId = 1;
	const pending = new Map<number, {resolve: (value: unknown) => void; reject: (error: Error) => void}>();
	const listeners: Array<(message: Message) => void> = [];
	let buffered = '';
	output.on('data', (chunk: Buffer) => {
		buffered += chunk.toString('utf8');
		let end = buffered.indexOf('\0');
		while (end !== -1) {
			const message = JSON.parse(buffered.slice(0, end)) as Message;
			buffered = buffered.slice(end + 1);
			end = buffered.indexOf('\0');
			if (message.id !== undefined && pending.has(message.id)) {
				const waiter = pending.get(message.id)!;
				pending.delete(message.id);
				if (message.error) waiter.reject(new Error(`CDP: ${JSON.stringify(message.error)}`));
				else waiter.resolve(message.result);
			} else {
				for (const listener of listeners) listener(message);
			}
		}
	});
	const exited = new Promise<void>((resolve) => browser.once('exit', () => resolve()));
	void exited.then(() => {
		for (const waiter of pending.values()) waiter.reject(new Error(`chromium exited: ${stderr}`));
		pending.clear();
	});

	function send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<unknown> {
		const id = nextId++;
		return new Promise((resolve, reject) => {
			pending.set(id, {resolve, reject});
			input.write(`${JSON.stringify({id, method, params, ...(sessionId ? {sessionId} : {})})}\0`);
		});
	}

	const {targetId} = (await send('Target.createTarget', {url: 'about:blank'})) as {targetId: string};
	const {sessionId} = (await send('Target.attachToTarget', {targetId, flatten: true})) as {sessionId: string};
	const call = (method: string, params: Record<string, unknown> = {}) => send(method, params, sessionId);
	const consoleErrors: string[] = [];
	const requests: string[] = [];
	let loaded: () => void = () => {};
	const load = new Promise<void>((resolve) => {
		loaded = resolve;
	});
	listeners.push((message) => {
		if (message.sessionId !== sessionId) return;
		const params = message.params ?? {};
		if (
			message.method === 'Runtime.consoleAPICalled' &&
			(params.type === 'error' || params.type === 'assert')
		) {
			consoleErrors.push(`console: ${JSON.stringify(params.args)}`);
		} else if (message.method === 'Runtime.exceptionThrown') {
			consoleErrors.push(`exception: ${JSON.stringify(params.exceptionDetails)}`);
		} else if (message.method === 'Log.entryAdded') {
			const entry = params.entry as {level: string; text: string};
			if (entry.level === 'error') consoleErrors.push(`log: ${entry.text}`);
		} else if (message.method === 'Network.requestWillBeSent') {
			requests.push((params.request as {url: string}).url);
		} else if (message.method === 'Page.loadEventFired') {
			loaded();
		}
	});
	await Promise.all([
		call('Runtime.enable'),
		call('Log.enable'),
		call('Network.enable'),
		call('Page.enable'),
	]);
	await call('Emulation.setDeviceMetricsOverride', {...viewport, deviceScaleFactor: 1, mobile: false});
	await call('Page.navigate', {url});
	await load;

	return {
		async evaluate<T>(expression: string): Promise<T> {
			const result = (await call('Runtime.evaluate', {
				expression,
				returnByValue: true,
				awaitPromise: true,
			})) as {
				result: {value: unknown};
				exceptionDetails?: unknown;
			};
			if (result.exceptionDetails) throw new Error(`evaluate: ${JSON.stringify(result.exceptionDetails)}`);
			return result.result.value as T;
		},
		async click(x: number, y: number) {
			await call('Input.dispatchMouseEvent', {type: 'mouseMoved', x, y});
			await call('Input.dispatchMouseEvent', {type: 'mousePressed', x, y, button: 'left', clickCount: 1});
			await call('Input.dispatchMouseEvent', {type: 'mouseReleased', x, y, button: 'left', clickCount: 1});
		},
		async hover(x: number, y: number) {
			await call('Input.dispatchMouseEvent', {type: 'mouseMoved', x, y});
		},
		async screenshot() {
			const {data} = (await call('Page.captureScreenshot', {format: 'png'})) as {data: string};
			return Buffer.from(data, 'base64');
		},
		consoleErrors,
		requests,
		async close() {
			try {
				await Promise.race([send('Browser.close'), exited]);
			} catch {}

			if (browser.exitCode === null) browser.kill('SIGKILL');
			await exited;
			try {
				process.kill(-browser.pid!, 'SIGKILL');
			} catch {}
			// Chromium's helper processes may still be closing files in the profile for a moment.
			rmSync(profile, {recursive: true, force: true, maxRetries: 10, retryDelay: 100});
		},
	};
}
