import {fileViews} from '../final-file-list.js';
import type {ClosureContext} from './closure-context.js';

/** ruby's library roots: the standard library, Debian's gem integration and gem homes, the official image's. */
const rubyRoots = [
	'usr/lib/ruby',
	'usr/share/rubygems-integration',
	'var/lib/gems',
	'usr/local/lib/ruby',
	'usr/local/bundle',
];

/** `…/specifications/NAME-VERSION.gemspec`: RubyGems' record of an installed gem (default gems excluded: they are the stdlib's). */
const gemSpec = /^(.*)\/specifications\/([^/]+)\.gemspec$/;

/** `HOME/extensions/PLATFORM/ABI/NAME-VERSION/…`: a gem's compiled extension, built at install. */
const gemExtension = /^(.*)\/(extensions\/[^/]+\/[^/]+\/([^/]+))\//;

/**
What `ruby [options] app.rb` loads: the library roots (standard library and gem homes), every installed
gem named by a gem spec (its `gems/NAME-VERSION` directory and its compiled `extensions/…/NAME-VERSION`,
wherever the gem home is: a bundler `vendor/bundle` too), and the script, whose path it returns.
*/
export function followRuby(args: string[], context: ClosureContext): string | undefined {
	for (const root of rubyRoots) {
		if (context.isDirectory(root)) context.addTree(root, "ruby's libraries and gem home");
	}

	// One pass: the gem specs, and the compiled-extension directories (`extensions/PLATFORM/ABI/NAME-VERSION`).
	const specs: {path: string; home: string; gem: string}[] = [];
	const extensionDirectories = new Map<string, string>();
	for (const file of fileViews(context.input.files)) {
		if (file.path.includes('/specifications/')) {
			const spec = gemSpec.exec(file.path);
			if (spec !== null) specs.push({path: file.path, home: spec[1]!, gem: spec[2]!});
		} else if (file.path.includes('/extensions/')) {
			const extension = gemExtension.exec(file.path);
			if (extension !== null)
				extensionDirectories.set(`${extension[1]}\0${extension[3]}`, `${extension[1]}/${extension[2]}`);
		}
	}

	for (const {path, home, gem} of specs) {
		const directory = `${home}/gems/${gem}`;
		if (!context.isDirectory(directory)) continue;
		context.add(path, `the gem spec of ${gem}`, []);
		context.addTree(directory, `gem ${gem} (/${path})`);
		const extensions = extensionDirectories.get(`${home}\0${gem}`);
		if (extensions !== undefined) context.addTree(extensions, `the compiled extensions of gem ${gem}`);
	}

	let scriptName: string | undefined;
	for (let index = 0; index < args.length; index++) {
		const word = args[index]!;
		if (word === '-e') return undefined;
		if (word === '-I' || word === '-r') {
			const value = args[++index];
			if (word === '-I' && value !== undefined) {
				const resolved = context.resolve(value);
				if (resolved.path !== undefined && context.isDirectory(resolved.path))
					context.addTree(resolved.path, 'on the load path (ruby -I)');
			}
		} else if (!word.startsWith('-')) {
			scriptName = word;
			break;
		}
	}

	if (scriptName === undefined) return undefined;
	const script = context.resolve(scriptName);
	if (script.path === undefined)
		context.unresolved.push(`ruby ${scriptName}: the script is not in the image`);
	else context.add(script.path, 'the script ruby runs', script.links);
	return script.path;
}
