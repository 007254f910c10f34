/** One `WWW-Authenticate` challenge: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`. */
export type Challenge = {scheme: string; params: Record<string, string>};

/**
Parse a `WWW-Authenticate` header (RFC 7235): several challenges may share one header, parameter values may
be quoted and hold commas (`scope="repository:a:pull,push"`), escapes inside quotes are honoured.
*/
export function parseChallenges(header: string): Challenge[] {
	const challenges: Challenge[] = [];
	let position = 0;
	const skipSpace = (): void => {
		while (position < header.length && /[\s,]/.test(header[position]!)) position++;
	};

	const token = (): string => {
		const start = position;
		while (position < header.length && /[^\s,=]/.test(header[position]!)) position++;
		return header.slice(start, position);
	};

	while (position < header.length) {
		skipSpace();
		const scheme = token();
		if (scheme === '') break;
		const challenge: Challenge = {scheme: scheme.toLowerCase(), params: {}};
		challenges.push(challenge);
		for (;;) {
			skipSpace();
			const mark = position;
			const name = token();
			while (header[position] === ' ') position++;
			if (name === '' || header[position] !== '=') {
				// Not a parameter: the next challenge's scheme.
				position = mark;
				break;
			}

			position++;
			while (header[position] === ' ') position++;
			let value = '';
			if (header[position] === '"') {
				position++;
				while (position < header.length && header[position] !== '"') {
					if (header[position] === '\\') position++;
					value += header[position] ?? '';
					position++;
				}

				position++;
			} else {
				value = token();
			}

			challenge.params[name.toLowerCase()] = value;
		}
	}

	return challenges;
}
