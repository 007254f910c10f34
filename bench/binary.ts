import {buildBinary} from '../packaging/build-binary.js';
import {type Measurement, measure, measurePair} from './measure.js';

export type BinaryStartup = {
	binaryBytes: number;
	bundleBytes: number;
	pairs: number;
	binary: Measurement;
	node: Measurement;
};

/**
`npm run package`'s executable against `node dist/cli.js`, both printing `--version`: what every command pays
before it does anything. Start-ups are short, so more pairs than the other cases, alternated as they are.
*/
export async function benchBinaryStartup(
	cli: string,
	pairs: number,
	log: (line: string) => void,
): Promise<BinaryStartup> {
	const built = await buildBinary();
	log(
		`single executable ${built.path}${built.fromCache ? ' (from the cache)' : ''}: ${pairs} start-up pairs`,
	);
	const [binary, node] = await measurePair(
		pairs,
		() => measure(built.path, ['--version']),
		() => measure(process.execPath, [cli, '--version']),
	);
	return {binaryBytes: built.binaryBytes, bundleBytes: built.bundleBytes, pairs, binary, node};
}
