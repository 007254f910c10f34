import {existsSync} from 'node:fs';
import {join} from 'node:path';
import process from 'node:process';
import type Docker from 'dockerode';

/*
Where the daemon is and whether a reference is worth asking it about: light enough (no dockerode, no archive
reader) for the CLI to load before everything else, so the first requests leave while the rest is imported.
*/

export type DaemonEngine = 'docker' | 'podman';

export type DaemonEndpoint = {
	/** Shown to the user, e.g. `unix:///var/run/docker.sock`. */
	address: string;
	/** dockerode options; empty for docker means "DOCKER_HOST or the default socket", as the docker CLI does. */
	options: Docker.DockerOptions;
};

/**
Where the daemon is: DOCKER_HOST (unix:// or tcp://) for docker; for podman CONTAINER_HOST (unix://), else the
rootless then the rootful socket, the first that exists.
*/
export function daemonEndpoint(engine: DaemonEngine, env: NodeJS.ProcessEnv = process.env): DaemonEndpoint {
	if (engine === 'podman') {
		// CONTAINER_HOST is where podman's own remote client looks first.
		const containerHost = env.CONTAINER_HOST?.startsWith('unix://') ? env.CONTAINER_HOST.slice(7) : undefined;
		const candidates = [
			containerHost,
			env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock') : undefined,
			'/run/podman/podman.sock',
		].filter((path): path is string => path !== undefined);
		const socketPath = containerHost ?? candidates.find((path) => existsSync(path)) ?? candidates.at(-1)!;
		// `host: undefined` stops a tcp DOCKER_HOST from overriding the podman socket.
		return {address: `unix://${socketPath}`, options: {socketPath, host: undefined}};
	}

	const host = env.DOCKER_HOST;
	return {address: host && host !== '' ? host : 'unix:///var/run/docker.sock', options: {}};
}

/** Docker's reference grammar, loosely: catches typos without rejecting valid names. */
const referencePattern = /^[a-z0-9][a-z0-9._\-/:@]*$/;

export function isPlausibleReference(reference: string): boolean {
	const [name = ''] = reference.split('@');
	const lastSlash = name.lastIndexOf('/');
	const repository = name.lastIndexOf(':') > lastSlash ? name.slice(0, name.lastIndexOf(':')) : name;
	// The first component is a registry host (which may carry a port and upper case) only when it looks like one.
	const first = repository.split('/')[0] ?? '';
	const hasHost =
		repository.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
	const path = hasHost ? repository.slice(first.length + 1) : repository;
	return reference.length <= 4096 && referencePattern.test(path);
}
