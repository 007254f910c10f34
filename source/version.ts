import {readFileSync} from 'node:fs';

/** The package version, read once from package.json (one level above both source/ and dist/). */
export const toolVersion: string = (
	JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {version: string}
).version;
