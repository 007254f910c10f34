import {execFile, execFileSync} from 'node:child_process';
import {readFile} from 'node:fs/promises';
import {promisify} from 'node:util';

const run = promisify(execFile);

export function tmuxAvailable(): string | undefined {
	try {
		execFileSync('tmux', ['-V'], {stdio: 'ignore'});
		return undefined;
	} catch {
		return 'tmux is not installed (apt-get install tmux)';
	}
}

/**
A tmux server of its own per session (`-L`): tests in parallel files otherwise share the default server, and one
file's last `kill-session` can stop that server while another file's `new-session` is connecting to it
("server exited unexpectedly").
*/
function socketFor(name: string): string {
	return name.replaceAll(/[^\w.-]/g, '_').slice(0, 80);
}

/** Runs `tmux -L SOCKET args…` against the session's own server. */
export async function tmuxCommand(name: string, ...args: string[]): Promise<string> {
	return (await run('tmux', ['-L', socketFor(name), ...args])).stdout;
}

/** A detached tmux session running `command` in a real pty of the given size. */
export async function startTmux(name: string, command: string, size = {columns: 160, rows: 45}) {
	const tmux = async (...args: string[]) => tmuxCommand(name, ...args);
	await tmux('kill-server').catch(() => undefined);
	await tmux('new-session', '-d', '-s', name, '-x', String(size.columns), '-y', String(size.rows), command);
	const capture = async (): Promise<string> => tmux('capture-pane', '-p', '-t', name);
	return {
		capture,
		/** The screen with its escape sequences (tmux writes an attribute only where it changes). */
		async captureStyled(): Promise<string> {
			return tmux('capture-pane', '-p', '-e', '-t', name);
		},
		async sendKeys(...keys: string[]) {
			for (const key of keys) {
				await tmux('send-keys', '-t', name, key);
				await new Promise((resolve) => setTimeout(resolve, 150));
			}
		},
		async paneFlag(format: string): Promise<string> {
			return (await tmux('display-message', '-p', '-t', name, format)).trim();
		},
		async resize(columns: number, rows: number) {
			await tmux('resize-window', '-t', name, '-x', String(columns), '-y', String(rows));
		},
		/** Poll the screen until `predicate` holds; fail with the last screen after `timeoutMs`. */
		async waitFor(predicate: (screen: string) => boolean, timeoutMs = 60_000): Promise<string> {
			const deadline = Date.now() + timeoutMs;
			let screen = '';
			while (Date.now() < deadline) {
				screen = await capture();
				if (predicate(screen)) {
					return screen;
				}

				await new Promise((resolve) => setTimeout(resolve, 200));
			}

			throw new Error(`timed out waiting for the screen; last screen:\n${screen}`);
		},
		/**
		The exit code the session's command wrote to `exitFile` (`…; echo $? > FILE`) once it ends; fails with the
		screen when it never does (up to `timeoutMs`, waiting on no clock of the program's own).
		*/
		async exitCode(exitFile: string, timeoutMs = 60_000): Promise<string> {
			const deadline = Date.now() + timeoutMs;
			while (Date.now() < deadline) {
				const code = await readFile(exitFile, 'utf8').catch(() => '');
				if (code.trim() !== '') return code.trim();
				await new Promise((resolve) => setTimeout(resolve, 200));
			}

			throw new Error(`the program did not exit; screen:\n${await capture()}`);
		},
		async kill() {
			await tmux('kill-server').catch(() => undefined);
		},
	};
}
