import {someFile} from '../final-file-list.js';
import {readManifestDependencies} from './npm-lockfile.js';
import type {RuleContext} from './rule-context.js';

export function appManifest(context: RuleContext): ReturnType<typeof readManifestDependencies> | undefined {
	if (context.appDir === undefined) {
		return undefined;
	}

	const text = context.input.evidence.get(
		context.appDir === '' ? 'package.json' : `${context.appDir}/package.json`,
	);
	return text === undefined ? undefined : readManifestDependencies(text);
}

/** What the container starts, with `npm start` expanded to the start script, plus NODE_OPTIONS. */
export function startCommand(context: RuleContext): string {
	const parts = [context.runCommand];
	if (/\bnpm\b.*\bstart\b|\byarn\b.*\bstart\b|\bpnpm\b.*\bstart\b/.test(context.runCommand)) {
		parts.push(appManifest(context)?.start ?? '');
	}

	const nodeOptions = context.input.config.env.find((entry) => entry.startsWith('NODE_OPTIONS='));
	if (nodeOptions) {
		parts.push(nodeOptions);
	}

	return parts.join(' ');
}

/** ts-node or tsx at runtime makes TypeScript sources and the compiler part of the running app. */
export function runsTypeScript(context: RuleContext): boolean {
	return /(^|[\s/"'])(ts-node|tsx|ts-node-esm)(\s|$|["'])|--loader[ =]ts-node|--import[ =]tsx|--experimental-strip-types/.test(
		startCommand(context),
	);
}

const outputDirectories = ['dist', 'build', 'out', 'lib'];

/**
The compiled output directory the container runs (CMD/ENTRYPOINT, the start script or package.json
`main` names it, and it holds JavaScript), or undefined when there is none.
*/
export function compiledOutputDirectory(context: RuleContext): string | undefined {
	if (context.appDir === undefined) {
		return undefined;
	}

	const prefix = context.appDir === '' ? '' : `${context.appDir}/`;
	const references = `${startCommand(context)} ${appManifest(context)?.main ?? ''}`;
	for (const name of outputDirectories) {
		const named = new RegExp(`(^|[\\s"'/=])(\\./)?${name}/`).test(references);
		if (!named) {
			continue;
		}

		const hasJavaScript = someFile(
			context.input.files,
			(file) => file.path.startsWith(`${prefix}${name}/`) && /\.(c|m)?js$/.test(file.path),
		);
		if (hasJavaScript) {
			return `${prefix}${name}`;
		}
	}

	return undefined;
}
