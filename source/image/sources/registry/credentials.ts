import {spawn} from 'node:child_process';
import {homedir} from 'node:os';
import {join} from 'node:path';
import {isLayerlensError, LayerlensError} from '../../../shared/errors.js';
import {credentialsLimitBytes, readLocalFile} from '../../../shared/read-local-file.js';

/** A user name and password (or token) for one registry, and where it came from (for messages). */
export type Credentials = {
	username: string;
	password: string;
	/** An OAuth refresh token (`identitytoken` in the Docker config): exchanged at the token realm. */
	identityToken?: string;
	from: string;
};

export type CredentialOptions = {
	env?: NodeJS.ProcessEnv;
	/** `--registry-username` with the password from stdin or LAYERLENS_REGISTRY_PASSWORD. */
	flags?: {username: string; password: string};
};

/** Docker Hub's key in config.json, whatever host the API is reached at. */
const dockerHubKey = 'https://index.docker.io/v1/';
const dockerHubHosts = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const helperTimeoutMs = 30_000;

type AuthFile = {
	auths?: Record<string, {auth?: string; username?: string; password?: string; identitytoken?: string}>;
	credHelpers?: Record<string, string>;
	credsStore?: string;
};

/** Strip scheme and path from a config key: `https://host:5000/v1/` → `host:5000`. */
function keyHost(key: string): string {
	return key
		.replace(/^[a-z]+:\/\//i, '')
		.split('/')[0]!
		.toLowerCase();
}

function matchesRegistry(key: string, registry: string): boolean {
	const host = keyHost(key);
	const wanted = registry.toLowerCase();
	return host === wanted || (dockerHubHosts.has(wanted) && dockerHubHosts.has(host));
}

async function readAuthFile(path: string): Promise<AuthFile | undefined> {
	let text: string;
	try {
		// Bounded and non-blocking: REGISTRY_AUTH_FILE=/dev/urandom is refused, a FIFO stays interruptible.
		text = (await readLocalFile(path, 'Registry login file', credentialsLimitBytes)).toString('utf8');
	} catch (error) {
		if (isLayerlensError(error)) throw error;
		return undefined;
	}

	try {
		const parsed = JSON.parse(text) as unknown;
		return typeof parsed === 'object' && parsed !== null ? (parsed as AuthFile) : undefined;
	} catch {
		throw new LayerlensError(`${path} is not valid JSON`, {hint: 'Fix or remove it, or log in again'});
	}
}

function fromAuths(file: AuthFile, registry: string, path: string): Credentials | undefined {
	for (const [key, entry] of Object.entries(file.auths ?? {})) {
		if (!matchesRegistry(key, registry) || typeof entry !== 'object' || entry === null) continue;
		let username = entry.username ?? '';
		let password = entry.password ?? '';
		if (typeof entry.auth === 'string' && entry.auth !== '') {
			const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
			const colon = decoded.indexOf(':');
			if (colon === -1) {
				throw new LayerlensError(`the auth entry for ${key} in ${path} is not base64 of user:password`, {
					hint: `Log in again with \`docker login ${registry}\``,
				});
			}

			username = decoded.slice(0, colon);
			password = decoded.slice(colon + 1);
		}

		const identityToken = typeof entry.identitytoken === 'string' ? entry.identitytoken : undefined;
		if (username === '' && identityToken === undefined) continue;
		return {username, password, ...(identityToken ? {identityToken} : {}), from: path};
	}

	return undefined;
}

/** `docker-credential-<helper> get`, the server URL on stdin, `{Username, Secret}` on stdout. */
export function runCredentialHelper(
	helper: string,
	serverUrl: string,
	env: NodeJS.ProcessEnv,
): Promise<Credentials | undefined> {
	const program = `docker-credential-${helper}`;
	return new Promise((resolve, reject) => {
		const child = spawn(program, ['get'], {env, stdio: ['pipe', 'pipe', 'pipe']});
		let stdout = '';
		let stderr = '';
		const timer = setTimeout(() => child.kill('SIGKILL'), helperTimeoutMs);
		child.stdout.setEncoding('utf8').on('data', (text: string) => {
			stdout += text;
		});
		child.stderr.setEncoding('utf8').on('data', (text: string) => {
			stderr += text;
		});
		child.stdin.on('error', () => undefined);
		child.on('error', (error: NodeJS.ErrnoException) => {
			clearTimeout(timer);
			reject(
				new LayerlensError(`cannot run the credential helper ${program}: ${error.code ?? error.message}`, {
					hint: 'Install it, or remove credsStore / credHelpers from your Docker config',
				}),
			);
		});
		child.on('close', (code) => {
			clearTimeout(timer);
			// "credentials not found in native keychain" is how every helper says it has nothing for this host.
			if (code !== 0) {
				if (/not found/i.test(stdout + stderr)) {
					resolve(undefined);
					return;
				}

				reject(
					new LayerlensError(
						`the credential helper ${program} failed: ${(stderr || stdout).trim().split('\n')[0]}`,
						{
							hint: `Check \`${program} list\`, or log in again`,
						},
					),
				);
				return;
			}

			try {
				const answer = JSON.parse(stdout) as {Username?: string; Secret?: string};
				if (typeof answer.Secret !== 'string') {
					resolve(undefined);
					return;
				}

				const username = answer.Username ?? '';
				// Helpers store an identity token under the user name `<token>`.
				resolve(
					username === '<token>'
						? {username: '', password: '', identityToken: answer.Secret, from: program}
						: {username, password: answer.Secret, from: program},
				);
			} catch {
				reject(
					new LayerlensError(`the credential helper ${program} printed no JSON`, {hint: 'Check the helper'}),
				);
			}
		});
		child.stdin.end(serverUrl);
	});
}

function serverUrlFor(registry: string): string {
	return dockerHubHosts.has(registry.toLowerCase()) ? dockerHubKey : registry;
}

/** Where Docker keeps its config: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(env: NodeJS.ProcessEnv): string {
	const directory =
		env.DOCKER_CONFIG && env.DOCKER_CONFIG !== ''
			? env.DOCKER_CONFIG
			: join(env.HOME ?? homedir(), '.docker');
	return join(directory, 'config.json');
}

/** Podman's login file: REGISTRY_AUTH_FILE, else `${XDG_RUNTIME_DIR}/containers/auth.json`. */
export function podmanAuthPath(env: NodeJS.ProcessEnv): string | undefined {
	if (env.REGISTRY_AUTH_FILE && env.REGISTRY_AUTH_FILE !== '') return env.REGISTRY_AUTH_FILE;
	return env.XDG_RUNTIME_DIR && env.XDG_RUNTIME_DIR !== ''
		? join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json')
		: undefined;
}

/**
The credentials for `registry`, looked up as the tools that wrote them would: the flags first, then Podman's
auth.json, then Docker's config (a `credHelpers` entry for the host, an `auths` entry, the `credsStore`).
Undefined: go anonymous.
*/
export async function findCredentials(
	registry: string,
	options: CredentialOptions = {},
): Promise<Credentials | undefined> {
	const env = options.env ?? process.env;
	if (options.flags !== undefined) {
		return {...options.flags, from: '--registry-username'};
	}

	const podmanPath = podmanAuthPath(env);
	const podman = podmanPath === undefined ? undefined : await readAuthFile(podmanPath);
	const fromPodman = podman === undefined ? undefined : fromAuths(podman, registry, podmanPath!);
	if (fromPodman !== undefined) return fromPodman;

	const dockerPath = dockerConfigPath(env);
	const docker = await readAuthFile(dockerPath);
	if (docker === undefined) return undefined;
	const helper = Object.entries(docker.credHelpers ?? {}).find(([key]) =>
		matchesRegistry(key, registry),
	)?.[1];
	if (helper !== undefined) {
		return runCredentialHelper(helper, serverUrlFor(registry), env);
	}

	const stored = fromAuths(docker, registry, dockerPath);
	if (stored !== undefined) return stored;
	return docker.credsStore ? runCredentialHelper(docker.credsStore, serverUrlFor(registry), env) : undefined;
}
