import process from 'node:process';
import {errorLine} from '../shared/errors.js';

let held: string[] | undefined;

/**
One line for the user on stderr (`layerlens: …`), such as where an image is read from. While a full-screen
session owns the terminal the lines are held, and printed once it has restored the screen.
*/
export function announce(line: string): void {
	const shaped = errorLine(`layerlens: ${line}`);
	if (held === undefined) process.stderr.write(`${shaped}\n`);
	else held.push(shaped);
}

/** Holds announcements until the returned function is called (the terminal is back). */
export function holdAnnouncements(): () => void {
	held ??= [];
	return () => {
		const lines = held ?? [];
		held = undefined;
		for (const line of lines) process.stderr.write(`${line}\n`);
	};
}
