import type {PackageInventory} from '../analysis/packages/index.js';
import type {ReportSuggestion} from '../analysis/suggestion/report-suggestion.js';
import type {ImageAnalysis} from '../analysis/types.js';
import type {Plan} from '../ci/plan.js';
import type {ExportFormat} from './explorer-state.js';

/** Everything the explorer shows and the callbacks it uses; the CLI builds it from an image source. */
export type ExplorerData = {
	analysis: ImageAnalysis;
	/**
	Up to `limit` bytes of the regular file at `path` (no leading slash) as stored in layer `layerIndex`;
	`onProgress` hears the bytes of an image export read while the file is looked for in one.
	*/
	readFile(
		layerIndex: number,
		path: string,
		limit: number,
		onProgress?: (exportedBytes: number) => void,
	): Promise<Buffer>;
	/** Throws a LayerlensError whose message contains `EEXIST` when the file exists and `overwrite` is false. */
	exportReport?(format: ExportFormat, path: string, overwrite: boolean): Promise<void>;
	/** The suggested multi-stage rewrite with its projection, closure and notes (`d`). */
	suggestion?: ReportSuggestion;
	/**
	Who owns each file of the final filesystem, worked out on first call (the package view, the owner column)
	from the same records and code as the report's `packages`, so the numbers are the same.
	*/
	packages?: () => PackageInventory;
	/** Writes the what-if plan into the config file (the --config file, or .layerlens.yml beside --dockerfile); resolves to its path. */
	savePlan?(plan: Plan): Promise<string>;
	/** e.g. `layerlens-nginx`; the format's extension is added (an existing .md/.json/.sarif is replaced). */
	defaultExportName: string;
};
