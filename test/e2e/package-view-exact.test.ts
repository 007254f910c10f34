import assert from 'node:assert/strict';
import {test} from 'node:test';
import type {ImageAnalysis} from '../../source/analysis/types.js';
import {parseCliOptions} from '../../source/cli/options.js';
import {renderReport} from '../../source/report/render-report.js';
import {loadImage} from '../../source/run/load-image.js';
import {packageInventoryOf} from '../../source/run/modes/explorer-mode.js';
import {toolVersion} from '../../source/shared/version.js';
import {
	createInitialState,
	currentTree,
	type ExplorerState,
	reducer,
} from '../../source/ui/explorer-state.js';
import {packageRows} from '../../source/ui/package-view-state.js';
import {assertDockerAvailable, dockerAvailability, dockerSkip, fixtureImages} from '../helpers/docker.js';

/*
On every fixture image, the package view's figures are exact: each package's bytes are the sum of its files'
sizes in the final filesystem (read from the stacked tree, not from the inventory's own sum), the view lists
the same packages with the same numbers as `--json`'s `packages`, and the view's Enter leaves a tree whose
rows add up to the package's bytes.
*/

const images = (process.env.LAYERLENS_PACKAGE_FIXTURES?.split(',') ??
	Object.values(fixtureImages)) as string[];
const availability = await dockerAvailability({images: images as never});
const skip = dockerSkip(availability);

/** Bytes of `path` in the final filesystem: a regular file's size, 0 for anything else or nothing there. */
function finalBytes(analysis: ImageAnalysis, path: string): number {
	const {tree} = analysis;
	const node = tree.find(path);
	const version = node === undefined ? undefined : tree.finalVersion(node);
	return version !== undefined && tree.isFile(version) ? tree.size(version) : 0;
}

function press(state: ExplorerState, ...keys: string[]): ExplorerState {
	return keys.reduce(
		(current, name) => reducer(current, {type: 'key', name, text: name.length === 1 ? name : ''}),
		state,
	);
}

for (const image of images) {
	test(`package view figures are exact on ${image}`, {skip, timeout: 900_000}, async () => {
		assertDockerAvailable(availability);
		const options = parseCliOptions([image], {
			demo: false,
			json: false,
			output: [],
			ci: false,
			cache: false,
			debug: false,
		});
		const loaded = await loadImage(options);
		const analysis: ImageAnalysis = {...loaded.report, ...loaded.tree};
		const packages = packageInventoryOf(analysis, loaded.raw);
		const rows = packageRows(packages(), analysis, loaded.report.suggestion);
		const json = JSON.parse(renderReport('json', loaded.report, toolVersion)) as {
			packages: {packages: Array<Record<string, unknown>>};
		};
		const fromJson = json.packages.packages.map(
			({ecosystem, name, version, location, bytes, fileCount, layer}) => ({
				ecosystem,
				name,
				version,
				location,
				bytes,
				fileCount,
				layer,
			}),
		);
		const fromView = rows.map(({owned}) => ({
			ecosystem: owned.ecosystem,
			name: owned.name,
			version: owned.version,
			location: owned.location,
			bytes: owned.bytes,
			fileCount: owned.files.length,
			layer: owned.layer,
		}));
		assert.deepEqual(fromView, fromJson, 'the view lists what --json lists, in its order, with its numbers');

		let owned = 0;
		for (const row of rows) {
			const sum = row.owned.files.reduce((total, path) => total + finalBytes(analysis, path), 0);
			assert.equal(row.owned.bytes, sum, `${row.label}: its bytes are its files' in the final filesystem`);
			owned += sum;
		}

		assert.equal(
			owned + packages().unownedBytes,
			loaded.report.image.finalSizeBytes,
			'owned + yours = final',
		);

		// Enter on the largest packages and the largest of each ecosystem: the tree shows exactly their bytes.
		const picked = new Set<number>(rows.slice(0, 3).map((row) => row.index));
		for (const ecosystem of new Set(rows.map((row) => row.owned.ecosystem))) {
			picked.add(rows.find((row) => row.owned.ecosystem === ecosystem)!.index);
		}

		const start = createInitialState(
			analysis,
			{
				canExport: false,
				defaultExportName: 'x',
				packages,
				...(loaded.report.suggestion ? {suggestion: loaded.report.suggestion} : {}),
			},
			{columns: 160, rows: 45},
		);
		for (const index of picked) {
			const state = press(start, 'P', ...Array.from({length: index}, () => 'j'), 'enter');
			const {view} = currentTree(state);
			const shown = view.rows.filter((row) => row.depth === 0).reduce((total, row) => total + row.size, 0);
			assert.equal(shown, rows[index]!.owned.bytes, `${rows[index]!.label}: the tree after Enter`);
			const files = view.rows.filter((row) => !row.isDirectory).map((row) => row.path);
			assert.deepEqual(new Set(files), new Set(rows[index]!.owned.files), `${rows[index]!.label}: its files`);
		}
	});
}
