import type {PullPolicy, RegistryMirror} from '../image/sources/registry/mirrors.js';
import type {ReportFormat} from '../report/formats.js';

export const sourceKinds = ['docker', 'podman', 'docker-archive', 'oci', 'registry'] as const;
export type SourceKindOption = (typeof sourceKinds)[number];

export type ReportTarget = {format: ReportFormat; path: string | undefined};

export type Mode = 'explorer' | 'report' | 'ci' | 'summary' | 'write-baseline';

export type CliOptions = {
	/** Undefined: the built-in demo image. */
	image: string | undefined;
	source: SourceKindOption | undefined;
	platform: string | undefined;
	reports: ReportTarget[];
	dockerfile: string | undefined;
	ci: boolean;
	config: string | undefined;
	/** The rules file is dive's format (`--ci-config`), whatever its name. */
	configIsDive?: boolean;
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
	/** `--registry-username`, `--registry-password-stdin`, `--insecure-registry`, `--registry-mirror`. */
	registry?: {username?: string; passwordStdin: boolean; insecureHosts: string[]; mirrors?: RegistryMirror[]};
	/** `--pull`: when an image named by reference is read from its registry (default `missing`). */
	pull?: PullPolicy;
};

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

/** Budget values from the command line, as text (parsed with the config file's rules in ci/diff-budgets.ts). */
export type DiffBudgetOverrides = {
	maxGrowthBytes?: string;
	maxGrowthPercent?: string;
	failOnNew?: string[];
};

export type DiffOptions = {
	/** The options shared by both sides (reports, --ci, --source, --platform, --no-cache); `image` is A's. */
	common: CliOptions;
	a: CliOptions;
	b: CliOptions;
	timestamps: boolean;
	budgets: DiffBudgetOverrides;
};

export type DiffMode = Exclude<Mode, 'write-baseline'>;
