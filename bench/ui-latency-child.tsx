/**
The UI latency run in a process of its own, as the CLI's explorer runs: the benchmark's own heap (it
loads the image several times) must not add its garbage collections to the frames. Prints the figures
as JSON on stdout. Usage: node --import tsx bench/ui-latency-child.tsx IMAGE
*/
import {loadImage} from '../source/run/load-image.js';
import {packageInventoryOf} from '../source/run/modes/explorer-mode.js';
import {imageOptions} from './image-options.js';
import {measureUiLatency} from './ui-latency.js';

const image = process.argv[2];
if (image === undefined) {
	throw new Error('usage: ui-latency-child.tsx IMAGE');
}

const loaded = await loadImage(imageOptions(image));
const analysis = {...loaded.report, ...loaded.tree};
const latency = await measureUiLatency(analysis, 40, packageInventoryOf(analysis, loaded.raw));
process.stdout.write(`${JSON.stringify(latency)}\n`);
process.exit(0);
