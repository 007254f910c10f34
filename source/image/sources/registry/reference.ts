import {LayerlensError} from '../../../shared/errors.js';
import {isDigest} from '../../formats/manifest-selection.js';

/** An image reference as Docker normalises it: which registry, which repository, which tag or digest. */
export type RegistryReference = {
	/** Host and optional port as the API is reached, e.g. `registry-1.docker.io`, `localhost:5000`. */
	registry: string;
	/** Repository path, e.g. `library/nginx`, `team/app`. */
	repository: string;
	tag?: string;
	/** `sha256:<hex>`; when both are given the digest wins, as in Docker. */
	digest?: string;
	/** Whether the registry was written (`localhost:5000/app`) or implied (`nginx` on Docker Hub). */
	explicitRegistry: boolean;
};

/** Where Docker Hub's registry API answers. */
export const dockerHubRegistry = 'registry-1.docker.io';
const dockerHubNames = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
/** distribution/reference's path component: lower-case alphanumerics joined by `.`, `_`, `__` or dashes. */
const componentPattern = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const tagPattern = /^[\w][\w.-]{0,127}$/;
const hostPattern =
	/^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::\d{1,5})?$/;

/** Docker's rule: the first component names a registry when it has a `.` or `:`, is `localhost`, or has upper case. */
export function firstComponentIsHost(first: string): boolean {
	return /[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first;
}

/** Whether `text` names a registry host explicitly (`host.tld/…`, `host:port/…`, `localhost/…`). */
export function hasRegistryHost(text: string): boolean {
	const slash = text.indexOf('/');
	return slash > 0 && firstComponentIsHost(text.slice(0, slash));
}

function invalid(text: string, why: string): LayerlensError {
	return new LayerlensError(`'${text}' is not a valid image reference: ${why}`, {
		hint: 'Write [registry/]repository[:tag][@sha256:digest], e.g. localhost:5000/app:1.0 or nginx:1.27',
	});
}

/**
Parse a reference the way the docker CLI does: `nginx:1.27` is `registry-1.docker.io/library/nginx:1.27`,
`localhost:5000/app` is `app` on `localhost:5000` with tag `latest`, `host/ns/app@sha256:…` is by digest.
*/
export function parseRegistryReference(text: string): RegistryReference {
	if (text.length === 0 || text.length > 4096) {
		throw invalid(text, 'empty or too long');
	}

	let rest = text;
	let digest: string | undefined;
	const at = rest.indexOf('@');
	if (at !== -1) {
		digest = rest.slice(at + 1);
		rest = rest.slice(0, at);
		if (!isDigest(digest)) {
			throw invalid(text, `the digest '${digest}' is not sha256:<64 hex digits>`);
		}
	}

	let tag: string | undefined;
	const colon = rest.lastIndexOf(':');
	if (colon > rest.lastIndexOf('/')) {
		tag = rest.slice(colon + 1);
		rest = rest.slice(0, colon);
		if (!tagPattern.test(tag)) {
			throw invalid(text, `the tag '${tag}' has characters a tag cannot have`);
		}
	}

	const slash = rest.indexOf('/');
	const explicitRegistry = slash > 0 && firstComponentIsHost(rest.slice(0, slash));
	let registry = explicitRegistry ? rest.slice(0, slash) : 'docker.io';
	let repository = explicitRegistry ? rest.slice(slash + 1) : rest;
	if (explicitRegistry && !hostPattern.test(registry)) {
		throw invalid(text, `'${registry}' is not a host name`);
	}

	if (dockerHubNames.has(registry.toLowerCase())) {
		registry = dockerHubRegistry;
		if (!repository.includes('/')) {
			repository = `library/${repository}`;
		}
	}

	if (repository === '' || !repository.split('/').every((component) => componentPattern.test(component))) {
		throw invalid(text, 'the repository must be lower-case letters, digits and . _ - separators');
	}

	if (repository.length > 255) {
		throw invalid(text, 'the repository name is longer than 255 characters');
	}

	const reference: RegistryReference = {registry, repository, explicitRegistry};
	if (digest !== undefined) reference.digest = digest;
	if (tag !== undefined) reference.tag = tag;
	if (tag === undefined && digest === undefined) reference.tag = 'latest';
	return reference;
}

/** The reference written out in full, e.g. `localhost:5000/app:1.0` or `registry-1.docker.io/library/nginx@sha256:…`. */
export function formatRegistryReference(reference: RegistryReference): string {
	const name = `${reference.registry}/${reference.repository}`;
	return reference.digest === undefined
		? `${name}:${reference.tag ?? 'latest'}`
		: `${name}@${reference.digest}`;
}

/** The host without its port, lower case, brackets dropped: what loopback and proxy rules look at. */
export function hostName(registry: string): string {
	const bracketed = /^\[([^\]]+)\]/.exec(registry);
	if (bracketed) return bracketed[1]!.toLowerCase();
	return registry.replace(/:\d+$/, '').toLowerCase();
}

/** Docker treats these as insecure registries by default: plain HTTP is allowed to them. */
export function isLoopbackHost(registry: string): boolean {
	const host = hostName(registry);
	return (
		host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1'
	);
}
