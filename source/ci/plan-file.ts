import {basename} from 'node:path';
import {parse as parseYaml} from 'yaml';
import {configLimitBytes, readLocalFile} from '../shared/read-local-file.js';
import {diveConfigName, findConfigFile} from './config.js';
import {isRecord, type Plan, parsePlan, planError} from './plan.js';

/**
The plan of the config file that applies (`--config`, else `.layerlens.yml` or `.layerlens.yaml` in `cwd`),
or undefined when there is none; only `plan:` is read here (the rules are `--ci`'s). A bad plan is one line.
*/
export async function readPlan(
	cwd: string,
	configPath: string | undefined,
): Promise<{plan: Plan; path: string; origin: string} | undefined> {
	const path = findConfigFile(cwd, configPath);
	if (path === undefined || basename(path) === diveConfigName) return undefined;
	const text = (await readLocalFile(path, 'Config file', configLimitBytes)).toString('utf8');
	const origin = configPath ?? basename(path);
	let document: unknown;
	try {
		document = parseYaml(text);
	} catch {
		throw planError(origin, 'not valid YAML', 'Fix the syntax or remove the file');
	}

	if (!isRecord(document) || document.plan === undefined || document.plan === null) return undefined;
	return {plan: parsePlan(document.plan, origin), path, origin};
}
