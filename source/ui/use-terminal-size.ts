import {useEffect, useState} from 'react';
import {useStdout} from './ink.js';
import type {Size} from './layout.js';

function read(stdout: NodeJS.WriteStream): Size {
	// Pipes and test streams have no size; assume a classic terminal.
	return {columns: stdout.columns || 80, rows: stdout.rows || 24};
}

/** The terminal size, re-read on `resize` (Ink 6 re-lays out on resize but does not re-render React). */
export function useTerminalSize(): Size {
	const {stdout} = useStdout();
	const [size, setSize] = useState(() => read(stdout));
	useEffect(() => {
		const onResize = () => {
			setSize((previous) => {
				const next = read(stdout);
				return next.columns === previous.columns && next.rows === previous.rows ? previous : next;
			});
		};

		stdout.on('resize', onResize);
		onResize();
		return () => {
			stdout.off('resize', onResize);
		};
	}, [stdout]);
	return size;
}
