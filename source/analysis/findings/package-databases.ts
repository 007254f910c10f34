/** Debian's and Alpine's package databases, as plain data. */

export type DebianPackage = {
	name: string;
	section: string;
	installed: boolean;
	essential: boolean;
	depends: string[];
};

/** Names in a Depends/Pre-Depends field: `libc6 (>= 2.36), libgcc-s1 | foo` → libc6, libgcc-s1, foo. */
function dependencyNames(field: string): string[] {
	return field
		.split(/[,|]/)
		.map((part) => part.trim().split(/[\s:(]/)[0] ?? '')
		.filter((name) => name !== '');
}

export function parseDpkgStatus(text: string): DebianPackage[] {
	const packages: DebianPackage[] = [];
	for (const paragraph of text.split(/\n\s*\n/)) {
		const fields = new Map<string, string>();
		let last: string | undefined;
		for (const line of paragraph.split('\n')) {
			if (/^\s/.test(line) && last !== undefined) {
				fields.set(last, `${fields.get(last)}\n${line.trim()}`);
				continue;
			}

			const colon = line.indexOf(':');
			if (colon > 0) {
				last = line.slice(0, colon);
				fields.set(last, line.slice(colon + 1).trim());
			}
		}

		const name = fields.get('Package');
		if (name === undefined) {
			continue;
		}

		packages.push({
			name,
			section: fields.get('Section') ?? '',
			installed: (fields.get('Status') ?? 'install ok installed').endsWith(' installed'),
			essential: fields.get('Essential') === 'yes',
			depends: dependencyNames(`${fields.get('Depends') ?? ''},${fields.get('Pre-Depends') ?? ''}`),
		});
	}

	return packages;
}

/** The files dpkg lists for a package (`var/lib/dpkg/info/<name>.list` or `<name>:<arch>.list`), without leading slash. */
export function dpkgPackageFiles(evidence: Map<string, string>, name: string): string[] {
	let text = evidence.get(`var/lib/dpkg/info/${name}.list`);
	if (text === undefined) {
		const prefix = `var/lib/dpkg/info/${name}:`;
		for (const [path, value] of evidence) {
			if (path.startsWith(prefix) && path.endsWith('.list')) {
				text = value;
				break;
			}
		}
	}

	return (text ?? '')
		.split('\n')
		.map((line) => line.trim().replace(/^\/+/, ''))
		.filter((line) => line !== '' && line !== '.');
}

export type AlpinePackage = {name: string; depends: string[]; files: string[]};

export function parseApkInstalled(text: string): AlpinePackage[] {
	const packages: AlpinePackage[] = [];
	for (const block of text.split(/\n\s*\n/)) {
		let current: AlpinePackage | undefined;
		let directory = '';
		for (const line of block.split('\n')) {
			const key = line.slice(0, 2);
			const value = line.slice(2);
			if (key === 'P:') {
				current = {name: value, depends: [], files: []};
				packages.push(current);
			} else if (current && key === 'D:') {
				current.depends = value
					.split(/\s+/)
					.filter((name) => name !== '' && !name.startsWith('!'))
					.map((name) => name.split(/[<>=~]/)[0]!);
			} else if (current && key === 'F:') {
				directory = value;
			} else if (current && key === 'R:') {
				current.files.push(directory === '' ? value : `${directory}/${value}`);
			}
		}
	}

	return packages;
}
