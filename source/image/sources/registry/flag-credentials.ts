import {LayerlensError} from '../../../shared/errors.js';

export type RegistryFlags = {
	/** `--registry-username`. */
	username?: string;
	/** `--registry-password-stdin`: the password is the first line of standard input. */
	passwordStdin: boolean;
	/** `--insecure-registry HOST`, repeatable. */
	insecureHosts: string[];
};

/** The environment variable the password may come in, for runners that cannot pipe it. */
export const passwordVariable = 'LAYERLENS_REGISTRY_PASSWORD';

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
	let text = '';
	for await (const chunk of stdin) {
		text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
		if (text.length > 64 * 1024) break;
	}

	return text;
}

/**
The user name and password the flags give, never a password on the command line (it would sit in the
shell history and in `ps`): it comes from standard input with --registry-password-stdin, else from
LAYERLENS_REGISTRY_PASSWORD.
*/
export async function flagCredentials(
	flags: RegistryFlags,
	env: NodeJS.ProcessEnv = process.env,
	stdin: NodeJS.ReadableStream = process.stdin,
): Promise<{username: string; password: string} | undefined> {
	if (flags.username === undefined) {
		if (flags.passwordStdin) {
			throw new LayerlensError('--registry-password-stdin needs --registry-username', {
				hint: 'Name the user with --registry-username',
			});
		}

		return undefined;
	}

	let password: string | undefined;
	if (flags.passwordStdin) {
		password = (await readStdin(stdin)).replace(/\r?\n$/, '').split(/\r?\n/)[0];
	} else {
		password = env[passwordVariable];
	}

	if (password === undefined || password === '') {
		throw new LayerlensError(`--registry-username ${flags.username} has no password`, {
			hint: `Pipe it in with --registry-password-stdin, or set ${passwordVariable}`,
		});
	}

	return {username: flags.username, password};
}
