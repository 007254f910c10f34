import type {FileSpec, ImageSpec, LayerSpec} from '../source/image/write/image-spec.js';
import {logUniform, seededRandom} from './random.js';

/**
The benchmark images, generated from a seed. Bump `generatorVersion` whenever a spec below changes so
the cached archives are generated again.
*/
export const generatorVersion = 1;

type Tree = {files: FileSpec[]; dirs: Set<string>};

function addDirs(tree: Tree, path: string): void {
	let slash = path.lastIndexOf('/');
	while (slash > 0) {
		const dir = path.slice(0, slash);
		if (tree.dirs.has(dir)) return;
		tree.dirs.add(dir);
		slash = dir.lastIndexOf('/');
	}
}

function layer(createdBy: string, tree: Tree): LayerSpec {
	const dirs = [...tree.dirs].sort().map((path): FileSpec => ({path, type: 'dir'}));
	return {createdBy, files: [...dirs, ...tree.files]};
}

/** `count` files under `root` spread over nested directories (about 20 files a directory, 3 levels). */
function fileTree(
	random: () => number,
	root: string,
	count: number,
	size: () => number,
	extension = '.js',
): Tree {
	const tree: Tree = {files: [], dirs: new Set()};
	for (let index = 0; index < count; index++) {
		const dir = `${root}/d${Math.floor(index / 400)}/s${Math.floor(index / 20) % 20}`;
		const path = `${dir}/f${index}${extension}`;
		addDirs(tree, path);
		tree.files.push({path, size: size(), seed: Math.floor(random() * 1e9)});
	}

	return tree;
}

/** Realistic spread: most files a few KB, a few hundred KB to MB, scaled so the image totals `targetBytes`. */
function realisticSizes(random: () => number, targetBytes: number, count: number): () => number {
	const raw: number[] = [];
	for (let index = 0; index < count; index++) {
		raw.push(
			random() < 0.97 ? logUniform(random, 64, 48 * 1024) : logUniform(random, 48 * 1024, 8 * 1024 * 1024),
		);
	}

	const total = raw.reduce((sum, value) => sum + value, 0);
	const scale = targetBytes / total;
	let next = 0;
	return () => Math.max(0, Math.floor(raw[next++ % raw.length]! * scale));
}

/** (a) ~1 GB, ~100,000 files, 7 layers: deletions of single files and whole directories, overwrites. */
export function mediumImage(): ImageSpec {
	const random = seededRandom(1);
	const size = realisticSizes(random, 1_000_000_000, 104_000);
	const base = fileTree(random, 'usr/lib', 15_000, size, '.so');
	const apt = fileTree(random, 'var/lib/apt/lists', 3_000, size, '.list');
	const packages = fileTree(random, 'usr/share', 22_000, size, '.txt');
	const merged: Tree = {
		files: [...apt.files, ...packages.files],
		dirs: new Set([...apt.dirs, ...packages.dirs]),
	};
	const modules = fileTree(random, 'app/node_modules', 45_000, size);
	const cache = fileTree(random, 'root/.npm/_cacache', 8_000, size, '.bin');
	const deps: Tree = {
		files: [...modules.files, ...cache.files],
		dirs: new Set([...modules.dirs, ...cache.dirs]),
	};
	const build = fileTree(random, 'app/dist', 9_000, size);
	// Overwrites: the same paths as earlier layers with new content.
	const overwrite: Tree = {files: [], dirs: new Set()};
	for (let index = 0; index < 1_500; index++) {
		const earlier = deps.files[index * 30]!;
		overwrite.files.push({path: earlier.path, size: size(), seed: 7_000_000 + index});
		addDirs(overwrite, earlier.path);
	}

	// Deletions: whole directories (the apt lists, the npm cache) and single files.
	const cleanup: Tree = {
		files: [
			{path: 'var/lib/apt/lists', type: 'whiteout'},
			{path: 'root/.npm', type: 'whiteout'},
		],
		dirs: new Set(['var/lib/apt', 'root']),
	};
	for (let index = 0; index < 500; index++) {
		const earlier = base.files[index * 29]!;
		cleanup.files.push({path: earlier.path, type: 'whiteout'});
		addDirs(cleanup, earlier.path);
	}

	const config = fileTree(random, 'etc/app', 200, () => logUniform(random, 32, 4096), '.conf');
	return {
		layers: [
			layer('/bin/sh -c #(nop) ADD file:base in / ', base),
			layer('/bin/sh -c apt-get update && apt-get install -y stuff', merged),
			layer('/bin/sh -c npm ci', deps),
			layer('/bin/sh -c npm run build', build),
			layer('/bin/sh -c node patch.js', overwrite),
			layer('/bin/sh -c rm -rf /var/lib/apt/lists /root/.npm && rm -f some', cleanup),
			layer('COPY config /etc/app # buildkit', config),
		],
		repoTags: ['layerlens-bench/medium:1'],
	};
}

/**
(e) the next build of (a), for `layerlens diff`: the same base and packages (shared layers), 5,000 of the
npm layer's files gone (a devDependency cut), 3,000 build outputs rebuilt with new content and a new
3,000-file asset directory. About 1 GB again, so the comparison runs on two images of the same size.
*/
export function mediumImageRevised(): ImageSpec {
	const spec = mediumImage();
	const random = seededRandom(5);
	const layers = spec.layers.map((item, index) => {
		if (index === 2) {
			let dropped = 0;
			const files = item.files.filter(
				(file) => file.type === 'dir' || file.path.startsWith('root/') || dropped++ >= 5_000,
			);
			return {...item, files};
		}

		if (index === 3) {
			const assets = fileTree(
				random,
				'app/public/assets',
				3_000,
				() => logUniform(random, 1024, 64 * 1024),
				'.png',
			);
			let rebuilt = 0;
			const files = item.files.map((file) =>
				file.type !== 'dir' && rebuilt++ < 3_000 ? {...file, seed: (file.seed ?? 0) + 1} : file,
			);
			return {...item, files: [...files, ...layer('', assets).files]};
		}

		return item;
	});
	return {...spec, layers, repoTags: ['layerlens-bench/medium:2']};
}

/** (b) 30 layers × 60,000 small files; every layer deletes a directory and some files of the one below. */
export function manyLayersImage(): ImageSpec {
	const random = seededRandom(2);
	const layers: LayerSpec[] = [];
	for (let index = 0; index < 30; index++) {
		const tree = fileTree(random, `opt/l${index}`, 60_000, () => logUniform(random, 16, 4096), '.dat');
		if (index > 0) {
			tree.files.push({path: `opt/l${index - 1}/d0`, type: 'whiteout'});
			for (let deleted = 0; deleted < 200; deleted++) {
				const path = `opt/l${index - 1}/d${1 + Math.floor(deleted / 20)}/s${deleted % 20}/f${400 + deleted * 20}.dat`;
				tree.files.push({path, type: 'whiteout'});
			}
		}

		layers.push(layer(`/bin/sh -c make step${index}`, tree));
	}

	return {layers, repoTags: ['layerlens-bench/many-layers:1']};
}

/** (c) 1,000,000 small files over 4 layers. */
export function millionFilesImage(): ImageSpec {
	const random = seededRandom(3);
	const layers: LayerSpec[] = [];
	for (let index = 0; index < 4; index++) {
		const tree = fileTree(random, `data/p${index}`, 250_000, () => logUniform(random, 1, 512), '.txt');
		layers.push(layer(`/bin/sh -c generate part ${index}`, tree));
	}

	return {layers, repoTags: ['layerlens-bench/million:1']};
}
