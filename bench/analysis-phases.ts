/**
The analysis phases of one image in process, the read done once: CPU time of each phase and the heap
after each repetition. For profiling the engine (`node --cpu-prof` works on it too); `npm run bench`
gives the figures that count.

	node --expose-gc --import tsx bench/analysis-phases.ts IMAGE.tar [repetitions]
*/
import {analyzeImage} from '../source/analysis/analyze-image.js';
import {runtimeClosure} from '../source/analysis/closure/runtime-closure.js';
import {findFindings} from '../source/analysis/findings/find-findings.js';
import {buildRuleInput} from '../source/analysis/rule-input.js';
import {createArchiveSource} from '../source/image/sources/open-source.js';

const file = process.argv[2];
if (file === undefined) {
	process.stderr.write(
		'usage: node --expose-gc --import tsx bench/analysis-phases.ts IMAGE.tar [repetitions]\n',
	);
	process.exit(2);
}

const repetitions = Number(process.argv[3] ?? 3);
/** Present with --expose-gc: the heap figures are then live data, not garbage waiting. */
const collect = (globalThis as {gc?: () => void}).gc ?? (() => undefined);
/** CPU time of this process: on a shared machine it moves less than wall time. */
const cpu = (): number => {
	const usage = process.cpuUsage();
	return (usage.user + usage.system) / 1000;
};

const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;
const memory = (): string => {
	const usage = process.memoryUsage();
	return `heap ${megabytes(usage.heapUsed)} + array buffers ${megabytes(usage.arrayBuffers)}`;
};

const readStarted = performance.now();
const raw = await createArchiveSource(file).load({});
collect();
console.log(`read ${(performance.now() - readStarted).toFixed(0)} ms (wall); ${memory()}`);
for (let repetition = 0; repetition < repetitions; repetition++) {
	let started = cpu();
	const analysis = analyzeImage(raw);
	const analyze = cpu() - started;
	started = cpu();
	const input = buildRuleInput(analysis, raw);
	const ruleInput = cpu() - started;
	started = cpu();
	const closure = runtimeClosure(input);
	findFindings(input, {runtimePaths: closure.proven});
	const findings = cpu() - started;
	collect();
	console.log(
		`CPU: stack+waste+dive ${analyze.toFixed(0)} ms, rule input ${ruleInput.toFixed(0)} ms, closure+findings ${findings.toFixed(0)} ms; ${memory()}; ${analysis.tree.nodeCount} nodes`,
	);
}
