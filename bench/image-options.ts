import type {CliOptions} from '../source/cli/options.js';

/** The options of `layerlens IMAGE` with everything else at its default (cache on). */
export function imageOptions(image: string): CliOptions {
	return {
		image,
		source: undefined,
		platform: undefined,
		reports: [],
		dockerfile: undefined,
		ci: false,
		config: undefined,
		baseline: undefined,
		writeBaseline: undefined,
		ruleOverrides: {},
		maxLayerBytes: undefined,
		cache: true,
		debug: false,
	};
}
