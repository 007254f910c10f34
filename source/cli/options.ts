import {parseByteSize} from '../ci/parse-size.js';
import {formatOfPath, type ReportFormat, reportFormats} from '../report/formats.js';
import {
	type CliOptions,
	type Mode,
	type ReportTarget,
	type SourceKindOption,
	sourceKinds,
} from '../run/options.js';
import {LayerlensError} from '../shared/errors.js';
import {type CliFlags, claimJsonFile} from './argv.js';

export type {CliOptions, Mode, ReportTarget};

import {isStdinArgument} from '../image/sources/archive/stdin-argument.js';
import {parseMirrorFlag, parsePullPolicy} from '../image/sources/registry/mirrors.js';

/** dive's way of naming where the image is: `docker://app`, `podman://app`, `docker-archive://image.tar`. */
const prefixedSources: Record<string, SourceKindOption> = {
	'docker://': 'docker',
	'podman://': 'podman',
	'docker-archive://': 'docker-archive',
	'oci-archive://': 'oci',
	'oci://': 'oci',
};

function splitSourcePrefix(argument: string): {source?: SourceKindOption; image: string} {
	for (const [prefix, source] of Object.entries(prefixedSources)) {
		if (argument.startsWith(prefix) && argument.length > prefix.length) {
			return {source, image: argument.slice(prefix.length)};
		}
	}

	return {image: argument};
}

function isReportFormat(value: string): value is ReportFormat {
	return (reportFormats as readonly string[]).includes(value);
}

function parseFormat(value: string): ReportFormat {
	if (!isReportFormat(value)) {
		throw new LayerlensError(`Unknown report format '${value}'`, {
			hint: `Use one of: ${reportFormats.join(', ')}`,
		});
	}

	return value;
}

/** A size from a flag, e.g. `--max-layer-bytes 2GiB`; the one size parser (source/ci/parse-size.ts) reads it. */
export function parseSizeFlag(value: string, flag: string): number {
	const bytes = parseByteSize(value);
	if (bytes === undefined) {
		throw new LayerlensError(`invalid size '${value}' for ${flag}`, {
			hint: 'Write a number of bytes, optionally with a unit: 500MB, 500M, 2GiB, 1,000,000',
		});
	}

	return bytes;
}

/**
Turn `--json`, `--format` and the repeatable `--output [fmt=]FILE` into report targets. One analysis
pass serves all of them.
*/
export function parseReportTargets(
	flags: Pick<CliFlags, 'json' | 'jsonFile' | 'format' | 'output'>,
): ReportTarget[] {
	const defaultFormat =
		flags.format === undefined ? (flags.json ? 'json' : undefined) : parseFormat(flags.format);
	if (flags.json && defaultFormat !== 'json' && !(defaultFormat === 'dive' && flags.jsonFile !== undefined)) {
		throw new LayerlensError('--json and --format disagree', {hint: 'Use one of them'});
	}

	const targets: ReportTarget[] = [];
	if (flags.jsonFile !== undefined) {
		// dive's `-j FILE`: layerlens' JSON, or dive's own schema with --format dive (what dive's -j writes).
		if (defaultFormat !== undefined && defaultFormat !== 'json' && defaultFormat !== 'dive') {
			throw new LayerlensError(`-j/--json FILE and --format ${defaultFormat} disagree`, {
				hint: `Use --output ${defaultFormat}=FILE for a ${defaultFormat} file`,
			});
		}

		targets.push({format: defaultFormat ?? 'json', path: flags.jsonFile});
	}

	for (const output of flags.output) {
		const match = new RegExp(`^(${reportFormats.join('|')})=(.+)$`).exec(output);
		if (match) {
			targets.push({format: match[1] as ReportFormat, path: match[2]});
		} else {
			targets.push({format: defaultFormat ?? formatFromExtension(output), path: output});
		}
	}

	if (targets.length === 0 && defaultFormat) {
		targets.push({format: defaultFormat, path: undefined});
	}

	return targets;
}

function formatFromExtension(path: string): ReportFormat {
	const format = formatOfPath(path);
	if (format !== undefined) return format;
	throw new LayerlensError(`Cannot tell the report format of '${path}'`, {
		hint: `Add --format ${reportFormats.join('|')} or write --output markdown=FILE`,
	});
}

function parseSource(value: string | undefined): SourceKindOption | undefined {
	if (value === undefined) {
		return undefined;
	}

	if (!(sourceKinds as readonly string[]).includes(value)) {
		throw new LayerlensError(`Unknown source '${value}'`, {hint: `Use one of: ${sourceKinds.join(', ')}`});
	}

	return value as SourceKindOption;
}

/** Flags that only mean something to `--ci`: giving one asks for a CI run, it is never dropped. */
const ciOnlyFlags = [
	['config', '--config'],
	['ciConfig', '--ci-config'],
	['baseline', '--baseline'],
	['lowestEfficiency', '--lowest-efficiency'],
	['highestWastedBytes', '--highest-wasted-bytes'],
	['highestUserWastedPercent', '--highest-user-wasted-percent'],
] as const;

export type InputEnvironment = {
	/** Standard input is a pipe, a socket or a file (not a terminal, not /dev/null): it carries the image. */
	stdinCarriesData: boolean;
};

export function parseCliOptions(
	givenInput: string[],
	givenFlags: CliFlags,
	environment: InputEnvironment = {stdinCarriesData: false},
): CliOptions {
	const {input, flags} = claimJsonFile(givenInput, givenFlags, 1);
	const {image, source} = namedImage(input, flags, environment);
	checkFlagPairs(flags, image, source);
	const {reports, ci} = reportsAndCi(flags);
	return {
		image,
		source,
		platform: flags.platform,
		reports,
		dockerfile: flags.dockerfile,
		ci,
		config: flags.config ?? flags.ciConfig,
		configIsDive: flags.ciConfig !== undefined,
		baseline: flags.baseline,
		writeBaseline: flags.writeBaseline,
		ruleOverrides: {
			...(flags.lowestEfficiency === undefined ? {} : {lowestEfficiency: flags.lowestEfficiency}),
			...(flags.highestWastedBytes === undefined ? {} : {highestWastedBytes: flags.highestWastedBytes}),
			...(flags.highestUserWastedPercent === undefined
				? {}
				: {highestUserWastedPercent: flags.highestUserWastedPercent}),
		},
		maxLayerBytes:
			flags.maxLayerBytes === undefined ? undefined : parseSizeFlag(flags.maxLayerBytes, '--max-layer-bytes'),
		cache: flags.cache,
		debug: flags.debug,
		registry: {
			...(flags.registryUsername === undefined ? {} : {username: flags.registryUsername}),
			passwordStdin: flags.registryPasswordStdin ?? false,
			insecureHosts: flags.insecureRegistry ?? [],
			...(flags.registryMirror === undefined ? {} : {mirrors: flags.registryMirror.map(parseMirrorFlag)}),
		},
		...(flags.pull === undefined ? {} : {pull: parsePullPolicy(flags.pull)}),
	};
}

/** The one image named (or piped in), and the source its prefix or `--source` names. */
function namedImage(
	input: readonly string[],
	flags: CliFlags,
	environment: InputEnvironment,
): {image: string | undefined; source: SourceKindOption | undefined} {
	if (input.length > 1) {
		throw new LayerlensError(`Expected one image, got ${input.length}: ${input.join(' ')}`, {
			hint: 'Run layerlens --help for usage',
		});
	}

	if (flags.demo && input.length > 0) {
		throw new LayerlensError('--demo opens the built-in image; do not name another one', {
			hint: `Drop --demo to analyse ${input[0]}`,
		});
	}

	// No image named and something piped in (`docker save app | layerlens`): the pipe is the image, never the demo.
	const argument = flags.demo ? undefined : (input[0] ?? (environment.stdinCarriesData ? '-' : undefined));
	const prefixed = argument === undefined ? {image: undefined} : splitSourcePrefix(argument);
	let source = parseSource(flags.source);
	if ('source' in prefixed && prefixed.source !== undefined) {
		if (source !== undefined && source !== prefixed.source) {
			throw new LayerlensError(`--source ${source} disagrees with ${argument}`, {hint: 'Use one of them'});
		}

		source = prefixed.source;
	}

	return {image: prefixed.image, source};
}

/** Flags that cannot go together, and a platform that is not one. */
function checkFlagPairs(
	flags: CliFlags,
	image: string | undefined,
	source: SourceKindOption | undefined,
): void {
	// Both would read standard input; whichever went first would leave the other nothing (or the wrong bytes).
	const imageFromStdin =
		image !== undefined && isStdinArgument(image) && source !== 'docker' && source !== 'podman';
	if (flags.registryPasswordStdin && imageFromStdin) {
		throw new LayerlensError('--registry-password-stdin and an image on standard input both need stdin', {
			hint: 'Name the image as an argument, or set LAYERLENS_REGISTRY_PASSWORD instead of --registry-password-stdin',
		});
	}

	if (flags.platform !== undefined && !/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/i.test(flags.platform)) {
		throw new LayerlensError(`Invalid platform '${flags.platform}'`, {
			hint: 'Write os/arch[/variant], e.g. linux/arm64',
		});
	}

	if (flags.config !== undefined && flags.ciConfig !== undefined) {
		throw new LayerlensError('--config and --ci-config both name the rules file', {hint: 'Use one of them'});
	}
}

/** The reports asked for and whether this is a CI run; a CI verdict and a report cannot share stdout. */
function reportsAndCi(flags: CliFlags): {reports: ReportTarget[]; ci: boolean} {
	const reports = parseReportTargets(flags);
	const ciFlag = ciOnlyFlags.find(([key]) => flags[key] !== undefined)?.[1];
	const ci = flags.ci || ciFlag !== undefined;
	const stdoutReport = reports.find((target) => target.path === undefined);
	if (ci && stdoutReport !== undefined) {
		throw new LayerlensError(
			`${flags.ci ? '--ci' : `${ciFlag} (a --ci rule)`} prints its verdict on stdout, so the ${stdoutReport.format} report cannot go there too`,
			{hint: `Write the report to a file: --output ${stdoutReport.format}=FILE`},
		);
	}

	return {reports, ci};
}
