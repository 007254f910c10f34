import {LayerlensError} from '../../../shared/errors.js';

/** docker's `--pull` words: read the registry when the daemon lacks the image, always, or never. */
export const pullPolicies = ['missing', 'always', 'never'] as const;
export type PullPolicy = (typeof pullPolicies)[number];

/** A pull-through mirror of Docker Hub, as daemon.json's `registry-mirrors` or `--registry-mirror` give it. */
export type RegistryMirror = {
	/** As shown to the user: `http://localhost:5000`. */
	url: string;
	/** Host and port the registry API is reached at. */
	host: string;
	/** Written with `http://`: plain HTTP is allowed to it, as docker allows it to a mirror. */
	plainHttp: boolean;
};

export function parsePullPolicy(text: string): PullPolicy {
	const policy = pullPolicies.find((word) => word === text);
	if (policy === undefined) {
		throw new LayerlensError(
			`--pull ${JSON.stringify(text.slice(0, 40))} is not one of ${pullPolicies.join(', ')}`,
			{
				hint: 'missing (the default) reads the registry only when the daemon lacks the image, always even when it has it, never not at all',
			},
		);
	}

	return policy;
}

/** A mirror URL, or why it is not one (undefined). Credentials in it are refused: they would be shown. */
function readMirror(text: string): {mirror: RegistryMirror} | {problem: string} {
	let url: URL;
	try {
		url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
	} catch {
		return {problem: 'it is not a URL'};
	}

	if (url.protocol !== 'https:' && url.protocol !== 'http:')
		return {problem: 'it is not http:// or https://'};
	if (url.username !== '' || url.password !== '') return {problem: 'it carries credentials'};
	if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
		return {problem: 'a mirror is a host (and port), with no path'};
	}

	return {mirror: {url: `${url.protocol}//${url.host}`, host: url.host, plainHttp: url.protocol === 'http:'}};
}

/** `--registry-mirror URL`: a bad one is one error line (never echoing credentials it carries). */
export function parseMirrorFlag(text: string): RegistryMirror {
	const read = readMirror(text);
	if ('mirror' in read) return read.mirror;
	const shown =
		read.problem === 'it carries credentials'
			? '(a URL with a user name or password)'
			: JSON.stringify(text.slice(0, 100));
	throw new LayerlensError(`--registry-mirror ${shown} is not a mirror: ${read.problem}`, {
		hint: 'Give its URL, e.g. --registry-mirror https://mirror.example.com; log in with --registry-username',
	});
}

/** The daemon's mirrors (`docker info` RegistryConfig.Mirrors); ones layerlens cannot use are left out. */
export function mirrorsFromDaemon(mirrors: unknown): RegistryMirror[] {
	if (!Array.isArray(mirrors)) return [];
	return mirrors.flatMap((text) => {
		if (typeof text !== 'string') return [];
		const read = readMirror(text);
		return 'mirror' in read ? [read.mirror] : [];
	});
}
