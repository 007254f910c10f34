import meow from 'meow';
import {LayerlensError} from '../shared/errors.js';

/** The flags as parseArgv hands them over. */
export type CliFlags = {
	source?: string;
	platform?: string;
	demo: boolean;
	json: boolean;
	/** dive's `--json FILE`, spelt `--json=FILE` or `-j FILE`: always a file. */
	jsonFile?: string;
	/**
	The argument right after a bare `--json`: the JSON file when the command is given one argument more
	than it takes (`layerlens IMAGE --json out.json`), else it stays an argument (see claimJsonFile).
	*/
	jsonNext?: string;
	format?: string;
	output: string[];
	dockerfile?: string;
	ci: boolean;
	config?: string;
	/** dive's name for the rules file; read in dive's `.dive-ci` format whatever the file is called. */
	ciConfig?: string;
	baseline?: string;
	writeBaseline?: string;
	lowestEfficiency?: string;
	highestWastedBytes?: string;
	highestUserWastedPercent?: string;
	maxLayerBytes?: string;
	cache: boolean;
	debug: boolean;
	clearCache?: boolean;
	registryUsername?: string;
	registryPasswordStdin?: boolean;
	insecureRegistry?: string[];
	pull?: string;
	registryMirror?: string[];
	/** `layerlens diff` only (cli/diff-flags.ts reads them; anywhere else they are an error). */
	maxGrowthBytes?: string;
	maxGrowthPercent?: string;
	failOnNew?: string[];
	timestamps?: boolean;
};

/** Every flag layerlens knows, by its name on the command line: anything else is an error, never ignored. */
const flagSpec = {
	source: {type: 'string'},
	platform: {type: 'string'},
	demo: {type: 'boolean'},
	json: {type: 'boolean'},
	format: {type: 'string'},
	output: {type: 'string', isMultiple: true},
	dockerfile: {type: 'string'},
	ci: {type: 'boolean'},
	config: {type: 'string'},
	ciConfig: {type: 'string'},
	baseline: {type: 'string'},
	writeBaseline: {type: 'string'},
	lowestEfficiency: {type: 'string'},
	highestWastedBytes: {type: 'string'},
	highestUserWastedPercent: {type: 'string'},
	maxLayerBytes: {type: 'string'},
	cache: {type: 'boolean'},
	clearCache: {type: 'boolean'},
	maxGrowthBytes: {type: 'string'},
	maxGrowthPercent: {type: 'string'},
	failOnNew: {type: 'string', isMultiple: true},
	timestamps: {type: 'boolean'},
	debug: {type: 'boolean'},
	registryUsername: {type: 'string'},
	registryPasswordStdin: {type: 'boolean'},
	insecureRegistry: {type: 'string', isMultiple: true},
	pull: {type: 'string'},
	registryMirror: {type: 'string', isMultiple: true},
	help: {type: 'boolean', shortFlag: 'h'},
	version: {type: 'boolean', shortFlag: 'v'},
} as const;

/** Whether a long flag (`--ci`, without a value) is layerlens' own, and if so whether it takes a value. */
export function layerlensFlagType(flag: string): 'boolean' | 'string' | undefined {
	const name = flag.replace(/^--/, '');
	if (name === 'no-cache') return 'boolean';
	const entry = Object.entries(flagSpec).find(([key]) => kebab(key) === name);
	return entry?.[1].type;
}

export type ParsedArgv =
	| {action: 'help'}
	| {action: 'version'}
	| {action: 'run'; input: string[]; flags: CliFlags};

const kebab = (name: string) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** The flags as the user wrote them (`--ci-config`), to check each against the known names before meow reads them. */
function writtenFlags(argv: readonly string[]): string[] {
	const flags: string[] = [];
	for (const argument of argv) {
		if (argument === '--') break;
		if (/^--?[^-]/.test(argument) || /^--[^-]/.test(argument)) flags.push(argument);
	}

	return flags;
}

/** dive's camelCase rule flags, read as layerlens' own. */
const diveSpellings: Record<string, string> = {
	'--lowestEfficiency': '--lowest-efficiency',
	'--highestWastedBytes': '--highest-wasted-bytes',
	'--highestUserWastedPercent': '--highest-user-wasted-percent',
};

const isValue = (argument: string | undefined): argument is string =>
	argument !== undefined && (!argument.startsWith('-') || argument === '-');

/**
dive's spellings, rewritten before meow reads argv: its camelCase rule flags become layerlens' own, and
dive's ways of naming the JSON file are taken out (meow knows `--json` only as a switch):
`--json=FILE`, `-j FILE` and `-j=FILE` always name a file. A bare `--json` stays the switch; the argument
after it is remembered, and becomes the file only when the command has one argument too many.
*/
function takeJsonFileFlags(argv: readonly string[]): {argv: string[]; jsonFile?: string; jsonNext?: string} {
	const rest: string[] = [];
	let jsonFile: string | undefined;
	let jsonNext: string | undefined;
	const setFile = (file: string | undefined, flag: string) => {
		if (file === undefined || file === '') {
			throw new LayerlensError(`${flag} needs a file name`, {hint: 'Write -j FILE or --json=FILE'});
		}

		if (jsonFile !== undefined) {
			throw new LayerlensError(`${flag} names a second JSON file`, {
				hint: 'Name one, or use --output json=FILE for more',
			});
		}

		jsonFile = file;
	};

	for (let index = 0; index < argv.length; index++) {
		const argument = argv[index]!;
		if (argument === '--') {
			rest.push(...argv.slice(index));
			break;
		}

		const [name = '', value] = argument.split(/=(.*)/s, 2) as [string, string | undefined];
		const kebabName = diveSpellings[name];
		if (kebabName !== undefined) {
			rest.push(value === undefined ? kebabName : `${kebabName}=${value}`);
		} else if (name === '--ignore-errors' || name === '-i') {
			throw new LayerlensError(
				`${name} (dive's) is not supported: layerlens stops on an image it cannot read`,
				{
					hint: 'Drop the flag; what layerlens reads but finds odd is reported as a warning',
				},
			);
		} else if (argument.startsWith('--json=')) {
			setFile(argument.slice('--json='.length), '--json=');
		} else if (argument === '-j') {
			const next = argv[index + 1];
			setFile(isValue(next) ? next : undefined, '-j');
			index++;
		} else if (argument.startsWith('-j=')) {
			setFile(argument.slice('-j='.length), '-j=');
		} else {
			if (argument === '--json' && isValue(argv[index + 1])) {
				jsonNext = argv[index + 1];
			}

			rest.push(argument);
		}
	}

	return {
		argv: rest,
		...(jsonFile === undefined ? {} : {jsonFile}),
		...(jsonNext === undefined ? {} : {jsonNext}),
	};
}

/**
`--json X` where the command got one argument more than it takes (`layerlens IMAGE --json out.json`,
`layerlens diff A B --json out.json`): X is dive's JSON file. With the right number of arguments X stays an
argument, as it always was (`layerlens --json image.tar` prints the report of image.tar).
*/
export function claimJsonFile(
	input: string[],
	flags: CliFlags,
	takes: number,
): {input: string[]; flags: CliFlags} {
	const {jsonNext, ...rest} = flags;
	const at = jsonNext === undefined ? -1 : input.indexOf(jsonNext);
	if (input.length !== takes + 1 || at === -1) {
		return {input, flags: rest};
	}

	if (rest.jsonFile !== undefined) {
		throw new LayerlensError(`--json ${jsonNext} names a second JSON file`, {hint: 'Name one'});
	}

	return {input: input.filter((_, index) => index !== at), flags: {...rest, jsonFile: jsonNext!}};
}

/**
Read argv strictly. meow (the parser) reads any `--name value` it is given, and takes an unknown name that
starts like a known one (`--ci-config` beside `--ci`) as read: so every flag is checked against the known
names first, and an unknown flag (`--bogus`, `--cache-dir`), a value given to a switch (`--ci=yes`) or a flag
without its value is one error line, never a flag read as something else or dropped.
*/
export function parseArgv(fullArgv: readonly string[]): ParsedArgv {
	const {argv, jsonFile, jsonNext} = takeJsonFileFlags(fullArgv);
	const known = new Map(Object.entries(flagSpec).map(([name, spec]) => [kebab(name), spec.type]));
	known.set('no-cache', 'boolean');
	checkWrittenFlags(argv, known);
	checkStringFlagValues(argv, known);

	const cli = meow({
		argv: [...argv],
		importMeta: import.meta,
		autoHelp: false,
		autoVersion: false,
		allowUnknownFlags: true,
		booleanDefault: undefined,
		flags: flagSpec,
	});
	const values = cli.flags as FlagValues;
	if (values.help) return {action: 'help'};
	if (values.version) return {action: 'version'};
	return {action: 'run', input: cli.input, flags: cliFlags(values, jsonFile, jsonNext)};
}

/** The flags as meow read them, each typed by its spec. */
type FlagValues = {
	[K in keyof typeof flagSpec]?: (typeof flagSpec)[K]['type'] extends 'boolean'
		? boolean
		: K extends 'output' | 'insecureRegistry' | 'registryMirror' | 'failOnNew'
			? string[]
			: string;
};

/** The flags read, with the defaults of the switches and lists filled in and the absent values left out. */
function cliFlags(values: FlagValues, jsonFile: string | undefined, jsonNext: string | undefined): CliFlags {
	return {
		...(jsonFile === undefined ? {} : {jsonFile}),
		...(jsonNext === undefined || !values.json ? {} : {jsonNext}),
		...(values.source === undefined ? {} : {source: values.source}),
		...(values.platform === undefined ? {} : {platform: values.platform}),
		demo: values.demo ?? false,
		json: values.json ?? false,
		...(values.format === undefined ? {} : {format: values.format}),
		output: values.output ?? [],
		...(values.dockerfile === undefined ? {} : {dockerfile: values.dockerfile}),
		ci: values.ci ?? false,
		...(values.config === undefined ? {} : {config: values.config}),
		...(values.ciConfig === undefined ? {} : {ciConfig: values.ciConfig}),
		...(values.baseline === undefined ? {} : {baseline: values.baseline}),
		...(values.writeBaseline === undefined ? {} : {writeBaseline: values.writeBaseline}),
		...(values.lowestEfficiency === undefined ? {} : {lowestEfficiency: values.lowestEfficiency}),
		...(values.highestWastedBytes === undefined ? {} : {highestWastedBytes: values.highestWastedBytes}),
		...(values.highestUserWastedPercent === undefined
			? {}
			: {highestUserWastedPercent: values.highestUserWastedPercent}),
		...(values.maxLayerBytes === undefined ? {} : {maxLayerBytes: values.maxLayerBytes}),
		cache: values.cache ?? true,
		debug: values.debug ?? false,
		clearCache: values.clearCache ?? false,
		...(values.registryUsername === undefined ? {} : {registryUsername: values.registryUsername}),
		registryPasswordStdin: values.registryPasswordStdin ?? false,
		insecureRegistry: values.insecureRegistry ?? [],
		...(values.pull === undefined ? {} : {pull: values.pull}),
		...(values.registryMirror === undefined ? {} : {registryMirror: values.registryMirror}),
		...(values.maxGrowthBytes === undefined ? {} : {maxGrowthBytes: values.maxGrowthBytes}),
		...(values.maxGrowthPercent === undefined ? {} : {maxGrowthPercent: values.maxGrowthPercent}),
		...(values.failOnNew === undefined ? {} : {failOnNew: values.failOnNew}),
		timestamps: values.timestamps ?? false,
	};
}

/** Every flag written is a known one, and a switch is given no value. */
function checkWrittenFlags(argv: readonly string[], known: ReadonlyMap<string, string>): void {
	const shortFlags = new Map([
		['-h', 'help'],
		['-v', 'version'],
	]);
	for (const written of writtenFlags(argv)) {
		const [name = '', value] = written.split(/=(.*)/s, 2) as [string, string | undefined];
		if (shortFlags.has(name)) continue;
		const long = name.replace(/^--/, '');
		const type = name.startsWith('--') ? known.get(long) : undefined;
		if (type === undefined || long === 'cache') {
			throw new LayerlensError(`unknown flag ${name}`, {hint: 'See layerlens --help'});
		}

		if (type === 'boolean' && value !== undefined) {
			throw new LayerlensError(`${name} takes no value`, {hint: 'See layerlens --help'});
		}
	}
}

/** A string flag at the end, or followed by another flag, has no value (meow would read it as ''). */
function checkStringFlagValues(argv: readonly string[], known: ReadonlyMap<string, string>): void {
	// A string flag at the end, or followed by another flag, has no value (meow would read it as '').
	for (const [index, argument] of argv.entries()) {
		const long = argument.replace(/^--/, '');
		if (argument.startsWith('--') && known.get(long) === 'string') {
			const next = argv[index + 1];
			if (next === undefined || (next.startsWith('-') && next !== '-')) {
				throw new LayerlensError(`${argument} needs a value`, {hint: 'See layerlens --help'});
			}
		}
	}
}
