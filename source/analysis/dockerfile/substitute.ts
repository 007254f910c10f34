/**
Docker's variable substitution: `$X`, `${X}`, `${X:-default}`, `${X:+alternative}`; `\$` stays a literal `$`.
Unknown variables become empty, as in Docker.
*/
export function substituteVariables(text: string, variables: Map<string, string>, escapeChar = '\\'): string {
	let result = '';
	for (let index = 0; index < text.length; index++) {
		const char = text[index]!;
		if (char === escapeChar && text[index + 1] === '$') {
			result += '$';
			index++;
			continue;
		}

		if (char !== '$') {
			result += char;
			continue;
		}

		if (text[index + 1] === '{') {
			const close = text.indexOf('}', index + 2);
			if (close === -1) {
				result += text.slice(index);
				break;
			}

			const inner = text.slice(index + 2, close);
			const modifier = /^([A-Za-z_][A-Za-z0-9_]*)(?::([-+])(.*))?$/s.exec(inner);
			if (modifier) {
				const value = variables.get(modifier[1]!);
				if (modifier[2] === '-') {
					result += value === undefined || value === '' ? modifier[3]! : value;
				} else if (modifier[2] === '+') {
					result += value === undefined || value === '' ? '' : modifier[3]!;
				} else {
					result += value ?? '';
				}
			} else {
				result += text.slice(index, close + 1);
			}

			index = close;
			continue;
		}

		const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(index + 1))?.[0];
		if (name === undefined) {
			result += char;
			continue;
		}

		result += variables.get(name) ?? '';
		index += name.length;
	}

	return result;
}
