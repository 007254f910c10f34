import {readFileSync} from 'node:fs';

/** The package version, read once from package.json (two levels above source/shared/ and dist/shared/). */
export const toolVersion: string = (
	JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {version: string}
).version;
