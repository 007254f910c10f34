import {execFile, execFileSync} from 'node:child_process';
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

/** A detached tmux session running `command` in a real pty of the given size. */
export async function startTmux(name: string, command: string, size = {columns: 160, rows: 45}) {
	await run('tmux', ['kill-session', '-t', name]).catch(() => undefined);
	await run('tmux', [
		'new-session',
		'-d',
		'-s',
		name,
		'-x',
		String(size.columns),
		'-y',
		String(size.rows),
		command,
	]);
	const capture = async (): Promise<string> => (await run('tmux', ['capture-pane', '-p', '-t', name])).stdout;
	return {
		capture,
		/** The screen with its escape sequences (tmux writes an attribute only where it changes). */
		async captureStyled(): Promise<string> {
			return (await run('tmux', ['capture-pane', '-p', '-e', '-t', name])).stdout;
		},
		async sendKeys(...keys: string[]) {
			for (const key of keys) {
				await run('tmux', ['send-keys', '-t', name, key]);
				await new Promise((resolve) => setTimeout(resolve, 150));
			}
		},
		async paneFlag(format: string): Promise<string> {
			return (await run('tmux', ['display-message', '-p', '-t', name, format])).stdout.trim();
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
		async kill() {
			await run('tmux', ['kill-session', '-t', name]).catch(() => undefined);
		},
	};
}
