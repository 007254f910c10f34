import {LayerlensError} from './errors.js';

export const reportFormats = ['json', 'markdown', 'sarif'] as const;
export type ReportFormat = (typeof reportFormats)[number];

export const sourceKinds = ['docker', 'podman', 'docker-archive', 'oci', 'registry'] as const;
export type SourceKindOption = (typeof sourceKinds)[number];

export type ReportTarget = {format: ReportFormat; path: string | undefined};

export type Mode = 'explorer' | 'report' | 'ci' | 'summary' | 'write-baseline';

/** The flags as meow hands them over. */
export type CliFlags = {
	source?: string;
	platform?: string;
	demo: boolean;
	json: boolean;
	format?: string;
	output: string[];
	dockerfile?: string;
	ci: boolean;
	config?: string;
	baseline?: string;
	writeBaseline?: string;
	lowestEfficiency?: string;
	highestWastedBytes?: string;
	highestUserWastedPercent?: string;
	maxLayerBytes?: string;
	cache: boolean;
	debug: boolean;
	registryUsername?: string;
	registryPasswordStdin?: boolean;
	insecureRegistry?: string[];
};

export type CliOptions = {
	/** Undefined: the built-in demo image. */
	image: string | undefined;
	source: SourceKindOption | undefined;
	platform: string | undefined;
	reports: ReportTarget[];
	dockerfile: string | undefined;
	ci: boolean;
	config: string | undefined;
	baseline: string | undefined;
	writeBaseline: string | undefined;
	ruleOverrides: {
		lowestEfficiency?: string;
		highestWastedBytes?: string;
		highestUserWastedPercent?: string;
	};
	maxLayerBytes: number | undefined;
	cache: boolean;
	debug: boolean;
	/** `--registry-username`, `--registry-password-stdin`, `--insecure-registry`. */
	registry?: {username?: string; passwordStdin: boolean; insecureHosts: string[]};
};

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

const sizeUnits: Record<string, number> = {
	'': 1,
	b: 1,
	kb: 1e3,
	mb: 1e6,
	gb: 1e9,
	tb: 1e12,
	kib: 1024,
	mib: 1024 ** 2,
	gib: 1024 ** 3,
	tib: 1024 ** 4,
};

/** `20MB` = 20,000,000 and `20MiB` = 20,971,520, as dive's humanize parser reads them. */
export function parseByteSize(value: string, what: string): number {
	const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
	const multiplier = match ? sizeUnits[match[2]!.toLowerCase()] : undefined;
	if (!match || multiplier === undefined) {
		throw new LayerlensError(`Invalid size '${value}' for ${what}`, {
			hint: 'Write a number of bytes, optionally with a unit such as 500MB or 2GiB',
		});
	}

	return Math.round(Number(match[1]) * multiplier);
}

/**
Turn `--json`, `--format` and the repeatable `--output [fmt=]FILE` into report targets. One analysis
pass serves all of them.
*/
export function parseReportTargets(flags: Pick<CliFlags, 'json' | 'format' | 'output'>): ReportTarget[] {
	const defaultFormat =
		flags.format === undefined ? (flags.json ? 'json' : undefined) : parseFormat(flags.format);
	if (flags.json && defaultFormat !== 'json') {
		throw new LayerlensError('--json and --format disagree', {hint: 'Use one of them'});
	}

	const targets: ReportTarget[] = [];
	for (const output of flags.output) {
		const match = /^(json|markdown|sarif)=(.+)$/.exec(output);
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
	if (/\.(md|markdown)$/i.test(path)) {
		return 'markdown';
	}

	if (/\.sarif(\.json)?$/i.test(path)) {
		return 'sarif';
	}

	if (/\.json$/i.test(path)) {
		return 'json';
	}

	throw new LayerlensError(`Cannot tell the report format of '${path}'`, {
		hint: 'Add --format json|markdown|sarif or write --output markdown=FILE',
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

export function parseCliOptions(input: string[], flags: CliFlags): CliOptions {
	if (input.length > 1) {
		throw new LayerlensError(`Expected one image, got ${input.length}: ${input.join(' ')}`, {
			hint: 'Run layerlens --help for usage',
		});
	}

	const image = flags.demo ? undefined : input[0];
	if (flags.demo && input.length > 0) {
		throw new LayerlensError('--demo opens the built-in image; do not name another one', {
			hint: `Drop --demo to analyse ${input[0]}`,
		});
	}

	if (flags.platform !== undefined && !/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/i.test(flags.platform)) {
		throw new LayerlensError(`Invalid platform '${flags.platform}'`, {
			hint: 'Write os/arch[/variant], e.g. linux/arm64',
		});
	}

	return {
		image,
		source: parseSource(flags.source),
		platform: flags.platform,
		reports: parseReportTargets(flags),
		dockerfile: flags.dockerfile,
		ci: flags.ci,
		config: flags.config,
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
			flags.maxLayerBytes === undefined ? undefined : parseByteSize(flags.maxLayerBytes, '--max-layer-bytes'),
		cache: flags.cache,
		debug: flags.debug,
		registry: {
			...(flags.registryUsername === undefined ? {} : {username: flags.registryUsername}),
			passwordStdin: flags.registryPasswordStdin ?? false,
			insecureHosts: flags.insecureRegistry ?? [],
		},
	};
}

/**
Decide what to do before anything renders: raw mode is only ever attempted with a terminal on both ends.
CI mode also switches on when CI=true and stdout is not a terminal, as dive does.
*/
export function pickMode(
	options: CliOptions,
	environment: {ci: boolean; stdoutIsTty: boolean; stdinIsTty: boolean},
): Mode {
	if (options.writeBaseline) {
		return 'write-baseline';
	}

	if (options.ci) {
		return 'ci';
	}

	// A report asked for on stdout is the job, even inside a CI job; dive's --json also skips CI mode.
	if (options.reports.some((target) => target.path === undefined)) {
		return 'report';
	}

	if (environment.ci && !environment.stdoutIsTty) {
		return 'ci';
	}

	if (options.reports.length > 0) {
		return 'report';
	}

	if (environment.stdoutIsTty && environment.stdinIsTty) {
		return 'explorer';
	}

	return 'summary';
}
