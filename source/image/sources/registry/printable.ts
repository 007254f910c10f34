/**
Text from outside (a registry's error message, a token realm, a proxy setting, a transport failure) made
fit for the one error line: user-info dropped from URLs, anything shaped like a credential replaced,
control characters flattened, and cut short with a count of what was cut. Every such text goes through
here before it reaches a LayerlensError.
*/

/** Longest piece of outside text an error line quotes: the line around it has its own words and hint. */
export const maxQuotedChars = 100;

/**
`scheme://user:password@host…` → `scheme://host…`, in a URL or anywhere in a text, parseable or not. Up to
the last `@` of the word: a password may itself hold `@` or `/` when the URL is malformed.
*/
export function withoutUserInfo(text: string): string {
	return text.replace(/([a-z][a-z0-9+.-]*:\/\/)\S*@/gi, '$1').replace(/^[^\s:/]*:[^\s/]*@/, '');
}

const secretPatterns: RegExp[] = [
	// A header echoed back: its scheme and credentials.
	/\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:[a-z]+\s+)?[^\s,;"']+/gi,
	/\b(?:bearer|basic)\s+[\w.~+/=-]+/gi,
	// token=…, "password": "…", access_token=…, refresh_token…, secret=…
	/\b([\w-]*(?:token|password|passwd|secret|credential)s?)["']?\s*[:=]\s*("[^"]*"|'[^']*'|[^\s,;&"'}]+)/gi,
	// JWT-looking: three base64url parts, the first a JSON header.
	/\beyJ[\w-]*\.[\w-]+\.[\w-]*/g,
	// Long opaque strings (keys, tokens without a label).
	/\b[A-Za-z0-9+/_-]{40,}={0,2}/g,
];

/** Anything that looks like a header value, token or password replaced by `[redacted]`. */
export function withoutSecrets(text: string): string {
	let result = withoutUserInfo(text);
	for (const pattern of secretPatterns) result = result.replace(pattern, '[redacted]');
	return result;
}

/** One line of at most `max` characters (control characters become spaces), with the count of what was cut. */
export function oneShortLine(text: string, max = maxQuotedChars): string {
	const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
	const characters = [...flat];
	if (characters.length <= max) return flat;
	return `${characters.slice(0, max).join('').trimEnd()}… (${characters.length - max} more characters)`;
}

/** Outside text as an error line may quote it: no credentials, one short line. */
export function printable(text: string, max = maxQuotedChars): string {
	return oneShortLine(withoutSecrets(text), max);
}
